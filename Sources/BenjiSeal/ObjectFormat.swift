import BenjiCore

/// The stored-object format, version 1 (docs/design.md §4). Frozen: never change these values.
///
/// ```
/// offset size  field
///  0      8    magic: the first 8 bytes of SHA-256("benji stored object format v1")
///  8      1    format version: 1
///  9      1    flags: 0x01 payload is zstd-compressed, 0x02 payload is AES-256-GCM-encrypted
/// 10      2    header length in bytes, little-endian (32, or 100 with encryption)
/// 12      1    kind: 1 block, 2 version metadata
/// 13      3    reserved, zero
/// 16      8    plaintext size, little-endian
/// 24      8    payload size, little-endian
/// -- with flag 0x02 only:
/// 32     16    master key id
/// 48     40    data key wrapped under the master key (AES key wrap, RFC 3394)
/// 88     12    GCM nonce
/// -- then the payload, then (with 0x02) the 16-byte GCM tag over header (as AAD) and payload.
/// ```
public enum ObjectFormat {
    // WARNING: never modify. First 8 bytes of SHA-256("benji stored object format v1").
    public static let magic: [UInt8] = [0x60, 0x29, 0x1b, 0x35, 0x27, 0x37, 0x46, 0xd3]
    public static let version: UInt8 = 1
    public static let plainHeaderLength = 32
    public static let encryptedHeaderLength = 100
    public static let tagLength = 16

    public struct Flags: OptionSet, Sendable {
        public let rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }
        public static let compressed = Flags(rawValue: 0x01)
        public static let encrypted = Flags(rawValue: 0x02)
        public static let known: Flags = [.compressed, .encrypted]
    }

    public enum Kind: UInt8, Sendable {
        case block = 1
        case metadata = 2
    }

    /// A parsed and checked header.
    public struct Header: Sendable, Equatable {
        public var flags: Flags
        public var kind: Kind
        public var headerLength: Int
        public var plaintextSize: Int
        public var payloadSize: Int
        /// With `.encrypted`: the id of the key that wrapped the data key (16 bytes), the wrapped data key
        /// (40 bytes) and the GCM nonce (12 bytes); empty otherwise.
        public var keyID: [UInt8] = []
        public var wrappedKey: [UInt8] = []
        public var nonce: [UInt8] = []

        public init(flags: Flags, kind: Kind, headerLength: Int, plaintextSize: Int, payloadSize: Int,
                    keyID: [UInt8] = [], wrappedKey: [UInt8] = [], nonce: [UInt8] = []) {
            self.flags = flags; self.kind = kind; self.headerLength = headerLength
            self.plaintextSize = plaintextSize; self.payloadSize = payloadSize
            self.keyID = keyID; self.wrappedKey = wrappedKey; self.nonce = nonce
        }

        public var objectSize: Int {
            headerLength + payloadSize + (flags.contains(.encrypted) ? ObjectFormat.tagLength : 0)
        }

        public static func == (a: Header, b: Header) -> Bool {
            a.flags.rawValue == b.flags.rawValue && a.kind == b.kind && a.headerLength == b.headerLength
                && a.plaintextSize == b.plaintextSize && a.payloadSize == b.payloadSize
                && a.keyID == b.keyID && a.wrappedKey == b.wrappedKey && a.nonce == b.nonce
        }

        /// The header bytes.
        public func encoded() -> [UInt8] {
            var out = ObjectFormat.magic
            out.append(ObjectFormat.version)
            out.append(flags.rawValue)
            appendLE(UInt16(headerLength), to: &out)
            out.append(kind.rawValue)
            out += [0, 0, 0]
            appendLE(UInt64(plaintextSize), to: &out)
            appendLE(UInt64(payloadSize), to: &out)
            if flags.contains(.encrypted) {
                precondition(keyID.count == keyIDLength && wrappedKey.count == wrappedKeyLength && nonce.count == nonceLength)
                out += keyID + wrappedKey + nonce
            }
            return out
        }
    }

    public static let keyIDLength = 16
    public static let wrappedKeyLength = 40
    public static let nonceLength = 12
    /// Offsets of the encryption fields in the header.
    public static let keyIDOffset = 32
    public static let wrappedKeyOffset = 48
    public static let nonceOffset = 88

    /// Parses and checks the header at the start of `object`, and that the object's length matches it.
    ///
    /// - Throws: a data error (65) naming what is wrong: not a benji object, an unknown format version
    ///   (a newer benji wrote it), unknown flags, or a length that does not match.
    public static func parseHeader(_ object: UnsafeRawBufferPointer, objectLength: Int? = nil) throws -> Header {
        guard object.count >= plainHeaderLength else {
            throw BenjiError.data("object is too short for a header (\(object.count) bytes)")
        }
        guard (0..<8).allSatisfy({ object[$0] == magic[$0] }) else {
            throw BenjiError.data("not a benji object (bad magic)")
        }
        guard object[8] == version else {
            throw BenjiError.data("object format version \(object[8]) is not supported (this benji reads version \(version))")
        }
        let flags = Flags(rawValue: object[9])
        guard flags.subtracting(.known).isEmpty else {
            throw BenjiError.data("object has unknown flags 0x\(String(object[9], radix: 16))")
        }
        let headerLength = Int(object.loadUnaligned(fromByteOffset: 10, as: UInt16.self).littleEndian)
        let expectedHeader = flags.contains(.encrypted) ? encryptedHeaderLength : plainHeaderLength
        guard headerLength == expectedHeader else {
            throw BenjiError.data("object header length \(headerLength) does not match its flags")
        }
        guard let kind = Kind(rawValue: object[12]), object[13] == 0, object[14] == 0, object[15] == 0 else {
            throw BenjiError.data("object has an unknown kind or non-zero reserved bytes")
        }
        let plain = object.loadUnaligned(fromByteOffset: 16, as: UInt64.self).littleEndian
        let payload = object.loadUnaligned(fromByteOffset: 24, as: UInt64.self).littleEndian
        guard plain <= UInt64(Int32.max), payload <= UInt64(Int32.max) else {
            throw BenjiError.data("object sizes in the header are implausible")
        }
        guard object.count >= headerLength else {
            throw BenjiError.data("object is too short for its header (\(object.count) bytes)")
        }
        var header = Header(flags: flags, kind: kind, headerLength: headerLength,
                            plaintextSize: Int(plain), payloadSize: Int(payload))
        if flags.contains(.encrypted) {
            header.keyID = Array(object[keyIDOffset..<(keyIDOffset + keyIDLength)])
            header.wrappedKey = Array(object[wrappedKeyOffset..<(wrappedKeyOffset + wrappedKeyLength)])
            header.nonce = Array(object[nonceOffset..<(nonceOffset + nonceLength)])
        }
        // AES-GCM does not change the length: without compression, the payload is the plaintext's size.
        if !flags.contains(.compressed) && header.payloadSize != header.plaintextSize {
            throw BenjiError.data("uncompressed object has payload size \(payload) but plaintext size \(plain)")
        }
        let length = objectLength ?? object.count
        guard length == header.objectSize else {
            throw BenjiError.data("object is \(length) bytes, its header says \(header.objectSize)")
        }
        return header
    }
}

@inline(__always)
func appendLE<T: FixedWidthInteger>(_ value: T, to out: inout [UInt8]) {
    withUnsafeBytes(of: value.littleEndian) { out.append(contentsOf: $0) }
}
