import BenjiCore
internal import CSystem
#if canImport(Glibc)
import Glibc
#endif

/// The embedded default store: objects are files under a directory.
///
/// Writes go to a temporary file in the target directory, which is `fdatasync`ed and then renamed over
/// the key (a batch does the same, overlapped: `FileStoreBatch`); `flush` calls `syncfs` so that the
/// renames are durable too. Block keys fan out into two
/// directory levels by the first four characters of the name (`blocks/ab/cd/abcd…`).
public final class FileStore: ObjectStore, @unchecked Sendable {
    public let root: String
    public var url: String { "file://" + root }
    private let createdDirectories = Locked<Set<String>>([])
    /// Whether the store's file system takes direct reads (`readUncached`); nil until the first try.
    private let directReads = Locked<Bool?>(nil)
    /// Whether objects that are not cached are read with direct I/O: nil until the first such read.
    public var readsDirectly: Bool? { directReads.withLock { $0 } }
    /// How many objects were read with direct I/O (for tests).
    let directReadCount = Locked(0)

    public init(root: String) {
        var r = root
        while r.count > 1 && r.hasSuffix("/") { r.removeLast() }
        if !r.hasPrefix("/") {
            var buffer = [CChar](repeating: 0, count: Int(PATH_MAX))
            if getcwd(&buffer, buffer.count) != nil { r = buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) } + "/" + r }
        }
        self.root = r
    }

    /// The file path of a key.
    public func path(for key: String) -> String {
        if key.hasPrefix("blocks/") {
            let name = key.dropFirst("blocks/".count)
            if name.utf8.count >= 4 {
                let a = name.prefix(2), b = name.dropFirst(2).prefix(2)
                return "\(root)/blocks/\(a)/\(b)/\(name)"
            }
        }
        return "\(root)/\(key)"
    }

    private func validate(_ key: String) throws {
        guard !key.isEmpty, !key.hasPrefix("/"), !key.split(separator: "/").contains(where: { $0 == ".." || $0 == "." || $0.hasPrefix(".") }) else {
            throw BenjiError(.usage, "invalid object key \"\(key)\"")
        }
    }

    private func ensureDirectory(_ dir: String) throws {
        if createdDirectories.withLock({ $0.contains(dir) }) { return }
        try makeDirectories(dir) { "creating directory \($0) in store \(url)" }
        createdDirectories.withLock { _ = $0.insert(dir) }
    }

    public func put(_ key: String, _ bytes: UnsafeRawBufferPointer) throws {
        let (temp, target) = try temporaryPath(for: key)
        do {
            try write(bytes, to: temp)
        } catch {
            unlink(temp)
            throw writeError(error, key: key)
        }
        try publish(temp, as: target, key: key)
    }

    /// A failed write names the object and the store. A directory missing in the store (or a file where
    /// one should be) is an I/O error (74), not a missing object (66); permissions stay 77.
    func writeError(_ error: Error, key: String) -> Error {
        guard let e = error as? BenjiError, e.errno != nil else { return error }
        var w = BenjiError(e.status == .noPermission ? .noPermission : .ioError, "cannot store \(key) in \(url): \(e.message)")
        w.errno = e.errno
        return w
    }

    public func putBatch() -> PutBatch { FileStoreBatch(store: self) }

    /// Starts reading the object's file into the page cache (`POSIX_FADV_WILLNEED`), without waiting —
    /// only where the file system has no direct I/O: elsewhere `get` reads an object that is not cached
    /// straight into its buffer, and filling the cache first would only add the pages' cost. (The first
    /// prefetch asks the file system: a restore names objects well before it reads them, so waiting for
    /// the first read to tell would have read every object of the window into the cache, and each `get`
    /// would then have found its object cached and never tried a direct read.)
    public func prefetch(_ key: String) {
        guard directReads.withLock({ $0 }) != true, (try? validate(key)) != nil,
              let fd = try? FileDescriptor(path: path(for: key), flags: O_RDONLY) else { return }
        if directReads.withLock({ $0 }) == nil && turnDirect(fd) { return }
        _ = posix_fadvise(fd.rawValue, 0, 0, POSIX_FADV_WILLNEED)
    }

    /// Where an object is written before it is complete (a hidden name in its directory, which is
    /// created if need be), and where it then goes.
    func temporaryPath(for key: String) throws -> (temp: String, target: String) {
        try validate(key)
        let target = path(for: key)
        let slash = target.lastIndex(of: "/")!
        let dir = String(target[..<slash])
        let name = target[target.index(after: slash)...]
        do { try ensureDirectory(dir) } catch { throw writeError(error, key: key) }
        let suffix = Hex.encode(secureRandomBytes(6))
        return ("\(dir)/.\(name).tmp-\(getpid())-\(suffix)", target)
    }

    /// Renames a complete, durable temporary file to its key; removes it if that fails.
    func publish(_ temp: String, as target: String, key: String) throws {
        if rename(temp, target) != 0 {
            let e = errno
            unlink(temp)
            throw BenjiError.system("storing \(key) in \(url)", errno: e, status: .ioError)
        }
    }

    private func openObject(_ key: String) throws -> FileDescriptor {
        try validate(key)
        do {
            return try FileDescriptor(path: path(for: key), flags: O_RDONLY)
        } catch let e as BenjiError where e.status == .notFound {
            throw BenjiError(.notFound, "object \(key) is missing from store \(url)")
        } catch let e as BenjiError where e.status == .noPermission {
            // One unreadable object is that object's problem (74), not a wrong key (77): a restore goes on.
            throw BenjiError(.ioError, "object \(key) in store \(url) cannot be read: \(e.message)")
        }
    }

    /// Writes a new file and flushes its data. (A backup's blocks go through `putBatch` instead, which
    /// waits for the disk in the background.)
    private func write(_ bytes: UnsafeRawBufferPointer, to path: String) throws {
        try createFile(path, holding: bytes).syncData()
    }

    /// Creates a new, read-only object file holding `bytes` (through the page cache, not yet durable).
    func createFile(_ path: String, holding bytes: UnsafeRawBufferPointer) throws -> FileDescriptor {
        let fd = try FileDescriptor(path: path, flags: O_WRONLY | O_CREAT | O_EXCL, mode: 0o444)
        try fd.write(at: 0, from: bytes)
        return fd
    }

    /// Reads an object into `buffer`. One that is not in the page cache is read with direct I/O where
    /// the buffer allows it (`readUncached`).
    public func get(_ key: String, into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let fd = try openObject(key)
        let size = Int(try fd.size())
        guard size <= buffer.count else {
            throw BenjiError.data("object \(key) in \(url) is \(size) bytes, more than an object can be")
        }
        if let n = try readUncached(fd, key: key, size: size, into: buffer) { return n }
        return try fd.read(at: 0, into: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<size]))
    }

    /// Turns direct I/O on for an object's descriptor, and records whether the store's file system took
    /// it (a refusal for good; a first success until a direct read fails).
    private func turnDirect(_ fd: FileDescriptor) -> Bool {
        let direct = fd.setDirect(true)
        directReads.withLock { if !direct { $0 = false } else if $0 == nil { $0 = true } }
        return direct
    }

    /// Reads an object that is not wholly in the page cache with `O_DIRECT`, from the disk straight into
    /// `buffer`; nil (read it through the cache) if it is cached, if the file system has no direct I/O,
    /// or if `buffer` does not allow it (`allowsDirectRead`: aligned, with room for the object rounded up).
    ///
    /// A restore reads each object once: through the cache, every object would first need page-cache
    /// pages of its own, allocated and then copied out of — on this VM that doubled a cold restore's
    /// kernel time (design.md §8). Objects that are cached (read again soon after) are read from there.
    private func readUncached(_ fd: FileDescriptor, key: String, size: Int, into buffer: UnsafeMutableRawBufferPointer) throws -> Int? {
        guard size > 0, allowsDirectRead(at: 0, length: size, into: buffer),
              directReads.withLock({ $0 }) != false, fd.isCached(length: size) == false else { return nil }
        guard turnDirect(fd) else { return nil }
        if let n = readDirect(fd, at: 0, length: size, into: buffer) {
            directReadCount.withLock { $0 += 1 }
            return n
        }
        // A direct read that failed (an alignment the device does not take, an I/O error): this object
        // and all later ones through the cache, which reports a real error as such.
        directReads.withLock { $0 = false }
        // The buffered read needs a descriptor without O_DIRECT: this one, or a new one if it stays direct.
        if fd.setDirect(false) { return nil }
        return try openObject(key).read(at: 0, into: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<size]))
    }

    public func get(_ key: String) throws -> [UInt8] {
        let fd = try openObject(key)
        let size = Int(try fd.size())
        return try [UInt8](unsafeUninitializedCapacity: size) { buf, count in
            count = try fd.read(at: 0, into: UnsafeMutableRawBufferPointer(buf))
        }
    }

    public func read(_ key: String, offset: Int, into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let fd = try openObject(key)
        var done = 0
        while done < buffer.count {
            let n = try fd.read(at: Int64(offset + done), into: UnsafeMutableRawBufferPointer(rebasing: buffer[done...]))
            if n == 0 { break }
            done += n
        }
        return done
    }

    /// Compares and writes in place with `pread` and `pwrite` on one descriptor: if a put renames a new
    /// object over the name meanwhile, the write lands in the old, unlinked file, and the new object keeps
    /// its own bytes. Objects are read-only files (0444), so the owner lends the file write permission
    /// for the moment of the write. A write within one 512-byte sector reaches the disk whole or not at
    /// all (the assumption PostgreSQL makes of its control file), so a crash leaves the old or the new bytes.
    public func patch(_ key: String, offset: Int, expected: UnsafeRawBufferPointer, _ bytes: UnsafeRawBufferPointer) throws -> Bool {
        try validate(key)
        let path = path(for: key)
        func fail(_ what: String, _ code: Int32) -> BenjiError {
            code == ENOENT ? BenjiError(.notFound, "object \(key) is missing from store \(url)")
                : BenjiError.system("\(what) \(key) in \(url)", errno: code, status: .ioError)
        }
        var fd = Glibc.open(path, O_RDWR | O_CLOEXEC)
        var lent = false
        if fd < 0 && errno == EACCES {
            // Lend write permission through a descriptor, and make sure both name the same file.
            let ro = Glibc.open(path, O_RDONLY | O_CLOEXEC)
            guard ro >= 0 else { throw fail("opening", errno) }
            defer { close(ro) }
            guard fchmod(ro, 0o644) == 0 else { throw fail("changing the mode of", errno) }
            fd = Glibc.open(path, O_RDWR | O_CLOEXEC)
            var a = stat(), b = stat()
            guard fd >= 0, fstat(ro, &a) == 0, fstat(fd, &b) == 0, a.st_ino == b.st_ino, a.st_dev == b.st_dev else {
                let code = errno
                fchmod(ro, 0o444)
                if fd >= 0 { close(fd); return false }  // replaced between the two opens
                throw fail("opening", code)
            }
            lent = true
        }
        guard fd >= 0 else { throw fail("opening", errno) }
        defer {
            if lent { fchmod(fd, 0o444) }
            close(fd)
        }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw fail("inspecting", errno) }
        try checkPatch(key, offset: offset, length: bytes.count, expected: expected.count, objectSize: Int(st.st_size))
        var current = [UInt8](repeating: 0, count: expected.count)
        let r = current.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, off_t(offset)) }
        guard r == expected.count else { throw fail("reading", r < 0 ? errno : EIO) }
        guard current.elementsEqual(expected) else { return false }
        let n = pwrite(fd, bytes.baseAddress, bytes.count, off_t(offset))
        guard n == bytes.count else { throw fail("writing", n < 0 ? errno : EIO) }
        return true
    }

    public func size(_ key: String) throws -> Int? {
        try validate(key)
        var st = stat()
        if stat(path(for: key), &st) != 0 {
            if errno == ENOENT || errno == ENOTDIR { return nil }
            throw BenjiError.system("inspecting \(key) in \(url)", errno: errno)
        }
        return Int(st.st_size)
    }

    public func delete(_ key: String) throws {
        try validate(key)
        if unlink(path(for: key)) != 0 && errno != ENOENT {
            throw BenjiError.system("deleting \(key) from \(url)", errno: errno)
        }
    }

    public func list(prefix: String, _ body: (String, Int) throws -> Void) throws {
        // Walk the directory that holds the prefix; keys come back in the logical (unfanned) form.
        let top = prefix.hasSuffix("/") ? String(prefix.dropLast()) : prefix
        let base = top.isEmpty ? root : "\(root)/\(top)"
        try walk(base) { path, size in
            var rel = String(path.dropFirst(root.count + 1))
            if rel.hasPrefix("blocks/") { rel = "blocks/" + rel.split(separator: "/").last! }
            if rel.hasPrefix(prefix) { try body(rel, size) }
        }
    }

    private func walk(_ dir: String, _ body: (String, Int) throws -> Void) throws {
        guard let d = opendir(dir) else {
            if errno == ENOENT { return }
            throw BenjiError.system("listing \(dir)", errno: errno)
        }
        defer { closedir(d) }
        var entries: [(String, Bool, Int)] = []
        while let e = readdir(d) {
            let name = withUnsafeBytes(of: e.pointee.d_name) { raw in
                String(cString: raw.baseAddress!.assumingMemoryBound(to: CChar.self))
            }
            if name.hasPrefix(".") { continue }
            var st = stat()
            let full = "\(dir)/\(name)"
            guard lstat(full, &st) == 0 else { continue }
            entries.append((name, (st.st_mode & S_IFMT) == S_IFDIR, Int(st.st_size)))
        }
        for (name, isDir, size) in entries.sorted(by: { $0.0 < $1.0 }) {
            if isDir { try walk("\(dir)/\(name)", body) } else { try body("\(dir)/\(name)", size) }
        }
    }

    public func flush() throws {
        let fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw BenjiError.system("opening store \(url)", errno: errno) }
        defer { close(fd) }
        if benji_syncfs(fd) != 0 { throw BenjiError.system("syncing store \(url)", errno: errno, status: .ioError) }
    }

    /// True if the store directory exists.
    public var exists: Bool {
        var st = stat()
        return stat(root, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }

    /// Creates the store directory (and parents), the store directory itself private to its owner (0700:
    /// an unencrypted store holds whole disks). Returns the directories it created, outermost first.
    @discardableResult
    public func createRoot() throws -> [String] {
        let created = try makeDirectories(root, mode: 0o700) { "creating directory \($0) for store \(url)" }
        createdDirectories.withLock { _ = $0.insert(root) }
        return created
    }
}
