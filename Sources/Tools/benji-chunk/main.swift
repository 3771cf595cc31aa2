import BenjiCLI

BenjiMain.run(BenjiTools.chunk, tool: "benji-chunk")
