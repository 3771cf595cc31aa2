import BenjiCLI

BenjiMain.run(BenjiCommand.self, tool: "benji")
