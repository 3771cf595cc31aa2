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
        Interruption.catchSignals()
        keepLargeAllocations(upTo: 32 << 20)
        func fail(_ e: BenjiError) -> Never {
            // One line, whatever the message holds (SQLite's, the system's).
            printError("\(tool): error: " + "\(e)".split(whereSeparator: \.isNewline).joined(separator: " "))
            exit(e.status.rawValue)
        }
        refuseHelpForUnknownCommand(command, tool: tool)
        let parsed: ParsableCommand
        do {
            parsed = try command.parseAsRoot()
        } catch let e as BenjiError {
            fail(e)
        } catch {
            exitForUsageError(error, of: command, tool: tool)
        }
        var cmd = parsed
        do {
            try checkWorkerCount()
            try cmd.run()
            exit(0)
        } catch let e as BenjiError where e.errno == EPIPE {
            // Whoever read stdout has gone: stop quietly, as SIGPIPE would.
            exit(ExitStatus.outputClosed.rawValue)
        } catch let e as BenjiError {
            fail(e)
        } catch let e as ExitCode {
            exit(e.rawValue)
        } catch {
            // ArgumentParser's own errors (validation, help) print and exit as it defines.
            command.exit(withError: error)
        }
    }
}

/// A command line ArgumentParser refused: `--help` and `--version` print as it defines; anything else is
/// one line, `tool: error: …`, with exit status 64, like every other error (ArgumentParser would add the
/// usage and, for some errors, the whole help).
private func exitForUsageError(_ error: Error, of command: ParsableCommand.Type, tool: String) -> Never {
    let code = command.exitCode(for: error)
    guard code != .success else { command.exit(withError: error) }
    func lines(_ error: Error) -> [String] {
        command.message(for: error).split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty && !$0.hasPrefix("Usage:") && !$0.hasPrefix("See '") }
    }
    var message = lines(error).joined(separator: "; ")
    // ArgumentParser names a missing argument before an unknown option (`benji-diff --bogus`); the
    // unknown option is the likelier mistake. Parsed again with stand-in arguments, it shows.
    var words = Array(CommandLine.arguments.dropFirst())
    while message.hasPrefix("Missing expected argument"), words.count < CommandLine.arguments.count + 4 {
        words.append("x")
        do { _ = try command.parseAsRoot(words); break } catch {
            let again = lines(error).joined(separator: "; ")
            if again.hasPrefix("Unknown option") { message = again }
            if !again.hasPrefix("Missing expected argument") { break }
        }
    }
    // The subcommand the line names (its help is the one to see), or the word that names none.
    var type = command, path = [tool]
    for word in CommandLine.arguments.dropFirst() {
        let subcommands = type.configuration.subcommands
        guard !word.hasPrefix("-"), !subcommands.isEmpty, word != "help" else { break }
        guard let sub = subcommand(of: type, named: word) else {
            message = "unknown command '\(word)'"
            break
        }
        type = sub
        path.append(word)
    }
    if let first = message.first { message = first.lowercased() + message.dropFirst() }
    printError("\(tool): error: \(message) (see '\(path.joined(separator: " ")) --help')")
    exit(code == .validationFailure ? ExitStatus.usage.rawValue : code.rawValue)
}

/// `tool help WORD…` where a word names no command: ArgumentParser would print the top-level help and
/// exit 0, which a script would take for success.
private func refuseHelpForUnknownCommand(_ command: ParsableCommand.Type, tool: String) {
    let words = CommandLine.arguments.dropFirst()
    guard words.first == "help", !command.configuration.subcommands.isEmpty else { return }
    var type = command
    for word in words.dropFirst() where !word.hasPrefix("-") {
        guard let sub = subcommand(of: type, named: word) else {
            printError("\(tool): error: unknown command '\(word)' (see '\(tool) --help')")
            exit(ExitStatus.usage.rawValue)
        }
        type = sub
    }
}

/// The subcommand of `type` that `word` names, if any.
private func subcommand(of type: ParsableCommand.Type, named word: String) -> ParsableCommand.Type? {
    type.configuration.subcommands.first { $0._commandName == word }
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
