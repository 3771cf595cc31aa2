import ArgumentParser
import BenjiCatalog
import BenjiCore
import BenjiEngine
import BenjiRecords
import BenjiSource
import BenjiStore
import Foundation

/// `benji`: the all-in-one tool.
public struct BenjiCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "benji",
        abstract: "Deduplicating block-device backup: back up, restore and manage versions.",
        discussion: """
        `benji backup` and `benji restore` run the whole pipeline in one process. The stage commands \
        (diff, chunk, catalog, seal, put, write; also installed as benji-diff, benji-chunk and so on) \
        exchange newline-delimited JSON records, so that the same work can be assembled in a shell pipeline.

        Exit status: 0 success, 1 failure, 3 finished with bad blocks, 64 usage, 65 bad input data, \
        66 not found, 69 store unreachable, 73 target exists (or is a directory, or a device too small), \
        74 I/O error, 75 locked, 77 permission denied (a protected version, a wrong or missing key), \
        78 configuration error, 129/130/143 stopped by SIGHUP/SIGINT/SIGTERM (cleanly: nothing committed), \
        141 stdout closed by its reader.
        """,
        version: benjiVersion,
        subcommands: [InitCommand.self, BackupCommand.self, RestoreCommand.self, LsCommand.self, RmCommand.self,
                      ProtectCommand.self, UnprotectCommand.self, KeygenCommand.self, KeyCommand.self, RekeyCommand.self,
                      DiffCommand.self, ChunkCommand.self, CatalogCommand.self, SealCommand.self, PutCommand.self, WriteCommand.self])

    public init() {}
}

public let benjiVersion = "0.1.0"

struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create a store and a catalog, and a configuration file that names them.",
        discussion: """
        Without --catalog and --store, creates them under ~/.local/share/benji (or $XDG_DATA_HOME/benji). \
        Unless --no-config is given, writes a configuration file naming them (--config, else $BENJI_CONFIG, \
        else ~/.config/benji/benji.toml) if none exists yet, so that later commands need no flags.

        With a key (--key-file from `benji keygen`, or a passphrase from --passphrase-file, \
        $BENJI_PASSPHRASE_FILE or $BENJI_PASSPHRASE) the store is encrypted: every object with AES-256-GCM \
        under a data key of its own, wrapped by that master key, and named by a keyed hash. With \
        --public-key instead, the store is write-only for this host: it gets a writer key (--writer-key) \
        that can back up but not read; restores need the private key.
        """)

    @OptionGroup var repository: RepositoryOptions
    @OptionGroup var keys: KeyOptions
    @Option(help: ArgumentHelp("Encrypt for this public key (PEM, from benji keygen --type x25519 or p-384): a write-only store.", valueName: "path"))
    var publicKey: String?
    @Option(help: ArgumentHelp("With --public-key: where to write this host's writer key (created, mode 0600).", valueName: "path"))
    var writerKey: String?
    @Option(help: .hidden)
    var scryptLogN: Int = NewKey.defaultLogN
    @Flag(help: "Do not write a configuration file.")
    var noConfig = false

    func validate() throws {
        if (publicKey == nil) != (writerKey == nil) { throw ValidationError("--public-key and --writer-key go together") }
    }

    func run() throws {
        ConfigFile.mayBeMissing = true
        let env = ProcessInfo.processInfo.environment
        let dataHome = env["XDG_DATA_HOME"].flatMap { $0.isEmpty ? nil : $0 + "/benji" }
            ?? (env["HOME"] ?? "/root") + "/.local/share/benji"
        let catalogPath = try repository.setting(repository.catalog, env: "BENJI_CATALOG", key: "catalog") ?? dataHome + "/catalog.sqlite"
        let storeURL = try repository.setting(repository.store, env: "BENJI_STORE", key: "store") ?? "file://" + dataHome + "/store"
        let store = try openStore(url: storeURL)
        var config = StoreConfig()
        var keyFileSetting: String?
        var passphraseFileSetting: String?
        var newKey: NewKey?
        // The key, the writer key's place and the catalog's place are checked before anything is made.
        if let publicKey {
            if try keys.credential(repository) != nil { throw BenjiError(.usage, "give a key or --public-key, not both") }
            newKey = .publicKey(path: publicKey)
            keyFileSetting = writerKey
        } else if let credential = try keys.credential(repository) {
            switch credential {
            case .keyFile(let path):
                newKey = .keyFile(path: path)
                keyFileSetting = path
            case .passphrase(let bytes, let source):
                newKey = .passphrase(bytes, source: source, logN: scryptLogN)
                if source != "$BENJI_PASSPHRASE" { passphraseFileSetting = source }
            }
        }
        if let writerKey { try requireNewFile(writerKey, "the writer key", exists: "benji does not overwrite key files") }
        try Catalog.requireAbsent(catalogPath)
        // The configuration file to write, if any (one that exists is left as it is).
        var configPath = noConfig ? nil : repository.config ?? env["BENJI_CONFIG"] ?? ConfigFile.searchPath[0]
        if let path = configPath, pathExists(path) {
            printError("configuration file \(path) exists; left unchanged")
            configPath = nil
        }
        var writerText: [UInt8]?
        if let newKey {
            let (encryption, writer) = try KeyManagement.newEncryption(storeID: config.id, key: newKey)
            config = StoreConfig(id: config.id, encryption: encryption)
            writerText = writer
        }
        // Nothing half-made if a step fails: the store goes back to uninitialized, and the catalog, the
        // writer key and the directories this made (if empty) go, so that init can run again.
        var created: [String] = []
        var initialized = false, wroteWriterKey = false, madeCatalog = false
        do {
            let parent = (catalogPath as NSString).deletingLastPathComponent
            if !parent.isEmpty {
                created += try makeDirectories(parent, mode: 0o700) { "cannot create \($0), the directory of the catalog" }
            }
            if let fs = store as? FileStore { created += try fs.createRoot() }
            config = try StoreConfig.initialize(store, config)
            initialized = true
            if let writerText, let writerKey {
                try KeyFile.createSecret(writerKey, writerText)
                wroteWriterKey = true
            }
            _ = try Catalog.create(path: catalogPath, storeID: config.id)
            madeCatalog = true
            if let configPath {
                created += try makeDirectories((configPath as NSString).deletingLastPathComponent) {
                    "cannot create \($0), the directory of the configuration file"
                }
                func absolute(_ path: String) -> String {
                    (path as NSString).isAbsolutePath ? path : FileManager.default.currentDirectoryPath + "/" + path
                }
                var text = "# benji configuration, written by 'benji init'\ncatalog = \"\(absolute(catalogPath))\"\nstore = \"\(store.url)\"\n"
                if let keyFileSetting { text += "key_file = \"\(absolute(keyFileSetting))\"\n" }
                if let passphraseFileSetting { text += "passphrase_file = \"\(absolute(passphraseFileSetting))\"\n" }
                try createNewFile(configPath, holding: Array(text.utf8), mode: 0o644, what: "configuration file")
            }
        } catch {
            if madeCatalog { for suffix in ["", "-wal", "-shm"] { unlink(catalogPath + suffix) } }
            if wroteWriterKey, let writerKey { unlink(writerKey) }
            if initialized { try? store.delete(ObjectKey.config) }
            for dir in created.reversed() { rmdir(dir) }
            throw error
        }
        if let encryption = config.encryption {
            printError("created encrypted store \(store.url) (id \(config.id), key \(encryption.keys[0].id), \(encryption.keys[0].type)) and catalog \(catalogPath)")
            if let writerKey { printError("wrote writer key \(writerKey): it backs up into the store; restores need the private key") }
        } else {
            printError("created store \(store.url) (id \(config.id), not encrypted) and catalog \(catalogPath)")
        }
        if let configPath { printError("wrote configuration file \(configPath)") }
    }
}

struct BackupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Back up a file, a block device or stdin as a new version of VOLUME; print the version id.",
        discussion: """
        Reads SOURCE in blocks, skips zero blocks, stores each block the store does not hold yet (zstd, and \
        AES-256-GCM if the store is encrypted: give its key with --key-file or a passphrase), and commits \
        the version when every block is safe. With --hints (`rbd diff --format=json` output or \
        NDJSON extent records) only the listed extents are read; with --base as well, the other blocks are \
        inherited from the base (and a sample of them is re-read to check the hints), without --base they \
        are zero.
        """)

    @OptionGroup var repository: RepositoryOptions
    @Argument(help: ArgumentHelp("A file or block device (file: prefix optional), or - for a raw stream on stdin.", valueName: "source"))
    var source: String
    @Argument(help: ArgumentHelp("The volume this is a version of.", valueName: "volume"))
    var volume: String
    @Option(help: ArgumentHelp("Changed extents: `rbd diff --format=json` output or NDJSON extent records.", valueName: "file"))
    var hints: String?
    @OptionGroup var version: VersionOptions
    @OptionGroup var compression: CompressionOptions
    @OptionGroup var keys: KeyOptions
    @Flag(help: "Do not re-read a sample of blocks outside the hints.")
    var noCheck = false
    @Flag(help: "Print the version record instead of the id.")
    var json = false

    func run() throws {
        let labels = try checkedNames(volume: volume, version)
        let repo = try repository.repository(seal: try compression.sealOptions(repository), keys: keys)
        let src = try openSource(source)
        var request = BackupRequest(volume: volume)
        request.snapshot = version.snapshot
        request.base = version.base
        request.labels = labels
        request.blockSize = try version.blockSize.map(parseBlockSize) ?? (version.base == nil ? try repository.configValue("block_size").map(parseBlockSize) : nil)
        request.hints = try hints.map(loadHints)
        request.checkUnchanged = !noCheck
        request.expectedSize = try version.expectedSize()
        let info = try BackupEngine(repository: repo).backup(source: src, request: request)
        try printVersion(info, quiet: !json)
    }
}

struct RestoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Restore a version to a file, a block device or stdout (-).",
        discussion: """
        Every block is verified against its SHA-256. A missing or damaged object does not stop the restore: \
        its block is written as zeros, the bad ranges are reported on stderr (and as `bad_range` records with \
        --json), and the exit status is 3. The objects found missing or damaged are marked invalid in the \
        catalog: the next backup that meets their data stores them again, which repairs every version that \
        uses them.
        """)

    @OptionGroup var repository: RepositoryOptions
    @Argument(help: ArgumentHelp("The version to restore.", valueName: "version"))
    var version: String
    @Argument(help: ArgumentHelp("A file (a new one gets mode 0600, as it holds a whole disk's data, and its name only when complete), a block device, or - for stdout.", valueName: "target"))
    var target: String
    @Flag(help: "Leave zero blocks as holes (files) or unmapped (devices) instead of writing zeros.")
    var sparse = false
    @Flag(help: "Overwrite an existing target (a file in place: it keeps its mode; one interrupted is left partly overwritten).")
    var force = false
    @Flag(help: "Print bad ranges as records on stdout (not when stdout is the target: then only the lines on stderr).")
    var json = false
    @Flag(help: "Flush a restored file to stable storage before exiting (a device always is).")
    var fsync = false
    @OptionGroup var keys: KeyOptions

    func run() throws {
        let repo = try repository.repository(keys: keys, readOnlyCatalog: true)
        let report = try RestoreEngine(repository: repo).restore(versionID: version, to: target, sparse: sparse, force: force, durable: fsync)
        try reportBadRanges(report.badRanges, json: json && target != "-")
    }
}
