import Foundation
import Testing
@testable import BenjiCore
@testable import BenjiCrypto
@testable import BenjiSeal

/// Keys for tests: a fixed set of key-encryption keys by id; seals under the first.
final class TestKeys: ObjectKeys, @unchecked Sendable {
    let keys: [(id: [UInt8], kek: SecretKey)]
    init(_ keys: [(id: [UInt8], kek: SecretKey)]) { self.keys = keys }
    convenience init(seed: UInt8) {
        self.init([([UInt8](repeating: seed, count: 16), SecretKey((0..<32).map { UInt8($0) &+ seed }))])
    }
    func sealingKey() throws -> (id: [UInt8], kek: SecretKey) { keys[0] }
    func unwrappingKey(id: [UInt8]) throws -> SecretKey {
        guard let k = keys.first(where: { $0.id == id }) else { throw BenjiError.data("authentication failed: unknown key id") }
        return k.kek
    }
}

private func golden(_ name: String) throws -> [UInt8] {
    let url = try #require(Bundle.module.url(forResource: "Golden/" + name, withExtension: nil))
    return Array(try Data(contentsOf: url))
}

/// The fixed inputs of the encrypted golden objects: key id 0x07…, KEK 7, 8, 9…, data key 0x11…, nonce 0x22….
private let goldenKeys = TestKeys(seed: 7)
private let goldenDataKey = SecretKey([UInt8](repeating: 0x11, count: 32))
private let goldenNonce = [UInt8](repeating: 0x22, count: 12)

private func sealGolden(_ plain: [UInt8], compress: Bool) throws -> [UInt8] {
    let sealer = try Sealer(options: SealOptions(compressionLevel: compress ? 1 : nil), keys: goldenKeys)
    let digest = SHA256.hash(plain)
    return try plain.withUnsafeBytes { p in
        try [UInt8](unsafeUninitializedCapacity: Sealer.maximumObjectSize(plaintextSize: plain.count)) { buf, n in
            n = try sealer.seal(p, digest: digest, into: UnsafeMutableRawBufferPointer(buf), kind: .block,
                                dataKey: goldenDataKey, nonce: goldenNonce)
        }
    }
}

@Suite struct EncryptedObjectTests {
    static let compressible = (0..<(1 << 20)).map { UInt8(truncatingIfNeeded: ($0 / 64) % 50 + 32) }
    static let random = secureRandomBytes(1 << 20)

    /// Writes the golden files when BENJI_WRITE_GOLDEN is set (once, when the format was made).
    @Test func writeGoldenFilesOnRequest() throws {
        guard let dir = ProcessInfo.processInfo.environment["BENJI_WRITE_GOLDEN"] else { return }
        for (name, plainName, compress) in [("object-v1-aes-gcm-stored.bin", "stored.plain", false), ("object-v1-aes-gcm-zstd.bin", "zstd.plain", true)] {
            let plain = try golden(plainName)
            try Data(try sealGolden(plain, compress: compress)).write(to: URL(fileURLWithPath: dir + "/" + name))
        }
    }

    @Test(arguments: [("object-v1-aes-gcm-stored.bin", "stored.plain", false), ("object-v1-aes-gcm-zstd.bin", "zstd.plain", true)])
    func goldenEncryptedObjects(name: String, plainName: String, compressed: Bool) throws {
        let object = try golden(name)
        let plain = try golden(plainName)
        let header = try object.withUnsafeBytes { try ObjectFormat.parseHeader($0) }
        #expect(header.flags == (compressed ? [.compressed, .encrypted] : [.encrypted]))
        #expect(header.headerLength == 100 && header.plaintextSize == plain.count)
        #expect(header.keyID == [UInt8](repeating: 7, count: 16) && header.nonce == goldenNonce)
        #expect(Array(object.prefix(100)) == header.encoded())
        // With the same data key and nonce, sealing reproduces the file byte for byte (AES key wrap is deterministic).
        #expect(try sealGolden(plain, compress: compressed) == object)
        #expect(try Sealer(keys: goldenKeys).open(object, expected: SHA256.hash(plain)) == plain)
        #expect(try KeyWrap.unwrap(header.wrappedKey, kek: goldenKeys.keys[0].kek) == goldenDataKey)
    }

    @Test(arguments: [nil, 1, 3] as [Int?])
    func roundTrips(level: Int?) throws {
        let sealer = try Sealer(options: SealOptions(compressionLevel: level), keys: TestKeys(seed: 1))
        for plain in [EncryptedObjectTests.compressible, EncryptedObjectTests.random, [1, 2, 3], []] {
            let object = try sealer.seal(plain)
            let header = try object.withUnsafeBytes { try ObjectFormat.parseHeader($0) }
            #expect(header.flags.contains(.encrypted))
            #expect(header.flags.contains(.compressed) == (level != nil && plain.count > 1000 && plain != EncryptedObjectTests.random))
            #expect(try sealer.open(object, expected: SHA256.hash(plain)) == plain)
            // The payload is not the plaintext.
            if plain.count > 100 { #expect(Array(object[100..<200]) != Array(plain[0..<100])) }
        }
    }

    @Test func eachObjectHasItsOwnDataKeyAndNonce() throws {
        let sealer = try Sealer(keys: TestKeys(seed: 1))
        let a = try sealer.seal(EncryptedObjectTests.compressible), b = try sealer.seal(EncryptedObjectTests.compressible)
        #expect(a != b)
        #expect(a[48..<100] != b[48..<100])
    }

    /// The issue's tamper test: any single changed byte — header, payload or tag — fails with an
    /// authentication (data) error, never returns data.
    @Test(arguments: ["object-v1-aes-gcm-stored.bin", "object-v1-aes-gcm-zstd.bin"])
    func everySingleByteFlipFails(_ name: String) throws {
        let object = try golden(name)
        let plain = try golden(name.contains("zstd") ? "zstd.plain" : "stored.plain")
        let digest = SHA256.hash(plain)
        let sealer = try Sealer(keys: goldenKeys)
        var classes: Set<String> = []
        for position in object.indices {
            for flip: UInt8 in [0x01, 0x80] {
                var damaged = object
                damaged[position] ^= flip
                do {
                    _ = try sealer.open(damaged, expected: digest)
                    Issue.record("flipping byte \(position) with \(flip) went unnoticed")
                } catch let e as BenjiError {
                    #expect(e.status == .dataError, "byte \(position): \(e)")
                }
            }
            classes.insert(position < 32 ? "fixed header" : position < 48 ? "key id" : position < 88 ? "wrapped key" : position < 100 ? "nonce" : position < object.count - 16 ? "payload" : "tag")
        }
        #expect(classes.count == 6)
    }

    @Test func wrongKeysAndWrongIdentitiesFail() throws {
        let plain = EncryptedObjectTests.compressible
        let object = try Sealer(keys: TestKeys(seed: 1)).seal(plain)
        // Another key under the same id: the key wrap's integrity check fails.
        let impostor = TestKeys([([UInt8](repeating: 1, count: 16), SecretKey.random())])
        #expect(throws: BenjiError.self) { try Sealer(keys: impostor).open(object, expected: SHA256.hash(plain)) }
        // The object opened as another block (a swapped name): the digest is authenticated data.
        do {
            _ = try Sealer(keys: TestKeys(seed: 1)).open(object, expected: SHA256.hash([1]))
            Issue.record("opened as another block")
        } catch let e as BenjiError {
            #expect(e.message.contains("authentication failed"))
        }
        // No digest, no key.
        #expect(throws: BenjiError.self) { try Sealer(keys: TestKeys(seed: 1)).open(object, expected: nil) }
        do { _ = try Sealer().open(object, expected: SHA256.hash(plain)) } catch let e as BenjiError {
            #expect(e.status == .noPermission)
        }
    }

    /// What a rekey does: rewrite the key id and wrapped key (bytes 32..<88) under another key; the payload
    /// and tag stay valid because those bytes are not GCM additional data.
    @Test func rewrappingTheHeaderKeepsTheObjectValid() throws {
        let plain = EncryptedObjectTests.random
        let old = TestKeys(seed: 1), new = TestKeys(seed: 2)
        var object = try Sealer(keys: old).seal(plain)
        let header = try object.withUnsafeBytes { try ObjectFormat.parseHeader($0) }
        let dataKey = try KeyWrap.unwrap(header.wrappedKey, kek: old.keys[0].kek)
        let patch = new.keys[0].id + KeyWrap.wrap(dataKey, kek: new.keys[0].kek)
        object.replaceSubrange(32..<88, with: patch)
        #expect(try Sealer(keys: new).open(object, expected: SHA256.hash(plain)) == plain)
        #expect(throws: BenjiError.self) { try Sealer(keys: old).open(object, expected: SHA256.hash(plain)) }
    }
}
