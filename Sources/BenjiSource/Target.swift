import BenjiCore
#if canImport(Glibc)
import Glibc
#endif

/// Where a restore writes: a regular file, a block device, or stdout.
///
/// Writes may come from several threads at once (except for stdout, which takes them in order).
public final class RestoreTarget: @unchecked Sendable {
    public enum Kind: Sendable { case file, device, stream }

    public let kind: Kind
    public let path: String
    private let fd: FileDescriptor
    private let sparse: Bool
    private var streamPosition: Int64 = 0
    /// A new file whose blocks are all allocated and read as zeros: zero blocks need no writing.
    private var preallocated = false
    private let zeros: [UInt8]
    private let fileLock = Locked(())
    /// True where the page cache can be filled ahead of a write without I/O (`prepareWrite`).
    private var fillsCacheAhead = false
    /// True if this restore created the file (it did not exist before).
    public private(set) var created = false
    /// Where a new file is written until it is complete (a hidden name next to `path`), then renamed.
    private var temporaryPath: String?

    /// Opens a target for an image of `size` bytes (nil if not yet known).
    ///
    /// - Parameters:
    ///   - sparse: leave zero blocks as holes (files) or unmapped (devices, `BLKZEROOUT`) instead of
    ///     writing zeros.
    ///   - force: overwrite an existing file, or write to a device.
    /// - Throws: 73 if the target exists and `force` is not set, or if a device is too small.
    public init(path: String, size: Int64?, sparse: Bool, force: Bool, blockSize: Int) throws {
        self.path = path
        self.sparse = sparse
        zeros = [UInt8](repeating: 0, count: blockSize)
        if path == "-" {
            kind = .stream
            fd = FileDescriptor(borrowing: 1, name: "<stdout>")
            return
        }
        guard !path.isEmpty else { throw BenjiError(.usage, "the restore target is empty; name a file, a block device or -") }
        var st = stat()
        let exists = stat(path, &st) == 0
        // A link to nothing: the file would be made under the link's name, beside the link.
        if !exists && lstat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFLNK {
            throw BenjiError(.cannotCreate, "restore target \(path) is a link to a file that does not exist; name the file itself")
        }
        if exists && (st.st_mode & S_IFMT) == S_IFBLK {
            guard force else {
                throw BenjiError(.cannotCreate, "restore target \(path) is a block device; pass --force to overwrite it")
            }
            kind = .device
            fd = try FileDescriptor(path: path, flags: O_WRONLY)
            if let size {
                let capacity = try fd.size()
                if capacity < size {
                    throw BenjiError(.cannotCreate, "restore target \(path) holds \(capacity) bytes, too few for the version's \(size)")
                }
            }
            return
        }
        if exists && (st.st_mode & S_IFMT) == S_IFDIR {
            throw BenjiError(.cannotCreate, "restore target \(path) is a directory; name a file or a block device")
        }
        if exists {
            guard force else {
                throw BenjiError(.cannotCreate, "restore target \(path) exists; pass --force to overwrite it")
            }
            guard (st.st_mode & S_IFMT) == S_IFREG else {
                throw BenjiError(.usage, "restore target \(path) is neither a regular file nor a block device")
            }
        }
        kind = .file
        created = !exists
        // A new file is written under a hidden name next to its own and renamed when complete, so that
        // nothing under the target's name looks restored before it is, even after a SIGKILL. An existing
        // file (--force) is overwritten in place: it keeps its inode, mode and owner.
        if created {
            let slash = path.lastIndex(of: "/")
            let dir = slash.map { String(path[...$0]) } ?? ""
            // The name's first 96 bytes at most, so that the hidden name fits where the name does.
            var name = Substring(slash.map { String(path[path.index(after: $0)...]) } ?? path)
            while name.utf8.count > 96 { name.removeLast() }
            temporaryPath = "\(dir).\(name).benji-restore-\(getpid())-\(Hex.encode(secureRandomBytes(4)))"
        }
        // Truncating first turns the whole file into a hole: zero blocks then need no work when sparse.
        // Errors name the target, not the hidden file.
        do {
            fd = try FileDescriptor(path: temporaryPath ?? path, flags: O_WRONLY | O_CREAT | (created ? O_EXCL : O_TRUNC), mode: 0o600)
        } catch let e as BenjiError where e.errno != nil {
            throw BenjiError.creating("cannot create restore target \(path)", errno: e.errno!)
        }
        if let size {
            do {
                try fd.truncate(to: size)
            } catch let e as BenjiError {
                // A size the file system cannot hold: leave no empty file behind.
                discard()
                throw e.errno.map { BenjiError.system("restore target \(path) cannot be made \(size) bytes long", errno: $0) } ?? e
            }
            // Not sparse: allocate every block up front (as unwritten extents that read as zeros) instead
            // of writing zeros, where the file system can.
            if !sparse && size > 0 { preallocated = fd.allocate(at: 0, length: size) }
        }
        fillsCacheAhead = fd.readsHolesWithoutIO()
    }

    /// Removes the file if this restore created it: for a restore that failed, so that no partial image
    /// is left looking like a restored one. (An overwritten file or a device is left as it is.)
    public func discard() {
        if let temporaryPath { unlink(temporaryPath) }
    }

    /// Brings a range of a new file into the page cache — as the zeros it holds, without I/O — so that
    /// the `write` of that range only copies: called by each worker before it produces its block.
    ///
    /// Writes to a file go one at a time (`write`), and allocating page-cache pages costs more than
    /// copying into them (on a VM, several times more: fresh memory comes from the host); this way the
    /// workers allocate in parallel. Only on local file systems that read holes and unwritten extents
    /// as zeros without touching the disk; a no-op elsewhere.
    public func prepareWrite(at offset: Int64, length: Int) {
        guard fillsCacheAhead else { return }
        // A call reads ahead at most the device's optimal I/O size (the read-ahead window, 128 KiB by
        // default), so the range goes in steps of that.
        var done = 0
        while done < length {
            let n = min(length - done, 128 << 10)
            _ = posix_fadvise(fd.rawValue, off_t(offset + Int64(done)), off_t(n), POSIX_FADV_WILLNEED)
            done += n
        }
    }

    /// Writes one block's data at its offset.
    public func write(at offset: Int64, _ bytes: UnsafeRawBufferPointer) throws {
        switch kind {
        case .stream:
            precondition(offset == streamPosition, "stdout is written in order")
            try fd.writeAll(bytes)
            streamPosition += Int64(bytes.count)
        case .file:
            // One write at a time: a file system takes its inode's lock for a buffered write, and waiters
            // spin on it (a tenth of a restore's CPU time with four writers); this lock sleeps instead.
            try fileLock.withLock { _ in try fd.write(at: offset, from: bytes) }
        case .device:
            try fd.write(at: offset, from: bytes)
        }
    }

    /// Makes a range read as zeros: a hole or `BLKZEROOUT` when sparse, written zeros otherwise.
    public func zero(at offset: Int64, length: Int) throws {
        switch kind {
        case .stream:
            var left = length
            while left > 0 {
                let n = min(left, zeros.count)
                try zeros.withUnsafeBytes { try write(at: streamPosition, UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
                left -= n
            }
        case .file:
            // A freshly truncated file already reads as zeros here.
            if sparse || preallocated { return }
            try writeZeros(at: offset, length: length)
        case .device:
            if sparse {
                var range: (UInt64, UInt64) = (UInt64(offset), UInt64(length))
                // BLKZEROOUT = _IO(0x12, 127)
                if ioctl(fd.rawValue, 0x127F, &range) == 0 { return }
            }
            try writeZeros(at: offset, length: length)
        }
    }

    /// Makes a range that was written read as zeros again: a block whose check failed after its data
    /// was written (`zero` leaves a new file's ranges alone, since they are zeros until written).
    public func rezero(at offset: Int64, length: Int) throws {
        switch kind {
        case .file: try writeZeros(at: offset, length: length)
        case .stream, .device: try zero(at: offset, length: length)
        }
    }

    private func writeZeros(at offset: Int64, length: Int) throws {
        var done = 0
        while done < length {
            let n = min(length - done, zeros.count)
            try zeros.withUnsafeBytes { try fd.write(at: offset + Int64(done), from: UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
            done += n
        }
    }

    /// Sets the final size (for sources whose size was not known up front) and, for a device or with
    /// `durable`, flushes to stable storage.
    ///
    /// A file is not flushed by default, like `cp` or `dd`: a restore that a crash interrupts is simply run
    /// again, and the backup it came from is untouched.
    public func finish(size: Int64, durable: Bool = false) throws {
        switch kind {
        case .file:
            try fd.truncate(to: size)
            if durable { try fd.sync() }
            if let temp = temporaryPath {
                let code = renameWithoutReplacing(temp, to: path)
                // Renamed; or, whatever stopped the rename, the complete image is kept and named below.
                temporaryPath = nil
                if code == EEXIST {
                    throw BenjiError(.cannotCreate, "restore target \(path) was created by another process during the restore; the restored image is \(temp)")
                }
                if code != 0 { throw BenjiError.system("the restored image \(temp) could not be renamed to \(path)", errno: code) }
                if durable {
                    do { try syncDirectory(of: path) } catch let e as BenjiError {
                        throw BenjiError(e.status, "\(path) is restored whole, but its directory could not be flushed: \(e.message)")
                    }
                }
            }
        case .device:
            try fd.sync()
        case .stream:
            break
        }
    }
}
