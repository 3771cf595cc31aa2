import BenjiCore
#if canImport(Glibc)
import Glibc
#endif

/// Splits a byte stream into `\n`-terminated lines, however the bytes arrive.
///
/// Feed it chunks of any size (a byte at a time, or everything at once), or let it `fill` its own buffer
/// from a file descriptor; it hands back whole lines without their terminator. Bytes after the last
/// newline are kept until `remainder()`.
///
/// Block records are megabytes long, and every stage reads each one: a long line that starts at the
/// front of the buffer is handed back as the buffer itself (only the few bytes read after it move to a
/// new one), so the stage never copies it. To keep long lines at the front, the bytes of an incomplete
/// line move there before each read while they are few.
public struct LineSplitter: ~Copyable {
    /// Always `capacity` bytes long; bytes outside `start..<end` are undefined.
    private var storage: [UInt8]
    private var start = 0    // first byte not yet returned
    private var end = 0      // one past the last byte received
    private var scanned = 0  // bytes before this are known to hold no newline

    /// Lines at least this long are handed over rather than copied.
    static let handOver = 64 << 10
    /// An incomplete line at most this long moves to the front before a read.
    public static let compactLimit = 1 << 20

    public init(capacity: Int = 1 << 20) {
        storage = LineSplitter.buffer(capacity)
    }

    private static func buffer(_ capacity: Int) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: capacity) { _, count in count = capacity }
    }

    private var capacity: Int { storage.count }

    /// Makes room for at least `count` more bytes after `end`.
    private mutating func reserve(_ count: Int) {
        let live = end - start
        if start > 0 && (live <= LineSplitter.compactLimit || end + count > capacity) {
            // Move the unread bytes to the front.
            if live > 0 {
                storage.withUnsafeMutableBytes { b in
                    b.baseAddress!.copyMemory(from: b.baseAddress! + start, byteCount: live)
                }
            }
            scanned -= start
            end = live
            start = 0
        }
        if end + count > capacity {
            var newCapacity = capacity
            while end + count > newCapacity { newCapacity *= 2 }
            var grown = LineSplitter.buffer(newCapacity)
            grown.withUnsafeMutableBytes { g in
                storage.withUnsafeBytes { g.baseAddress!.copyMemory(from: $0.baseAddress!, byteCount: end) }
            }
            storage = grown
        }
    }

    /// Reads straight into the buffer with `read`, which returns the byte count (0 at the end). At most
    /// `compactLimit` bytes at a time (a pipe's worth): what follows a long line is copied when the line
    /// is handed over.
    public mutating func fill(limit: Int = compactLimit, _ read: (UnsafeMutableRawBufferPointer) throws -> Int) rethrows -> Int {
        reserve(64 << 10)
        let e = end
        let n = try storage.withUnsafeMutableBytes { b in
            try read(UnsafeMutableRawBufferPointer(rebasing: b[e..<min(b.count, e + limit)]))
        }
        end += n
        return n
    }

    /// Adds bytes read from the input.
    public mutating func append(_ bytes: UnsafeRawBufferPointer) {
        guard bytes.count > 0 else { return }
        reserve(bytes.count)
        let e = end
        storage.withUnsafeMutableBytes { b in
            (b.baseAddress! + e).copyMemory(from: bytes.baseAddress!, byteCount: bytes.count)
        }
        end += bytes.count
    }

    /// The next complete line, if one has arrived.
    public mutating func nextLine() -> [UInt8]? {
        let (s, e, from) = (start, end, scanned)
        let found: Int? = storage.withUnsafeBytes { b in
            guard from < e, let p = memchr(b.baseAddress! + from, 0x0A, e - from) else { return nil }
            return b.baseAddress!.distance(to: UnsafeRawPointer(p))
        }
        guard let newline = found else {
            scanned = end
            return nil
        }
        let line: [UInt8]
        if s == 0 && newline >= LineSplitter.handOver {
            // Hand the buffer over: the bytes after the line go to a new one, and the line is cut to length
            // in place (the buffer is the line's alone by then).
            var whole = storage
            let rest = e - newline - 1
            storage = LineSplitter.buffer(capacity)
            if rest > 0 {
                storage.withUnsafeMutableBytes { b in
                    whole.withUnsafeBytes { b.baseAddress!.copyMemory(from: $0.baseAddress! + newline + 1, byteCount: rest) }
                }
            }
            whole.removeLast(whole.count - newline)
            line = whole
            start = 0
            end = rest
        } else {
            line = storage.withUnsafeBytes { [UInt8](UnsafeRawBufferPointer(rebasing: $0[s..<newline])) }
            start = newline + 1
        }
        scanned = start
        return line
    }

    /// The number of bytes received and not yet returned.
    public var unreadCount: Int { end - start }

    /// Calls `body` with the bytes received and not yet returned.
    public func withUnreadBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try storage.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[start..<end])) }
    }

    /// Drops the first `count` bytes not yet returned: part of a line that the caller takes apart itself.
    public mutating func discard(_ count: Int) {
        precondition(count <= end - start)
        start += count
        scanned = max(scanned, start)
    }

    /// The bytes after the last newline (an unterminated last line), or nil if there are none.
    public func remainder() -> [UInt8]? {
        start < end ? Array(storage[start..<end]) : nil
    }
}

/// Reads records (one JSON object per line) from a file descriptor, strictly.
public final class RecordReader {
    private let input: FileDescriptor
    /// The input's name in messages: `<stdin>` or a path.
    public let name: String
    private var splitter = LineSplitter()
    private var eof = false
    /// The number of the line last returned (1-based).
    public private(set) var lineNumber = 0
    /// The string value the last `head` left in the input: its key, its length, and the head.
    private var deferred: (key: String, length: Int, head: Record)?
    /// True while the line being read is known to have no head to defer (`nextLine(deferring:)`).
    private var headless = false

    public init(input: FileDescriptor, name: String? = nil) {
        self.input = input
        self.name = name ?? input.path
        enlargePipe(input.rawValue)
    }

    /// Where the last line came from, for messages: `<stdin>:12`.
    /// `name:line`, or just the name before the first line (an empty input).
    public var location: String { lineNumber == 0 ? name : "\(name):\(lineNumber)" }

    /// The next raw line, or nil at end of input. An unterminated last line is an error.
    public func nextLine() throws -> [UInt8]? {
        while true {
            if let line = splitter.nextLine() {
                lineNumber += 1
                return line
            }
            guard try readMore() else { return nil }
        }
    }

    /// Reads more of the input, at most `limit` bytes; false at its end. An unterminated last line (or
    /// one the caller has begun to take, `inLine`) is an error.
    private func readMore(limit: Int = LineSplitter.compactLimit, inLine: Bool = false) throws -> Bool {
        if eof {
            guard splitter.remainder() == nil && !inLine else {
                if !inLine { lineNumber += 1 }
                throw truncated()
            }
            return false
        }
        try Interruption.check()
        if try splitter.fill(limit: limit, { try input.readSome(into: $0) }) == 0 { eof = true }
        return true
    }

    /// The next record, or nil at end of input.
    public func next() throws -> Record? {
        guard let line = try nextLine() else { return nil }
        return try Record.parse(line, location: location)
    }

    /// A line, or the head of one: see `nextLine(deferring:length:)`.
    public enum Line {
        case whole([UInt8])
        /// The fields before a long string value, parsed; the string and the rest of the line are still
        /// to be taken (`passDeferred`, `dropDeferred`).
        case head(Record)
    }

    /// The next line, or only the head of a long one: the record's fields before `key`, when `key`'s value
    /// is a string whose length (between its quotes) `length` tells from those fields (nil: read the whole
    /// line). The string is left in the input, for the caller to pass on to a writer or to drop
    /// (`passDeferred`, `dropDeferred`, one of which must come before the next call) — by `splice`, so that
    /// a stage that only passes block data on never copies it. (Block records put `data` after the fields
    /// a stage reads; a line whose head is not found in its first `headLimit` bytes is read whole.)
    ///
    /// Only the head is checked here; the string's characters are checked by the stage that decodes them.
    public func nextLine(deferring key: String, length: (Record) -> Int?) throws -> Line? {
        precondition(deferred == nil, "the deferred string of the last head was not taken")
        let marker = Array(",\"\(key)\":\"".utf8)
        while true {
            if let line = splitter.nextLine() {
                lineNumber += 1
                headless = false
                return .whole(line)
            }
            if !headless {
                // The head ends at the marker; it parses as a record once closed.
                let found: (Record, Int, Int)?? = splitter.withUnreadBytes { u in
                    let window = min(u.count, RecordReader.headLimit)
                    guard let at = find(marker, in: UnsafeRawBufferPointer(rebasing: u[0..<window])) else {
                        return u.count >= RecordReader.headLimit ? .some(nil) : nil
                    }
                    guard let head = try? Record.parse(Array(u[0..<at]) + [UInt8(ascii: "}")], location: location),
                          let n = length(head) else { return .some(nil) }
                    return (head, at + marker.count, n)
                }
                switch found {
                case .some(.some(let (head, contentStart, n))):
                    lineNumber += 1
                    splitter.discard(contentStart)
                    deferred = (key, n, head)
                    return .head(head)
                case .some(.none): headless = true
                case .none: break
                }
            }
            // Small reads while looking for a head, so that little of a long line's string is read.
            guard try readMore(limit: headless ? LineSplitter.compactLimit : RecordReader.headLimit) else { return nil }
        }
    }

    /// How far into a line `nextLine(deferring:)` looks for the head.
    static let headLimit = 16 << 10

    /// Passes the string left by the last head on to `writer`, after what it holds (the head, as the caller
    /// wrote it, up to the string's opening quote), and returns the rest of the line: its fields after the
    /// string (none if the string was the last) and the bytes after the string's closing quote, to write
    /// after it.
    func passDeferred(to writer: RecordWriter) throws -> (fields: JSONObject, tail: [UInt8]) {
        guard let d = deferred else { preconditionFailure("no head to pass on") }
        let buffered = min(splitter.unreadCount, d.length)
        if buffered > 0 {
            try splitter.withUnreadBytes { try writer.writeRaw(UnsafeRawBufferPointer(rebasing: $0[0..<buffered])) }
            splitter.discard(buffered)
        }
        if d.length > buffered {
            try writer.flush()
            try transfer(d.length - buffered, to: writer.output)
        }
        return try finishDeferred()
    }

    /// Drops the string left by the last head, and returns the rest of the line (as `passDeferred`).
    ///
    /// The string is read, not spliced away: one shorter than its record says would otherwise take the
    /// records after it along unseen. Only its framing is checked (no quote, no newline): nobody decodes it.
    func dropDeferred() throws -> (fields: JSONObject, tail: [UInt8]) {
        guard let d = deferred else { preconditionFailure("no head to drop") }
        var left = d.length
        while left > 0 {
            if splitter.unreadCount == 0 { _ = try readMore(limit: min(left, LineSplitter.compactLimit), inLine: true) }
            let n = min(splitter.unreadCount, left)
            let framed = splitter.withUnreadBytes { memchr($0.baseAddress!, 0x22, n) == nil && memchr($0.baseAddress!, 0x0A, n) == nil }
            guard framed else { throw lengthError(d) }
            splitter.discard(n)
            left -= n
        }
        return try finishDeferred()
    }

    /// The error for input that ends inside a line; a signal that arrived meanwhile (the stage before
    /// this one stopped by it, as this one is) is the error instead.
    private func truncated() -> BenjiError {
        do { try Interruption.check() } catch let e as BenjiError { return e } catch {}
        return BenjiError.data("truncated input: the last line has no newline", location: location)
    }

    private func lengthError(_ d: (key: String, length: Int, head: Record)) -> BenjiError {
        BenjiError.data("malformed record: \"\(d.key)\" is not the \(d.length) characters its record's other fields call for",
                        location: location)
    }

    private func transfer(_ count: Int, to output: FileDescriptor) throws {
        let moved: Int
        do {
            moved = try input.transfer(count, to: output)
        } catch let e as BenjiError where e.errno != EPIPE {
            var wrapped = BenjiError(e.status, "passing records on from \(name): \(e.message)")
            wrapped.errno = e.errno
            throw wrapped
        }
        if moved < count {
            eof = true
            throw truncated()
        }
    }

    /// Reads the rest of the line after a deferred string and checks it: the closing quote, then nothing
    /// but the end of the object or more fields, none of them a field of the head or the string's.
    private func finishDeferred() throws -> (fields: JSONObject, tail: [UInt8]) {
        guard let d = deferred else { preconditionFailure("no head") }
        deferred = nil
        var rest: [UInt8]
        while true {
            if let line = splitter.nextLine() { rest = line; break }
            _ = try readMore(limit: RecordReader.headLimit, inLine: true)
        }
        guard rest.first == 0x22 else { throw lengthError(d) }
        rest.removeFirst()
        let fields: JSONObject
        do {
            // The key of the string itself stands first, so that the parser finds it given twice.
            guard case .object(var o) = try JSONParser.parse(Array("{\"\(d.key)\":0".utf8) + rest) else {
                throw BenjiError.data("malformed record: not a JSON object", location: location)
            }
            o.fields.removeFirst()
            fields = o
        } catch let e as JSONSyntaxError {
            throw BenjiError.data("malformed record: after the \(d.length) characters of \"\(d.key)\": \(e.message)", location: location)
        }
        if let twice = fields.fields.first(where: { f in d.head.object.fields.contains { $0.key == f.key } }) {
            throw BenjiError.data("malformed record: duplicate key \"\(twice.key)\"", location: location)
        }
        return (fields, rest)
    }
}

/// Writes records to a file descriptor, one line each, buffered.
public final class RecordWriter {
    let output: FileDescriptor
    private var buffer: [UInt8] = []
    private let flushThreshold: Int

    public init(output: FileDescriptor, flushThreshold: Int = 1 << 16) {
        self.output = output
        enlargePipe(output.rawValue)
        self.flushThreshold = flushThreshold
        buffer.reserveCapacity(flushThreshold * 2)
    }

    /// Appends a record; writes through once the buffer passes the threshold, and at once for a `stream`
    /// record, so that the stages after this one learn of the stream before its first block (`benji-catalog
    /// commit` takes the volume's lock then: a second backup of the volume is refused before it has read
    /// anything, not at its end).
    ///
    /// Large strings (block data) are not copied into the buffer: the buffer is written up to them and
    /// the string goes to the output straight from the record.
    public func write(_ record: Record) throws {
        buffer.append(UInt8(ascii: "{"))
        for (i, field) in record.object.fields.enumerated() {
            if i > 0 { buffer.append(UInt8(ascii: ",")) }
            appendKey(field.key)
            if case .string(let s) = field.value, s.raw.count >= RecordWriter.directThreshold {
                buffer.append(0x22)
                try flush()
                try writeOut(s.raw)
                buffer.append(0x22)
            } else {
                JSONWriter.write(field.value, into: &buffer)
            }
        }
        buffer.append(UInt8(ascii: "}"))
        buffer.append(0x0A)
        if buffer.count >= flushThreshold || record.type == RecordType.stream { try flush() }
    }

    /// `"key":`
    private func appendKey(_ key: String) {
        buffer.append(0x22)
        buffer += JSONString(key).raw
        buffer.append(0x22)
        buffer.append(UInt8(ascii: ":"))
    }

    /// Writes a record's opening and its fields, then `key` and the opening quote of its string value: for a
    /// string that follows (`writeRaw`, `RecordReader.passDeferred`) and the line's end.
    func writeHead(_ record: Record, string key: String) throws {
        buffer.append(UInt8(ascii: "{"))
        for field in record.object.fields {
            appendKey(field.key)
            JSONWriter.write(field.value, into: &buffer)
            buffer.append(UInt8(ascii: ","))
        }
        appendKey(key)
        buffer.append(0x22)
    }

    /// Writes bytes as they are: part of a line that `writeHead` began.
    func writeRaw(_ bytes: UnsafeRawBufferPointer) throws {
        if bytes.count >= RecordWriter.directThreshold {
            try flush()
            try writeOut(bytes)
        } else {
            buffer.append(contentsOf: bytes)
            if buffer.count >= flushThreshold { try flush() }
        }
    }

    /// Strings at least this long are written without copying.
    public static let directThreshold = 256 << 10

    private func writeOut(_ bytes: ArraySlice<UInt8>) throws {
        try bytes.withUnsafeBytes { try writeOut($0) }
    }

    private func writeOut(_ bytes: UnsafeRawBufferPointer) throws {
        do {
            try output.writeAll(bytes)
        } catch let e as BenjiError {
            var wrapped = BenjiError(.ioError, "writing records to \(output.path): \(e.message)")
            wrapped.errno = e.errno
            throw wrapped
        }
    }

    /// Writes everything buffered.
    public func flush() throws {
        guard !buffer.isEmpty else { return }
        try writeOut(buffer[...])
        // Keep the capacity: the next block record needs as much again, and growing a buffer of
        // megabytes from nothing costs a copy per doubling and fresh pages.
        buffer.removeAll(keepingCapacity: true)
    }
}

/// Gives a pipe a 1 MiB buffer (`F_SETPIPE_SZ`; the default 64 KiB makes a 4 MiB block record cost
/// dozens of context switches between stages). Does nothing for other files or if refused.
func enlargePipe(_ fd: Int32) {
    var st = stat()
    guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFIFO else { return }
    _ = fcntl(fd, 1031 /* F_SETPIPE_SZ */, 1 << 20)
}

/// Where `needle` first occurs in `haystack`.
private func find(_ needle: [UInt8], in haystack: UnsafeRawBufferPointer) -> Int? {
    guard let base = haystack.baseAddress, needle.count <= haystack.count else { return nil }
    var from = 0
    let last = haystack.count - needle.count
    while from <= last, let p = memchr(base + from, Int32(needle[0]), last - from + 1) {
        let at = base.distance(to: UnsafeRawPointer(p))
        if needle.withUnsafeBytes({ memcmp(base + at, $0.baseAddress!, needle.count) }) == 0 { return at }
        from = at + 1
    }
    return nil
}
