import BenjiCore
internal import CZstd

/// A zstd compression context (`ZSTD_CCtx`), freed in `deinit`. Not thread-safe: one per thread.
final class ZstdCompressor {
    private let cctx: OpaquePointer

    init(level: Int32) {
        guard let c = ZSTD_createCCtx() else { fatalError("ZSTD_createCCtx failed: out of memory") }
        cctx = c
        ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, level)
        ZSTD_CCtx_setParameter(cctx, ZSTD_c_contentSizeFlag, 1)
    }

    deinit { ZSTD_freeCCtx(cctx) }

    /// Compresses `src` into `dst`; nil if the result would not fit (it did not shrink enough).
    /// The corresponding C function is `ZSTD_compress2`.
    func compress(_ src: UnsafeRawBufferPointer, into dst: UnsafeMutableRawBufferPointer) -> Int? {
        let n = ZSTD_compress2(cctx, dst.baseAddress, dst.count, src.baseAddress, src.count)
        if ZSTD_isError(n) != 0 { return nil }
        return n
    }

    static func bound(_ size: Int) -> Int { ZSTD_compressBound(size) }
}

/// A zstd decompression context (`ZSTD_DCtx`), freed in `deinit`. Not thread-safe: one per thread.
final class ZstdDecompressor {
    private let dctx: OpaquePointer

    init() {
        guard let d = ZSTD_createDCtx() else { fatalError("ZSTD_createDCtx failed: out of memory") }
        dctx = d
    }

    deinit { ZSTD_freeDCtx(dctx) }

    /// Decompresses one frame of exactly `dst.count` bytes.
    /// - Throws: a data error if the frame is corrupt or its size differs.
    func decompress(_ src: UnsafeRawBufferPointer, into dst: UnsafeMutableRawBufferPointer) throws {
        let declared = ZSTD_getFrameContentSize(src.baseAddress, src.count)
        guard declared == UInt64(dst.count) else {
            throw BenjiError.data("compressed payload declares \(Int64(bitPattern: declared)) bytes, expected \(dst.count)")
        }
        let n = ZSTD_decompressDCtx(dctx, dst.baseAddress, dst.count, src.baseAddress, src.count)
        if ZSTD_isError(n) != 0 {
            throw BenjiError.data("corrupt compressed payload: \(String(cString: ZSTD_getErrorName(n)))")
        }
        guard n == dst.count else { throw BenjiError.data("compressed payload is short: \(n) of \(dst.count) bytes") }
    }
}

/// The range of zstd levels (negative levels are zstd's fast modes).
public enum ZstdLevels {
    public static var range: ClosedRange<Int> { Int(ZSTD_minCLevel())...Int(ZSTD_maxCLevel()) }
}
