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
    static let compactLimit = 1 << 20

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
    public mutating func fill(_ read: (UnsafeMutableRawBufferPointer) throws -> Int) rethrows -> Int {
        reserve(64 << 10)
        let e = end
        let n = try storage.withUnsafeMutableBytes { b in
            try read(UnsafeMutableRawBufferPointer(rebasing: b[e..<min(b.count, e + LineSplitter.compactLimit)]))
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
            if eof {
                if splitter.remainder() != nil {
                    lineNumber += 1
                    throw BenjiError.data("truncated input: the last line has no newline", location: location)
                }
                return nil
            }
            try Interruption.check()
            let n = try splitter.fill { try input.readSome(into: $0) }
            if n == 0 { eof = true }
        }
    }

    /// The next record, or nil at end of input.
    public func next() throws -> Record? {
        guard let line = try nextLine() else { return nil }
        return try Record.parse(line, location: location)
    }
}

/// Writes records to a file descriptor, one line each, buffered.
public final class RecordWriter {
    private let output: FileDescriptor
    private var buffer: [UInt8] = []
    private let flushThreshold: Int

    public init(output: FileDescriptor, flushThreshold: Int = 1 << 16) {
        self.output = output
        enlargePipe(output.rawValue)
        self.flushThreshold = flushThreshold
        buffer.reserveCapacity(flushThreshold * 2)
    }

    /// Appends a record; writes through once the buffer passes the threshold.
    ///
    /// Large strings (block data) are not copied into the buffer: the buffer is written up to them and
    /// the string goes to the output straight from the record.
    public func write(_ record: Record) throws {
        buffer.append(UInt8(ascii: "{"))
        for (i, field) in record.object.fields.enumerated() {
            if i > 0 { buffer.append(UInt8(ascii: ",")) }
            buffer.append(0x22)
            buffer += JSONString(field.key).raw
            buffer.append(0x22)
            buffer.append(UInt8(ascii: ":"))
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
        if buffer.count >= flushThreshold { try flush() }
    }

    /// Strings at least this long are written without copying.
    static let directThreshold = 256 << 10

    private func writeOut(_ bytes: ArraySlice<UInt8>) throws {
        do {
            try bytes.withUnsafeBytes { try output.writeAll($0) }
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
