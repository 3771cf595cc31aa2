
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// An owned POSIX file descriptor, closed in `deinit`.
///
/// The methods retry on `EINTR` and loop until the whole buffer is transferred, so callers
/// never see short reads or writes except at end of file.
public final class FileDescriptor: @unchecked Sendable {
    public let rawValue: Int32
    public let path: String
    private let owned: Bool

    /// Opens `path`. The corresponding C function is `open`.
    public init(path: String, flags: Int32, mode: mode_t = 0o644) throws {
        let fd = open(path, flags | O_CLOEXEC, mode)
        guard fd >= 0 else { throw BenjiError.system("opening \(path)", errno: errno) }
        self.rawValue = fd
        self.path = path
        self.owned = true
    }

    /// Wraps an inherited descriptor such as 0 or 1 without taking ownership.
    public init(borrowing fd: Int32, name: String) {
        self.rawValue = fd
        self.path = name
        self.owned = false
    }

    deinit { if owned { close(rawValue) } }

    /// Reads up to `count` bytes at `offset`, stopping early only at end of file.
    /// The corresponding C function is `pread`.
    public func read(at offset: Int64, into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        var done = 0
        while done < buffer.count {
            let n = pread(rawValue, buffer.baseAddress! + done, buffer.count - done, off_t(offset) + off_t(done))
            if n < 0 {
                if errno == EINTR { try Interruption.check(); continue }
                throw BenjiError.system("reading \(path) at offset \(offset + Int64(done))", errno: errno, status: .ioError)
            }
            if n == 0 { break }
            done += n
        }
        return done
    }

    /// Reads up to `buffer.count` bytes from the current position, stopping early only at end of file.
    /// The corresponding C function is `read`.
    public func readSequential(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        var done = 0
        while done < buffer.count {
            let n = Glibc.read(rawValue, buffer.baseAddress! + done, buffer.count - done)
            if n < 0 {
                if errno == EINTR { try Interruption.check(); continue }
                throw BenjiError.system("reading \(path)", errno: errno, status: .ioError)
            }
            if n == 0 { break }
            done += n
        }
        return done
    }

    /// Reads whatever is available now (at least one byte unless at end of file).
    public func readSome(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        while true {
            let n = Glibc.read(rawValue, buffer.baseAddress!, buffer.count)
            if n < 0 {
                if errno == EINTR { try Interruption.check(); continue }
                throw BenjiError.system("reading \(path)", errno: errno, status: .ioError)
            }
            return n
        }
    }

    /// Reads to the end (files, pipes), or until `until` is in the data; at most `limit` bytes.
    /// - Throws: 65 if there is more than `limit`.
    public func readToEnd(limit: Int, until stop: UInt8? = nil) throws -> [UInt8] {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = try chunk.withUnsafeMutableBytes { try readSome(into: $0) }
            if n == 0 { break }
            bytes += chunk[0..<n]
            guard bytes.count <= limit else { throw BenjiError.data("\(path) is larger than \(limit) bytes") }
            if let stop, chunk[0..<n].contains(stop) { break }
        }
        _ = chunk.withUnsafeMutableBytes { $0.initializeMemory(as: UInt8.self, repeating: 0) }
        return bytes
    }

    /// Opens `path` for reading, naming it as `what` in errors.
    public static func reading(_ path: String, what: String) throws -> FileDescriptor {
        do {
            return try FileDescriptor(path: path, flags: O_RDONLY)
        } catch let e as BenjiError {
            throw BenjiError(e.status, "\(what) \(path) cannot be read: \(e.message)")
        }
    }

    /// Writes the whole buffer at `offset`. The corresponding C function is `pwrite`.
    public func write(at offset: Int64, from buffer: UnsafeRawBufferPointer) throws {
        var done = 0
        while done < buffer.count {
            let n = pwrite(rawValue, buffer.baseAddress! + done, buffer.count - done, off_t(offset) + off_t(done))
            if n < 0 {
                if errno == EINTR { try Interruption.check(); continue }
                throw BenjiError.system("writing \(path) at offset \(offset + Int64(done))", errno: errno, status: .ioError)
            }
            done += n
        }
    }

    /// Writes the whole buffer at the current position. The corresponding C function is `write`.
    public func writeAll(_ buffer: UnsafeRawBufferPointer) throws {
        var done = 0
        while done < buffer.count {
            // A write into a pipe that a signal interrupts after some bytes returns their count, not EINTR.
            if done > 0 { try Interruption.check() }
            let n = Glibc.write(rawValue, buffer.baseAddress! + done, buffer.count - done)
            if n < 0 {
                if errno == EINTR { try Interruption.check(); continue }
                throw BenjiError.system("writing \(path)", errno: errno, status: .ioError)
            }
            done += n
        }
    }

    /// Flushes data (not necessarily metadata) to stable storage. The corresponding C function is `fdatasync`.
    public func syncData() throws {
        if fdatasync(rawValue) != 0 { throw BenjiError.system("syncing \(path)", errno: errno, status: .ioError) }
    }

    /// Flushes data and metadata. The corresponding C function is `fsync`.
    public func sync() throws {
        if fsync(rawValue) != 0 && errno != EINVAL {
            throw BenjiError.system("syncing \(path)", errno: errno, status: .ioError)
        }
    }

    /// The file's status. The corresponding C function is `fstat`.
    public func status() throws -> stat {
        var st = stat()
        if fstat(rawValue, &st) != 0 { throw BenjiError.system("inspecting \(path)", errno: errno) }
        return st
    }

    /// True for block devices.
    public func isBlockDevice() throws -> Bool { (try status().st_mode & S_IFMT) == S_IFBLK }

    /// True for regular files.
    public func isRegularFile() throws -> Bool { (try status().st_mode & S_IFMT) == S_IFREG }

    /// The size in bytes: `st_size` for files, the `BLKGETSIZE64` ioctl for block devices.
    public func size() throws -> Int64 {
        let st = try status()
        if (st.st_mode & S_IFMT) == S_IFBLK {
            var bytes: UInt64 = 0
            // BLKGETSIZE64 = _IOR(0x12, 114, size_t)
            if ioctl(rawValue, 0x8008_1272, &bytes) != 0 {
                throw BenjiError.system("getting the size of \(path)", errno: errno)
            }
            return Int64(bytes)
        }
        return Int64(st.st_size)
    }

    /// Sets the size of a regular file. The corresponding C function is `ftruncate`.
    public func truncate(to size: Int64) throws {
        if ftruncate(rawValue, off_t(size)) != 0 {
            throw BenjiError.system("resizing \(path) to \(size) bytes", errno: errno)
        }
    }

    /// Allocates the range so that it reads as zeros and later writes cannot fail for lack of space,
    /// without writing it; false where the file system cannot. The corresponding C function is `fallocate`.
    public func allocate(at offset: Int64, length: Int64) -> Bool {
        systemFallocate(rawValue, offset, length)
    }

    /// True on the local file systems (ext4, XFS, btrfs) whose holes and unwritten extents are read as
    /// zeros without I/O. The corresponding C function is `fstatfs`.
    public func readsHolesWithoutIO() -> Bool {
        // EXT4_SUPER_MAGIC (ext2/3/4), XFS_SUPER_MAGIC, BTRFS_SUPER_MAGIC
        [0xEF53, 0x5846_5342, 0x9123_683E].contains(systemFileSystemType(rawValue))
    }

    /// True on the kernel's own file systems, whose files' sizes say nothing of what they hold: proc,
    /// sysfs, debugfs, securityfs, tracefs, cgroup and cgroup2, configfs, efivarfs, pstore, bpf
    /// (`linux/magic.h`). The corresponding C function is `fstatfs`.
    public func isOnKernelFileSystem() -> Bool {
        [0x9FA0, 0x6265_6572, 0x6462_6720, 0x7363_6673, 0x7472_6163, 0x0027_E0EB, 0x6367_7270,
         0x6265_6570, 0xDE5E_81E4, 0x6165_676C, 0xCAFE_4A11].contains(systemFileSystemType(rawValue))
    }

    /// Tells the kernel the range will not be needed again soon (`posix_fadvise(DONTNEED)`).
    public func dropCache(at offset: Int64, length: Int64) {
        _ = posix_fadvise(rawValue, off_t(offset), off_t(length), POSIX_FADV_DONTNEED)
    }
}

/// `mkdir -p`: creates a directory and those above it that are missing (mode 0755 less the umask; the
/// directory itself `mode`, if it is created). Returns the directories it created, outermost first.
/// - Throws: the system's reason, with `operation` naming the directory that could not be made.
@discardableResult
public func makeDirectories(_ path: String, mode: mode_t = 0o755, operation: (String) -> String) throws -> [String] {
    var made = path.hasPrefix("/") ? "" : "."
    var created: [String] = []
    let components = path.split(separator: "/")
    for (i, component) in components.enumerated() {
        made += "/" + component
        if mkdir(made, i == components.count - 1 ? mode : 0o755) == 0 {
            created.append(made)
        } else if errno != EEXIST {
            let code = errno
            // None of it is left: the directories this call made go again.
            for dir in created.reversed() { rmdir(dir) }
            throw BenjiError.system(operation(made), errno: code)
        }
    }
    return created
}

/// The directory that holds `path`: `.` for a bare name, `/` for a name at the root.
public func parentDirectory(of path: String) -> String {
    guard let slash = path.lastIndex(of: "/") else { return "." }
    return slash == path.startIndex ? "/" : String(path[..<slash])
}

/// Makes the entries of the directory holding `path` durable (a rename into it): `fsync` on the directory.
public func syncDirectory(of path: String) throws {
    try FileDescriptor(path: parentDirectory(of: path), flags: O_RDONLY | O_DIRECTORY).sync()
}

/// True if something (a file, a directory, a link, even a dangling one) is at `path`.
public func pathExists(_ path: String) -> Bool {
    var st = stat()
    return lstat(path, &st) == 0
}

/// Fails unless a new file can be created at `path`: nothing is there (not even a dangling link), and its
/// directory exists. - Throws: 73, with `exists` added when something is there.
public func requireNewFile(_ path: String, _ what: String, exists: String) throws {
    if pathExists(path) { throw BenjiError(.cannotCreate, "\(path) exists; \(exists)") }
    let dir = parentDirectory(of: path)
    var st = stat()
    guard stat(dir, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR else {
        throw BenjiError(.cannotCreate, "cannot create \(what) \(path): \(dir) is not a directory")
    }
}

/// Creates a new file holding `bytes` (never over one that exists: `O_EXCL`), flushed to the disk; a
/// failure leaves nothing. - Throws: 73 if something is at `path` or its directory is missing.
public func createNewFile(_ path: String, holding bytes: [UInt8], mode: mode_t, what: String) throws {
    let file: FileDescriptor
    do {
        file = try FileDescriptor(path: path, flags: O_WRONLY | O_CREAT | O_EXCL, mode: mode)
    } catch let e as BenjiError where e.errno != nil {
        throw BenjiError.creating("cannot create \(what) \(path)", errno: e.errno!)
    }
    do {
        try bytes.withUnsafeBytes { try file.writeAll($0) }
        try file.sync()
    } catch {
        unlink(path)
        throw error
    }
}

/// True if a process with this PID exists on this host (`kill(pid, 0)`).
public func processIsAlive(_ pid: Int32) -> Bool {
    if kill(pid, 0) == 0 { return true }
    return errno == EPERM
}

/// This host's name, as `gethostname` returns it.
public var hostName: String {
    var buffer = [CChar](repeating: 0, count: 256)
    guard gethostname(&buffer, buffer.count) == 0 else { return "localhost" }
    return buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
}

/// The name messages on stderr start with: the binary's (`benji`, `benji-put`), set once at start.
nonisolated(unsafe) public var toolName = "benji"

/// Writes a note — something the user should know, not an error — to standard error, as
/// `tool: note: …`, like the errors' `tool: error: …`.
public func printNote(_ text: String) { printError("\(toolName): note: \(text)") }

/// Writes a line to standard error without buffering.
public func printError(_ line: String) {
    var text = line
    if !text.hasSuffix("\n") { text += "\n" }
    text.withCString { ptr in
        var rest = strlen(ptr)
        var p = UnsafeRawPointer(ptr)
        while rest > 0 {
            let n = Glibc.write(2, p, rest)
            if n <= 0 { if errno == EINTR { continue }; return }
            rest -= n
            p += n
        }
    }
}
