internal import CCrypto
import BenjiCore

/// AES-256-GCM through OpenSSL's EVP interface (AES-NI, VAES and carry-less multiply where the CPU has them).
public enum AESGCM {
    public static let keyLength = 32
    public static let nonceLength = 12
    public static let tagLength = 16

    nonisolated(unsafe) private static let cipher: OpaquePointer = {
        guard let c = EVP_CIPHER_fetch(nil, "AES-256-GCM", nil) else { fatalError("OpenSSL has no AES-256-GCM: \(openSSLError())") }
        return c
    }()

    /// Encrypts `buffer` in place and writes the tag. `aad` parts are authenticated in order.
    public static func seal(key: SecretKey, nonce: UnsafeRawBufferPointer, aad: [UnsafeRawBufferPointer],
                            buffer: UnsafeMutableRawBufferPointer, tag: UnsafeMutableRawBufferPointer) {
        precondition(tag.count == tagLength)
        let ok = run(encrypt: true, key: key, nonce: nonce, aad: aad, buffer: buffer) { ctx in
            EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, Int32(tagLength), tag.baseAddress) == 1
        }
        precondition(ok, "AES-256-GCM encryption failed: \(openSSLError())")
    }

    /// Decrypts `buffer` in place and checks the tag.
    ///
    /// - Throws: a data error (65) if the tag does not match: the ciphertext, the additional data, the
    ///   nonce or the tag was altered, or the key is not the one that sealed it. `buffer` then holds garbage.
    public static func open(key: SecretKey, nonce: UnsafeRawBufferPointer, aad: [UnsafeRawBufferPointer],
                            buffer: UnsafeMutableRawBufferPointer, tag: UnsafeRawBufferPointer) throws {
        precondition(tag.count == tagLength)
        let ok = run(encrypt: false, key: key, nonce: nonce, aad: aad, buffer: buffer) { ctx in
            EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, Int32(tagLength), UnsafeMutableRawPointer(mutating: tag.baseAddress)) == 1
        }
        guard ok else {
            ERR_clear_error()
            throw BenjiError.data("authentication failed: AES-256-GCM tag mismatch (the object was altered, or is not the object its name says)")
        }
    }

    /// One pass of GCM over `aad` and `buffer` (in place); `tag` gets or sets the tag before the final
    /// step. Returns false if any step fails, which for decryption means the tag did not match.
    private static func run(encrypt: Bool, key: SecretKey, nonce: UnsafeRawBufferPointer, aad: [UnsafeRawBufferPointer],
                            buffer: UnsafeMutableRawBufferPointer, tag: (OpaquePointer) -> Bool) -> Bool {
        precondition(key.count == keyLength && nonce.count == nonceLength)
        let ctx = EVP_CIPHER_CTX_new()!
        defer { EVP_CIPHER_CTX_free(ctx) }
        var ok = key.withBytes { k in
            EVP_CipherInit_ex2(ctx, cipher, k.baseAddress?.assumingMemoryBound(to: UInt8.self),
                               nonce.baseAddress?.assumingMemoryBound(to: UInt8.self), encrypt ? 1 : 0, nil)
        } == 1
        var n: Int32 = 0
        for part in aad where part.count > 0 {
            ok = ok && EVP_CipherUpdate(ctx, nil, &n, part.baseAddress?.assumingMemoryBound(to: UInt8.self), Int32(part.count)) == 1
        }
        if buffer.count > 0 {
            let p = buffer.baseAddress!.assumingMemoryBound(to: UInt8.self)
            ok = ok && EVP_CipherUpdate(ctx, p, &n, p, Int32(buffer.count)) == 1
        }
        if encrypt {
            return ok && EVP_CipherFinal_ex(ctx, nil, &n) == 1 && tag(ctx)
        }
        return ok && tag(ctx) && EVP_CipherFinal_ex(ctx, nil, &n) == 1
    }
}

/// AES key wrap (RFC 3394, with its default initial value) under a 256-bit key-encryption key.
public enum KeyWrap {
    nonisolated(unsafe) private static let cipher: OpaquePointer = {
        guard let c = EVP_CIPHER_fetch(nil, "AES-256-WRAP", nil) else { fatalError("OpenSSL has no AES-256-WRAP: \(openSSLError())") }
        return c
    }()

    /// The wrapped form of a key of `keyLength` bytes: 8 bytes longer.
    public static func wrappedLength(keyLength: Int) -> Int { keyLength + 8 }

    /// Wraps `key` (a multiple of 8 bytes, at least 16) under `kek`.
    public static func wrap(_ key: SecretKey, kek: SecretKey) -> [UInt8] {
        precondition(kek.count == 32 && key.count >= 16 && key.count % 8 == 0)
        let ctx = EVP_CIPHER_CTX_new()!
        defer { EVP_CIPHER_CTX_free(ctx) }
        EVP_CIPHER_CTX_set_flags(ctx, Int32(EVP_CIPHER_CTX_FLAG_WRAP_ALLOW))
        var out = [UInt8](repeating: 0, count: wrappedLength(keyLength: key.count))
        var n: Int32 = 0, m: Int32 = 0
        let ok = kek.withBytes { k in
            key.withBytes { p in
                out.withUnsafeMutableBufferPointer { o in
                    EVP_EncryptInit_ex2(ctx, cipher, k.baseAddress?.assumingMemoryBound(to: UInt8.self), nil, nil) == 1
                        && EVP_EncryptUpdate(ctx, o.baseAddress, &n, p.baseAddress?.assumingMemoryBound(to: UInt8.self), Int32(p.count)) == 1
                        && EVP_EncryptFinal_ex(ctx, o.baseAddress! + Int(n), &m) == 1
                }
            }
        }
        precondition(ok && Int(n + m) == out.count, "AES key wrap failed: \(openSSLError())")
        return out
    }

    /// Unwraps a key wrapped by `wrap`.
    ///
    /// - Throws: a data error (65) if the integrity check fails: the wrapped key was altered, or `kek` is
    ///   not the key that wrapped it.
    public static func unwrap(_ wrapped: UnsafeRawBufferPointer, kek: SecretKey) throws -> SecretKey {
        precondition(kek.count == 32)
        guard wrapped.count >= 24, wrapped.count % 8 == 0 else {
            throw BenjiError.data("a wrapped key of \(wrapped.count) bytes is malformed")
        }
        let ctx = EVP_CIPHER_CTX_new()!
        defer { EVP_CIPHER_CTX_free(ctx) }
        EVP_CIPHER_CTX_set_flags(ctx, Int32(EVP_CIPHER_CTX_FLAG_WRAP_ALLOW))
        var out = [UInt8](repeating: 0, count: wrapped.count)
        defer { wipe(&out) }
        var n: Int32 = 0, m: Int32 = 0
        let ok = kek.withBytes { k in
            out.withUnsafeMutableBufferPointer { o in
                EVP_DecryptInit_ex2(ctx, cipher, k.baseAddress?.assumingMemoryBound(to: UInt8.self), nil, nil) == 1
                    && EVP_DecryptUpdate(ctx, o.baseAddress, &n, wrapped.baseAddress?.assumingMemoryBound(to: UInt8.self), Int32(wrapped.count)) > 0
                    && EVP_DecryptFinal_ex(ctx, o.baseAddress! + Int(n), &m) == 1
            }
        }
        guard ok, Int(n + m) == wrapped.count - 8 else {
            ERR_clear_error()
            throw BenjiError.data("authentication failed: the wrapped data key does not unwrap (it was altered, or wrapped under another key)")
        }
        return out.withUnsafeBytes { SecretKey(UnsafeRawBufferPointer(rebasing: $0[0..<Int(n + m)])) }
    }

    public static func unwrap(_ wrapped: [UInt8], kek: SecretKey) throws -> SecretKey {
        try wrapped.withUnsafeBytes { try unwrap($0, kek: kek) }
    }
}

/// HMAC-SHA-256.
public enum HMACSHA256 {
    public static func mac(key: SecretKey, _ data: UnsafeRawBufferPointer) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        let result = key.withBytes { k in
            out.withUnsafeMutableBufferPointer { o in
                HMAC(EVP_sha256(), k.baseAddress, Int32(k.count), data.baseAddress?.assumingMemoryBound(to: UInt8.self),
                     data.count, o.baseAddress, &length)
            }
        }
        precondition(result != nil && length == 32, "HMAC-SHA256 failed: \(openSSLError())")
        return out
    }

    public static func mac(key: SecretKey, _ data: [UInt8]) -> [UInt8] {
        data.withUnsafeBytes { mac(key: key, $0) }
    }
}

/// Key derivation functions.
public enum KDF {
    /// scrypt (RFC 7914) of a passphrase: `2^logN` iterations of `r`-sized blocks, `p` lanes.
    public static func scrypt(passphrase: [UInt8], salt: [UInt8], logN: Int, r: Int, p: Int, length: Int = 32) throws -> SecretKey {
        guard (10...22).contains(logN), (1...32).contains(r), (1...16).contains(p) else {
            throw BenjiError(.config, "scrypt parameters log2 N \(logN), r \(r), p \(p) are outside the supported range")
        }
        var out = [UInt8](repeating: 0, count: length)
        defer { wipe(&out) }
        let n = UInt64(1) << UInt64(logN)
        let maxmem = UInt64(129 * r * p) * n + (64 << 20)
        let ok = passphrase.withUnsafeBytes { pw in
            salt.withUnsafeBufferPointer { s in
                out.withUnsafeMutableBufferPointer { o in
                    EVP_PBE_scrypt(pw.baseAddress?.assumingMemoryBound(to: CChar.self), pw.count, s.baseAddress, s.count,
                                   n, UInt64(r), UInt64(p), maxmem, o.baseAddress, length)
                }
            }
        }
        guard ok == 1 else { throw BenjiError(.failure, "scrypt failed: \(openSSLError())") }
        return SecretKey(out)
    }

    /// HKDF-SHA-256 (RFC 5869), extract and expand.
    public static func hkdf(key: SecretKey, salt: [UInt8], info: [UInt8], length: Int = 32) -> SecretKey {
        let ctx = EVP_PKEY_CTX_new_id(EVP_PKEY_HKDF, nil)!
        defer { EVP_PKEY_CTX_free(ctx) }
        var out = [UInt8](repeating: 0, count: length)
        defer { wipe(&out) }
        var outLength = length
        let ok = key.withBytes { k in
            salt.withUnsafeBufferPointer { s in
                info.withUnsafeBufferPointer { i in
                    EVP_PKEY_derive_init(ctx) == 1
                        && EVP_PKEY_CTX_set_hkdf_md(ctx, EVP_sha256()) == 1
                        && EVP_PKEY_CTX_set1_hkdf_salt(ctx, s.baseAddress, Int32(s.count)) == 1
                        && EVP_PKEY_CTX_set1_hkdf_key(ctx, k.baseAddress?.assumingMemoryBound(to: UInt8.self), Int32(k.count)) == 1
                        && EVP_PKEY_CTX_add1_hkdf_info(ctx, i.baseAddress, Int32(i.count)) == 1
                        && out.withUnsafeMutableBufferPointer { EVP_PKEY_derive(ctx, $0.baseAddress, &outLength) } == 1
                }
            }
        }
        precondition(ok && outLength == length, "HKDF failed: \(openSSLError())")
        return SecretKey(out)
    }
}
