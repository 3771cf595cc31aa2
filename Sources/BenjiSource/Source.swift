import BenjiCore
#if canImport(Glibc)
import Glibc
#endif

/// The error for a stream that ended before its first byte: refused rather than recorded as an empty
/// version, since that is what a failed command at the head of a pipeline (`ssh … dd | benji backup -`)
/// looks like.
public func emptyStreamError(_ source: BlockSource) -> BenjiError {
    BenjiError(.dataError, "\(source.name) is empty: there is nothing to back up")
}

/// Throws 65 unless a source's `size` (known up front, or what a stream held) is the `expected` one
/// (`--expect-size`), if one is given: a stream cut short would otherwise be a valid, shorter image.
public func checkSize(_ size: Int64, of source: BlockSource, expected: Int64?) throws {
    guard let expected, size != expected else { return }
    throw BenjiError.data("\(source.name) holds \(size) bytes, not the \(expected) that --expect-size gives; nothing was committed")
}

/// Where a backup reads from.
public protocol BlockSource: AnyObject, Sendable {
    /// The source's canonical name, recorded in the version (`file:/dev/vg0/lv1`, `stdin`).
    var name: String { get }
    /// The size in bytes; nil for a stream whose length is known only at its end.
    var size: Int64? { get }
    /// True if `read(at:into:)` may be called for any offset from several threads at once; false for a
    /// stream, which must be read in ascending order from one thread.
    var isRandomAccess: Bool { get }
    /// Reads up to `buffer.count` bytes at `offset`; fewer only at the end of the source.
    func read(at offset: Int64, into buffer: UnsafeMutableRawBufferPointer) throws -> Int
    /// True if the range is known to read as zeros without reading it (a hole in a sparse file).
    /// False means "unknown": read it.
    func isHole(at offset: Int64, length: Int) -> Bool
    /// Fails (65) if the source's size is no longer what it was when it was opened: a file truncated
    /// during the backup, whose blocks past its new end could have been taken for holes.
    func checkUnchanged() throws
}

extension BlockSource {
    public func isHole(at offset: Int64, length: Int) -> Bool { false }
    public func checkUnchanged() throws {}
}

/// Parses a source argument: `-` (stdin), `file:PATH`, or a plain path.
///
/// - Throws: 66 if the file does not exist, 77 if it is not readable, 78 for a scheme this build lacks.
public func openSource(_ spec: String) throws -> BlockSource {
    if spec == "-" { return StreamSource(fd: FileDescriptor(borrowing: 0, name: "<stdin>")) }
    var path = spec
    if spec.hasPrefix("file://") {
        path = String(spec.dropFirst("file://".count))
    } else if spec.hasPrefix("file:") {
        path = String(spec.dropFirst("file:".count))
    } else if let colon = spec.firstIndex(of: ":"), !spec[..<colon].contains("/"), spec[..<colon].count > 1 {
        let scheme = spec[..<colon]
        throw BenjiError(.config, "source \(spec): \(scheme): sources are not supported by this build (use a file, a block device or -)")
    }
    return try FileSource(path: path)
}

/// A regular file or a block device, read with `pread` from any number of threads.
public final class FileSource: BlockSource, @unchecked Sendable {
    public let name: String
    public let size: Int64?
    public var isRandomAccess: Bool { true }
    private let fd: FileDescriptor
    private let dropCache: Bool
    /// The same file opened again for direct I/O (`readUncached`); nil where it has none.
    private let directFD: FileDescriptor?
    private let readsDirectly: Locked<Bool>
    /// How many reads went past the cache (for tests).
    let directReadCount = Locked(0)

    public init(path: String) throws {
        do {
            fd = try FileDescriptor(path: path, flags: O_RDONLY)
        } catch let e as BenjiError {
            throw BenjiError(e.status, "source \(path): \(e.message)")
        }
        let isDevice = try fd.isBlockDevice()
        let isFile = try fd.isRegularFile()
        guard isDevice || isFile else {
            throw BenjiError(.usage, "source \(path) is neither a regular file nor a block device (use - for a stream)")
        }
        if isFile && fd.isOnKernelFileSystem() {
            throw BenjiError(.usage, "source \(path) is a file of a kernel file system (/proc, /sys), not an image (use - for a stream)")
        }
        size = try fd.size()
        name = "file:" + FileSource.absolute(path)
        // Backups read each block once: keep them out of the page cache of a device (files are often
        // read again, for example by a benchmark or a second backup, so leave their caching alone).
        dropCache = isDevice
        _ = posix_fadvise(fd.rawValue, 0, 0, POSIX_FADV_SEQUENTIAL)
        // Through /proc, not the path: the very file opened above, even if the path changes meanwhile.
        let again = try? FileDescriptor(path: "/proc/self/fd/\(fd.rawValue)", flags: O_RDONLY)
        directFD = again.flatMap { $0.setDirect(true) ? $0 : nil }
        readsDirectly = Locked(directFD != nil)
    }

    public func read(at offset: Int64, into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        if let n = try readUncached(at: offset, into: buffer) { return n }
        let n = try fd.read(at: offset, into: buffer)
        if dropCache { fd.dropCache(at: offset, length: Int64(n)) }
        return n
    }

    /// Reads a block that is not wholly in the page cache with `O_DIRECT`, from the disk straight into
    /// `buffer`; nil (read it through the cache) if it is cached, if the file has no direct I/O, or if
    /// the buffer or offset does not allow it (`allowsDirectRead`).
    ///
    /// A backup reads each block once: through the cache, every block would first need page-cache pages,
    /// allocated, copied out of and (for a device) dropped again. A block already cached (an image just
    /// written, a device's busy blocks) is copied from there. Dirty cached pages are written back before
    /// a direct read, so it sees what a buffered read would.
    private func readUncached(at offset: Int64, into buffer: UnsafeMutableRawBufferPointer) throws -> Int? {
        guard let direct = directFD, let size, offset < size else { return nil }
        let length = Int(min(Int64(buffer.count), size - offset))
        guard allowsDirectRead(at: offset, length: length, into: buffer), readsDirectly.withLock({ $0 }),
              fd.isCached(at: offset, length: length) == false else { return nil }
        if let n = readDirect(direct, at: offset, length: length, into: buffer) {
            directReadCount.withLock { $0 += 1 }
            return n
        }
        // A direct read that failed (an alignment the device does not take, an I/O error): this block
        // and all later ones through the cache, which reports a real error as such.
        readsDirectly.withLock { $0 = false }
        return nil
    }

    /// Asks the file system where the next data is (`lseek(SEEK_DATA)`): a block before it is a hole.
    /// Only for regular files; `lseek` moves the shared file offset, which `pread` does not use.
    public func isHole(at offset: Int64, length: Int) -> Bool {
        guard !dropCache else { return false }
        let next = lseek(fd.rawValue, off_t(offset), 3 /* SEEK_DATA */)
        // ENXIO: no data from here to the end, or here is past the end. A block that does not end
        // within the file as it is now is read, so that a file truncated meanwhile shows up as one.
        if next < 0 { return errno == ENXIO && ((try? fd.size()).map { offset + Int64(length) <= $0 } ?? false) }
        return Int64(next) >= offset + Int64(length)
    }

    public func checkUnchanged() throws {
        guard !dropCache, let size else { return }
        let now = try fd.size()
        if now != size {
            throw BenjiError.data("source \(name) changed size during the backup, from \(size) to \(now) bytes; nothing was committed")
        }
    }

    static func absolute(_ path: String) -> String {
        if path.hasPrefix("/") { return path }
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX))
        guard getcwd(&buffer, buffer.count) != nil else { return path }
        return buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) } + "/" + path
    }
}

/// A byte stream (stdin, a pipe): read once, in order, from one thread. Its size is what arrives.
public final class StreamSource: BlockSource, @unchecked Sendable {
    public let name: String
    public var size: Int64? { nil }
    public var isRandomAccess: Bool { false }
    private let fd: FileDescriptor
    private var position: Int64 = 0

    public init(fd: FileDescriptor) {
        self.fd = fd
        name = "stdin"
    }

    public func read(at offset: Int64, into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        precondition(offset == position, "a stream source is read in order")
        let n = try fd.readSequential(into: buffer)
        position += Int64(n)
        return n
    }
}
