import BenjiCLI

BenjiMain.run(BenjiTools.catalog, tool: "benji-catalog")
