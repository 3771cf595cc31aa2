import Foundation
import Testing
@testable import BenjiCore
@testable import BenjiSeal

private func golden(_ name: String) throws -> [UInt8] {
    let url = try #require(Bundle.module.url(forResource: "Golden/" + name, withExtension: nil))
    return Array(try Data(contentsOf: url))
}

@Suite struct ObjectFormatTests {
    @Test func magicIsDerivedFromTheVersionString() {
        #expect(ObjectFormat.magic == Array(SHA256.hash(Array("benji stored object format v1".utf8)).bytes.prefix(8)))
    }

    @Test func goldenStoredObject() throws {
        let object = try golden("object-v1-stored.bin")
        let plain = try golden("stored.plain")
        let header = try object.withUnsafeBytes { try ObjectFormat.parseHeader($0) }
        #expect(header == ObjectFormat.Header(flags: [], kind: .block, headerLength: 32, plaintextSize: plain.count, payloadSize: plain.count))
        #expect(Array(object.prefix(32)) == header.encoded())
        // Sealing without compression is deterministic: it must reproduce the golden file byte for byte.
        #expect(try Sealer(options: SealOptions(compressionLevel: nil)).seal(plain) == object)
        #expect(try Sealer().open(object, expected: SHA256.hash(plain)) == plain)
    }

    @Test func goldenCompressedObject() throws {
        let object = try golden("object-v1-zstd.bin")
        let plain = try golden("zstd.plain")
        let header = try object.withUnsafeBytes { try ObjectFormat.parseHeader($0) }
        #expect(header.flags == .compressed)
        #expect(header.plaintextSize == plain.count)
        #expect(try Sealer().open(object, expected: SHA256.hash(plain)) == plain)
    }
}

@Suite struct SealerTests {
    static let compressible = (0..<(4 << 20)).map { UInt8(truncatingIfNeeded: ($0 / 64) % 50 + 32) }
    static let random: [UInt8] = {
        var rng = SystemRandomNumberGenerator()
        return (0..<(1 << 20)).map { _ in UInt8.random(in: 0...255, using: &rng) }
    }()

    @Test(arguments: [nil, -5, 1, 3, 19] as [Int?])
    func roundTrips(level: Int?) throws {
        let sealer = try Sealer(options: SealOptions(compressionLevel: level))
        for plain in [SealerTests.compressible, SealerTests.random, [1, 2, 3], []] {
            let object = try sealer.seal(plain)
            #expect(try sealer.open(object, expected: SHA256.hash(plain)) == plain)
        }
    }

    @Test func compressesWhatShrinksAndStoresWhatDoesNot() throws {
        let sealer = try Sealer()
        let small = try sealer.seal(SealerTests.compressible)
        #expect(small.count < SealerTests.compressible.count / 10)
        #expect(try small.withUnsafeBytes { try ObjectFormat.parseHeader($0) }.flags == .compressed)
        let stored = try sealer.seal(SealerTests.random)
        #expect(stored.count == SealerTests.random.count + ObjectFormat.plainHeaderLength)
        #expect(try stored.withUnsafeBytes { try ObjectFormat.parseHeader($0) }.flags == [])
    }

    @Test func rejectsLevelsOutOfRange() {
        #expect(throws: BenjiError.self) { _ = try Sealer(options: SealOptions(compressionLevel: 99)) }
    }

    /// Flipping any single byte of a stored object makes opening it fail, or (for the few bits of a zstd
    /// frame header that do not change what it decodes to, such as the window size) yields the very same
    /// plaintext: it never yields other data. (Encrypted objects, whose GCM tag covers every byte, must
    /// fail on every flip.)
    @Test(arguments: ["object-v1-stored.bin", "object-v1-zstd.bin"])
    func everySingleByteFlipIsDetected(_ name: String) throws {
        let object = try golden(name)
        let plain = try golden(name.contains("zstd") ? "zstd.plain" : "stored.plain")
        let digest = SHA256.hash(plain)
        let sealer = try Sealer()
        for position in object.indices {
            var damaged = object
            damaged[position] ^= 0x01
            do {
                let opened = try sealer.open(damaged, expected: digest)
                #expect(opened == plain, "a flipped bit at byte \(position) yielded other data")
                #expect(position >= ObjectFormat.plainHeaderLength + 4, "a flipped header bit at byte \(position) went unnoticed")
            } catch let e as BenjiError {
                #expect(e.status == .dataError, "byte \(position): \(e)")
            }
        }
    }

    @Test func rejectsForeignAndNewerObjects() throws {
        let sealer = try Sealer()
        var object = try sealer.seal([1, 2, 3])
        object[8] = 2
        #expect(throws: BenjiError.self) { _ = try sealer.open(object, expected: nil) }
        do { _ = try sealer.open(object, expected: nil) } catch let e as BenjiError {
            #expect(e.message.contains("format version 2 is not supported"))
        }
        #expect(throws: BenjiError.self) { _ = try sealer.open(Array("not an object at all, but long enough".utf8), expected: nil) }
        #expect(throws: BenjiError.self) { _ = try sealer.open([], expected: nil) }
        var encrypted = try sealer.seal([1, 2, 3])
        encrypted[9] = 0x02
        do { _ = try sealer.open(encrypted, expected: nil) } catch let e as BenjiError {
            #expect(e.status == .dataError || e.status == .noPermission)
        }
    }
}
