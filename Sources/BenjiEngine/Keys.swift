import BenjiCore
import BenjiCrypto
import BenjiRecords
import BenjiSeal
import BenjiStore
import Foundation

/// Fixed labels of the key derivations (docs/design.md §5.1). Never change them.
enum KeyLabels {
    static let check = Array("benji key check v1".utf8)
    static let idKeyCheck = Array("benji id key check v1".utf8)
    static let pairIDKey = Array("benji id key v1".utf8)
    static let session = Array("benji session key v1".utf8)
}

/// The record of a write session in a write-only store: `keys/<session id>`, JSON.
struct KeySession: Codable {
    var v = 1
    /// The key pair's id (hex) the session's key-encryption key was agreed with.
    var key: String
    /// The session's ephemeral public key (DER, base64).
    var ephemeralKey: String

    enum CodingKeys: String, CodingKey { case v, key, ephemeralKey = "ephemeral_key" }
}

/// The keys of one store as this host holds them: how it names, seals and opens objects.
///
/// An unencrypted store needs none. An encrypted one is unlocked by one credential: an AES master key
/// (key file or passphrase) seals and opens; a key pair's private key opens, and seals through write
/// sessions; a writer key only seals. Without a credential the store is locked: objects can still be
/// copied (`benji-put`) but not named, sealed or opened.
public final class StoreKeys: ObjectKeys, @unchecked Sendable {
    public let config: StoreConfig
    public let store: ObjectStore
    public var encryption: EncryptionConfig? { config.encryption }
    /// The key of the id (object names); nil if the store is unencrypted or locked.
    let idKey: SecretKey?
    /// The AES master key this host holds, by id.
    private let master: (id: [UInt8], key: SecretKey)?
    /// The private key this host holds, and its entry.
    private let privateKey: (entry: KeyEntry, key: AgreementKey)?
    /// The public key new objects are sealed for (through write sessions).
    private let recipient: (id: String, key: AgreementKey)?
    /// Which credential unlocked the store, for messages.
    public let credentialDescription: String?
    /// The key entry the credential matched.
    public let entry: KeyEntry?

    private let session = Locked<(id: [UInt8], kek: SecretKey)?>(nil)
    private let sessions = Locked<[[UInt8]: SecretKey]>([:])

    private init(store: ObjectStore, config: StoreConfig, idKey: SecretKey?, master: (id: [UInt8], key: SecretKey)? = nil,
                 privateKey: (entry: KeyEntry, key: AgreementKey)? = nil, recipient: (id: String, key: AgreementKey)? = nil,
                 credential: String? = nil, entry: KeyEntry? = nil) {
        self.store = store; self.config = config; self.idKey = idKey; self.master = master
        self.privateKey = privateKey; self.recipient = recipient; credentialDescription = credential; self.entry = entry
    }

    public var isEncrypted: Bool { config.encryption != nil }
    /// True if this host can seal objects (name them and wrap their keys).
    public var canSeal: Bool { !isEncrypted || (idKey != nil && (master != nil || recipient != nil)) }
    /// True if this host can open objects.
    public var canOpen: Bool { !isEncrypted || master != nil || privateKey != nil }

    // MARK: Unlocking

    /// Unlocks the store's keys with `credential`, checking it before any object is touched.
    ///
    /// - Throws: 77 for a key or passphrase that is not one of the store's; 78 for a credential given to
    ///   an unencrypted store, or a damaged key entry.
    public static func unlock(store: ObjectStore, config: StoreConfig, credential: Credential?) throws -> StoreKeys {
        guard let encryption = config.encryption else {
            if let credential {
                throw BenjiError(.config, "store \(store.url) is not encrypted, but \(credential.description) is configured for it")
            }
            return StoreKeys(store: store, config: config, idKey: nil)
        }
        guard let credential else { return StoreKeys(store: store, config: config, idKey: nil) }
        func checkIDKey(_ idKey: SecretKey) throws -> SecretKey {
            try StoreKeys.checkIDKey(idKey, config: config, store: store, credential: credential)
        }
        switch credential {
        case .passphrase(let passphrase, _):
            for entry in encryption.keys where entry.type == "passphrase" {
                guard let kdf = entry.kdf, kdf.name == "scrypt", let salt = Base64.decode(Array(kdf.salt.utf8)) else {
                    throw BenjiError(.config, "store \(store.url): key \(entry.id) has damaged KDF parameters")
                }
                let key = try KDF.scrypt(passphrase: passphrase, salt: salt, logN: kdf.logN, r: kdf.r, p: kdf.p)
                if let unlocked = try unlockAES(store: store, config: config, entry: entry, key: key, credential: credential) {
                    return unlocked
                }
            }
            throw BenjiError(.noPermission, "wrong passphrase for store \(store.url) (\(credential.description) matches none of its passphrase keys)")
        case .keyFile(let path):
            switch try KeyFile.read(path) {
            case .master(let key):
                for entry in encryption.keys where entry.type == "key-file" || entry.type == "passphrase" {
                    if let unlocked = try unlockAES(store: store, config: config, entry: entry, key: key, credential: credential) {
                        return unlocked
                    }
                }
                throw BenjiError(.noPermission, "wrong key: the key in \(path) is not a key of store \(store.url)")
            case .privateKey(let key):
                let id = Hex.encode(key.fingerprint)
                guard let entry = encryption.keys.first(where: { $0.id == id && $0.isKeyPair }) else {
                    throw BenjiError(.noPermission, "wrong key: the private key in \(path) (key id \(id)) is not a key of store \(store.url)")
                }
                guard let ephemeral = entry.ephemeralKey.flatMap({ Base64.decode(Array($0.utf8)) }),
                      let wrapped = Base64.decode(Array(entry.idKey.utf8)),
                      let ephemeralKey = try? AgreementKey(publicDER: ephemeral)
                else { throw BenjiError(.config, "store \(store.url): key \(entry.id) is damaged") }
                let kek = try pairKEK(own: key, peer: ephemeralKey, salt: Array(config.id.utf8),
                                      label: KeyLabels.pairIDKey, recipientDER: key.publicDER, ephemeralDER: ephemeral)
                let idKey: SecretKey
                do {
                    idKey = try KeyWrap.unwrap(wrapped, kek: kek)
                } catch {
                    throw BenjiError(.noPermission, "the private key in \(path) does not unwrap store \(store.url)'s id key (its key entry \(entry.id) was altered)")
                }
                return StoreKeys(store: store, config: config, idKey: try checkIDKey(idKey), privateKey: (entry, key),
                                 recipient: (entry.id, key), credential: credential.description, entry: entry)
            case .writer(let storeID, let keyID, let idKey, let publicKey):
                guard storeID == config.id else {
                    throw BenjiError(.noPermission, "wrong key: the writer key in \(path) is for store \(storeID), not \(config.id)")
                }
                guard let entry = encryption.keys.first(where: { $0.id == keyID && $0.isKeyPair }),
                      Hex.encode(publicKey.fingerprint) == keyID
                else {
                    throw BenjiError(.noPermission, "the writer key in \(path) names key \(keyID), which is no longer a key of store \(store.url) (retired?)")
                }
                return StoreKeys(store: store, config: config, idKey: try checkIDKey(idKey), recipient: (keyID, publicKey),
                                 credential: credential.description, entry: entry)
            }
        }
    }

    private static func unlockAES(store: ObjectStore, config: StoreConfig, entry: KeyEntry, key: SecretKey,
                                  credential: Credential) throws -> StoreKeys? {
        guard let check = entry.check.flatMap(Hex.decode), constantTimeEqual(checkValue(key), check) else { return nil }
        guard let wrapped = Base64.decode(Array(entry.idKey.utf8)), let id = Hex.decode(entry.id), id.count == 16 else {
            throw BenjiError(.config, "store \(store.url): key \(entry.id) is damaged")
        }
        let idKey: SecretKey
        do {
            idKey = try KeyWrap.unwrap(wrapped, kek: key)
        } catch {
            throw BenjiError(.noPermission, "\(credential.description) passes the key check but does not unwrap store \(store.url)'s id key (key entry \(entry.id) was altered)")
        }
        return StoreKeys(store: store, config: config, idKey: try checkIDKey(idKey, config: config, store: store, credential: credential),
                         master: (id, key), credential: credential.description, entry: entry)
    }

    /// The key check value of an AES master key.
    static func checkValue(_ key: SecretKey) -> [UInt8] { Array(HMACSHA256.mac(key: key, KeyLabels.check).prefix(16)) }

    /// The check value of a store's id key (`id_key_check`).
    static func idKeyCheckValue(_ idKey: SecretKey) -> [UInt8] { Array(HMACSHA256.mac(key: idKey, KeyLabels.idKeyCheck).prefix(16)) }

    /// Returns `idKey` if it is the store's (matches `id_key_check`); 77 otherwise.
    private static func checkIDKey(_ idKey: SecretKey, config: StoreConfig, store: ObjectStore, credential: Credential) throws -> SecretKey {
        guard constantTimeEqual(idKeyCheckValue(idKey), Hex.decode(config.encryption?.idKeyCheck ?? "") ?? []) else {
            throw BenjiError(.noPermission, "\(credential.description) unwraps an id key that is not store \(store.url)'s")
        }
        return idKey
    }

    /// The key-encryption key agreed between a private key and a peer's public key.
    static func pairKEK(own: AgreementKey, peer: AgreementKey, salt: [UInt8], label: [UInt8],
                        recipientDER: [UInt8], ephemeralDER: [UInt8]) throws -> SecretKey {
        let secret = try own.sharedSecret(with: peer)
        return KDF.hkdf(key: secret, salt: salt, info: label + recipientDER + ephemeralDER)
    }

    // MARK: Using the keys

    /// Fails unless this host can seal objects for the store.
    public func requireSealing() throws {
        guard canSeal else {
            throw BenjiError(.noPermission, "store \(store.url) is encrypted: configure its key (--key-file, BENJI_KEY_FILE, key_file) or passphrase (BENJI_PASSPHRASE, --passphrase-file)")
        }
    }

    /// Fails unless this host can open objects of the store; `refused` says what a writer key may not do.
    public func requireOpening(refused: String = "read it; restoring needs the private key") throws {
        guard canOpen else {
            if recipient != nil {
                throw BenjiError(.noPermission, "\(credentialDescription ?? "this key") is a writer key: it can back up into store \(store.url) but not \(refused)")
            }
            try requireSealing()
            return
        }
    }

    /// The object name of a block with this plaintext digest: the digest, or its HMAC under the id key.
    public func blockName(for digest: SHA256Digest) -> String {
        guard isEncrypted else { return digest.hex }
        guard let idKey else { preconditionFailure("naming objects of a locked store") }
        return digest.bytes.withUnsafeBytes { Hex.encode(HMACSHA256.mac(key: idKey, $0)) }
    }

    public func sealingKey() throws -> (id: [UInt8], kek: SecretKey) {
        if let master { return (master.id, master.key) }
        guard let recipient else { try requireSealing(); preconditionFailure() }
        return try session.withLock { current in
            if let current { return current }
            let new = try startSession(for: recipient)
            current = new
            return new
        }
    }

    /// Starts a write session for a key pair: an ephemeral key pair, a key-encryption key agreed with the
    /// recipient's public key, and a record `keys/<id>` from which the private key's holder agrees it too.
    func startSession(for recipient: (id: String, key: AgreementKey)) throws -> (id: [UInt8], kek: SecretKey) {
        let ephemeral = try AgreementKey.generate(recipient.key.curve)
        let id = secureRandomBytes(16)
        let ephemeralDER = ephemeral.publicDER
        let kek = try StoreKeys.pairKEK(own: ephemeral, peer: recipient.key, salt: id, label: KeyLabels.session,
                                        recipientDER: recipient.key.publicDER, ephemeralDER: ephemeralDER)
        let record = KeySession(key: recipient.id, ephemeralKey: Base64.encode(ephemeralDER))
        try store.put(ObjectKey.keySession(Hex.encode(id)), Array(try JSONEncoder().encode(record)))
        try store.flush()
        return (id, kek)
    }

    public func unwrappingKey(id: [UInt8]) throws -> SecretKey {
        if let master, master.id == id { return master.key }
        if let kek = sessions.withLock({ $0[id] }) { return kek }
        let hex = Hex.encode(id)
        if let entry = encryption?.keys.first(where: { $0.id == hex }) {
            if entry.isKeyPair {
                throw BenjiError.data("authentication failed: the object names key pair \(hex) directly, which benji never does (the header was altered)")
            }
            throw BenjiError(.noPermission, "the object is sealed under key \(hex) (\(entry.type)), which was not supplied (\(credentialDescription ?? "no key") is another of the store's keys)")
        }
        let record = try loadSession(hex)
        guard let privateKey, privateKey.entry.id == record.key else {
            if encryption?.keys.contains(where: { $0.id == record.key }) == true {
                try requireOpening()
                throw BenjiError(.noPermission, "the object is sealed for key pair \(record.key), whose private key was not supplied")
            }
            throw BenjiError(.noPermission, "the object is sealed for key pair \(record.key), which is no longer a key of the store")
        }
        guard let ephemeral = Base64.decode(Array(record.ephemeralKey.utf8)) else {
            throw BenjiError.data("key session \(hex) in \(store.url) is damaged")
        }
        let kek = try StoreKeys.pairKEK(own: privateKey.key, peer: try AgreementKey(publicDER: ephemeral), salt: id,
                                        label: KeyLabels.session, recipientDER: privateKey.key.publicDER, ephemeralDER: ephemeral)
        sessions.withLock { $0[id] = kek }
        return kek
    }

    /// Reads a write session's record.
    /// - Throws: 65 if there is none: the object's key id was altered (or the record was deleted).
    func loadSession(_ hex: String) throws -> KeySession {
        let bytes: [UInt8]
        do {
            bytes = try store.get(ObjectKey.keySession(hex))
        } catch let e as BenjiError where e.status == .notFound {
            throw BenjiError.data("authentication failed: the object names key \(hex), which is not a key of the store (the header was altered)")
        }
        guard let record = try? JSONDecoder().decode(KeySession.self, from: Data(bytes)), record.v == 1 else {
            throw BenjiError.data("key session \(hex) in \(store.url) is damaged")
        }
        return record
    }

    /// The master key (entry id) an object's key id depends on: an AES key's own id, or the key pair a
    /// write session was agreed with. Nil for a key id the store does not know (no such session).
    /// - Throws: when a session record cannot be read (69, 74) or is damaged (65), rather than guess.
    func owner(ofKeyID id: [UInt8], cache: inout [[UInt8]: String?]) throws -> String? {
        if let known = cache[id] { return known }
        let hex = Hex.encode(id)
        let owner: String?
        if encryption?.keys.contains(where: { $0.id.lowercased() == hex && !$0.isKeyPair }) == true {
            owner = hex
        } else {
            do {
                owner = try loadSession(hex).key.lowercased()
            } catch let e as BenjiError where e.status == .dataError && e.message.hasPrefix("authentication failed") {
                owner = nil
            }
        }
        cache[id] = owner
        return owner
    }
}
