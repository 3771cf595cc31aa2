import ArgumentParser
import BenjiCore
import BenjiCrypto
import BenjiEngine
import BenjiRecords
import BenjiStore
import Foundation

/// Opens the configured store and unlocks its keys; 78 if no store is configured.
func unlockStore(_ repository: RepositoryOptions, _ keyOptions: KeyOptions) throws -> StoreKeys {
    try unlockStore(url: try repository.storeURL(), repository, keyOptions)
}

/// The configured store's keys, unlocked with the configured credential; nil if no store is configured.
func storeKeys(_ repository: RepositoryOptions, _ keyOptions: KeyOptions) throws -> StoreKeys? {
    guard let url = try repository.setting(repository.store, env: "BENJI_STORE", key: "store") else { return nil }
    return try unlockStore(url: url, repository, keyOptions)
}

private func unlockStore(url: String, _ repository: RepositoryOptions, _ keyOptions: KeyOptions) throws -> StoreKeys {
    let store = try openStore(url: url)
    return try StoreKeys.unlock(store: store, config: try StoreConfig.load(store), credential: try keyOptions.credential(repository))
}

struct KeygenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keygen",
        abstract: "Write a new random key to FILE (mode 0600).",
        discussion: """
        --type aes-256 (the default) writes an AES-256 master key: give it to `benji init --key-file` or \
        `benji key add --new-key-file`. --type x25519 or p-384 writes a key pair for write-only stores: \
        the private key to FILE (PEM, PKCS#8) and the public key to FILE.pub; back-up hosts get only a \
        writer key made from the public key (`benji init --public-key`, `benji key add --new-public-key`). \
        Keep a copy of every key away from the store: without it, its backups cannot be read.
        """)

    enum KeyType: String, ExpressibleByArgument, CaseIterable {
        case aes256 = "aes-256", x25519, p384 = "p-384"
    }

    @Argument(help: ArgumentHelp("The key file to create; never overwritten.", valueName: "file"))
    var file: String
    @Option(help: "aes-256, x25519 or p-384.")
    var type: KeyType = .aes256

    func run() throws {
        switch type {
        case .aes256:
            try KeyFile.createSecret(file, KeyFile.masterText(SecretKey.random()))
            printError("wrote AES-256 master key \(file)")
        case .x25519, .p384:
            let pair = try AgreementKey.generate(type == .x25519 ? .x25519 : .p384)
            if FileManager.default.fileExists(atPath: file + ".pub") {
                throw BenjiError(.cannotCreate, "\(file).pub exists; benji does not overwrite key files")
            }
            try KeyFile.createSecret(file, pair.privatePEM())
            try KeyFile.createSecret(file + ".pub", pair.publicPEM(), mode: 0o644)
            printError("wrote \(type.rawValue) private key \(file) and public key \(file).pub (key id \(Hex.encode(pair.fingerprint)))")
        }
    }
}

struct KeyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "key",
        abstract: "Manage the master keys of an encrypted store.",
        subcommands: [KeyAddCommand.self, KeyListCommand.self, KeyRetireCommand.self])
}

struct KeyAddCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Add a master key to the store; print its id.",
        discussion: """
        Needs one of the store's keys (--key-file, --passphrase-file, $BENJI_PASSPHRASE_FILE or $BENJI_PASSPHRASE) to unwrap the \
        store's id key, which is then wrapped under the new key too. New objects are wrapped under the key \
        a host backs up with; `benji rekey --to ID` moves existing objects to a key. With --new-public-key, \
        --writer-key names where to write the writer key for back-up hosts.
        """)

    @OptionGroup var repository: RepositoryOptions
    @OptionGroup var keys: KeyOptions
    @OptionGroup var newKey: NewKeyOptions
    @Option(help: ArgumentHelp("With --new-public-key: where to write the writer key (created, mode 0600).", valueName: "path"))
    var writerKey: String?

    func validate() throws {
        if (newKey.newPublicKey == nil) != (writerKey == nil) { throw ValidationError("--new-public-key and --writer-key go together") }
    }

    func run() throws {
        let unlocked = try unlockStore(repository, keys)
        try unlocked.requireSealing()
        guard let key = try newKey.newKey(required: true) else { return }
        if let writerKey, FileManager.default.fileExists(atPath: writerKey) {
            throw BenjiError(.cannotCreate, "\(writerKey) exists; benji does not overwrite key files")
        }
        let (entry, writer) = try KeyManagement.add(key, to: unlocked)
        if let writer, let writerKey {
            try KeyFile.createSecret(writerKey, writer)
            printError("wrote writer key \(writerKey)")
        }
        print(entry.id)
    }
}

struct KeyListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the store's master keys.",
        discussion: """
        Needs no key. With --usage, reads every object's header (not its payload) and counts the objects \
        each key wraps: a key can be retired when it wraps none.
        """)

    @OptionGroup var repository: RepositoryOptions
    @Flag(help: "Count the objects each key wraps (reads every object header).")
    var usage = false
    @Flag(help: "One `key` record per line.")
    var json = false

    func run() throws {
        let store = try openStore(url: try repository.storeURL())
        let config = try StoreConfig.load(store)
        guard let encryption = config.encryption else {
            printError("store \(store.url) is not encrypted")
            return
        }
        let keys = try StoreKeys.unlock(store: store, config: config, credential: nil)
        let counts = usage ? try KeyManagement.usage(keys) : [:]
        let out = StandardStreams.writer()
        if !json { print("ID                                TYPE        CREATED                   OBJECTS") }
        for entry in encryption.keys {
            if json {
                var r = Record(type: "key")
                r["id"] = .text(entry.id)
                r["key_type"] = .text(entry.type)
                r["created"] = .text(entry.created)
                if usage { r["objects"] = .int(Int64(counts[entry.id] ?? 0)) }
                try out.write(r)
            } else {
                let objects = usage ? String(counts[entry.id] ?? 0) : "-"
                print("\(entry.id)  \(entry.type.padding(toLength: 10, withPad: " ", startingAt: 0))  \(entry.created.padding(toLength: 24, withPad: " ", startingAt: 0))  \(objects)")
            }
        }
        try out.flush()
        for other in ["unknown", "unencrypted", "damaged"] where (counts[other] ?? 0) > 0 {
            printError("\(counts[other]!) object(s) \(other == "unknown" ? "name a key the store does not know" : other == "damaged" ? "have unreadable headers" : "are not encrypted")")
        }
    }
}

struct KeyRetireCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retire",
        abstract: "Remove a master key from the store, once no object is wrapped under it.",
        discussion: """
        Run it with another of the store's keys (so that you are left holding one that works), after \
        `benji rekey --to ANOTHER`. It reads every object header to make sure none needs the key; its \
        key file or passphrase no longer opens the store afterwards.
        """)

    @OptionGroup var repository: RepositoryOptions
    @OptionGroup var keys: KeyOptions
    @Argument(help: ArgumentHelp("The key id to retire (benji key list).", valueName: "id"))
    var id: String
    @Flag(help: "Retire it even if some objects' headers are unreadable or name an unknown key.")
    var force = false

    func run() throws {
        let unlocked = try unlockStore(repository, keys)
        try unlocked.requireSealing()
        try KeyManagement.retire(unlocked, id: id, force: force)
        printError("retired key \(id)")
    }
}

struct RekeyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rekey",
        abstract: "Rewrap every object's data key under master key ID, without re-encrypting any data.",
        discussion: """
        Unwraps each object's data key with the key that wraps it now (the one given with --key-file or a \
        passphrase, or the private key of a key pair) and wraps it under key ID, rewriting 56 bytes of the \
        object's header in place. An AES target key must be given too (--new-key-file, \
        --new-passphrase-file, $BENJI_NEW_PASSPHRASE); a key pair's public key is in the store. Objects \
        already under ID are skipped, so an interrupted rekey is finished by running it again. Then the \
        old key can be retired (benji key retire). Exit status 3 if some objects could not be rewrapped.
        """)

    @OptionGroup var repository: RepositoryOptions
    @OptionGroup var keys: KeyOptions
    @Option(help: ArgumentHelp("The key to rewrap under (benji key list).", valueName: "id"))
    var to: String
    @OptionGroup var target: NewSecretOptions
    @Flag(help: "Print a `rekey` record with the counts and the time taken.")
    var json = false

    func run() throws {
        let unlocked = try unlockStore(repository, keys)
        let targetKey = try target.credential(choices: "--new-key-file, --new-passphrase-file or $BENJI_NEW_PASSPHRASE")
        let report = try KeyManagement.rekey(unlocked, to: to, targetKey: targetKey)
        let perThousand = report.rewrapped > 0 ? report.seconds / Double(report.rewrapped) * 1000 : 0
        if json {
            var r = Record(type: "rekey")
            r["key"] = .text(to)
            r["objects"] = .int(Int64(report.objects))
            r["rewrapped"] = .int(Int64(report.rewrapped))
            r["already"] = .int(Int64(report.alreadyUnderTarget))
            r["failed"] = .int(Int64(report.failures.count))
            r["seconds"] = .number(String(format: "%.3f", report.seconds))
            let out = StandardStreams.writer()
            try out.write(r)
            try out.flush()
        }
        printError(String(format: "rekeyed %d of %d object(s) to key %@ in %.2f s (%.3f s per 1000 objects); %d already under it",
                          report.rewrapped, report.objects, to, report.seconds, perThousand, report.alreadyUnderTarget))
        for failure in report.failures { printError("benji: rekey: \(failure)") }
        if !report.failures.isEmpty {
            throw BenjiError(.partial, "\(report.failures.count) object(s) could not be rewrapped and still need their old key")
        }
    }
}
