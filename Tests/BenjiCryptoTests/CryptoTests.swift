import Testing
import BenjiCore
@testable import BenjiCrypto

private func hex(_ s: String) -> [UInt8] { Hex.decode(s.replacingOccurrences(of: " ", with: ""))! }

/// Known-answer tests from the RFCs and NIST, so that each primitive is the standard one.
@Suite struct KnownAnswerTests {
    static let kek256 = hex("000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F".lowercased())

    @Test(arguments: [
        // RFC 3394 §4.3, §4.5, §4.6: 128, 192 and 256 bits of key data under a 256-bit KEK.
        ("00112233445566778899aabbccddeeff", "64e8c3f9ce0f5ba2 63e9777905818a2a 93c8191e7d6e8ae7"),
        ("00112233445566778899aabbccddeeff0001020304050607", "a8f9bc1612c68b3f f6e6f4fbe30e71e4 769c8b80a32cb895 8cd5d17d6b254da1"),
        ("00112233445566778899aabbccddeeff000102030405060708090a0b0c0d0e0f",
         "28c9f404c4b810f4 cbccb35cfb87f826 3f5786e2d80ed326 cbc7f0e71a99f43b fb988b9b7a02dd21"),
    ])
    func rfc3394KeyWrap(keyData: String, wrapped: String) throws {
        let kek = SecretKey(KnownAnswerTests.kek256)
        #expect(KeyWrap.wrap(SecretKey(hex(keyData)), kek: kek) == hex(wrapped))
        let unwrapped = try KeyWrap.unwrap(hex(wrapped), kek: kek)
        #expect(unwrapped == SecretKey(hex(keyData)))
    }

    @Test func keyUnwrapRejectsEveryAlteredByteAndAWrongKey() throws {
        let kek = SecretKey(KnownAnswerTests.kek256)
        let wrapped = KeyWrap.wrap(SecretKey.random(), kek: kek)
        for i in wrapped.indices {
            var bad = wrapped
            bad[i] ^= 0x01
            #expect(throws: BenjiError.self) { try KeyWrap.unwrap(bad, kek: kek) }
        }
        #expect(throws: BenjiError.self) { try KeyWrap.unwrap(wrapped, kek: SecretKey.random()) }
    }

    @Test func gcmTestCases13And14() throws {
        // The GCM specification's test cases 13 and 14: a zero 256-bit key and a zero 96-bit nonce.
        let key = SecretKey([UInt8](repeating: 0, count: 32))
        let nonce = [UInt8](repeating: 0, count: 12)
        var tag = [UInt8](repeating: 0, count: 16)
        var empty: [UInt8] = []
        nonce.withUnsafeBytes { n in
            empty.withUnsafeMutableBytes { b in tag.withUnsafeMutableBytes { AESGCM.seal(key: key, nonce: n, aad: [], buffer: b, tag: $0) } }
        }
        #expect(tag == hex("530f8afbc74536b9a963b4f1c4cb738b"))
        var block = [UInt8](repeating: 0, count: 16)
        nonce.withUnsafeBytes { n in
            block.withUnsafeMutableBytes { b in tag.withUnsafeMutableBytes { AESGCM.seal(key: key, nonce: n, aad: [], buffer: b, tag: $0) } }
        }
        #expect(block == hex("cea7403d4d606b6e074ec5d3baf39d18"))
        #expect(tag == hex("d0d1c8a799996bf0265b98b5d48ab919"))
        try nonce.withUnsafeBytes { n in
            try block.withUnsafeMutableBytes { b in try tag.withUnsafeBytes { try AESGCM.open(key: key, nonce: n, aad: [], buffer: b, tag: $0) } }
        }
        #expect(block == [UInt8](repeating: 0, count: 16))
    }

    @Test func gcmRejectsAlteredCiphertextAADAndTag() throws {
        let key = SecretKey.random()
        let nonce = secureRandomBytes(12)
        let aad = Array("header".utf8)
        let plain = secureRandomBytes(100)
        var sealed = plain
        var tag = [UInt8](repeating: 0, count: 16)
        nonce.withUnsafeBytes { n in aad.withUnsafeBytes { a in
            sealed.withUnsafeMutableBytes { b in tag.withUnsafeMutableBytes { AESGCM.seal(key: key, nonce: n, aad: [a], buffer: b, tag: $0) } }
        } }
        func open(_ c: [UInt8], _ a: [UInt8], _ t: [UInt8]) throws -> [UInt8] {
            var c = c
            try nonce.withUnsafeBytes { n in try a.withUnsafeBytes { a in
                try c.withUnsafeMutableBytes { b in try t.withUnsafeBytes { try AESGCM.open(key: key, nonce: n, aad: [a], buffer: b, tag: $0) } }
            } }
            return c
        }
        #expect(try open(sealed, aad, tag) == plain)
        var c = sealed; c[50] ^= 0x80
        #expect(throws: BenjiError.self) { try open(c, aad, tag) }
        var a = aad; a[0] ^= 1
        #expect(throws: BenjiError.self) { try open(sealed, a, tag) }
        var t = tag; t[15] ^= 1
        #expect(throws: BenjiError.self) { try open(sealed, aad, t) }
    }

    @Test func hmacRFC4231Case2() {
        let mac = HMACSHA256.mac(key: SecretKey(Array("Jefe".utf8)), Array("what do ya want for nothing?".utf8))
        #expect(mac == hex("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"))
    }

    @Test func scryptRFC7914() throws {
        let key = try KDF.scrypt(passphrase: Array("password".utf8), salt: Array("NaCl".utf8), logN: 10, r: 8, p: 16, length: 64)
        #expect(key == SecretKey(hex("fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b3731622eaf30d92e22a3886ff109279d9830dac727afb94a83ee6d8360cbdfa2cc0640")))
    }

    @Test func hkdfRFC5869Case1() {
        let okm = KDF.hkdf(key: SecretKey([UInt8](repeating: 0x0b, count: 22)), salt: hex("000102030405060708090a0b0c"),
                           info: hex("f0f1f2f3f4f5f6f7f8f9"), length: 42)
        #expect(okm == SecretKey(hex("3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865")))
    }
}

@Suite struct AgreementKeyTests {
    @Test(arguments: AgreementKey.Curve.allCases)
    func bothSidesAgreeAndKeysSurvivePEM(curve: AgreementKey.Curve) throws {
        let a = try AgreementKey.generate(curve), b = try AgreementKey.generate(curve)
        #expect(try a.sharedSecret(with: b) == b.sharedSecret(with: a))
        let a2 = try AgreementKey(privatePEM: a.privatePEM())
        let bPublic = try AgreementKey(publicPEM: b.publicPEM())
        #expect(a2.curve == curve && !bPublic.hasPrivateKey)
        #expect(try a2.sharedSecret(with: bPublic) == a.sharedSecret(with: b))
        #expect(try AgreementKey(publicDER: a.publicDER).fingerprint == a.fingerprint)
        #expect(String(decoding: a.privatePEM(), as: UTF8.self).hasPrefix("-----BEGIN PRIVATE KEY-----"))
    }

    @Test func mixedCurvesAndGarbageAreRefused() throws {
        let x = try AgreementKey.generate(.x25519), p = try AgreementKey.generate(.p384)
        #expect(throws: BenjiError.self) { try x.sharedSecret(with: p) }
        #expect(throws: BenjiError.self) { try AgreementKey(privatePEM: Array("not a key".utf8)) }
        #expect(throws: BenjiError.self) { try AgreementKey(publicDER: [1, 2, 3]) }
    }
}
