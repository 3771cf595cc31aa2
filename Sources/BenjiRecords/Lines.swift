import BenjiCore
#if canImport(Glibc)
import Glibc
#endif

/// Splits a byte stream into `\n`-terminated lines, however the bytes arrive.
///
/// Feed it chunks of any size (a byte at a time, or everything at once), or let it `fill` its own buffer
/// from a file descriptor; it hands back whole lines without their terminator. Bytes after the last
/// newline are kept until `remainder()`.
public struct LineSplitter: ~Copyable {
    private var storage: UnsafeMutableRawPointer
    private var capacity: Int
    private var start = 0    // first byte not yet returned
    private var end = 0      // one past the last byte received
    private var scanned = 0  // bytes before this are known to hold no newline

    public init(capacity: Int = 1 << 20) {
        self.capacity = capacity
        storage = .allocate(byteCount: capacity, alignment: 64)
    }

    deinit { storage.deallocate() }

    /// Makes room for at least `count` more bytes after `end`.
    private mutating func reserve(_ count: Int) {
        if start > 0 && (start == end || end + count > capacity) {
            // Move the unread bytes to the front.
            let live = end - start
            if live > 0 { storage.copyMemory(from: storage + start, byteCount: live) }
            scanned -= start
            end = live
            start = 0
        }
        if end + count > capacity {
            var newCapacity = capacity
            while end + count > newCapacity { newCapacity *= 2 }
            let grown = UnsafeMutableRawPointer.allocate(byteCount: newCapacity, alignment: 64)
            grown.copyMemory(from: storage, byteCount: end)
            storage.deallocate()
            storage = grown
            capacity = newCapacity
        }
    }

    /// Reads straight into the buffer with `read`, which returns the byte count (0 at the end).
    public mutating func fill(_ read: (UnsafeMutableRawBufferPointer) throws -> Int) rethrows -> Int {
        reserve(64 << 10)
        let n = try read(UnsafeMutableRawBufferPointer(start: storage + end, count: capacity - end))
        end += n
        return n
    }

    /// Adds bytes read from the input.
    public mutating func append(_ bytes: UnsafeRawBufferPointer) {
        guard bytes.count > 0 else { return }
        reserve(bytes.count)
        (storage + end).copyMemory(from: bytes.baseAddress!, byteCount: bytes.count)
        end += bytes.count
    }

    /// The next complete line, if one has arrived.
    public mutating func nextLine() -> [UInt8]? {
        guard scanned < end, let p = memchr(storage + scanned, 0x0A, end - scanned) else {
            scanned = end
            return nil
        }
        let newline = storage.distance(to: UnsafeMutableRawPointer(p))
        let line = [UInt8](UnsafeRawBufferPointer(start: storage + start, count: newline - start))
        start = newline + 1
        scanned = start
        return line
    }

    /// The bytes after the last newline (an unterminated last line), or nil if there are none.
    public func remainder() -> [UInt8]? {
        start < end ? [UInt8](UnsafeRawBufferPointer(start: storage + start, count: end - start)) : nil
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
    public var location: String { "\(name):\(lineNumber)" }

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
            throw BenjiError(.ioError, "writing records to \(output.path): \(e.message)")
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
