import ArgumentParser
import BenjiCore
import BenjiRecords
import BenjiEngine
import BenjiSeal
import BenjiStore
import Foundation

/// The configuration file: flat `key = value` lines (a subset of TOML), `#` comments.
///
/// Keys: `catalog`, `store`, `compression_level` (an integer, or `none`), `block_size`, `key_file`,
/// `passphrase_file`. Paths must be absolute.
struct ConfigFile {
    var path: String
    var values: [String: String]

    static let searchPath: [String] = {
        var paths: [String] = []
        let env = ProcessInfo.processInfo.environment
        if let xdg = env["XDG_CONFIG_HOME"], !xdg.isEmpty {
            paths.append(xdg + "/benji/benji.toml")
        } else if let home = env["HOME"], !home.isEmpty {
            paths.append(home + "/.config/benji/benji.toml")
        }
        paths.append("/etc/benji/benji.toml")
        return paths
    }()

    /// Set by `benji init`, which creates the file a missing `--config`/`BENJI_CONFIG` names.
    nonisolated(unsafe) static var mayBeMissing = false

    /// The file named by `--config`, else `BENJI_CONFIG`, else the first of the search path that exists.
    static func load(explicit: String?) throws -> ConfigFile? {
        if let path = explicit ?? ProcessInfo.processInfo.environment["BENJI_CONFIG"] {
            guard FileManager.default.fileExists(atPath: path) else {
                if mayBeMissing { return nil }
                throw BenjiError(.config, "configuration file \(path) does not exist")
            }
            return try parse(path: path)
        }
        for path in searchPath where FileManager.default.fileExists(atPath: path) {
            return try parse(path: path)
        }
        return nil
    }

    static func parse(path: String) throws -> ConfigFile {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw BenjiError(.config, "configuration file \(path) cannot be read")
        }
        var values: [String: String] = [:]
        for (n, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            guard let eq = line.firstIndex(of: "=") else {
                throw BenjiError(.config, "configuration file \(path), line \(n + 1): expected key = value")
            }
            let key = line[..<eq].trimmingCharacters(in: .whitespaces)
            var value = line[line.index(after: eq)...].trimmingCharacters(in: .whitespaces)
            if value.hasPrefix("\"") {
                guard value.count >= 2, value.hasSuffix("\"") else {
                    throw BenjiError(.config, "configuration file \(path), line \(n + 1): unterminated string")
                }
                value = String(value.dropFirst().dropLast())
            } else if let hash = value.firstIndex(of: "#") {
                value = value[..<hash].trimmingCharacters(in: .whitespaces)
            }
            let at = "configuration file \(path), line \(n + 1)"
            switch key {
            case "catalog", "store", "key_file", "passphrase_file":
                guard !value.isEmpty else { throw BenjiError(.config, "\(at): \(key) is empty") }
                // A relative path would depend on the directory benji runs in. A store may be a URL:
                // file:///path (or file:/path), or another scheme's.
                let path = key == "store" ? fileStorePath(value) ?? "/" : value
                guard path.hasPrefix("/") else {
                    throw BenjiError(.config, "\(at): \(key) must be an absolute path\(key == "store" ? " or a URL (file:///path)" : ""), not \(value)")
                }
            case "compression_level":
                guard value == "none" || Int(value).map(ZstdLevels.range.contains) == true else {
                    throw BenjiError(.config, "\(at): compression_level must be none or a zstd level from \(ZstdLevels.range.lowerBound) to \(ZstdLevels.range.upperBound)")
                }
            case "block_size":
                do { _ = try parseBlockSize(value) } catch let e as BenjiError {
                    throw BenjiError(.config, "\(at): block_size: \(e.message)")
                }
            default:
                throw BenjiError(.config, "\(at): unknown key \"\(key)\"")
            }
            values[key] = value
        }
        return ConfigFile(path: path, values: values)
    }
}

/// Where the catalog and the store are: flags, then `BENJI_CATALOG`/`BENJI_STORE`, then the config file.
struct RepositoryOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The catalog: a SQLite file. Else $BENJI_CATALOG, else the config file.", valueName: "path"))
    var catalog: String?

    @Option(help: ArgumentHelp("The object store: file:///path (or a plain path). Else $BENJI_STORE, else the config file.", valueName: "url"))
    var store: String?

    @Option(help: ArgumentHelp("The configuration file. Else $BENJI_CONFIG, else ~/.config/benji/benji.toml, else /etc/benji/benji.toml.", valueName: "path"))
    var config: String?

    func setting(_ flag: String?, env: String, key: String) throws -> String? {
        // A file named by --config or BENJI_CONFIG must exist and be sound, whatever it is used for; one
        // found on the search path is read only if the setting comes from it.
        let named = config != nil || ProcessInfo.processInfo.environment["BENJI_CONFIG"] != nil
        let namedFile = named ? try ConfigFile.load(explicit: config) : nil
        if let flag { return flag }
        if let value = ProcessInfo.processInfo.environment[env], !value.isEmpty { return value }
        return try (named ? namedFile : ConfigFile.load(explicit: config))?.values[key]
    }

    func catalogPath() throws -> String {
        guard let path = try setting(catalog, env: "BENJI_CATALOG", key: "catalog") else {
            throw BenjiError(.config, "no catalog configured: pass --catalog, set BENJI_CATALOG, or run 'benji init'")
        }
        return path
    }

    func storeURL() throws -> String {
        guard let url = try setting(store, env: "BENJI_STORE", key: "store") else {
            throw BenjiError(.config, "no store configured: pass --store, set BENJI_STORE, or run 'benji init'")
        }
        return url
    }

    func configValue(_ key: String) throws -> String? { try ConfigFile.load(explicit: config)?.values[key] }

    func repository(seal: SealOptions = .default, keys: KeyOptions? = nil, readOnlyCatalog: Bool = false) throws -> Repository {
        try Repository(catalogPath: try catalogPath(), storeURL: try storeURL(), seal: seal, credential: try keys?.credential(self),
                       readOnlyCatalog: readOnlyCatalog)
    }
}

/// The key of an encrypted store: a key file or a passphrase (never a command-line argument).
struct KeyOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The store's key: an AES key file (benji keygen), a PEM private key, or a writer key. Else $BENJI_KEY_FILE, else key_file in the config file.", valueName: "path"))
    var keyFile: String?

    @Option(help: ArgumentHelp("A file whose first line is the store's passphrase. Else $BENJI_PASSPHRASE_FILE or $BENJI_PASSPHRASE, else passphrase_file in the config file.", valueName: "path"))
    var passphraseFile: String?

    /// The credential: flags, then the environment, then the config file; two at one level are an error.
    func credential(_ repository: RepositoryOptions) throws -> Credential? {
        let env = ProcessInfo.processInfo.environment
        func pick(_ keyFile: String?, _ passphraseFile: String?, _ passphrase: String?, _ level: String) throws -> Credential? {
            let given = [keyFile, passphraseFile, passphrase].compactMap { $0 }.filter { !$0.isEmpty }
            guard given.count <= 1 else { throw BenjiError(.usage, "give one key: a key file or a passphrase (\(level) names more than one)") }
            if let keyFile, !keyFile.isEmpty { return .keyFile(path: keyFile) }
            if let passphraseFile, !passphraseFile.isEmpty { return .passphrase(try readPassphrase(passphraseFile), source: passphraseFile) }
            if let passphrase, !passphrase.isEmpty { return .passphrase(Array(passphrase.utf8), source: "$BENJI_PASSPHRASE") }
            return nil
        }
        if let c = try pick(keyFile, passphraseFile, nil, "the command line") { return c }
        try refuseEmpty(["BENJI_KEY_FILE", "BENJI_PASSPHRASE_FILE", "BENJI_PASSPHRASE"])
        if let c = try pick(env["BENJI_KEY_FILE"], env["BENJI_PASSPHRASE_FILE"], env["BENJI_PASSPHRASE"], "the environment") { return c }
        let config = try ConfigFile.load(explicit: repository.config)?.values ?? [:]
        return try pick(config["key_file"], config["passphrase_file"], nil, "the configuration file")
    }
}

/// Fails if one of these environment variables is set but empty: a script that passes an unset
/// variable's value (`BENJI_PASSPHRASE="$PW"`) must not make or use a store without the key it meant.
/// (An empty `BENJI_CATALOG` or `BENJI_STORE` counts as unset: the next place, the config file, names
/// one that is checked against the other.) - Throws: 78.
func refuseEmpty(_ names: [String]) throws {
    let env = ProcessInfo.processInfo.environment
    if let name = names.first(where: { env[$0]?.isEmpty == true }) {
        throw BenjiError(.config, "$\(name) is set but empty; give it a value or unset it")
    }
}

/// The first line of a passphrase file (a pipe such as `<(pass show backup)` works too).
func readPassphrase(_ path: String) throws -> [UInt8] {
    var bytes = try FileDescriptor.reading(path, what: "passphrase file").readToEnd(limit: 1 << 20, until: 10)
    if let newline = bytes.firstIndex(of: 10) { bytes.removeSubrange(newline...) }
    if bytes.last == 13 { bytes.removeLast() }
    guard !bytes.isEmpty else { throw BenjiError(.config, "passphrase file \(path) is empty") }
    return bytes
}

/// A new AES key: a key file or a passphrase (a file, else `$BENJI_NEW_PASSPHRASE`). What `benji rekey`
/// needs of an AES target key, and part of what `benji key add` takes.
struct NewSecretOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The new AES key: a key file (benji keygen).", valueName: "path"))
    var newKeyFile: String?

    @Option(help: ArgumentHelp("The new passphrase: a file whose first line is it. Else $BENJI_NEW_PASSPHRASE.", valueName: "path"))
    var newPassphraseFile: String?

    /// The new key as a credential, or nil if none is given.
    /// - Parameter otherKeys: how many other new keys the command was given (any two are a usage error).
    func credential(otherKeys: Int = 0, choices: String) throws -> Credential? {
        if newKeyFile == nil && newPassphraseFile == nil { try refuseEmpty(["BENJI_NEW_PASSPHRASE"]) }
        let env = ProcessInfo.processInfo.environment["BENJI_NEW_PASSPHRASE"].flatMap { $0.isEmpty ? nil : $0 }
        guard [newKeyFile, newPassphraseFile, env].compactMap({ $0 }).count + otherKeys <= 1 else {
            throw BenjiError(.usage, "give one new key: \(choices)")
        }
        if let newKeyFile { return .keyFile(path: newKeyFile) }
        if let newPassphraseFile { return .passphrase(try readPassphrase(newPassphraseFile), source: newPassphraseFile) }
        if let env { return .passphrase(Array(env.utf8), source: "$BENJI_NEW_PASSPHRASE") }
        return nil
    }
}

/// A key to add to a store: an AES key (`NewSecretOptions`) or a key pair's public key.
struct NewKeyOptions: ParsableArguments {
    @OptionGroup var secret: NewSecretOptions

    @Option(help: ArgumentHelp("A public key (PEM, X25519 or P-384; benji keygen --type): hosts that have only the writer key can back up but not read.", valueName: "path"))
    var newPublicKey: String?

    @Option(help: .hidden)
    var scryptLogN: Int = NewKey.defaultLogN

    func newKey(required: Bool) throws -> NewKey? {
        let choices = "--new-key-file, --new-passphrase-file (or $BENJI_NEW_PASSPHRASE) or --new-public-key"
        switch try secret.credential(otherKeys: newPublicKey == nil ? 0 : 1, choices: choices) {
        case .keyFile(let path)?: return .keyFile(path: path)
        case .passphrase(let bytes, let source)?: return .passphrase(bytes, source: source, logN: scryptLogN)
        case nil: break
        }
        if let newPublicKey { return .publicKey(path: newPublicKey) }
        if required { throw BenjiError(.usage, "name the new key: \(choices)") }
        return nil
    }
}

/// Compression settings, shared by every command that seals objects.
struct CompressionOptions: ParsableArguments {
    // Unconditional: the next word is the level even if it starts with a dash (`--level -5`).
    @Option(parsing: .unconditional, help: ArgumentHelp("zstd level, \(ZstdLevels.range.lowerBound) to \(ZstdLevels.range.upperBound): 1 (the default) to 19 for everyday use, 20 to 22 for the smallest objects, negative for zstd's fastest levels; 0 is zstd's default, 3.", valueName: "n"))
    var level: Int?

    @Flag(help: "Store objects uncompressed.")
    var noCompression = false

    func validate() throws {
        if noCompression && level != nil { throw ValidationError("give --level or --no-compression, not both") }
    }

    func sealOptions(_ repo: RepositoryOptions?) throws -> SealOptions {
        if noCompression { return SealOptions(compressionLevel: nil) }
        if let level { return SealOptions(compressionLevel: level) }
        if let text = try repo?.configValue("compression_level") {
            if text == "none" { return SealOptions(compressionLevel: nil) }
            // `ConfigFile.parse` checked it: none or a zstd level.
            return SealOptions(compressionLevel: Int(text))
        }
        return .default
    }
}

/// Parses `key=value` labels; a key given twice is refused (which value was meant?).
func parseLabels(_ specs: [String]) throws -> [(String, String)] {
    var seen = Set<String>()
    return try specs.map { spec in
        guard let eq = spec.firstIndex(of: "="), eq != spec.startIndex else {
            throw BenjiError(.usage, "label \"\(spec)\" must be key=value")
        }
        let key = String(spec[..<eq]), value = String(spec[spec.index(after: eq)...])
        guard key.utf8.count <= 253, key.allSatisfy({ $0.isLetter || $0.isNumber || "-_./".contains($0) }) else {
            throw BenjiError(.usage, "label key \"\(key)\" may hold only letters, digits, - _ . /")
        }
        guard seen.insert(key).inserted else { throw BenjiError(.usage, "label \(key) is given twice") }
        return (key, value)
    }
}

/// Parses a block size such as 4194304, 4M, 64K, 4MiB.
func parseBlockSize(_ text: String) throws -> Int {
    guard let bytes = try? parseByteCount(text, what: "block size"), let n = Int(exactly: bytes), BlockSizeLimits.validate(n) else {
        throw BenjiError(.usage, "block size \(text) must be a multiple of 4096 between 4 KiB and 64 MiB, in bytes or with a suffix K, KiB, M or MiB (64K, 4M)")
    }
    return n
}

/// Parses a byte count such as 1073741824, 64K, 4M, 10G, 2TiB (binary multiples).
/// - Throws: 64 for anything else, naming `what`.
func parseByteCount(_ text: String, what: String) throws -> Int64 {
    let lower = text.lowercased()
    for (i, unit) in ["", "k", "m", "g", "t"].enumerated() {
        for suffix in unit.isEmpty ? [""] : [unit + "ib", unit] where lower.hasSuffix(suffix) {
            let digits = lower.dropLast(suffix.count)
            guard let n = Int64(digits), n >= 0 else { continue }
            let (bytes, overflow) = n.multipliedReportingOverflow(by: Int64(1) << (10 * i))
            if !overflow { return bytes }
        }
    }
    throw BenjiError(.usage, "\(what) \(text) is not a size: give bytes, or a number with K, M, G or T (10G)")
}

/// Reads a hints file (`-` for stdin is not allowed: stdin carries the image or the stream).
/// Works with pipes too (`--hints <(rbd diff --format=json …)`).
func loadHints(_ path: String) throws -> [Extent] {
    let file = try FileDescriptor.reading(path, what: "hints file")
    let bytes: [UInt8]
    do {
        bytes = try file.readToEnd(limit: 1 << 30)
    } catch let e as BenjiError {
        throw BenjiError(e.status, "hints file \(path) cannot be read: \(e.message)")
    }
    return try Hints.parse(bytes, name: path)
}
