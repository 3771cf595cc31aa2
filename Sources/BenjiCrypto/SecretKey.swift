internal import CCrypto
import BenjiCore

/// Key material: held in memory of its own and wiped when the last reference goes.
public final class SecretKey: @unchecked Sendable, Equatable {
    private let storage: UnsafeMutableRawBufferPointer

    /// Copies `bytes`; the caller should wipe its own copy (`wipe`).
    public init(_ bytes: UnsafeRawBufferPointer) {
        storage = .allocate(byteCount: max(bytes.count, 1), alignment: 16)
        if bytes.count > 0 { storage.baseAddress!.copyMemory(from: bytes.baseAddress!, byteCount: bytes.count) }
        count = bytes.count
    }

    public convenience init(_ bytes: [UInt8]) {
        self.init(bytes: bytes)
    }

    private init(bytes: [UInt8]) {
        storage = .allocate(byteCount: max(bytes.count, 1), alignment: 16)
        storage.copyBytes(from: bytes)
        count = bytes.count
    }

    /// A fresh random key of `count` bytes.
    public static func random(count: Int = 32) -> SecretKey {
        var bytes = secureRandomBytes(count)
        defer { wipe(&bytes) }
        return SecretKey(bytes)
    }

    public let count: Int

    deinit {
        OPENSSL_cleanse(storage.baseAddress, storage.count)
        storage.deallocate()
    }

    /// Calls `body` with the key bytes; they must not escape it.
    public func withBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeRawBufferPointer(rebasing: storage[0..<count]))
    }

    /// Constant-time comparison.
    public static func == (a: SecretKey, b: SecretKey) -> Bool {
        a.count == b.count && a.withBytes { x in b.withBytes { y in CRYPTO_memcmp(x.baseAddress, y.baseAddress, x.count) == 0 } }
    }
}

/// Overwrites a buffer that held secrets, in a way the compiler does not remove.
public func wipe(_ bytes: inout [UInt8]) {
    bytes.withUnsafeMutableBytes { OPENSSL_cleanse($0.baseAddress, $0.count) }
}

/// Constant-time comparison of two byte strings of equal length.
public func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
    a.count == b.count && a.withUnsafeBytes { x in b.withUnsafeBytes { y in CRYPTO_memcmp(x.baseAddress, y.baseAddress, a.count) == 0 } }
}

/// The text of OpenSSL's most recent error, for messages.
func openSSLError() -> String {
    let code = ERR_get_error()
    ERR_clear_error()
    guard code != 0 else { return "OpenSSL reported no detail" }
    var buffer = [CChar](repeating: 0, count: 256)
    ERR_error_string_n(code, &buffer, buffer.count)
    return cString(buffer)
}

/// The text of a NUL-terminated C buffer.
func cString(_ buffer: [CChar]) -> String {
    let end = buffer.firstIndex(of: 0) ?? buffer.count
    return String(decoding: buffer[..<end].map { UInt8(bitPattern: $0) }, as: UTF8.self)
}
