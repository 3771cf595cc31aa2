import ArgumentParser
import BenjiCore
#if canImport(Glibc)
import Glibc
#endif

/// When a stage runs as its own binary (`benji-put`), its command is named after the binary; inside
/// `benji` it is a subcommand (`benji put`). The one command type serves both.
nonisolated(unsafe) var standaloneTool: String?

func commandName(_ sub: String) -> String {
    standaloneTool == "benji-" + sub ? "benji-" + sub : sub
}

/// The single exit point of every benji binary: parses, runs, and turns any error into one line on
/// stderr (`tool: error: …`) and an exit status (docs/design.md §7).
public enum BenjiMain {
    public static func run(_ command: ParsableCommand.Type, tool: String) -> Never {
        initializeOpenSSLWithoutCleanupAtExit()
        toolName = tool
        if tool != "benji" {
            standaloneTool = tool
            // `benji --version` comes from ArgumentParser; the stage tools answer it too.
            if CommandLine.arguments.dropFirst().first == "--version" {
                print(benjiVersion)
                exit(0)
            }
        }
        signal(SIGPIPE, SIG_IGN)
        keepLargeAllocations(upTo: 32 << 20)
        let parsed: ParsableCommand
        do {
            parsed = try command.parseAsRoot()
        } catch {
            command.exit(withError: error)
        }
        var cmd = parsed
        do {
            try checkWorkerCount()
            try cmd.run()
            exit(0)
        } catch let e as BenjiError {
            printError("\(tool): error: \(e)")
            exit(e.status.rawValue)
        } catch let e as ExitCode {
            exit(e.rawValue)
        } catch {
            // ArgumentParser's own errors (validation, help) print and exit as it defines.
            command.exit(withError: error)
        }
    }
}

/// The root command types of the stage binaries.
public enum BenjiTools {
    public static let diff: ParsableCommand.Type = DiffCommand.self
    public static let chunk: ParsableCommand.Type = ChunkCommand.self
    public static let seal: ParsableCommand.Type = SealCommand.self
    public static let put: ParsableCommand.Type = PutCommand.self
    public static let catalog: ParsableCommand.Type = CatalogCommand.self
    public static let write: ParsableCommand.Type = WriteCommand.self
}
