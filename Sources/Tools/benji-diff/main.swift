import BenjiCLI

BenjiMain.run(BenjiTools.diff, tool: "benji-diff")
