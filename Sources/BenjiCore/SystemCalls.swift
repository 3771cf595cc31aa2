internal import CSystem

/// `fallocate(fd, 0, offset, length)`; false on failure (for example EOPNOTSUPP).
func systemFallocate(_ fd: Int32, _ offset: Int64, _ length: Int64) -> Bool {
    benji_fallocate(fd, 0, offset, length) == 0
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
    /// True if every page of the file's first `length` bytes is in the page cache; nil if that cannot be
    /// told. (`mincore` on a mapping: nothing is read.)
    public func isCached(length: Int) -> Bool? {
        switch benji_fully_cached(rawValue, length) {
        case 1: return true
        case 0: return false
        default: return nil
        }
    }

    /// Turns direct I/O (`O_DIRECT`: reads and writes bypass the page cache) on or off; false if the
    /// file system does not support it.
    public func setDirect(_ on: Bool) -> Bool { benji_set_direct(rawValue, on ? 1 : 0) == 0 }
}
