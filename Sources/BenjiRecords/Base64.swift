internal import CBenjiKernels

/// Standard base64 (RFC 4648 §4, with padding), table-driven.
///
/// Encoding turns 12 bits into two characters with one lookup; decoding combines four per-position
/// tables so that one OR of four loads yields three bytes and one test finds any invalid character.
public enum Base64 {
    private static let alphabet: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// 4096 entries: 12 bits -> two ASCII characters, little-endian in a UInt16.
    private static let pairs: [UInt16] = {
        var t = [UInt16](repeating: 0, count: 4096)
        for i in 0..<4096 {
            t[i] = UInt16(alphabet[i >> 6]) | UInt16(alphabet[i & 63]) << 8
        }
        return t
    }()

    private static let invalid: UInt32 = 0x0100_0000

    /// Per-position decode tables: character -> its 6 bits placed for output byte order, or `invalid`.
    private static let decodeTables: [[UInt32]] = {
        var d = [[UInt32]](repeating: [UInt32](repeating: 0x0100_0000, count: 256), count: 4)
        for (v, c) in alphabet.enumerated() {
            let x = UInt32(v)
            // Output bytes b0 b1 b2 stored little-endian in a UInt32: b0 | b1<<8 | b2<<16.
            d[0][Int(c)] = x << 2
            d[1][Int(c)] = (x >> 4) | ((x & 0x0F) << 12)
            d[2][Int(c)] = ((x >> 2) << 8) | ((x & 0x03) << 22)
            d[3][Int(c)] = x << 16
        }
        return d
    }()

    /// The length of the encoding of `count` bytes.
    public static func encodedLength(_ count: Int) -> Int { (count + 2) / 3 * 4 }

    /// Appends the base64 encoding of `bytes` to `out`.
    public static func encode(_ bytes: [UInt8], into out: inout [UInt8]) {
        bytes.withUnsafeBytes { encode($0, into: &out) }
    }

    public static func encode(_ src: UnsafeRawBufferPointer, into out: inout [UInt8]) {
        let n = src.count
        let start = out.count
        let outLength = encodedLength(n)
        if start == 0 && out.isEmpty {
            // The common case: a fresh array, filled without zeroing it first.
            out = [UInt8](unsafeUninitializedCapacity: outLength) { buf, count in
                encode(src, to: UnsafeMutableRawPointer(buf.baseAddress!))
                count = outLength
            }
            return
        }
        out.reserveCapacity(start + outLength)
        out.append(contentsOf: repeatElement(0, count: outLength))
        out.withUnsafeMutableBytes { dstBuf in encode(src, to: dstBuf.baseAddress! + start) }
    }

    /// Encodes into `dst`, which has room for `encodedLength(src.count)` bytes.
    private static func encode(_ src: UnsafeRawBufferPointer, to dst: UnsafeMutableRawPointer) {
        let n = src.count
        pairs.withUnsafeBufferPointer { table in
            do {
                let s = src.baseAddress?.assumingMemoryBound(to: UInt8.self)
                var i = 0, o = 0
                // The bulk at SIMD speed where the CPU can (24 bytes -> 32 characters a step).
                if let s, n >= 28 {
                    i = benji_base64_encode_bulk(s, n, dst.assumingMemoryBound(to: UInt8.self))
                    o = i / 3 * 4
                }
                // 6 input bytes -> 8 output characters per step.
                while i + 8 <= n {
                    let w = UInt64(bigEndian: UnsafeRawPointer(s! + i).loadUnaligned(as: UInt64.self))
                    let a = table[Int((w >> 52) & 0xFFF)], b = table[Int((w >> 40) & 0xFFF)]
                    let c = table[Int((w >> 28) & 0xFFF)], d = table[Int((w >> 16) & 0xFFF)]
                    let packed = UInt64(a) | UInt64(b) << 16 | UInt64(c) << 32 | UInt64(d) << 48
                    (dst + o).storeBytes(of: packed, as: UInt64.self)
                    i += 6; o += 8
                }
                while i + 3 <= n {
                    let w = Int(s![i]) << 16 | Int(s![i + 1]) << 8 | Int(s![i + 2])
                    (dst + o).storeBytes(of: table[w >> 12], as: UInt16.self)
                    (dst + o + 2).storeBytes(of: table[w & 0xFFF], as: UInt16.self)
                    i += 3; o += 4
                }
                let rest = n - i
                if rest > 0 {
                    let b0 = Int(s![i]), b1 = rest > 1 ? Int(s![i + 1]) : 0
                    let d = dst.assumingMemoryBound(to: UInt8.self)
                    d[o] = alphabet[b0 >> 2]
                    d[o + 1] = alphabet[((b0 & 3) << 4) | (b1 >> 4)]
                    d[o + 2] = rest > 1 ? alphabet[(b1 & 15) << 2] : UInt8(ascii: "=")
                    d[o + 3] = UInt8(ascii: "=")
                }
            }
        }
    }

    /// Encodes bytes to a string.
    public static func encode(_ bytes: [UInt8]) -> String {
        var out = [UInt8]()
        encode(bytes, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes strict base64: length a multiple of 4, padding only at the end, no white space,
    /// unused bits zero. Returns nil for anything else.
    public static func decode<C: Collection>(_ text: C) -> [UInt8]? where C.Element == UInt8 {
        if let r = text.withContiguousStorageIfAvailable({ decode(UnsafeRawBufferPointer($0)) }) { return r }
        return Array(text).withUnsafeBytes { decode($0) }
    }

    public static func decode(_ src: UnsafeRawBufferPointer) -> [UInt8]? {
        let n = src.count
        guard n % 4 == 0 else { return nil }
        if n == 0 { return [] }
        let s = src.baseAddress!.assumingMemoryBound(to: UInt8.self)
        var pad = 0
        if s[n - 1] == UInt8(ascii: "=") { pad = 1; if s[n - 2] == UInt8(ascii: "=") { pad = 2 } }
        let outLength = n / 4 * 3 - pad
        // Four bytes of slack: each quad stores a whole UInt32.
        var out = [UInt8](unsafeUninitializedCapacity: outLength + 4) { _, c in c = outLength + 4 }
        let fullQuads = (n / 4) - (pad > 0 ? 1 : 0)
        let ok: Bool = decodeTables[0].withUnsafeBufferPointer { d0 in
            decodeTables[1].withUnsafeBufferPointer { d1 in
                decodeTables[2].withUnsafeBufferPointer { d2 in
                    decodeTables[3].withUnsafeBufferPointer { d3 in
                        out.withUnsafeMutableBytes { dstBuf -> Bool in
                            let dst = dstBuf.baseAddress!
                            var bad: UInt32 = 0
                            var q = 0
                            var i = 0, o = 0
                            // The bulk at SIMD speed where the CPU can; it stops before any group it cannot
                            // decode, which the loop below then checks.
                            if fullQuads * 4 >= 32 {
                                i = benji_base64_decode_bulk(s, fullQuads * 4, dst.assumingMemoryBound(to: UInt8.self))
                                o = i / 4 * 3
                                q = i / 4
                            }
                            while q < fullQuads {
                                let x = d0[Int(s[i])] | d1[Int(s[i + 1])] | d2[Int(s[i + 2])] | d3[Int(s[i + 3])]
                                bad |= x
                                (dst + o).storeBytes(of: x, as: UInt32.self)
                                i += 4; o += 3; q += 1
                            }
                            if bad & invalid != 0 { return false }
                            if pad > 0 {
                                let c0 = d0[Int(s[i])], c1 = d1[Int(s[i + 1])]
                                if (c0 | c1) & invalid != 0 { return false }
                                if pad == 2 {
                                    let x = c0 | c1
                                    if (x >> 8) & 0xFF != 0 { return false }
                                    dst.storeBytes(of: UInt8(x & 0xFF), toByteOffset: o, as: UInt8.self)
                                } else {
                                    let c2 = d2[Int(s[i + 2])]
                                    if c2 & invalid != 0 { return false }
                                    let x = c0 | c1 | c2
                                    if (x >> 16) & 0xFF != 0 { return false }
                                    dst.storeBytes(of: UInt8(x & 0xFF), toByteOffset: o, as: UInt8.self)
                                    dst.storeBytes(of: UInt8((x >> 8) & 0xFF), toByteOffset: o + 1, as: UInt8.self)
                                }
                            }
                            return true
                        }
                    }
                }
            }
        }
        guard ok else { return nil }
        out.removeLast(4)
        return out
    }
}
