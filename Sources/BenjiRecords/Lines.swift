import BenjiCore
#if canImport(Glibc)
import Glibc
#endif

/// Splits a byte stream into `\n`-terminated lines, however the bytes arrive.
///
/// Feed it chunks of any size (a byte at a time, or everything at once); it hands back whole lines
/// without their terminator. Bytes after the last newline are kept until `finish()`.
public struct LineSplitter {
    private var buffer: [UInt8] = []
    private var scanned = 0
    private var consumed = 0

    public init() {}

    /// Adds bytes read from the input.
    public mutating func append(_ bytes: UnsafeRawBufferPointer) {
        if consumed > 0 && consumed == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            scanned = 0; consumed = 0
        } else if consumed > (1 << 20) && consumed * 2 > buffer.count {
            buffer.removeFirst(consumed)
            scanned -= consumed; consumed = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// The next complete line, if one has arrived.
    public mutating func nextLine() -> [UInt8]? {
        let found: Int? = buffer.withUnsafeBytes { buf in
            guard scanned < buf.count else { return nil }
            guard let p = memchr(buf.baseAddress! + scanned, 0x0A, buf.count - scanned) else { return nil }
            return buf.baseAddress!.distance(to: UnsafeRawPointer(p))
        }
        guard let newline = found else {
            scanned = buffer.count
            return nil
        }
        let line = Array(buffer[consumed..<newline])
        consumed = newline + 1
        scanned = consumed
        return line
    }

    /// The bytes after the last newline (an unterminated last line), or nil if there are none.
    public func remainder() -> [UInt8]? {
        consumed < buffer.count ? Array(buffer[consumed...]) : nil
    }
}

/// Reads records (one JSON object per line) from a file descriptor, strictly.
public final class RecordReader {
    private let input: FileDescriptor
    /// The input's name in messages: `<stdin>` or a path.
    public let name: String
    private var splitter = LineSplitter()
    private var chunk: UnsafeMutableRawBufferPointer
    private var eof = false
    /// The number of the line last returned (1-based).
    public private(set) var lineNumber = 0

    public init(input: FileDescriptor, name: String? = nil) {
        self.input = input
        self.name = name ?? input.path
        chunk = .allocate(byteCount: 1 << 20, alignment: 64)
    }

    deinit { chunk.deallocate() }

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
            let n = try input.readSome(into: chunk)
            if n == 0 { eof = true } else { splitter.append(UnsafeRawBufferPointer(rebasing: chunk[0..<n])) }
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
        self.flushThreshold = flushThreshold
        buffer.reserveCapacity(flushThreshold * 2)
    }

    /// Appends a record; writes through once the buffer passes the threshold.
    public func write(_ record: Record) throws {
        JSONWriter.write(record.object, into: &buffer)
        buffer.append(0x0A)
        if buffer.count >= flushThreshold { try flush() }
    }

    /// Writes everything buffered.
    public func flush() throws {
        guard !buffer.isEmpty else { return }
        do {
            try buffer.withUnsafeBytes { try output.writeAll($0) }
        } catch let e as BenjiError {
            throw BenjiError(.ioError, "writing records to \(output.path): \(e.message)")
        }
        buffer.removeAll(keepingCapacity: buffer.capacity <= flushThreshold * 4)
    }
}
