import BenjiCLI

BenjiMain.run(BenjiTools.write, tool: "benji-write")
