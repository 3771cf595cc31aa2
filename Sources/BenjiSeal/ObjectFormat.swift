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

        public var objectSize: Int {
            headerLength + payloadSize + (flags.contains(.encrypted) ? ObjectFormat.tagLength : 0)
        }

        public static func == (a: Header, b: Header) -> Bool {
            a.flags.rawValue == b.flags.rawValue && a.kind == b.kind && a.headerLength == b.headerLength
                && a.plaintextSize == b.plaintextSize && a.payloadSize == b.payloadSize
        }

        /// The header bytes of an unencrypted object.
        public func encoded() -> [UInt8] {
            var out = ObjectFormat.magic
            out.append(ObjectFormat.version)
            out.append(flags.rawValue)
            appendLE(UInt16(headerLength), to: &out)
            out.append(kind.rawValue)
            out += [0, 0, 0]
            appendLE(UInt64(plaintextSize), to: &out)
            appendLE(UInt64(payloadSize), to: &out)
            return out
        }
    }

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
        let header = Header(flags: flags, kind: kind, headerLength: headerLength,
                            plaintextSize: Int(plain), payloadSize: Int(payload))
        if !flags.contains(.compressed) && !flags.contains(.encrypted) && header.payloadSize != header.plaintextSize {
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
