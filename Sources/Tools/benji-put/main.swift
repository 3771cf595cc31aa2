import BenjiCLI

BenjiMain.run(BenjiTools.put, tool: "benji-put")
