import BenjiCore
import Foundation

/// The small configuration object at the root of every store (key `config`).
///
/// It names the store (a random id the catalog records, so a catalog is never used with the wrong
/// store), its format version, and how objects are named. The encryption issue adds the KDF salt and
/// parameters, the key check value and the wrapped id key here.
public struct StoreConfig: Codable, Sendable, Equatable {
    /// The store format this build writes and reads.
    public static let currentFormat = 1

    public var format: Int
    public var id: String
    public var created: String
    /// How block objects are named: `sha256` (the plaintext digest, unencrypted stores).
    public var naming: String
    /// The encryption scheme, or nil for none.
    public var encryption: String?

    public init(id: String = UUID().uuidString.lowercased(), created: Date = Date()) {
        format = StoreConfig.currentFormat
        self.id = id
        self.created = Timestamp.format(created)
        naming = "sha256"
        encryption = nil
    }

    /// Writes a new config object; refuses if the store already has one.
    public static func initialize(_ store: ObjectStore) throws -> StoreConfig {
        if let fs = store as? FileStore { try fs.createRoot() }
        if try store.exists(ObjectKey.config) {
            throw BenjiError(.config, "store \(store.url) is already initialized")
        }
        let config = StoreConfig()
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        try store.put(ObjectKey.config, Array(try encoder.encode(config)))
        try store.flush()
        return config
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
        guard config.naming == "sha256", config.encryption == nil else {
            throw BenjiError(.config, "store \(store.url) uses naming \(config.naming) / encryption \(config.encryption ?? "none"), which this build does not support")
        }
        return config
    }

    /// The object name of a block with this plaintext digest.
    public func blockName(for digest: SHA256Digest) -> String { digest.hex }
}
