import BenjiCore
import BenjiCrypto
import Foundation

/// How objects are sealed: compression (and, in a later format revision of the store, encryption).
public struct SealOptions: Sendable, Equatable {
    /// zstd level; nil stores payloads uncompressed.
    public var compressionLevel: Int?

    public init(compressionLevel: Int? = 1) { self.compressionLevel = compressionLevel }

    /// zstd level 1: zstd is the slowest stage of a backup of new data (docs/design.md §9).
    public static let `default` = SealOptions(compressionLevel: 1)
}

/// A pool of per-thread codec contexts: zstd contexts are costly to create and not thread-safe.
final class ContextPool<T>: @unchecked Sendable {
    private let free = Locked<[T]>([])
    private let make: () -> T
    init(_ make: @escaping () -> T) { self.make = make }
    func with<R>(_ body: (T) throws -> R) rethrows -> R {
        let item = free.withLock { $0.popLast() } ?? make()
        defer { free.withLock { $0.append(item) } }
        return try body(item)
    }
}

/// The keys a `Sealer` encrypts and decrypts with (envelope encryption, docs/design.md §4.1).
///
/// Each object gets a fresh random data key, wrapped (RFC 3394) under a key-encryption key that the
/// object's header names by a 16-byte id. Implementations cache what they derive; both methods are called
/// for every object and from several threads.
public protocol ObjectKeys: Sendable {
    /// The id and key-encryption key that wrap the data keys of new objects.
    /// - Throws: 77 if this host holds no key it may seal with.
    func sealingKey() throws -> (id: [UInt8], kek: SecretKey)
    /// The key-encryption key named `id` in an object's header.
    /// - Throws: 77 if the key is one of the store's but this host does not hold it; 65 if no key of the
    ///   store has this id (the header was altered).
    func unwrappingKey(id: [UInt8]) throws -> SecretKey
}

/// Seals plaintext into stored objects and opens them again, verifying them. Thread-safe.
///
/// Compression comes first, then (with `keys`) AES-256-GCM under a fresh data key. The GCM additional
/// data binds the object to its identity: the fixed header fields, the nonce and the plaintext SHA-256.
public final class Sealer: @unchecked Sendable {
    public let options: SealOptions
    /// Encryption keys; nil stores objects unencrypted.
    public let keys: ObjectKeys?
    private let compressors: ContextPool<ZstdCompressor>
    private let decompressors = ContextPool<ZstdDecompressor> { ZstdDecompressor() }

    /// Bytes sampled to decide whether a block is worth compressing at all.
    static let sampleSlice = 4096
    static let sampleSlices = 16

    public init(options: SealOptions = .default, keys: ObjectKeys? = nil) throws {
        if let level = options.compressionLevel, !ZstdLevels.range.contains(level) {
            throw BenjiError(.usage, "zstd level \(level) is outside \(ZstdLevels.range)")
        }
        self.options = options
        self.keys = keys
        let level = Int32(options.compressionLevel ?? 1)
        compressors = ContextPool { ZstdCompressor(level: level) }
    }

    /// The largest object `seal` can produce for `plaintextSize` bytes: stored uncompressed, encrypted.
    public static func maximumObjectSize(plaintextSize: Int) -> Int {
        ObjectFormat.encryptedHeaderLength + plaintextSize + ObjectFormat.tagLength
    }

    /// Builds the stored object for `plaintext` (whose SHA-256 is `digest`) into `output` and returns its
    /// length.
    ///
    /// Compression is skipped when a sample of the block does not shrink by at least 3% (compressing
    /// the sample costs ~2% of compressing the block), and when the whole block does not shrink.
    ///
    /// - Parameter output: at least `maximumObjectSize(plaintextSize:)` bytes.
    /// - Throws: what `ObjectKeys.sealingKey` throws.
    public func seal(_ plaintext: UnsafeRawBufferPointer, digest: SHA256Digest, into output: UnsafeMutableRawBufferPointer,
                     kind: ObjectFormat.Kind = .block) throws -> Int {
        try seal(plaintext, digest: digest, into: output, kind: kind, dataKey: nil, nonce: nil)
    }

    /// `seal` with a given data key and nonce, for golden files. Never reuse a nonce with a data key.
    func seal(_ plaintext: UnsafeRawBufferPointer, digest: SHA256Digest, into output: UnsafeMutableRawBufferPointer,
              kind: ObjectFormat.Kind, dataKey fixedKey: SecretKey?, nonce fixedNonce: [UInt8]?) throws -> Int {
        let n = plaintext.count
        let sealing = try keys?.sealingKey()
        let headerLength = sealing == nil ? ObjectFormat.plainHeaderLength : ObjectFormat.encryptedHeaderLength
        precondition(output.count >= Sealer.maximumObjectSize(plaintextSize: n))
        var flags: ObjectFormat.Flags = []
        var payload = n
        if options.compressionLevel != nil && n > 1 {
            compressors.with { z in
                if n >= Sealer.sampleSlice * Sealer.sampleSlices * 4 && !worthCompressing(plaintext, z) { return }
                // Give zstd only as much room as would still be a gain.
                let room = UnsafeMutableRawBufferPointer(rebasing: output[headerLength..<(headerLength + n - 1)])
                if let size = z.compress(plaintext, into: room) {
                    flags = .compressed
                    payload = size
                }
            }
        }
        if flags.isEmpty, n > 0 {
            (output.baseAddress! + headerLength).copyMemory(from: plaintext.baseAddress!, byteCount: n)
        }
        var header = ObjectFormat.Header(flags: flags, kind: kind, headerLength: headerLength,
                                         plaintextSize: n, payloadSize: payload)
        var dataKey: SecretKey?
        if let sealing {
            let key = fixedKey ?? SecretKey.random(count: AESGCM.keyLength)
            dataKey = key
            header.flags.insert(.encrypted)
            header.keyID = sealing.id
            header.wrappedKey = KeyWrap.wrap(key, kek: sealing.kek)
            header.nonce = fixedNonce ?? secureRandomBytes(AESGCM.nonceLength)
        }
        header.encoded().withUnsafeBytes { output.baseAddress!.copyMemory(from: $0.baseAddress!, byteCount: headerLength) }
        if let dataKey {
            // The header just written is the additional data.
            Sealer.withAAD(UnsafeRawBufferPointer(rebasing: output[0..<headerLength]), digest: digest) { aad in
                header.nonce.withUnsafeBytes { nonce in
                    AESGCM.seal(key: dataKey, nonce: nonce, aad: aad,
                                buffer: UnsafeMutableRawBufferPointer(rebasing: output[headerLength..<(headerLength + payload)]),
                                tag: UnsafeMutableRawBufferPointer(rebasing: output[(headerLength + payload)..<(headerLength + payload + AESGCM.tagLength)]))
                }
            }
        }
        return header.objectSize
    }

    /// The GCM additional data of an encrypted object: the fixed header fields (bytes 0–31), the nonce, and
    /// the plaintext SHA-256. The key id and the wrapped key are left out: the key wrap authenticates them
    /// itself (a changed byte fails its integrity check, or names a key that does not unwrap it), and
    /// leaving them out is what lets a rekey rewrite them without touching payloads or tags.
    static func withAAD<R>(_ header: UnsafeRawBufferPointer, digest: SHA256Digest,
                           _ body: ([UnsafeRawBufferPointer]) throws -> R) rethrows -> R {
        let digestBytes = digest.bytes
        return try digestBytes.withUnsafeBytes { d in
            try body([UnsafeRawBufferPointer(rebasing: header[0..<ObjectFormat.plainHeaderLength]),
                      UnsafeRawBufferPointer(rebasing: header[ObjectFormat.nonceOffset..<ObjectFormat.encryptedHeaderLength]),
                      d])
        }
    }

    /// Builds the stored object for `plaintext`.
    public func seal(_ plaintext: UnsafeRawBufferPointer, digest: SHA256Digest? = nil, kind: ObjectFormat.Kind = .block) throws -> [UInt8] {
        let digest = digest ?? SHA256.hash(plaintext)
        return try [UInt8](unsafeUninitializedCapacity: Sealer.maximumObjectSize(plaintextSize: plaintext.count)) { buf, count in
            count = try seal(plaintext, digest: digest, into: UnsafeMutableRawBufferPointer(buf), kind: kind)
        }
    }

    public func seal(_ plaintext: [UInt8], kind: ObjectFormat.Kind = .block) throws -> [UInt8] {
        try plaintext.withUnsafeBytes { try seal($0, kind: kind) }
    }

    private func worthCompressing(_ plaintext: UnsafeRawBufferPointer, _ z: ZstdCompressor) -> Bool {
        let slices = Sealer.sampleSlices, slice = Sealer.sampleSlice
        let sampleSize = slices * slice
        var sample = [UInt8](repeating: 0, count: sampleSize)
        let stride = (plaintext.count - slice) / (slices - 1)
        sample.withUnsafeMutableBytes { s in
            for i in 0..<slices {
                s.baseAddress!.advanced(by: i * slice).copyMemory(from: plaintext.baseAddress! + i * stride, byteCount: slice)
            }
        }
        let limit = sampleSize * 97 / 100
        var scratch = [UInt8](repeating: 0, count: limit)
        return sample.withUnsafeBytes { src in
            scratch.withUnsafeMutableBytes { dst in z.compress(src, into: dst) != nil }
        }
    }

    /// Opens a stored object into `output` (at least the plaintext size): checks its header, authenticates
    /// and decrypts it, decompresses it, and verifies the plaintext against `expected` (its SHA-256).
    /// Encrypted objects are decrypted in place: `object` holds garbage afterwards. Returns the plaintext size.
    ///
    /// - Parameter expected: the plaintext SHA-256; required for encrypted objects (it is part of what the
    ///   GCM tag authenticates).
    /// - Throws: a data error (65) for a damaged, altered or foreign object, a failed authentication or a
    ///   checksum mismatch; a permission error (77) for an encrypted object whose key this host lacks.
    public func open(inPlace object: UnsafeMutableRawBufferPointer, expected: SHA256Digest?,
                     into output: UnsafeMutableRawBufferPointer) throws -> Int {
        let n = try openUnverified(inPlace: object, expected: expected, into: output)
        if let expected {
            try Sealer.verify(SHA256.hash(UnsafeRawBufferPointer(rebasing: output[0..<n])), expected: expected)
        }
        return n
    }

    /// `open(inPlace:expected:into:)` but for its last step, which is the caller's: `verify` the
    /// plaintext's SHA-256 (a restore hashes two blocks together, `SHA256.hash(_:_:)`).
    public func openUnverified(inPlace object: UnsafeMutableRawBufferPointer, expected: SHA256Digest?,
                               into output: UnsafeMutableRawBufferPointer) throws -> Int {
        let header = try ObjectFormat.parseHeader(UnsafeRawBufferPointer(object))
        guard header.plaintextSize <= output.count else {
            throw BenjiError.data("object holds \(header.plaintextSize) bytes, more than a block")
        }
        let payloadRange = header.headerLength..<(header.headerLength + header.payloadSize)
        if header.flags.contains(.encrypted) {
            guard let keys else {
                throw BenjiError(.noPermission, "object is encrypted, and no key is configured for this store")
            }
            guard let expected else {
                throw BenjiError.data("an encrypted object can only be opened with its block's sha256")
            }
            let kek = try keys.unwrappingKey(id: header.keyID)
            let dataKey = try KeyWrap.unwrap(header.wrappedKey, kek: kek)
            try Sealer.withAAD(UnsafeRawBufferPointer(rebasing: object[0..<header.headerLength]), digest: expected) { aad in
                try header.nonce.withUnsafeBytes { nonce in
                    try AESGCM.open(key: dataKey, nonce: nonce, aad: aad,
                                    buffer: UnsafeMutableRawBufferPointer(rebasing: object[payloadRange]),
                                    tag: UnsafeRawBufferPointer(rebasing: object[payloadRange.upperBound..<(payloadRange.upperBound + AESGCM.tagLength)]))
                }
            }
        }
        let payload = UnsafeRawBufferPointer(rebasing: object[payloadRange])
        let plaintext = UnsafeMutableRawBufferPointer(rebasing: output[0..<header.plaintextSize])
        if header.flags.contains(.compressed) {
            try decompressors.with { d in try d.decompress(payload, into: plaintext) }
        } else if header.plaintextSize > 0 {
            plaintext.baseAddress!.copyMemory(from: payload.baseAddress!, byteCount: header.plaintextSize)
        }
        return header.plaintextSize
    }

    /// Throws a data error (65) unless an opened object's plaintext has the SHA-256 its block expects.
    public static func verify(_ actual: SHA256Digest, expected: SHA256Digest) throws {
        guard actual == expected else {
            throw BenjiError.data("checksum mismatch: the object holds data with SHA-256 \(actual.hex), expected \(expected.hex)")
        }
    }

    /// Opens a stored object, leaving it unchanged; see `open(inPlace:expected:into:)`.
    public func open(_ object: [UInt8], expected: SHA256Digest?) throws -> [UInt8] {
        let plain = try openUnverified(object, expected: expected)
        if let expected { try Sealer.verify(SHA256.hash(plain), expected: expected) }
        return plain
    }

    /// `open(_:expected:)` but for the check of the plaintext, which is the caller's (`verify`).
    public func openUnverified(_ object: [UInt8], expected: SHA256Digest?) throws -> [UInt8] {
        var copy = object
        return try copy.withUnsafeMutableBytes { obj in
            let header = try ObjectFormat.parseHeader(UnsafeRawBufferPointer(obj))
            return try [UInt8](unsafeUninitializedCapacity: header.plaintextSize) { buf, count in
                count = try openUnverified(inPlace: obj, expected: expected, into: UnsafeMutableRawBufferPointer(buf))
            }
        }
    }
}
