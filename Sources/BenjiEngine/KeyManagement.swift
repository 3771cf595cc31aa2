import BenjiCore
import BenjiCrypto
import BenjiRecords
import BenjiSeal
import BenjiStore
import Foundation

/// A key being added to a store (at `benji init`, `benji key add`) or named as a rekey's target.
public enum NewKey: Sendable {
    /// An AES-256 master key from a key file.
    case keyFile(path: String)
    /// A passphrase, stretched with scrypt (`logN`: log2 of its cost).
    case passphrase([UInt8], source: String, logN: Int)
    /// A public key (PEM file) of a key pair: the store becomes writable by hosts without the private key.
    case publicKey(path: String)

    /// scrypt's default cost: 2^16 iterations of 1 KiB blocks, 64 MiB of memory, about 0.2 s here.
    public static let defaultLogN = 16
}

/// What a rekey did.
public struct RekeyReport: Sendable {
    public var objects = 0
    public var rewrapped = 0
    public var alreadyUnderTarget = 0
    /// Objects whose header could not be read or whose key did not unwrap; left as they were.
    public var failures: [String] = []
    public var seconds = 0.0
}

/// Key management: the encryption section of a new store, adding, listing and retiring keys, rekeying.
public enum KeyManagement {
    /// The encryption section of a new store, with its first key. Returns the writer key text too when
    /// the key is a public key (the host that creates the store writes it where it is told).
    public static func newEncryption(storeID: String, key: NewKey) throws -> (EncryptionConfig, writerKey: [UInt8]?) {
        let idKey = SecretKey.random()
        let (entry, writer) = try makeEntry(key, idKey: idKey, storeID: storeID)
        let check = Hex.encode(StoreKeys.idKeyCheckValue(idKey))
        return (EncryptionConfig(idKeyCheck: check, keys: [entry]), writer)
    }

    /// Adds a key to an unlocked store. Returns its entry and, for a public key, the writer key text.
    public static func add(_ key: NewKey, to keys: StoreKeys) throws -> (KeyEntry, writerKey: [UInt8]?) {
        guard var encryption = keys.encryption, let idKey = keys.idKey else {
            try keys.requireSealing()
            throw BenjiError(.config, "store \(keys.store.url) is not encrypted; it has no keys to add to")
        }
        try requireManaging(keys)
        let (entry, writer) = try makeEntry(key, idKey: idKey, storeID: keys.config.id)
        if let existing = encryption.keys.first(where: { $0.id == entry.id || ($0.check != nil && $0.check == entry.check && entry.type == "key-file") }) {
            throw BenjiError(.config, "that key is already key \(existing.id) of store \(keys.store.url)")
        }
        encryption.keys.append(entry)
        var config = keys.config
        config.encryption = encryption
        try config.save(to: keys.store)
        return (entry, writer)
    }

    /// Fails unless this host may change the store's keys: only with a key that can read the store. A
    /// write-only host (writer key) backs up and nothing more, so that it cannot add a key of its own.
    /// - Throws: 77 for a writer key or no key.
    public static func requireManaging(_ keys: StoreKeys) throws {
        try keys.requireOpening(refused: "change its keys; that needs one of its master keys or a private key")
    }

    private static func makeEntry(_ key: NewKey, idKey: SecretKey, storeID: String) throws -> (KeyEntry, [UInt8]?) {
        let created = Timestamp.format(Date())
        switch key {
        case .keyFile(let path):
            guard case .master(let master) = try KeyFile.read(path) else {
                throw BenjiError(.config, "\(path) is not an AES master key file (make one with 'benji keygen \(path)'); for a key pair, give its public key")
            }
            return (aesEntry(master, type: "key-file", kdf: nil, idKey: idKey, created: created), nil)
        case .passphrase(let passphrase, let source, let logN):
            guard passphrase.count >= 8 else { throw BenjiError(.usage, "the passphrase from \(source) is shorter than 8 characters") }
            let salt = secureRandomBytes(16)
            let kdf = KDFParameters(salt: Base64.encode(salt), logN: logN, r: 8, p: 1)
            let master = try KDF.scrypt(passphrase: passphrase, salt: salt, logN: logN, r: 8, p: 1)
            return (aesEntry(master, type: "passphrase", kdf: kdf, idKey: idKey, created: created), nil)
        case .publicKey(let path):
            let text: [UInt8]
            do {
                text = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
            } catch {
                throw BenjiError(.notFound, "public key file \(path) cannot be read")
            }
            let recipient: AgreementKey
            if String(decoding: text, as: UTF8.self).contains("PRIVATE KEY-----") {
                recipient = try AgreementKey(publicDER: try AgreementKey(privatePEM: text).publicDER)
            } else {
                recipient = try AgreementKey(publicPEM: text)
            }
            let ephemeral = try AgreementKey.generate(recipient.curve)
            let kek = try StoreKeys.pairKEK(own: ephemeral, peer: recipient, salt: Array(storeID.utf8), label: KeyLabels.pairIDKey,
                                            recipientDER: recipient.publicDER, ephemeralDER: ephemeral.publicDER)
            let id = Hex.encode(recipient.fingerprint)
            let entry = KeyEntry(id: id, type: recipient.curve.rawValue, created: created,
                                 publicKey: Base64.encode(recipient.publicDER), ephemeralKey: Base64.encode(ephemeral.publicDER),
                                 idKey: Base64.encode(KeyWrap.wrap(idKey, kek: kek)))
            return (entry, KeyFile.writerText(storeID: storeID, keyID: id, idKey: idKey, publicKey: recipient))
        }
    }

    private static func aesEntry(_ master: SecretKey, type: String, kdf: KDFParameters?, idKey: SecretKey, created: String) -> KeyEntry {
        KeyEntry(id: Hex.encode(secureRandomBytes(16)), type: type, created: created,
                 check: Hex.encode(StoreKeys.checkValue(master)), kdf: kdf,
                 idKey: Base64.encode(KeyWrap.wrap(idKey, kek: master)))
    }

    /// The object prefixes that hold sealed objects.
    static let sealedPrefixes = ["blocks/", "versions/"]

    /// Calls `body` with every sealed object's key, size and header (read, not the whole object).
    static func scanHeaders(_ store: ObjectStore, _ body: (String, Result<ObjectFormat.Header, BenjiError>) throws -> Void) throws {
        var buffer = [UInt8](repeating: 0, count: ObjectFormat.encryptedHeaderLength)
        for prefix in sealedPrefixes {
            try store.list(prefix: prefix) { key, size in
                do {
                    let n = try buffer.withUnsafeMutableBytes { try store.read(key, offset: 0, into: $0) }
                    let header = try buffer.withUnsafeBytes {
                        try ObjectFormat.parseHeader(UnsafeRawBufferPointer(rebasing: $0[0..<n]), objectLength: size)
                    }
                    try body(key, .success(header))
                } catch let e as BenjiError where e.status == .dataError || e.status == .notFound {
                    try body(key, .failure(e))
                }
            }
        }
    }

    /// How many objects each key of the store wraps (by key entry id); objects whose key the store does
    /// not know, unencrypted objects and unreadable ones are counted under `unknown`, `unencrypted` and
    /// `damaged`.
    public static func usage(_ keys: StoreKeys) throws -> [String: Int] {
        var counts: [String: Int] = [:]
        var cache: [[UInt8]: String?] = [:]
        try scanHeaders(keys.store) { _, result in
            switch result {
            case .failure: counts["damaged", default: 0] += 1
            case .success(let header) where !header.flags.contains(.encrypted): counts["unencrypted", default: 0] += 1
            case .success(let header): counts[try keys.owner(ofKeyID: header.keyID, cache: &cache) ?? "unknown", default: 0] += 1
            }
        }
        return counts
    }

    /// Rewraps every object's data key under key `targetID`, rewriting only the 56 header bytes that hold
    /// the key id and the wrapped key: payloads and tags stay as they are. Idempotent: objects already
    /// under the target are skipped, so an interrupted rekey is finished by running it again.
    ///
    /// - Parameter targetKey: the target's key material when it is an AES key (its key file or passphrase);
    ///   a key pair's public key is in the store's config.
    public static func rekey(_ keys: StoreKeys, to targetID: String, targetKey: Credential?) throws -> RekeyReport {
        let started = Date()
        try requireManaging(keys)
        guard let encryption = keys.encryption else { throw BenjiError(.config, "store \(keys.store.url) is not encrypted") }
        guard let target = encryption.keys.first(where: { $0.id == targetID }) else {
            throw BenjiError(.notFound, "store \(keys.store.url) has no key \(targetID) (see 'benji key list')")
        }
        // The key-encryption key to wrap under: checked now, a key pair's write session started only if
        // there is something to rewrap.
        let makeSealing: () throws -> (id: [UInt8], kek: SecretKey)
        if target.isKeyPair {
            guard let der = target.publicKey.flatMap({ Base64.decode(Array($0.utf8)) }),
                  let publicKey = try? AgreementKey(publicDER: der)
            else { throw BenjiError(.config, "store \(keys.store.url): key \(target.id) is damaged") }
            guard Hex.encode(publicKey.fingerprint) == target.id else {
                throw BenjiError(.config, "store \(keys.store.url): the public key of key \(target.id) does not match its id (altered)")
            }
            makeSealing = { try keys.startSession(for: (target.id, publicKey)) }
        } else if keys.entry?.id == targetID {
            let sealing = try keys.sealingKey()
            makeSealing = { sealing }
        } else {
            guard let targetKey else {
                throw BenjiError(.usage, "rekeying to AES key \(targetID) needs that key too: --new-key-file, --new-passphrase-file or BENJI_NEW_PASSPHRASE")
            }
            let targetKeys = try StoreKeys.unlock(store: keys.store, config: keys.config, credential: targetKey)
            guard targetKeys.entry?.id == targetID else {
                throw BenjiError(.noPermission, "\(targetKey.description) is key \(targetKeys.entry?.id ?? "?"), not key \(targetID)")
            }
            let sealing = try targetKeys.sealingKey()
            makeSealing = { sealing }
        }

        var report = RekeyReport()
        var cache: [[UInt8]: String?] = [:]
        var sealing: (id: [UInt8], kek: SecretKey)?
        var batch: [(String, ObjectFormat.Header)] = []
        var rewrapped = 0
        // Objects are rewrapped in batches as the scan finds them, so memory stays flat however many there are.
        func rewrap() throws {
            guard !batch.isEmpty else { return }
            if sealing == nil { sealing = try makeSealing() }
            let (todo, target) = (batch, sealing!)
            batch.removeAll(keepingCapacity: true)
            let failures = Locked<[String]>([])
            let fatal = Locked<BenjiError?>(nil)
            let chunks = max(1, min(todo.count, defaultWorkerCount * 4))
            DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                var i = chunk
                while i < todo.count, fatal.withLock({ $0 == nil }) {
                    let (key, header) = todo[i]
                    i += chunks
                    do {
                        let kek = try keys.unwrappingKey(id: header.keyID)
                        let dataKey = try KeyWrap.unwrap(header.wrappedKey, kek: kek)
                        let patch = target.id + KeyWrap.wrap(dataKey, kek: target.kek)
                        // Compare and swap: an object a backup replaced meanwhile keeps its own header.
                        guard try keys.store.patch(key, offset: ObjectFormat.keyIDOffset, expected: header.keyID + header.wrappedKey, patch) else {
                            failures.withLock { $0.append("\(key): replaced by a backup while rekeying; run the rekey again") }
                            continue
                        }
                    } catch let e as BenjiError where e.status == .dataError || e.status == .notFound {
                        failures.withLock { $0.append("\(key): \(e.message)") }
                    } catch let e as BenjiError {
                        fatal.withLock { if $0 == nil { $0 = e } }
                    } catch {
                        fatal.withLock { if $0 == nil { $0 = BenjiError(.failure, "\(error)") } }
                    }
                }
            }
            if let e = fatal.withLock({ $0 }) {
                try keys.store.flush()
                throw e
            }
            let failed = failures.withLock { $0 }
            report.failures += failed
            rewrapped += todo.count - failed.count
        }
        try scanHeaders(keys.store) { key, result in
            report.objects += 1
            switch result {
            case .failure(let e): report.failures.append("\(key): \(e.message)")
            case .success(let header) where !header.flags.contains(.encrypted):
                report.failures.append("\(key): not encrypted")
            case .success(let header):
                if try keys.owner(ofKeyID: header.keyID, cache: &cache) == targetID {
                    report.alreadyUnderTarget += 1
                } else {
                    batch.append((key, header))
                    if batch.count >= 4096 { try rewrap() }
                }
            }
        }
        try rewrap()
        if sealing != nil { try keys.store.flush() }
        report.rewrapped = rewrapped
        report.seconds = Date().timeIntervalSince(started)
        return report
    }

    /// Removes key `id` from the store. Refused for the key that unlocked the store (so that the operator
    /// is left holding one that works), while any object is still wrapped under it, and (unless `force`)
    /// while any object's key cannot be told. Backups that seal under the key must have stopped.
    public static func retire(_ keys: StoreKeys, id rawID: String, force: Bool = false) throws {
        let id = rawID.lowercased()
        guard var encryption = keys.encryption else { throw BenjiError(.config, "store \(keys.store.url) is not encrypted") }
        guard encryption.keys.contains(where: { $0.id == id }) else {
            throw BenjiError(.notFound, "store \(keys.store.url) has no key \(id)")
        }
        guard keys.entry != nil else { try keys.requireSealing(); return }
        try requireManaging(keys)
        guard keys.entry?.id != id else {
            throw BenjiError(.usage, "key \(id) is the key this command was given; retire it with another of the store's keys")
        }
        let counts = try usage(keys)
        if let n = counts[id], n > 0 {
            throw BenjiError(.failure, "key \(id) still wraps \(n) object(s); run 'benji rekey --to <another key>' first")
        }
        // Objects whose key cannot be told might need this one: only --force retires it then.
        let unclear = (counts["unknown"] ?? 0) + (counts["damaged"] ?? 0)
        if unclear > 0 && !force {
            throw BenjiError(.failure, "\(unclear) object(s) have unreadable headers or name an unknown key, so they might need key \(id); check them (benji key list --usage) or pass --force")
        }
        // Its write sessions go with it.
        var sessions: [String] = []
        try keys.store.list(prefix: "keys/") { key, _ in sessions.append(key) }
        for key in sessions {
            if (try? keys.loadSession(String(key.dropFirst("keys/".count))))?.key == id { try keys.store.delete(key) }
        }
        encryption.keys.removeAll { $0.id == id }
        var config = keys.config
        config.encryption = encryption
        try config.save(to: keys.store)
    }
}
