import BenjiCore
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

/// Seals plaintext into stored objects and opens them again, verifying them. Thread-safe.
public final class Sealer: @unchecked Sendable {
    public let options: SealOptions
    private let compressors: ContextPool<ZstdCompressor>
    private let decompressors = ContextPool<ZstdDecompressor> { ZstdDecompressor() }

    /// Bytes sampled to decide whether a block is worth compressing at all.
    static let sampleSlice = 4096
    static let sampleSlices = 16

    public init(options: SealOptions = .default) throws {
        if let level = options.compressionLevel, !ZstdLevels.range.contains(level) {
            throw BenjiError(.usage, "zstd level \(level) is outside \(ZstdLevels.range)")
        }
        self.options = options
        let level = Int32(options.compressionLevel ?? 1)
        compressors = ContextPool { ZstdCompressor(level: level) }
    }

    /// The largest object `seal` can produce for `plaintextSize` bytes: a stored (uncompressed) object.
    public static func maximumObjectSize(plaintextSize: Int) -> Int { ObjectFormat.plainHeaderLength + plaintextSize }

    /// Builds the stored object for `plaintext` into `output` and returns its length.
    ///
    /// Compression is skipped when a sample of the block does not shrink by at least 3% (compressing
    /// the sample costs ~2% of compressing the block), and when the whole block does not shrink.
    ///
    /// - Parameter output: at least `maximumObjectSize(plaintextSize:)` bytes.
    public func seal(_ plaintext: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer,
                     kind: ObjectFormat.Kind = .block) -> Int {
        let n = plaintext.count
        let headerLength = ObjectFormat.plainHeaderLength
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
        let header = ObjectFormat.Header(flags: flags, kind: kind, headerLength: headerLength,
                                         plaintextSize: n, payloadSize: payload).encoded()
        header.withUnsafeBytes { output.baseAddress!.copyMemory(from: $0.baseAddress!, byteCount: headerLength) }
        return headerLength + payload
    }

    /// Builds the stored object for `plaintext`.
    public func seal(_ plaintext: UnsafeRawBufferPointer, kind: ObjectFormat.Kind = .block) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: Sealer.maximumObjectSize(plaintextSize: plaintext.count)) { buf, count in
            count = seal(plaintext, into: UnsafeMutableRawBufferPointer(buf), kind: kind)
        }
    }

    public func seal(_ plaintext: [UInt8], kind: ObjectFormat.Kind = .block) -> [UInt8] {
        plaintext.withUnsafeBytes { seal($0, kind: kind) }
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

    /// Opens a stored object into `output` (at least the plaintext size): checks its header, decompresses
    /// it, and verifies the plaintext against `expected` (its SHA-256), if given. Returns the plaintext size.
    ///
    /// - Throws: a data error (65) for a damaged or foreign object or a checksum mismatch; a permission
    ///   error (77) for an encrypted object when no key is configured.
    public func open(_ object: UnsafeRawBufferPointer, expected: SHA256Digest?, into output: UnsafeMutableRawBufferPointer) throws -> Int {
        let header = try ObjectFormat.parseHeader(object)
        if header.flags.contains(.encrypted) {
            throw BenjiError(.noPermission, "object is encrypted, and no key is configured for this store")
        }
        guard header.plaintextSize <= output.count else {
            throw BenjiError.data("object holds \(header.plaintextSize) bytes, more than a block")
        }
        let payload = UnsafeRawBufferPointer(rebasing: object[header.headerLength..<(header.headerLength + header.payloadSize)])
        let plaintext = UnsafeMutableRawBufferPointer(rebasing: output[0..<header.plaintextSize])
        if header.flags.contains(.compressed) {
            try decompressors.with { d in try d.decompress(payload, into: plaintext) }
        } else if header.plaintextSize > 0 {
            plaintext.baseAddress!.copyMemory(from: payload.baseAddress!, byteCount: header.plaintextSize)
        }
        if let expected {
            let actual = SHA256.hash(UnsafeRawBufferPointer(plaintext))
            guard actual == expected else {
                throw BenjiError.data("checksum mismatch: the object holds data with SHA-256 \(actual.hex), expected \(expected.hex)")
            }
        }
        return header.plaintextSize
    }

    /// Opens a stored object; see `open(_:expected:into:)`.
    public func open(_ object: [UInt8], expected: SHA256Digest?) throws -> [UInt8] {
        try object.withUnsafeBytes { obj in
            let header = try ObjectFormat.parseHeader(obj)
            return try [UInt8](unsafeUninitializedCapacity: header.plaintextSize) { buf, count in
                count = try open(obj, expected: expected, into: UnsafeMutableRawBufferPointer(buf))
            }
        }
    }
}
