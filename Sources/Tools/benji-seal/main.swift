import BenjiCLI

BenjiMain.run(BenjiTools.seal, tool: "benji-seal")
