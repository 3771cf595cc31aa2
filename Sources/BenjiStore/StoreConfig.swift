import BenjiCore
import Foundation

/// How a passphrase becomes a key: scrypt with a salt of its own.
public struct KDFParameters: Codable, Sendable, Equatable {
    public var name: String
    /// base64
    public var salt: String
    public var logN: Int
    public var r: Int
    public var p: Int

    public init(name: String = "scrypt", salt: String, logN: Int, r: Int, p: Int) {
        self.name = name; self.salt = salt; self.logN = logN; self.r = r; self.p = p
    }

    enum CodingKeys: String, CodingKey { case name, salt, logN = "log_n", r, p }
}

/// One master key of an encrypted store (docs/design.md §5.1). The key itself is never stored: only what
/// recognises it and the store's id key wrapped under it.
public struct KeyEntry: Codable, Sendable, Equatable {
    /// 32 hex digits: the key id object headers carry.
    public var id: String
    /// `key-file`, `passphrase` (AES-256 master keys) or `x25519`, `p-384` (write-only key pairs).
    public var type: String
    public var created: String
    /// AES keys: HMAC-SHA-256(key, "benji key check v1"), first 16 bytes, hex.
    public var check: String?
    /// Passphrase keys: how the passphrase is stretched.
    public var kdf: KDFParameters?
    /// Key pairs: the public key (DER SubjectPublicKeyInfo, base64).
    public var publicKey: String?
    /// Key pairs: the ephemeral public key the id key was sealed with (DER, base64).
    public var ephemeralKey: String?
    /// The store's id key, wrapped (RFC 3394) under this key (AES) or under a key agreed with it (pairs).
    public var idKey: String

    public init(id: String, type: String, created: String, check: String? = nil, kdf: KDFParameters? = nil,
                publicKey: String? = nil, ephemeralKey: String? = nil, idKey: String) {
        self.id = id; self.type = type; self.created = created; self.check = check; self.kdf = kdf
        self.publicKey = publicKey; self.ephemeralKey = ephemeralKey; self.idKey = idKey
    }

    public var isKeyPair: Bool { type == "x25519" || type == "p-384" }

    enum CodingKeys: String, CodingKey {
        case id, type, created, check, kdf
        case publicKey = "public_key", ephemeralKey = "ephemeral_key", idKey = "id_key"
    }
}

/// The encryption section of the config object.
public struct EncryptionConfig: Codable, Sendable, Equatable {
    /// `aes-256-gcm`: AES-256-GCM envelope encryption, data keys wrapped by AES key wrap.
    public var scheme: String
    /// HMAC-SHA-256(id key, "benji id key check v1"), first 16 bytes, hex: lets a writer key be checked.
    public var idKeyCheck: String
    public var keys: [KeyEntry]

    public init(scheme: String = "aes-256-gcm", idKeyCheck: String, keys: [KeyEntry]) {
        self.scheme = scheme; self.idKeyCheck = idKeyCheck; self.keys = keys
    }

    enum CodingKeys: String, CodingKey { case scheme, idKeyCheck = "id_key_check", keys }
}

/// The small configuration object at the root of every store (key `config`).
///
/// It names the store (a random id the catalog records, so a catalog is never used with the wrong
/// store), its format version, how objects are named, and, for encrypted stores, the master keys: KDF
/// salts and parameters, key check values and the wrapped id key.
public struct StoreConfig: Codable, Sendable, Equatable {
    /// The store format this build writes and reads.
    public static let currentFormat = 1

    public var format: Int
    public var id: String
    public var created: String
    /// How block objects are named: `sha256` (the plaintext digest, unencrypted stores) or `hmac-sha256`
    /// (HMAC-SHA-256 of the digest under the store's id key, encrypted stores).
    public var naming: String
    /// The encryption keys, or nil for none.
    public var encryption: EncryptionConfig?

    public init(id: String = UUID().uuidString.lowercased(), created: Date = Date(), encryption: EncryptionConfig? = nil) {
        format = StoreConfig.currentFormat
        self.id = id
        self.created = Timestamp.format(created)
        naming = encryption == nil ? "sha256" : "hmac-sha256"
        self.encryption = encryption
    }

    /// Writes a new config object; refuses if the store already has one.
    public static func initialize(_ store: ObjectStore, _ config: StoreConfig = StoreConfig()) throws -> StoreConfig {
        if let fs = store as? FileStore { try fs.createRoot() }
        if try store.exists(ObjectKey.config) {
            throw BenjiError(.config, "store \(store.url) is already initialized")
        }
        try config.save(to: store)
        return config
    }

    /// Replaces the config object (key management), durably.
    public func save(to store: ObjectStore) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        try store.put(ObjectKey.config, Array(try encoder.encode(self)))
        try store.flush()
    }

    /// Reads and checks the config object.
    ///
    /// - Throws: 69 if the store cannot be reached (for a file store: its directory is missing), 78 if it
    ///   is not initialized or was written by a newer benji.
    public static func load(_ store: ObjectStore) throws -> StoreConfig {
        if let fs = store as? FileStore, !fs.exists {
            throw BenjiError(.unavailable, "store \(store.url) is not reachable: no such directory")
        }
        let bytes: [UInt8]
        do {
            bytes = try store.get(ObjectKey.config)
        } catch let e as BenjiError where e.status == .notFound {
            throw BenjiError(.config, "store \(store.url) is not initialized (it has no config object); run 'benji init'")
        }
        let config: StoreConfig
        do {
            config = try JSONDecoder().decode(StoreConfig.self, from: Data(bytes))
        } catch {
            throw BenjiError(.config, "store \(store.url) has an unreadable config object")
        }
        guard config.format <= currentFormat else {
            throw BenjiError(.config, "store \(store.url) has format \(config.format); this benji reads format \(currentFormat) — upgrade benji")
        }
        let supported = config.encryption.map { $0.scheme == "aes-256-gcm" && config.naming == "hmac-sha256" && !$0.keys.isEmpty }
            ?? (config.naming == "sha256")
        guard supported else {
            throw BenjiError(.config, "store \(store.url) uses naming \(config.naming) / encryption \(config.encryption?.scheme ?? "none"), which this build does not support")
        }
        return config
    }
}
