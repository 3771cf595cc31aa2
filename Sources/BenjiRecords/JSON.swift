import BenjiCore
internal import CBenjiKernels

/// A JSON value as the record stream needs it: strings and numbers keep their exact text, so that a
/// stage passes through what it does not own byte for byte, and large strings (block data) are slices
/// of the input line, never copied or decoded unless a stage asks.
public enum JSONValue: Sendable {
    case null
    case bool(Bool)
    /// A number, as its JSON text (exact for 64-bit integers, never reformatted).
    case number(String)
    case string(JSONString)
    /// Bytes to be written as a base64 string: encoded straight into the output line.
    case base64([UInt8])
    case array([JSONValue])
    case object(JSONObject)

    public static func int<I: BinaryInteger>(_ value: I) -> JSONValue { .number(String(value)) }

    /// A string holding the base64 encoding of `bytes`, encoded now (on the calling thread, so that
    /// parallel stages encode in parallel) rather than when the record is written.
    public static func base64String(_ bytes: UnsafeRawBufferPointer) -> JSONValue {
        var out = [UInt8]()
        Base64.encode(bytes, into: &out)
        return .string(JSONString(raw: out[...], hasEscapes: false))
    }

    public static func base64String(_ bytes: [UInt8]) -> JSONValue {
        bytes.withUnsafeBytes { base64String($0) }
    }
    public static func text(_ value: String) -> JSONValue { .string(JSONString(value)) }

    /// The integer value of an integral number; nil for anything else.
    public var int64: Int64? {
        if case .number(let text) = self { return Int64(text) }
        return nil
    }

    public var bool: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    /// The decoded text of a string; nil for anything else.
    public var stringValue: String? {
        switch self {
        case .string(let s): return s.value
        default: return nil
        }
    }
}

/// A JSON string held as its escaped UTF-8 content (without the quotes).
public struct JSONString: Sendable {
    /// The escaped bytes between the quotes.
    public var raw: ArraySlice<UInt8>
    /// True if `raw` contains a backslash escape.
    public var hasEscapes: Bool

    init(raw: ArraySlice<UInt8>, hasEscapes: Bool) {
        self.raw = raw
        self.hasEscapes = hasEscapes
    }

    /// Makes a string value, escaping as JSON requires.
    public init(_ value: String) {
        var out = [UInt8]()
        out.reserveCapacity(value.utf8.count)
        var escapes = false
        for b in value.utf8 {
            switch b {
            case UInt8(ascii: "\""): out += [0x5C, b]; escapes = true
            case UInt8(ascii: "\\"): out += [0x5C, b]; escapes = true
            case 0x0A: out += [0x5C, UInt8(ascii: "n")]; escapes = true
            case 0x0D: out += [0x5C, UInt8(ascii: "r")]; escapes = true
            case 0x09: out += [0x5C, UInt8(ascii: "t")]; escapes = true
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                out += [0x5C, UInt8(ascii: "u"), 0x30, 0x30, hex[Int(b >> 4)], hex[Int(b & 15)]]
                escapes = true
            default: out.append(b)
            }
        }
        raw = out[...]
        hasEscapes = escapes
    }

    /// The decoded text. Escapes were validated by the parser, so this cannot fail.
    public var value: String {
        if !hasEscapes { return String(decoding: raw, as: UTF8.self) }
        var out = [UInt8]()
        out.reserveCapacity(raw.count)
        var i = raw.startIndex
        while i < raw.endIndex {
            let c = raw[i]
            if c != 0x5C { out.append(c); i += 1; continue }
            let e = raw[i + 1]
            i += 2
            switch e {
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "u"):
                var code = hex4(raw, i)
                i += 4
                if code >= 0xD800 && code < 0xDC00, i + 6 <= raw.endIndex, raw[i] == 0x5C, raw[i + 1] == UInt8(ascii: "u") {
                    let low = hex4(raw, i + 2)
                    if low >= 0xDC00 && low < 0xE000 {
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                        i += 6
                    }
                }
                let scalar = Unicode.Scalar(code) ?? "\u{FFFD}"
                out += Array(String(Character(scalar)).utf8)
            default: out.append(e)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    private func hex4(_ s: ArraySlice<UInt8>, _ at: Int) -> UInt32 {
        var v: UInt32 = 0
        for k in 0..<4 { v = v << 4 | UInt32(Hex.value(s[at + k]) ?? 0) }
        return v
    }
}

/// A JSON object with its keys in input order (records are written back in the order they came).
public struct JSONObject: Sendable {
    public var fields: [(key: String, value: JSONValue)]

    public init(_ fields: [(key: String, value: JSONValue)] = []) { self.fields = fields }

    /// Gets a field; setting nil removes it; setting a new key appends it.
    public subscript(key: String) -> JSONValue? {
        get {
            for f in fields where f.key == key { return f.value }
            return nil
        }
        set {
            if let i = fields.firstIndex(where: { $0.key == key }) {
                if let newValue { fields[i].value = newValue } else { fields.remove(at: i) }
            } else if let newValue {
                fields.append((key, newValue))
            }
        }
    }
}

/// A JSON syntax error with the byte offset where it was found.
public struct JSONSyntaxError: Error, CustomStringConvertible {
    public var message: String
    public var offset: Int
    public var description: String { "\(message) at byte \(offset + 1)" }
}

/// A strict JSON parser (RFC 8259): no trailing commas, no comments, no duplicate keys, no
/// control characters in strings, valid escapes only. Strings are slices of the input.
public struct JSONParser {
    private let bytes: [UInt8]
    private var pos: Int
    private let end: Int

    public init(_ bytes: [UInt8]) {
        self.bytes = bytes
        self.pos = 0
        self.end = bytes.count
    }

    /// Parses exactly one value that fills the input (white space around it allowed).
    public static func parse(_ bytes: [UInt8]) throws -> JSONValue {
        var p = JSONParser(bytes)
        let value = try p.parseValue(depth: 0)
        p.skipSpace()
        guard p.pos == p.end else { throw p.error("unexpected data after the JSON value") }
        return value
    }

    private func error(_ message: String) -> JSONSyntaxError { JSONSyntaxError(message: message, offset: pos) }

    private mutating func skipSpace() {
        while pos < end {
            let c = bytes[pos]
            if c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 { pos += 1 } else { break }
        }
    }

    private mutating func parseValue(depth: Int) throws -> JSONValue {
        guard depth < 64 else { throw error("nesting too deep") }
        skipSpace()
        guard pos < end else { throw error("unexpected end of input") }
        switch bytes[pos] {
        case UInt8(ascii: "{"): return .object(try parseObject(depth: depth))
        case UInt8(ascii: "["):
            pos += 1
            var items: [JSONValue] = []
            skipSpace()
            if pos < end && bytes[pos] == UInt8(ascii: "]") { pos += 1; return .array(items) }
            while true {
                items.append(try parseValue(depth: depth + 1))
                skipSpace()
                guard pos < end else { throw error("unterminated array") }
                if bytes[pos] == UInt8(ascii: ",") { pos += 1; continue }
                if bytes[pos] == UInt8(ascii: "]") { pos += 1; return .array(items) }
                throw error("expected ',' or ']' in array")
            }
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try parseNumber())
        default: throw error("unexpected character")
        }
    }

    private mutating func literal(_ word: StaticString) throws {
        let n = word.utf8CodeUnitCount
        guard pos + n <= end else { throw error("invalid literal") }
        let ok = word.withUTF8Buffer { w in
            (0..<n).allSatisfy { bytes[pos + $0] == w[$0] }
        }
        guard ok else { throw error("invalid literal") }
        pos += n
    }

    private mutating func parseNumber() throws -> String {
        let start = pos
        if bytes[pos] == UInt8(ascii: "-") { pos += 1 }
        guard pos < end, isDigit(bytes[pos]) else { throw error("invalid number") }
        if bytes[pos] == UInt8(ascii: "0") {
            pos += 1
        } else {
            while pos < end && isDigit(bytes[pos]) { pos += 1 }
        }
        if pos < end && bytes[pos] == UInt8(ascii: ".") {
            pos += 1
            guard pos < end, isDigit(bytes[pos]) else { throw error("invalid number") }
            while pos < end && isDigit(bytes[pos]) { pos += 1 }
        }
        if pos < end && (bytes[pos] == UInt8(ascii: "e") || bytes[pos] == UInt8(ascii: "E")) {
            pos += 1
            if pos < end && (bytes[pos] == UInt8(ascii: "+") || bytes[pos] == UInt8(ascii: "-")) { pos += 1 }
            guard pos < end, isDigit(bytes[pos]) else { throw error("invalid number") }
            while pos < end && isDigit(bytes[pos]) { pos += 1 }
        }
        return String(decoding: bytes[start..<pos], as: UTF8.self)
    }

    @inline(__always) private func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }

    private mutating func parseObject(depth: Int) throws -> JSONObject {
        pos += 1
        var object = JSONObject()
        skipSpace()
        if pos < end && bytes[pos] == UInt8(ascii: "}") { pos += 1; return object }
        while true {
            skipSpace()
            guard pos < end, bytes[pos] == UInt8(ascii: "\"") else { throw error("expected a string key") }
            let key = try parseString().value
            if object.fields.contains(where: { $0.key == key }) { throw error("duplicate key \"\(key)\"") }
            skipSpace()
            guard pos < end, bytes[pos] == UInt8(ascii: ":") else { throw error("expected ':' after key") }
            pos += 1
            let value = try parseValue(depth: depth + 1)
            object.fields.append((key, value))
            skipSpace()
            guard pos < end else { throw error("unterminated object") }
            if bytes[pos] == UInt8(ascii: ",") { pos += 1; continue }
            if bytes[pos] == UInt8(ascii: "}") { pos += 1; return object }
            throw error("expected ',' or '}' in object")
        }
    }

    /// Parses a string starting at the opening quote. The scan for the closing quote runs at SIMD speed:
    /// block data strings are megabytes long and hold no escapes.
    private mutating func parseString() throws -> JSONString {
        pos += 1
        let start = pos
        var escapes = false
        var high: UInt8 = 0
        let found: Int? = bytes.withUnsafeBufferPointer { buf -> Int? in
            var i = pos
            while i < end {
                // Skip plain bytes at SIMD speed (noting any that is not ASCII), then look at the special one.
                i += benji_json_string_scan(buf.baseAddress! + i, end - i, &high)
                guard i < end else { break }
                let c = buf[i]
                if c == 0x22 { return i }
                if c < 0x20 { pos = i; return nil }
                escapes = true
                guard i + 1 < end else { pos = i; return nil }
                switch buf[i + 1] {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"),
                     UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    i += 2
                case UInt8(ascii: "u"):
                    guard i + 6 <= end, (2..<6).allSatisfy({ Hex.value(buf[i + $0]) != nil }) else { pos = i; return nil }
                    i += 6
                default:
                    pos = i; return nil
                }
            }
            pos = end
            return nil
        }
        guard let close = found else {
            throw error(pos >= end ? "unterminated string" : "invalid character or escape in string")
        }
        let slice = bytes[start..<close]
        // Non-ASCII bytes must be valid UTF-8 (escapes are ASCII, so the scan saw every other byte).
        if high != 0 {
            var it = slice.makeIterator()
            var decoder = UTF8()
            loop: while true {
                switch decoder.decode(&it) {
                case .scalarValue: continue
                case .emptyInput: break loop
                case .error: throw error("invalid UTF-8 in string")
                }
            }
        }
        pos = close + 1
        return JSONString(raw: slice, hasEscapes: escapes)
    }
}

/// Serialises JSON values compactly into a byte buffer, in field order.
public enum JSONWriter {
    public static func write(_ value: JSONValue, into out: inout [UInt8]) {
        switch value {
        case .null: out += [0x6E, 0x75, 0x6C, 0x6C]
        case .bool(let b): out += b ? Array("true".utf8) : Array("false".utf8)
        case .number(let text): out += text.utf8
        case .string(let s):
            out.append(0x22); out += s.raw; out.append(0x22)
        case .base64(let bytes):
            out.append(0x22)
            Base64.encode(bytes, into: &out)
            out.append(0x22)
        case .array(let items):
            out.append(UInt8(ascii: "["))
            for (i, item) in items.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                write(item, into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let object):
            write(object, into: &out)
        }
    }

    public static func write(_ object: JSONObject, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "{"))
        for (i, field) in object.fields.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            out.append(0x22)
            out += JSONString(field.key).raw
            out.append(0x22)
            out.append(UInt8(ascii: ":"))
            write(field.value, into: &out)
        }
        out.append(UInt8(ascii: "}"))
    }

    /// The compact JSON text of a value.
    public static func string(_ value: JSONValue) -> String {
        var out = [UInt8]()
        write(value, into: &out)
        return String(decoding: out, as: UTF8.self)
    }
}
