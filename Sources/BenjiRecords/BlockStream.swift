import BenjiCore

/// What a block stream yields, in order.
public enum StreamEvent: Sendable {
    case header(StreamHeader)
    case block(Block)
    case end(EndRecord)
    /// A record of a type this stage does not handle; pass it on unchanged.
    case other(Record)
}

/// Checks the framing rules of a block stream as records go by (docs/design.md §2):
/// one `stream` record first, then `block` records in strictly ascending `idx` with the sizes the
/// header implies, then one `end` record whose counts match; nothing after it. Any record of a known
/// type must have a version this build understands.
public struct StreamValidator {
    public private(set) var header: StreamHeader?
    public private(set) var blockCount: Int64 = 0
    public private(set) var ended = false
    private var lastIdx: Int64 = -1
    private var lastSize = 0
    private var shortBlockSeen = false

    /// The most blocks an image may have (2^32: 16 PiB at 4 MiB blocks, 16 TiB at 4 KiB).
    public static let maximumBlocks: Int64 = 1 << 32

    public init() {}

    /// Classifies and checks one record.
    public mutating func accept(_ record: Record, location: String) throws -> StreamEvent {
        if ended {
            throw BenjiError.data("a \(record.type) record follows the end record", location: location)
        }
        let type = record.type
        if let supported = RecordType.supported[type], record.v != supported {
            throw BenjiError.data("\(type) record version \(record.v) is not supported (this benji reads version \(supported))",
                                  location: location)
        }
        switch type {
        case RecordType.stream:
            guard header == nil else { throw BenjiError.data("a second stream record", location: location) }
            let h = try StreamHeader(record, location: location)
            if let size = h.size, StreamHeader.blockCount(size: size, blockSize: h.blockSize) > StreamValidator.maximumBlocks {
                throw BenjiError.data("stream record: an image of \(size) bytes has more than 2^32 blocks of \(h.blockSize)", location: location)
            }
            header = h
            return .header(h)
        case RecordType.block:
            guard let h = header else { throw BenjiError.data("a block record before the stream record", location: location) }
            let b = try Block(record, location: location)
            guard b.idx > lastIdx else {
                throw BenjiError.data("block \(b.idx) is out of order (after block \(lastIdx))", location: location)
            }
            guard b.idx < StreamValidator.maximumBlocks else {
                throw BenjiError.data("block \(b.idx) is beyond the largest image (2^32 blocks)", location: location)
            }
            if let size = h.size {
                let count = StreamHeader.blockCount(size: size, blockSize: h.blockSize)
                guard b.idx < count else {
                    throw BenjiError.data("block \(b.idx) is beyond the end of a \(size)-byte image", location: location)
                }
                let expected = Int(min(Int64(h.blockSize), size - b.idx * Int64(h.blockSize)))
                guard b.size == expected else {
                    throw BenjiError.data("block \(b.idx) has size \(b.size), expected \(expected)", location: location)
                }
            } else {
                guard !shortBlockSeen else {
                    throw BenjiError.data("block \(b.idx) follows a short (last) block", location: location)
                }
                guard b.size <= h.blockSize else {
                    throw BenjiError.data("block \(b.idx) has size \(b.size), larger than the block size", location: location)
                }
                if b.size < h.blockSize { shortBlockSeen = true }
            }
            lastIdx = b.idx
            lastSize = b.size
            blockCount += 1
            return .block(b)
        case RecordType.end:
            guard let h = header else { throw BenjiError.data("an end record before the stream record", location: location) }
            let e = try EndRecord(record, location: location)
            guard e.blocks == blockCount else {
                throw BenjiError.data("the end record counts \(e.blocks) blocks, the stream had \(blockCount)",
                                      location: location)
            }
            switch (h.size, e.size) {
            case (nil, nil):
                throw BenjiError.data("the end record has no size, and the stream record had none", location: location)
            case (let a?, let b?) where a != b:
                throw BenjiError.data("the end record's size \(b) differs from the stream's \(a)", location: location)
            case (nil, let s?):
                let count = StreamHeader.blockCount(size: s, blockSize: h.blockSize)
                guard lastIdx < count else {
                    throw BenjiError.data("block \(lastIdx) is beyond the end of a \(s)-byte image", location: location)
                }
                // Blocks were checked against the block size only; the last one must fit the final size.
                if lastIdx >= 0 {
                    let expected = BlockGeometry(size: s, blockSize: h.blockSize).size(of: lastIdx)
                    guard lastSize == expected else {
                        throw BenjiError.data("block \(lastIdx) has size \(lastSize), but a \(s)-byte image needs \(expected)", location: location)
                    }
                }
            default: break
            }
            ended = true
            return .end(e)
        default:
            return .other(record)
        }
    }

    /// Call at end of input: fails unless the stream was whole.
    public func finish(location: String) throws {
        if ended { return }
        // Stopped by a signal, like (most likely) the stage before: that is the error, not its effect.
        try Interruption.check()
        if header == nil {
            throw BenjiError.data("the input ended before a stream record (did the stage before this one fail?)", location: location)
        }
        throw BenjiError.data(
            "the input ended without an end record after \(blockCount) block\(blockCount == 1 ? "" : "s"): the stream is incomplete", location: location)
    }
}

/// A record reader that enforces the block-stream framing.
public final class BlockStreamReader {
    public let reader: RecordReader
    public private(set) var validator = StreamValidator()

    public init(_ reader: RecordReader) { self.reader = reader }

    public var location: String { reader.location }
    public var header: StreamHeader? { validator.header }

    /// The next event, or nil once the stream has ended and the input is exhausted.
    public func next() throws -> StreamEvent? {
        guard let record = try reader.next() else {
            try validator.finish(location: reader.location)
            return nil
        }
        return try validator.accept(record, location: reader.location)
    }

    /// `next`, except that a block record whose `data` holds at least `minimum` characters comes as its
    /// head (`deferred`): the block's fields before its data, with an empty `data` standing in for it. The
    /// data is still in the input: `writeDeferred` passes it on or drops it, before the next call.
    public func next(deferringDataOf minimum: Int) throws -> (event: StreamEvent, deferred: Bool)? {
        let line = try reader.nextLine(deferring: "data") { head in
            guard head.type == RecordType.block, let size = head["size"]?.int64,
                  size > 0, size <= Int64(BlockSizeLimits.maximum) else { return nil }
            let length = Base64.encodedLength(Int(size))
            return length >= minimum ? length : nil
        }
        switch line {
        case nil:
            try validator.finish(location: reader.location)
            return nil
        case .whole(let bytes)?:
            return (try validator.accept(Record.parse(bytes, location: reader.location), location: reader.location), false)
        case .head(var head)?:
            head["data"] = .string(JSONString(""))
            return (try validator.accept(head, location: reader.location), true)
        }
    }

    /// Writes the block whose head `next(deferringDataOf:)` returned, with the fields the stage gave it
    /// (`block`), to `writer`: with its data, which goes from the input to the output without being read,
    /// if `block` still has `data`; without it (dropped unread) if the stage removed it. The fields that
    /// follow the data on the line are kept. The stage that decodes the data checks its characters.
    public func writeDeferred(_ block: Block, to writer: RecordWriter) throws {
        var record = block.record
        if block.hasData {
            record["data"] = nil
            try writer.writeHead(record, string: "data")
            let rest = try checked(reader.passDeferred(to: writer))
            try ([0x22] + rest.tail + [0x0A]).withUnsafeBytes { try writer.writeRaw($0) }
        } else {
            let rest = try checked(reader.dropDeferred())
            for field in rest.fields.fields { record[field.key] = field.value }
            try writer.write(record)
        }
    }

    /// The rest of a line after its deferred data, if none of its fields is one that benji reads.
    private func checked(_ rest: (fields: JSONObject, tail: [UInt8])) throws -> (fields: JSONObject, tail: [UInt8]) {
        if let late = rest.fields.fields.first(where: { Block.fieldNames.contains($0.key) }) {
            throw BenjiError.data("block record: \"\(late.key)\" follows \"data\" (benji reads a block's fields before its data)",
                                  location: reader.location)
        }
        return rest
    }
}
