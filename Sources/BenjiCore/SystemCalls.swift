internal import CSystem
#if canImport(Glibc)
import Glibc
#endif

/// `fallocate(fd, 0, offset, length)`; false on failure (for example EOPNOTSUPP).
func systemFallocate(_ fd: Int32, _ offset: Int64, _ length: Int64) -> Bool {
    benji_fallocate(fd, 0, offset, length) == 0
}

/// Renames `from` to `to` unless something is at `to` already. Returns 0, or the errno (EEXIST).
/// Where the file system or a sandbox refuses the flag, a hard link and an unlink do the same; where
/// there are no hard links either, a look and a plain rename (which a racing creator could lose to).
public func renameWithoutReplacing(_ from: String, to: String) -> Int32 {
    if benji_rename_noreplace(from, to) == 0 { return 0 }
    guard [EINVAL, ENOSYS, EPERM, ENOTSUP].contains(errno) else { return errno }
    if link(from, to) == 0 {
        unlink(from)
        return 0
    }
    if errno == EEXIST || pathExists(to) { return EEXIST }
    return rename(from, to) == 0 ? 0 : errno
}

/// The type of the file system holding an open file (`fstatfs`'s `f_type`), or -1.
func systemFileSystemType(_ fd: Int32) -> Int64 { benji_file_system_type(fd) }

/// Makes malloc keep freed blocks of up to `bytes` in its heap for reuse, instead of returning them to the
/// system and faulting in fresh zeroed pages for the next one (`mallopt` M_MMAP_THRESHOLD, M_TRIM_THRESHOLD).
/// Stages allocate and free block-sized buffers (megabytes) for every record.
public func keepLargeAllocations(upTo bytes: Int) {
    benji_keep_large_allocations(Int32(bytes), Int32(min(Int(Int32.max), bytes * 2)))
}

extension FileDescriptor {
    /// Moves `count` bytes from this descriptor's current position to `output`'s without copying them
    /// through the process where the kernel can (`splice`: a pipe on either side); through a buffer
    /// elsewhere. Returns the bytes moved: fewer than `count` only at the end of the input.
    public func transfer(_ count: Int, to output: FileDescriptor) throws -> Int {
        var done = 0
        var splicing = true
        var buffer: [UInt8] = []
        while done < count {
            try Interruption.check()
            if splicing {
                let n = benji_splice(rawValue, output.rawValue, count - done)
                if n > 0 { done += n; continue }
                if n == 0 { break }
                let e = errno
                if e == EINTR { continue }
                guard e == EINVAL || e == ENOSYS || e == EOPNOTSUPP else {
                    throw BenjiError.system(e == EPIPE ? "writing \(output.path)" : "moving data from \(path) to \(output.path)",
                                            errno: e, status: .ioError)
                }
                splicing = false
            }
            if buffer.isEmpty { buffer = [UInt8](repeating: 0, count: min(count - done, 1 << 18)) }
            let want = min(count - done, buffer.count)
            let n = try buffer.withUnsafeMutableBytes { try readSome(into: UnsafeMutableRawBufferPointer(rebasing: $0[0..<want])) }
            if n == 0 { break }
            try buffer.withUnsafeBytes { try output.writeAll(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
            done += n
        }
        return done
    }

    /// True if every page of `length` bytes at `offset` (a multiple of the page size) is in the page
    /// cache; nil if that cannot be told. (`cachestat` where the kernel has it, else `mincore` on a
    /// mapping of the range, which answers only for files the process owns or may write: nothing is read.)
    public func isCached(at offset: Int64 = 0, length: Int) -> Bool? {
        cachedAnswer(benji_fully_cached(rawValue, offset, length))
    }

    /// The two ways of `isCached`, each alone (for tests): nil where that one cannot tell.
    func isCachedByCachestat(at offset: Int64 = 0, length: Int) -> Bool? {
        cachedAnswer(benji_fully_cached_cachestat(rawValue, offset, length))
    }
    func isCachedByMincore(at offset: Int64 = 0, length: Int) -> Bool? {
        cachedAnswer(benji_fully_cached_mincore(rawValue, offset, length))
    }

    private func cachedAnswer(_ answer: Int32) -> Bool? {
        switch answer {
        case 1: return true
        case 0: return false
        default: return nil
        }
    }

    /// Turns direct I/O (`O_DIRECT`: reads and writes bypass the page cache) on or off; false if the
    /// file system does not support it.
    public func setDirect(_ on: Bool) -> Bool { benji_set_direct(rawValue, on ? 1 : 0) == 0 }
}

/// Direct reads go in whole units of this many bytes, at offsets and into buffers aligned to it (a
/// multiple of every logical block size in use: 512 and 4096).
public let directIOAlignment = 4096

/// `length` rounded up to whole units of `directIOAlignment`: the room a direct read of it needs.
public func directReadRoom(_ length: Int) -> Int {
    (length + directIOAlignment - 1) / directIOAlignment * directIOAlignment
}

/// True if `length` bytes at `offset` can be read directly into `buffer`: offset and buffer aligned to
/// `directIOAlignment`, and room in the buffer for the length rounded up to it.
public func allowsDirectRead(at offset: Int64, length: Int, into buffer: UnsafeMutableRawBufferPointer) -> Bool {
    offset % Int64(directIOAlignment) == 0 && Int(bitPattern: buffer.baseAddress) % directIOAlignment == 0
        && directReadRoom(length) <= buffer.count
}

/// Reads `length` bytes at `offset` of a descriptor opened for direct I/O into `buffer` (which
/// `allowsDirectRead`), in whole units of `directIOAlignment`; stops early at the end of the file. Nil if
/// the read fails in any way (an alignment the device refuses, a file system that took the flag but not
/// the read, an I/O error): then read through the page cache, which reports a real error as such.
public func readDirect(_ fd: FileDescriptor, at offset: Int64, length: Int,
                       into buffer: UnsafeMutableRawBufferPointer) -> Int? {
    precondition(allowsDirectRead(at: offset, length: length, into: buffer))
    let rounded = directReadRoom(length)
    var done = 0
    while done < length {
        let n = pread(fd.rawValue, buffer.baseAddress! + done, rounded - done, off_t(offset) + off_t(done))
        if n < 0 {
            if errno == EINTR { continue }
            return nil
        }
        if n == 0 { break }
        done += n
        // A short read that leaves an unaligned offset (not at the end): the caller reads through the cache.
        if done < length && done % directIOAlignment != 0 { return nil }
    }
    return min(done, length)
}
