import BenjiCore
import BenjiCrypto
import BenjiRecords
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// What a host presents to open an encrypted store.
public enum Credential: Sendable {
    /// A key file: an AES master key (`benji keygen`), a private key (PEM), or a writer key.
    case keyFile(path: String)
    /// A passphrase, and where it came from (for messages).
    case passphrase([UInt8], source: String)

    public var description: String {
        switch self {
        case .keyFile(let path): return "key file \(path)"
        case .passphrase(_, let source): return "the passphrase from \(source)"
        }
    }
}

/// The contents of a key file (docs/design.md §5.1).
///
/// - An AES-256 master key: a line `benji-key-v1 <base64 of 32 bytes>` (comments start with `#`).
/// - A private key for write-only stores: PEM (PKCS#8 `PRIVATE KEY`), X25519 or P-384.
/// - A writer key: `benji-writer-key-v1`, the store id, the key id, the id key (base64) and the public key
///   (PEM). It lets a host back up into a write-only store, and nothing else.
public enum KeyFile {
    case master(SecretKey)
    case privateKey(AgreementKey)
    case writer(storeID: String, keyID: String, idKey: SecretKey, publicKey: AgreementKey)

    static let masterTag = "benji-key-v1"
    static let writerTag = "benji-writer-key-v1"

    /// Reads and parses a key file.
    /// - Throws: 66 if it does not exist, 77 if it cannot be read, 78 if it is not a key file.
    public static func read(_ path: String) throws -> KeyFile {
        var bytes: [UInt8]
        do {
            bytes = try FileDescriptor.reading(path, what: "key file").readToEnd(limit: 1 << 16)
        } catch let e as BenjiError where e.status == .dataError {
            throw BenjiError(.config, "\(path) is not a benji key file (it is larger than any key file)")
        }
        defer { wipe(&bytes) }
        let text = String(decoding: bytes, as: UTF8.self)
        let lines = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty && !$0.hasPrefix("#") }
        if text.contains("PRIVATE KEY-----") {
            do {
                return .privateKey(try AgreementKey(privatePEM: bytes))
            } catch let e as BenjiError {
                throw BenjiError(.config, "key file \(path): \(e.message)")
            }
        }
        if let first = lines.first, first.hasPrefix(masterTag + " ") {
            guard lines.count == 1, var key = Base64.decode(Array(first.dropFirst(masterTag.count + 1).utf8)), key.count == 32 else {
                throw BenjiError(.config, "key file \(path) is damaged: expected one line '\(masterTag) <base64 of 32 bytes>'")
            }
            defer { wipe(&key) }
            return .master(SecretKey(key))
        }
        if lines.first == writerTag {
            var fields: [String: String] = [:]
            for line in lines.dropFirst() where !line.hasPrefix("-----") {
                let parts = line.split(separator: " ", maxSplits: 1).map(String.init)
                if parts.count == 2 { fields[parts[0]] = parts[1] }
            }
            guard let store = fields["store"], let keyID = fields["key"], keyID.utf8.count == 32, Hex.decode(keyID) != nil,
                  var idKey = fields["id-key"].flatMap({ Base64.decode(Array($0.utf8)) }), idKey.count == 32,
                  let begin = text.range(of: "-----BEGIN PUBLIC KEY-----")
            else { throw BenjiError(.config, "key file \(path) is a damaged writer key") }
            defer { wipe(&idKey) }
            let publicKey = try AgreementKey(publicPEM: Array(text[begin.lowerBound...].utf8))
            return .writer(storeID: store, keyID: keyID, idKey: SecretKey(idKey), publicKey: publicKey)
        }
        throw BenjiError(.config, "\(path) is not a benji key file (expected '\(masterTag) …', a PEM private key, or a writer key)")
    }

    /// Creates a file only the owner can read, with `text`; refuses to replace one (73).
    public static func createSecret(_ path: String, _ text: [UInt8], mode: mode_t = 0o600) throws {
        do {
            try createNewFile(path, holding: text, mode: mode, what: "key file")
        } catch let e as BenjiError where e.errno == EEXIST {
            throw BenjiError(.cannotCreate, "\(path) exists; benji does not overwrite key files")
        }
    }

    /// The text of a master key file.
    public static func masterText(_ key: SecretKey) -> [UInt8] {
        let encoded = key.withBytes { Base64.encode(Array($0)) }
        return Array("# benji master key (AES-256). Keep it secret and keep a copy: without it the backups cannot be read.\n\(masterTag) \(encoded)\n".utf8)
    }

    /// The text of a writer key file.
    public static func writerText(storeID: String, keyID: String, idKey: SecretKey, publicKey: AgreementKey) -> [UInt8] {
        let id = idKey.withBytes { Base64.encode(Array($0)) }
        var text = "# benji writer key: lets a host back up into store \(storeID), not read it. Keep it secret.\n"
        text += "\(writerTag)\nstore \(storeID)\nkey \(keyID)\nid-key \(id)\n"
        return Array(text.utf8) + publicKey.publicPEM()
    }
}
