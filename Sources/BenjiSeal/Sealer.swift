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

    /// Builds the stored object for `plaintext`.
    ///
    /// Compression is skipped when a sample of the block does not shrink by at least 3% (compressing
    /// the sample costs ~2% of compressing the block), and when the whole block does not shrink.
    public func seal(_ plaintext: UnsafeRawBufferPointer, kind: ObjectFormat.Kind = .block) -> [UInt8] {
        let n = plaintext.count
        let headerLength = ObjectFormat.plainHeaderLength
        if let _ = options.compressionLevel, n > 0 {
            return compressors.with { z -> [UInt8] in
                if n >= Sealer.sampleSlice * Sealer.sampleSlices * 4 && !worthCompressing(plaintext, z) {
                    return stored(plaintext, kind: kind)
                }
                // Leave room for the header; give zstd only as much room as would still be a gain.
                let capacity = min(ZstdCompressor.bound(n), n - 1)
                guard capacity > 0 else { return stored(plaintext, kind: kind) }
                var produced: Int? = nil
                var out = [UInt8](unsafeUninitializedCapacity: headerLength + capacity) { buf, count in
                    let dst = UnsafeMutableRawBufferPointer(rebasing: UnsafeMutableRawBufferPointer(buf)[headerLength...])
                    produced = z.compress(plaintext, into: dst)
                    count = headerLength + (produced ?? 0)
                }
                guard let size = produced else { return stored(plaintext, kind: kind) }
                let header = ObjectFormat.Header(flags: .compressed, kind: kind, headerLength: headerLength,
                                                 plaintextSize: n, payloadSize: size).encoded()
                out.withUnsafeMutableBytes { $0.copyMemory(from: UnsafeRawBufferPointer(start: header, count: headerLength)) }
                return out
            }
        }
        return stored(plaintext, kind: kind)
    }

    public func seal(_ plaintext: [UInt8], kind: ObjectFormat.Kind = .block) -> [UInt8] {
        plaintext.withUnsafeBytes { seal($0, kind: kind) }
    }

    private func stored(_ plaintext: UnsafeRawBufferPointer, kind: ObjectFormat.Kind) -> [UInt8] {
        let header = ObjectFormat.Header(flags: [], kind: kind, headerLength: ObjectFormat.plainHeaderLength,
                                         plaintextSize: plaintext.count, payloadSize: plaintext.count).encoded()
        var out = header
        out.reserveCapacity(header.count + plaintext.count)
        out.append(contentsOf: plaintext)
        return out
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

    /// Opens a stored object: checks its header, decompresses it, and verifies the plaintext against
    /// `expected` (its SHA-256), if given.
    ///
    /// - Throws: a data error (65) for a damaged or foreign object or a checksum mismatch; a permission
    ///   error (77) for an encrypted object when no key is configured.
    public func open(_ object: [UInt8], expected: SHA256Digest?) throws -> [UInt8] {
        try object.withUnsafeBytes { obj in
            let header = try ObjectFormat.parseHeader(obj)
            if header.flags.contains(.encrypted) {
                throw BenjiError(.noPermission, "object is encrypted, and no key is configured for this store")
            }
            let payload = UnsafeRawBufferPointer(rebasing: obj[header.headerLength..<(header.headerLength + header.payloadSize)])
            let plaintext: [UInt8]
            if header.flags.contains(.compressed) {
                plaintext = try [UInt8](unsafeUninitializedCapacity: header.plaintextSize) { buf, count in
                    try decompressors.with { d in try d.decompress(payload, into: UnsafeMutableRawBufferPointer(buf)) }
                    count = header.plaintextSize
                }
            } else {
                plaintext = Array(payload)
            }
            if let expected {
                let actual = SHA256.hash(plaintext)
                guard actual == expected else {
                    throw BenjiError.data("checksum mismatch: the object holds data with SHA-256 \(actual.hex), expected \(expected.hex)")
                }
            }
            return plaintext
        }
    }
}
