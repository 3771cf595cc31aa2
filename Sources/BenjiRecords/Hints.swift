import BenjiCore

extension Extent {
    /// The extent as an `extent` record.
    public var record: Record {
        Record(type: RecordType.extent, [("offset", .int(offset)), ("length", .int(length)), ("exists", .bool(exists))])
    }
}

/// Change lists ("hints"): `rbd diff --format=json` output, or NDJSON `extent` records from any tracker.
public enum Hints {
    /// Parses either format: a JSON array of `{"offset","length","exists"}` (where `exists` is a boolean or
    /// the string "true"/"false"), or one `extent` record per line.
    ///
    /// - Throws: 65 for malformed hints, and for a file holding nothing at all: that is what a failed
    ///   `rbd diff > file` leaves, and read as "nothing changed" it would make a backup miss every change.
    ///   A list of no changes is `[]` (what `rbd diff` prints).
    public static func parse(_ bytes: [UInt8], name: String) throws -> [Extent] {
        let firstNonSpace = bytes.first { !($0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09) }
        if firstNonSpace == nil {
            throw BenjiError.data("the hints are empty (a failed `rbd diff`?); a list of no changes is []", location: name)
        }
        if firstNonSpace == UInt8(ascii: "[") {
            let value: JSONValue
            do { value = try JSONParser.parse(bytes) } catch let e as JSONSyntaxError {
                throw BenjiError.data("hints are not valid JSON: \(e)", location: name)
            }
            guard case .array(let items) = value else { throw BenjiError.data("hints must be a JSON array", location: name) }
            return try items.enumerated().map { i, item in
                guard case .object(let o) = item else {
                    throw BenjiError.data("hint \(i + 1) is not an object", location: name)
                }
                return try extent(o, where: "\(name): hint \(i + 1)")
            }
        }
        var splitter = LineSplitter()
        bytes.withUnsafeBytes { splitter.append($0) }
        var out: [Extent] = []
        var line = 0
        var lines: [[UInt8]] = []
        while let l = splitter.nextLine() { lines.append(l) }
        if let rest = splitter.remainder() { lines.append(rest) }
        for l in lines {
            line += 1
            if l.allSatisfy({ $0 == 0x20 || $0 == 0x0D || $0 == 0x09 }) { continue }
            let record = try Record.parse(l, location: "\(name):\(line)")
            guard record.type == RecordType.extent else { continue }
            guard record.v == 1 else {
                throw BenjiError.data("extent record version \(record.v) is not supported (this benji reads version 1)", location: "\(name):\(line)")
            }
            out.append(try extent(record.object, where: "\(name):\(line)"))
        }
        return out
    }

    private static func extent(_ o: JSONObject, where location: String) throws -> Extent {
        guard let offset = o["offset"]?.int64, offset >= 0 else {
            throw BenjiError.data("hint has no valid \"offset\"", location: location)
        }
        guard let length = o["length"]?.int64, length >= 0 else {
            throw BenjiError.data("hint has no valid \"length\"", location: location)
        }
        let exists: Bool
        switch o["exists"] {
        case .bool(let b)?: exists = b
        case .string(let s)? where s.value == "true": exists = true
        case .string(let s)? where s.value == "false": exists = false
        case nil: exists = true
        default: throw BenjiError.data("hint \"exists\" must be true or false", location: location)
        }
        return Extent(offset: offset, length: length, exists: exists)
    }
}
