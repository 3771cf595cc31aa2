import BenjiCore

/// One line of the record stream: a JSON object with a `type` and a format version `v`.
public struct Record: Sendable {
    public var object: JSONObject

    public init(_ object: JSONObject) { self.object = object }

    /// A new record of `type`, version 1, with the given fields after `type` and `v`.
    public init(type: String, v: Int = 1, _ fields: [(key: String, value: JSONValue)] = []) {
        object = JSONObject([("type", .text(type)), ("v", .int(v))] + fields)
    }

    public var type: String { object["type"]?.stringValue ?? "" }
    public var v: Int64 { object["v"]?.int64 ?? 0 }

    public subscript(key: String) -> JSONValue? {
        get { object[key] }
        set { object[key] = newValue }
    }

    /// Parses one line strictly: a JSON object with a string `type` and an integer `v >= 1`.
    public static func parse(_ line: [UInt8], location: String) throws -> Record {
        let value: JSONValue
        do {
            value = try JSONParser.parse(line)
        } catch let e as JSONSyntaxError {
            throw BenjiError.data("malformed record: \(e)", location: location)
        }
        guard case .object(let object) = value else {
            throw BenjiError.data("malformed record: not a JSON object", location: location)
        }
        guard let type = object["type"]?.stringValue, !type.isEmpty else {
            throw BenjiError.data("malformed record: no \"type\" field", location: location)
        }
        guard let v = object["v"]?.int64, v >= 1 else {
            throw BenjiError.data("malformed record: \(type) record has no integer \"v\" field", location: location)
        }
        return Record(object)
    }

    // MARK: strict field access, for the typed views

    func requireInt(_ key: String, _ location: String, min: Int64 = 0) throws -> Int64 {
        guard let value = object[key] else {
            throw BenjiError.data("\(type) record has no \"\(key)\" field", location: location)
        }
        guard let n = value.int64, n >= min else {
            throw BenjiError.data("\(type) record: \"\(key)\" must be an integer >= \(min)", location: location)
        }
        return n
    }

    func optionalInt(_ key: String, _ location: String, min: Int64 = 0) throws -> Int64? {
        guard let value = object[key], !isNull(value) else { return nil }
        guard let n = value.int64, n >= min else {
            throw BenjiError.data("\(type) record: \"\(key)\" must be an integer >= \(min)", location: location)
        }
        return n
    }

    func optionalString(_ key: String, _ location: String) throws -> String? {
        guard let value = object[key], !isNull(value) else { return nil }
        guard let s = value.stringValue else {
            throw BenjiError.data("\(type) record: \"\(key)\" must be a string", location: location)
        }
        return s
    }

    func optionalBool(_ key: String, _ location: String) throws -> Bool {
        guard let value = object[key], !isNull(value) else { return false }
        guard let b = value.bool else {
            throw BenjiError.data("\(type) record: \"\(key)\" must be true or false", location: location)
        }
        return b
    }

    private func isNull(_ v: JSONValue) -> Bool {
        if case .null = v { return true }
        return false
    }
}

/// The record types this version of benji understands, with the format version it writes.
public enum RecordType {
    public static let stream = "stream"
    public static let block = "block"
    public static let end = "end"
    public static let extent = "extent"
    public static let version = "version"
    public static let badRange = "bad_range"
    /// The versions understood for each known type; other versions of these types are rejected.
    public static let supported: [String: Int64] = [stream: 1, block: 1, end: 1, extent: 1, version: 1, badRange: 1]
}

/// The `stream` record that opens a block stream.
public struct StreamHeader: Sendable {
    public var record: Record
    public var volume: String
    public var snapshot: String
    /// The image size in bytes; nil for a raw stream on stdin, whose `end` record then carries it.
    public var size: Int64?
    public var blockSize: Int
    public var base: String?
    public var source: String?
    public var labels: [(String, String)]

    public init(volume: String, snapshot: String, size: Int64?, blockSize: Int, base: String?, source: String?,
                labels: [(String, String)]) {
        self.volume = volume; self.snapshot = snapshot; self.size = size; self.blockSize = blockSize
        self.base = base; self.source = source; self.labels = labels
        var fields: [(key: String, value: JSONValue)] = [("volume", .text(volume)), ("snapshot", .text(snapshot))]
        if let size { fields.append(("size", .int(size))) }
        fields.append(("block_size", .int(blockSize)))
        if let base { fields.append(("base", .text(base))) }
        if let source { fields.append(("source", .text(source))) }
        fields.append(("labels", .object(JSONObject(labels.map { ($0.0, JSONValue.text($0.1)) }))))
        record = Record(type: RecordType.stream, fields)
    }

    public init(_ record: Record, location: String) throws {
        self.record = record
        guard let volume = try record.optionalString("volume", location), !volume.isEmpty else {
            throw BenjiError.data("stream record has no \"volume\"", location: location)
        }
        self.volume = volume
        snapshot = try record.optionalString("snapshot", location) ?? ""
        size = try record.optionalInt("size", location)
        let bs = try record.requireInt("block_size", location, min: 1)
        guard BlockSizeLimits.validate(Int(clamping: bs)) else {
            throw BenjiError.data("stream record: block_size \(bs) is not a multiple of 4096 between 4 KiB and 64 MiB",
                                  location: location)
        }
        blockSize = Int(bs)
        base = try record.optionalString("base", location)
        source = try record.optionalString("source", location)
        labels = []
        if let value = record["labels"] {
            guard case .object(let object) = value else {
                throw BenjiError.data("stream record: \"labels\" must be an object of strings", location: location)
            }
            for (k, v) in object.fields {
                guard let s = v.stringValue else {
                    throw BenjiError.data("stream record: label \"\(k)\" must be a string", location: location)
                }
                labels.append((k, s))
            }
        }
    }

    /// The number of blocks of an image of `size` bytes.
    public static func blockCount(size: Int64, blockSize: Int) -> Int64 {
        BlockGeometry(size: size, blockSize: blockSize).blockCount
    }
}

/// A `block` record: one fixed-size block of the image, at some stage of its way.
///
/// Fields: `idx`, `size` always; `zero: true` for an all-zero block; `sha256` of the plaintext once read;
/// `data` (base64 plaintext) until dedup or seal; `object` (the stored object's name) once the object is
/// known to the store; `object_data` (base64 of the sealed object) between seal and put (and between get
/// and open on the way back); `check: true` for a block read only to verify hints; `error` when a stage
/// could not produce it (restore continues past such blocks).
public struct Block: Sendable {
    public var record: Record
    public var idx: Int64
    public var size: Int
    public var zero: Bool
    public var sha256: SHA256Digest?
    public var object: String?
    public var check: Bool
    public var error: String?

    public init(idx: Int64, size: Int) {
        self.idx = idx; self.size = size; zero = false; sha256 = nil; object = nil; check = false; error = nil
        record = Record(type: RecordType.block, [("idx", .int(idx)), ("size", .int(size))])
    }

    public init(_ record: Record, location: String) throws {
        self.record = record
        idx = try record.requireInt("idx", location)
        let s = try record.requireInt("size", location, min: 1)
        guard s <= Int64(BlockSizeLimits.maximum) else {
            throw BenjiError.data("block record: size \(s) is larger than the largest block size", location: location)
        }
        size = Int(s)
        zero = try record.optionalBool("zero", location)
        check = try record.optionalBool("check", location)
        if let hex = try record.optionalString("sha256", location) {
            guard hex.utf8.count == 64, hex.utf8.allSatisfy({ ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) }),
                  let d = SHA256Digest(hex: hex) else {
                throw BenjiError.data("block record: \"sha256\" must be 64 lowercase hex digits", location: location)
            }
            sha256 = d
        }
        object = try record.optionalString("object", location)
        error = try record.optionalString("error", location)
        for key in ["data", "object_data"] {
            if let v = record[key] {
                guard case .string = v else {
                    throw BenjiError.data("block record: \"\(key)\" must be a base64 string", location: location)
                }
            }
        }
        if zero && (record["data"] != nil || object != nil) {
            throw BenjiError.data("block record: a zero block carries no data and no object", location: location)
        }
    }

    /// Decodes a base64 field (`data` or `object_data`); nil if the field is absent.
    public func bytes(_ key: String, location: String) throws -> [UInt8]? {
        guard let value = record[key] else { return nil }
        switch value {
        case .base64(let bytes): return bytes
        case .string(let s):
            guard !s.hasEscapes, let bytes = Base64.decode(s.raw) else {
                throw BenjiError.data("block \(idx): \"\(key)\" is not valid base64", location: location)
            }
            return bytes
        default:
            throw BenjiError.data("block \(idx): \"\(key)\" must be a base64 string", location: location)
        }
    }

    /// The fields benji's stages read from a block record (besides `data`). Its writers put them before
    /// `data`, and a stage that takes a block's head without its data relies on that.
    public static let fieldNames: Set<String> = ["type", "v", "idx", "size", "zero", "check", "sha256", "object", "error",
                                                 "heal", "object_data", "written", "stored_size"]

    public var hasData: Bool { record["data"] != nil }
    public var hasObjectData: Bool { record["object_data"] != nil }

    /// Sets or removes fields and keeps the typed view in step.
    public mutating func set(_ key: String, _ value: JSONValue?) {
        record[key] = value
        switch key {
        case "zero": zero = value?.bool ?? false
        case "sha256": sha256 = value?.stringValue.flatMap { SHA256Digest(hex: $0) }
        case "object": object = value?.stringValue
        case "error": error = value?.stringValue
        case "check": check = value?.bool ?? false
        default: break
        }
    }
}

/// The `end` record: proof that the stream is whole.
public struct EndRecord: Sendable {
    public var record: Record
    public var blocks: Int64
    /// The image size, required when the `stream` record had none (raw stdin).
    public var size: Int64?

    public init(blocks: Int64, size: Int64?) {
        self.blocks = blocks
        self.size = size
        var fields: [(key: String, value: JSONValue)] = [("blocks", .int(blocks))]
        if let size { fields.append(("size", .int(size))) }
        record = Record(type: RecordType.end, fields)
    }

    public init(_ record: Record, location: String) throws {
        self.record = record
        blocks = try record.requireInt("blocks", location)
        size = try record.optionalInt("size", location)
    }
}
