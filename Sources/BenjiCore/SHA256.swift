internal import CBenjiKernels
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

    /// Whether `hash(_:_:)` computes two digests together, faster than one after the other: where the
    /// CPU has the SHA extensions (SHA-NI). One message keeps the SHA unit waiting for each round's
    /// result; two interleaved messages keep it busy (design.md §8).
    public static let hashesPairsTogether = benji_sha256_pair_available() != 0

    /// The digests of two buffers, computed together where `hashesPairsTogether`, else one after the other.
    public static func hash(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> (SHA256Digest, SHA256Digest) {
        guard hashesPairsTogether else { return (hash(a), hash(b)) }
        return pairedHash(a, b)
    }

    /// The digests of several buffers, hashed two at a time (`hash(_:_:)`).
    public static func hash(each buffers: [UnsafeRawBufferPointer]) -> [SHA256Digest] {
        var digests: [SHA256Digest] = []
        digests.reserveCapacity(buffers.count)
        var i = 0
        while i + 1 < buffers.count {
            let (a, b) = hash(buffers[i], buffers[i + 1])
            digests += [a, b]
            i += 2
        }
        if i < buffers.count { digests.append(hash(buffers[i])) }
        return digests
    }

    /// `hash(each:)` for arrays.
    public static func hash(each arrays: [[UInt8]]) -> [SHA256Digest] {
        withUnsafeBytes(of: arrays) { hash(each: $0) }
    }

    /// `hash(_:_:)` by the paired SHA-NI code alone, for tests; only where `hashesPairsTogether`.
    static func pairedHash(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> (SHA256Digest, SHA256Digest) {
        precondition(hashesPairsTogether)
        var da = [UInt8](repeating: 0, count: 32), db = da
        da.withUnsafeMutableBufferPointer { pa in
            db.withUnsafeMutableBufferPointer { pb in
                benji_sha256_pair(a.baseAddress?.assumingMemoryBound(to: UInt8.self), a.count,
                                  b.baseAddress?.assumingMemoryBound(to: UInt8.self), b.count,
                                  pa.baseAddress, pb.baseAddress)
            }
        }
        return (da.withUnsafeBytes { SHA256Digest(bytes: $0) }, db.withUnsafeBytes { SHA256Digest(bytes: $0) })
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

/// Calls `body` with the bytes of every array at once (each array's `withUnsafeBytes`, nested).
public func withUnsafeBytes<R>(of arrays: [[UInt8]], _ body: ([UnsafeRawBufferPointer]) throws -> R) rethrows -> R {
    func borrow(_ i: Int, _ buffers: [UnsafeRawBufferPointer]) throws -> R {
        i == arrays.count ? try body(buffers) : try arrays[i].withUnsafeBytes { try borrow(i + 1, buffers + [$0]) }
    }
    return try borrow(0, [])
}
