internal import CCrypto
import BenjiCore

/// A key pair (or a public key alone) for Diffie-Hellman key agreement: X25519 or NIST P-384.
///
/// Files are PEM: PKCS#8 `PRIVATE KEY` and SubjectPublicKeyInfo `PUBLIC KEY`, as `openssl genpkey` and
/// `openssl pkey -pubout` write them, so keys can be made and inspected with standard tools.
public final class AgreementKey: @unchecked Sendable {
    public enum Curve: String, Sendable, CaseIterable {
        case x25519
        case p384 = "p-384"
    }

    private let pkey: OpaquePointer
    public let curve: Curve
    public let hasPrivateKey: Bool

    private init(pkey: OpaquePointer, hasPrivateKey: Bool) throws {
        self.pkey = pkey
        self.hasPrivateKey = hasPrivateKey
        if EVP_PKEY_get_base_id(pkey) == NID_X25519 {
            curve = .x25519
        } else if EVP_PKEY_get_base_id(pkey) == NID_X9_62_id_ecPublicKey, AgreementKey.groupName(pkey) == "secp384r1" {
            curve = .p384
            // One encoding per key: a public key read in compressed form must encode (and so fingerprint
            // and bind into derivations) exactly as the private key's public half does.
            guard EVP_PKEY_set_utf8_string_param(pkey, "point-format", "uncompressed") == 1 else {
                EVP_PKEY_free(pkey)
                throw BenjiError(.config, "cannot normalise a P-384 key's encoding: \(openSSLError())")
            }
        } else {
            EVP_PKEY_free(pkey)
            throw BenjiError(.config, "unsupported key type: benji uses X25519 or P-384 keys")
        }
    }

    deinit { EVP_PKEY_free(pkey) }

    private static func groupName(_ pkey: OpaquePointer) -> String? {
        var name = [CChar](repeating: 0, count: 64)
        var length = 0
        guard EVP_PKEY_get_group_name(pkey, &name, name.count, &length) == 1 else { return nil }
        return cString(name)
    }

    /// A new random key pair.
    public static func generate(_ curve: Curve) throws -> AgreementKey {
        let ctx = EVP_PKEY_CTX_new_from_name(nil, curve == .x25519 ? "X25519" : "EC", nil)!
        defer { EVP_PKEY_CTX_free(ctx) }
        var pkey: OpaquePointer? = nil
        guard EVP_PKEY_keygen_init(ctx) == 1,
              curve == .x25519 || EVP_PKEY_CTX_set_group_name(ctx, "P-384") == 1,
              EVP_PKEY_generate(ctx, &pkey) == 1, let pkey
        else { throw BenjiError(.failure, "key generation failed: \(openSSLError())") }
        return try AgreementKey(pkey: pkey, hasPrivateKey: true)
    }

    /// Reads a PEM private key (PKCS#8 or the traditional EC format).
    public convenience init(privatePEM: [UInt8]) throws {
        // A passphrase-protected PEM fails instead of prompting on the terminal.
        let pkey = try AgreementKey.withBIO(privatePEM) { PEM_read_bio_PrivateKey($0, nil, { _, _, _, _ in -1 }, nil) }
        guard let pkey else { throw BenjiError(.config, "not a PEM private key: \(openSSLError())") }
        try self.init(pkey: pkey, hasPrivateKey: true)
    }

    /// Reads a PEM public key (SubjectPublicKeyInfo).
    public convenience init(publicPEM: [UInt8]) throws {
        let pkey = try AgreementKey.withBIO(publicPEM) { PEM_read_bio_PUBKEY($0, nil, { _, _, _, _ in -1 }, nil) }
        guard let pkey else { throw BenjiError(.config, "not a PEM public key: \(openSSLError())") }
        try self.init(pkey: pkey, hasPrivateKey: false)
    }

    /// Reads a DER SubjectPublicKeyInfo.
    public convenience init(publicDER: [UInt8]) throws {
        let pkey: OpaquePointer? = publicDER.withUnsafeBufferPointer { b in
            var p: UnsafePointer<UInt8>? = b.baseAddress
            return d2i_PUBKEY(nil, &p, b.count)
        }
        guard let pkey else { throw BenjiError.data("not a DER public key: \(openSSLError())") }
        try self.init(pkey: pkey, hasPrivateKey: false)
    }

    private static func withBIO(_ bytes: [UInt8], _ body: (OpaquePointer) -> OpaquePointer?) throws -> OpaquePointer? {
        try bytes.withUnsafeBytes { b in
            guard let bio = BIO_new_mem_buf(b.baseAddress, Int32(b.count)) else { throw BenjiError(.failure, "out of memory") }
            defer { BIO_free(bio) }
            return body(bio)
        }
    }

    /// The public key as DER SubjectPublicKeyInfo.
    public var publicDER: [UInt8] {
        var p: UnsafeMutablePointer<UInt8>? = nil
        let n = i2d_PUBKEY(pkey, &p)
        precondition(n > 0, "encoding a public key failed")
        defer { CRYPTO_free(p, #file, #line) }
        return Array(UnsafeBufferPointer(start: p, count: Int(n)))
    }

    /// The public key as PEM text.
    public func publicPEM() -> [UInt8] {
        AgreementKey.pem { PEM_write_bio_PUBKEY($0, pkey) }
    }

    /// The private key as unencrypted PKCS#8 PEM text.
    public func privatePEM() -> [UInt8] {
        precondition(hasPrivateKey)
        return AgreementKey.pem { PEM_write_bio_PrivateKey($0, pkey, nil, nil, 0, nil, nil) }
    }

    private static func pem(_ write: (OpaquePointer) -> Int32) -> [UInt8] {
        let bio = BIO_new(BIO_s_mem())!
        defer { BIO_free(bio) }
        precondition(write(bio) == 1, "PEM encoding failed: \(openSSLError())")
        var out = [UInt8](repeating: 0, count: Int(BIO_ctrl_pending(bio)))
        let n = out.withUnsafeMutableBytes { BIO_read(bio, $0.baseAddress, Int32($0.count)) }
        return Array(out[0..<Int(max(n, 0))])
    }

    /// A 16-byte fingerprint: the first half of SHA-256 of the DER public key.
    public var fingerprint: [UInt8] { Array(SHA256.hash(publicDER).bytes[0..<16]) }

    /// The Diffie-Hellman shared secret of this private key and `peer`'s public key.
    ///
    /// - Throws: 78 if the curves differ, 65 if the peer key is invalid (for example a low-order point).
    public func sharedSecret(with peer: AgreementKey) throws -> SecretKey {
        precondition(hasPrivateKey)
        guard peer.curve == curve else {
            throw BenjiError(.config, "key agreement between a \(curve.rawValue) key and a \(peer.curve.rawValue) key")
        }
        let ctx = EVP_PKEY_CTX_new_from_pkey(nil, pkey, nil)!
        defer { EVP_PKEY_CTX_free(ctx) }
        var length = 0
        guard EVP_PKEY_derive_init(ctx) == 1, EVP_PKEY_derive_set_peer(ctx, peer.pkey) == 1,
              EVP_PKEY_derive(ctx, nil, &length) == 1
        else { throw BenjiError.data("key agreement failed: \(openSSLError())") }
        var out = [UInt8](repeating: 0, count: length)
        defer { wipe(&out) }
        guard out.withUnsafeMutableBufferPointer({ EVP_PKEY_derive(ctx, $0.baseAddress, &length) }) == 1 else {
            throw BenjiError.data("key agreement failed: \(openSSLError())")
        }
        return out.withUnsafeBytes { SecretKey(UnsafeRawBufferPointer(rebasing: $0[0..<length])) }
    }
}
