internal import CCrypto
#if canImport(Glibc)
import Glibc
#endif

/// SHA-256 through OpenSSL's EVP interface, which uses the SHA-NI instructions where the CPU has them.
public enum SHA256 {
    nonisolated(unsafe) private static let md: OpaquePointer? = EVP_MD_fetch(nil, "SHA256", nil)

    /// The digest of a buffer. The corresponding C function is `EVP_Digest`.
    public static func hash(_ bytes: UnsafeRawBufferPointer) -> SHA256Digest {
        var out = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        let ok = out.withUnsafeMutableBufferPointer { o in
            EVP_Digest(bytes.baseAddress, bytes.count, o.baseAddress, &length, md, nil)
        }
        precondition(ok == 1 && length == 32, "EVP_Digest(SHA256) failed")
        return out.withUnsafeBytes { SHA256Digest(bytes: $0) }
    }

    public static func hash(_ bytes: [UInt8]) -> SHA256Digest {
        bytes.withUnsafeBytes { hash($0) }
    }
}


/// Random bytes from OpenSSL's CSPRNG (seeded by the kernel). The corresponding C function is `RAND_bytes`.
public func secureRandomBytes(_ count: Int) -> [UInt8] {
    var out = [UInt8](repeating: 0, count: count)
    let ok = out.withUnsafeMutableBufferPointer { RAND_bytes($0.baseAddress, Int32(count)) }
    precondition(ok == 1, "RAND_bytes failed")
    return out
}

/// Initializes OpenSSL without its clean-up at exit; call first thing in a process, before any thread.
///
/// By default OpenSSL frees its global state in an `atexit` handler. A worker thread that is still
/// finishing at that moment (running OpenSSL's thread-exit handler) then reads freed memory: a stage
/// crashed that way, once in several hundred runs, as `main` returned. The operating system frees
/// everything at exit anyway. The corresponding C call is `OPENSSL_init_crypto(OPENSSL_INIT_NO_ATEXIT)`.
public func initializeOpenSSLWithoutCleanupAtExit() {
    _ = OPENSSL_init_crypto(UInt64(OPENSSL_INIT_NO_ATEXIT), nil)
}
