#if canImport(Glibc)
import Glibc
#endif

/// Zero-block detection: a block is zero if every byte is zero.
public enum ZeroDetection {
    /// True if all bytes are zero. Checks the first 16 bytes, then compares the buffer with itself shifted
    /// by 16 bytes, so the work runs at `memcmp` speed.
    public static func isZero(_ bytes: UnsafeRawBufferPointer) -> Bool {
        let n = bytes.count
        guard n > 0, let p = bytes.baseAddress else { return true }
        let head = min(n, 16)
        for i in 0..<head where p.load(fromByteOffset: i, as: UInt8.self) != 0 { return false }
        if n <= 16 { return true }
        return memcmp(p, p + 16, n - 16) == 0
    }

    public static func isZero(_ bytes: [UInt8]) -> Bool { bytes.withUnsafeBytes { isZero($0) } }
}
