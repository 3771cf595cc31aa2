/// The compact encodings of block maps (docs/design.md §5).
///
/// A version's block map is a list of *segments* of 1024 blocks each. A segment is a list of object ids
/// (0 for a zero block), stored once per distinct content and shared by every version in which those
/// 1024 blocks are the same, so an incremental backup writes only the segments it changed. Segment id 0
/// stands for a segment of zero blocks and is never stored.
///
/// Both lists are encoded as LEB128 varints of the zig-zagged difference to the previous value, which
/// turns runs of consecutively written objects into one byte per block.
public enum BlockMapCodec {
    /// Blocks per segment. Part of the catalog format: changing it needs a schema version.
    public static let segmentBlocks = 1024

    /// Encodes ids; trailing zeros are dropped (a decoder pads them back).
    public static func encode(_ ids: [Int64]) -> [UInt8] {
        var end = ids.count
        while end > 0 && ids[end - 1] == 0 { end -= 1 }
        var out = [UInt8]()
        out.reserveCapacity(end + 8)
        var previous: Int64 = 0
        for i in 0..<end {
            let delta = ids[i] &- previous
            previous = ids[i]
            var z = UInt64(bitPattern: (delta << 1) ^ (delta >> 63))
            while z >= 0x80 {
                out.append(UInt8(z & 0x7F) | 0x80)
                z >>= 7
            }
            out.append(UInt8(z))
        }
        return out
    }

    /// Decodes ids, padding with zeros to `count` entries if given.
    /// - Returns: nil for a malformed encoding.
    public static func decode(_ bytes: [UInt8], count: Int? = nil) -> [Int64]? {
        var out: [Int64] = []
        out.reserveCapacity(count ?? bytes.count)
        var previous: Int64 = 0
        var i = 0
        while i < bytes.count {
            var z: UInt64 = 0
            var shift: UInt64 = 0
            while true {
                guard i < bytes.count, shift < 64 else { return nil }
                let b = bytes[i]
                if shift == 63 && b > 1 { return nil }
                i += 1
                z |= UInt64(b & 0x7F) << shift
                if b < 0x80 { break }
                shift += 7
            }
            let delta = Int64(bitPattern: (z >> 1) ^ (0 &- (z & 1)))
            previous = previous &+ delta
            out.append(previous)
        }
        if let count {
            guard out.count <= count else { return nil }
            out.append(contentsOf: repeatElement(0, count: count - out.count))
        }
        return out
    }
}
