import Foundation
import Testing
@testable import BenjiCore
@testable import BenjiStore
import BenjiTestSupport

func temporaryDirectory() -> String {
    let path = NSTemporaryDirectory() + "benji-test-" + UUID().uuidString
    try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

@Suite struct StoreConformanceTests {
    @Test func fileStore() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try StoreConformance.run(FileStore(root: dir + "/store"))
    }

    @Test func memoryStore() throws {
        try StoreConformance.run(MemoryStore())
    }
}

@Suite struct FileStoreTests {
    @Test func fansBlocksOutAndLeavesNoTemporaryFiles() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = FileStore(root: dir)
        let name = String(repeating: "0123456789abcdef", count: 4)
        try store.put(ObjectKey.block(name), [1, 2, 3])
        #expect(FileManager.default.fileExists(atPath: "\(dir)/blocks/01/23/\(name)"))
        let files = try FileManager.default.contentsOfDirectory(atPath: "\(dir)/blocks/01/23")
        #expect(files == [name])
    }

    /// Page-aligned and unaligned buffers of awkward lengths are stored exactly.
    @Test(arguments: [4096, 3 * 4096 + 17, 4095, 1, 5_000_000])
    func storesAlignedAndUnalignedBuffersExactly(length: Int) throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = FileStore(root: dir)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: length + 1, alignment: 4096)
        defer { buffer.deallocate() }
        for i in 0..<(length + 1) { buffer[i] = UInt8(truncatingIfNeeded: i &* 7 &+ 1) }
        let aligned = UnsafeRawBufferPointer(rebasing: buffer[0..<length])
        let unaligned = UnsafeRawBufferPointer(rebasing: buffer[1..<(length + 1)])
        try store.put("versions/aligned", aligned)
        try store.put("versions/unaligned", unaligned)
        #expect(try store.get("versions/aligned") == Array(aligned))
        #expect(try store.get("versions/unaligned") == Array(unaligned))
        #expect(try store.size("versions/aligned") == length)
    }

    /// Objects that are not in the page cache are read with direct I/O into a buffer that allows it
    /// (aligned, and long enough for the object rounded up); any other buffer, and a cached object, get
    /// the same bytes through the cache.
    @Test(arguments: [1, 4095, 4096, 3 * 4096 + 17, 5_000_000])
    func readsUncachedObjectsDirectly(length: Int) throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = FileStore(root: dir)
        let data = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 13 &+ 5) }
        let key = ObjectKey.block(String(repeating: "ab", count: 32))
        try store.put(key, data)
        func dropFromCache() {
            let fd = open(store.path(for: key), O_RDONLY)
            #expect(fd >= 0)
            #expect(posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED) == 0)
            close(fd)
        }
        // Does this file system take O_DIRECT at all (tmpfs before Linux 6.6 does not), and can its pages
        // be dropped (not on tmpfs, where they are the file)?
        let file = try FileDescriptor(path: store.path(for: key), flags: O_RDONLY)
        dropFromCache()
        let droppable = file.isCached(length: length) == false
        let directIO = try FileDescriptor(path: store.path(for: key), flags: O_RDONLY).setDirect(true)

        let roomy = UnsafeMutableRawBufferPointer.allocate(byteCount: directReadRoom(length) + 1, alignment: directIOAlignment)
        defer { roomy.deallocate() }
        let exact = UnsafeMutableRawBufferPointer.allocate(byteCount: length, alignment: directIOAlignment)
        defer { exact.deallocate() }
        // The unaligned buffer last: it reads through the cache, so the object is cached afterwards.
        for buffer in [roomy, exact, UnsafeMutableRawBufferPointer(rebasing: roomy[1...])] {
            dropFromCache()
            buffer.initializeMemory(as: UInt8.self, repeating: 0xEE)
            let n = try store.get(key, into: buffer)
            #expect(n == length)
            #expect(Array(buffer[0..<n]) == data)
        }
        #expect(store.readsDirectly == (droppable ? directIO : nil))
        // Now cached (the last read went through the cache): read from there.
        roomy.initializeMemory(as: UInt8.self, repeating: 0xEE)
        #expect(try store.get(key, into: roomy) == length)
        #expect(Array(roomy[0..<length]) == data)
    }

    /// A restore names each object to the store (`prefetch`) well before it reads it. Where the file
    /// system takes direct I/O, that must leave objects that are not cached uncached, so that each is then
    /// read directly (before, the prefetches read them all into the cache and no read was direct).
    @Test func prefetchLeavesObjectsToDirectReads() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = FileStore(root: dir)
        let length = 3 * directIOAlignment + 100
        let keys = (0..<8).map { ObjectKey.block(String(format: "%064x", $0)) }
        for (i, key) in keys.enumerated() { try store.put(key, [UInt8](repeating: UInt8(i + 1), count: length)) }
        let files = try keys.map { try FileDescriptor(path: store.path(for: $0), flags: O_RDONLY) }
        for file in files { #expect(posix_fadvise(file.rawValue, 0, 0, POSIX_FADV_DONTNEED) == 0) }
        let droppable = files.allSatisfy { $0.isCached(length: length) == false }
        let directIO = files[0].setDirect(true)
        _ = files[0].setDirect(false)

        for key in keys { store.prefetch(key) }
        #expect(store.readsDirectly == directIO)
        if droppable && directIO {
            // Nothing was read ahead into the cache.
            for file in files { #expect(file.isCached(length: length) == false) }
        }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: directReadRoom(length), alignment: directIOAlignment)
        defer { buffer.deallocate() }
        for (i, key) in keys.enumerated() {
            #expect(try store.get(key, into: buffer) == length)
            #expect(buffer[0..<length].allSatisfy { $0 == UInt8(i + 1) })
        }
        #expect(store.directReadCount.withLock { $0 } == (droppable && directIO ? keys.count : 0))
    }

    /// A batch with room for one object at a time still takes many (each put waits for the one before),
    /// from several threads; it leaves no temporary files, whether finished or abandoned.
    @Test func batchWaitsForRoomAndLeavesNoTemporaryFiles() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = FileStore(root: dir)
        let batch = FileStoreBatch(store: store, maximumBytes: 1 << 20, maximumFiles: 1)
        let group = DispatchGroup()
        let failures = Locked(0)
        for t in 0..<3 {
            group.enter()
            Thread {
                for i in 0..<20 {
                    let bytes = [UInt8](repeating: UInt8(t * 20 + i), count: 700_000)
                    do { try batch.put(ObjectKey.block(String(format: "%064x", t * 20 + i)), bytes) } catch { failures.withLock { $0 += 1 } }
                }
                group.leave()
            }.start()
        }
        group.wait()
        try batch.finish()
        #expect(failures.withLock { $0 } == 0)
        var names: [String] = []
        try store.list(prefix: "blocks/") { key, size in
            names.append(key)
            #expect(size == 700_000)
        }
        #expect(names.count == 60)
        #expect(try store.get(ObjectKey.block(String(format: "%064x", 42))) == [UInt8](repeating: 42, count: 700_000))

        let abandoned = FileStoreBatch(store: store, maximumBytes: 64 << 20, maximumFiles: 4)
        for i in 100..<120 { try abandoned.put(ObjectKey.block(String(format: "%064x", i)), [UInt8](repeating: 1, count: 100_000)) }
        abandoned.abandon()
        let leftovers = try FileManager.default.subpathsOfDirectory(atPath: dir).filter { $0.split(separator: "/").last!.hasPrefix(".") }
        #expect(leftovers.isEmpty, "temporary files left: \(leftovers)")
    }

    /// A put that cannot be completed (here: a directory stands where the object goes) fails the batch:
    /// `finish` throws, later puts throw, and nothing is left but what was completed before.
    @Test func batchReportsAFailedPut() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = FileStore(root: dir)
        let bad = String(repeating: "ee", count: 32)
        try FileManager.default.createDirectory(atPath: store.path(for: ObjectKey.block(bad)) + "/x", withIntermediateDirectories: true)
        let batch = FileStoreBatch(store: store)
        try batch.put(ObjectKey.block(String(repeating: "aa", count: 32)), [1, 2, 3])
        try batch.put(ObjectKey.block(bad), [4, 5, 6])
        #expect(throws: BenjiError.self) { try batch.finish() }
        #expect(throws: BenjiError.self) { try batch.put(ObjectKey.block(String(repeating: "bb", count: 32)), [7]) }
        #expect(try store.get(ObjectKey.block(String(repeating: "aa", count: 32))) == [1, 2, 3])
        #expect(try store.size(ObjectKey.block(String(repeating: "bb", count: 32))) == nil)
        let leftovers = try FileManager.default.subpathsOfDirectory(atPath: dir).filter { $0.split(separator: "/").last!.hasPrefix(".") }
        #expect(leftovers.isEmpty, "temporary files left: \(leftovers)")

        // A put that fails by itself fails the batch too.
        let second = FileStoreBatch(store: store)
        #expect(throws: BenjiError.self) { try second.put("../escape", [1]) }
        #expect(throws: BenjiError.self) { try second.finish() }
        // And a batch abandoned before its finish does not report success.
        let third = FileStoreBatch(store: store)
        try third.put(ObjectKey.block(String(repeating: "cc", count: 32)), [1])
        third.abandon()
        #expect(throws: BenjiError.self) { try third.finish() }
    }

    @Test func rejectsKeysThatEscapeTheStore() {
        let store = FileStore(root: "/nonexistent")
        for key in ["../x", "/etc/passwd", "blocks/../../x", "", "blocks/.hidden"] {
            #expect(throws: BenjiError.self) { try store.put(key, [1]) }
        }
    }

    @Test func urls() throws {
        #expect((try openStore(url: "file:///srv/b") as? FileStore)?.root == "/srv/b")
        #expect((try openStore(url: "/srv/b/") as? FileStore)?.root == "/srv/b")
        for bad in ["s3://bucket", "rados://pool", "ftp://x", "file://relative"] {
            #expect(throws: BenjiError.self) { _ = try openStore(url: bad) }
        }
    }
}

@Suite struct StoreConfigTests {
    @Test func initializeThenLoad() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = FileStore(root: dir + "/s")
        let created = try StoreConfig.initialize(store)
        #expect(try StoreConfig.load(store) == created)
        #expect(throws: BenjiError.self) { _ = try StoreConfig.initialize(store) }
    }

    @Test func missingAndUninitializedStores() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        do {
            _ = try StoreConfig.load(FileStore(root: dir + "/missing"))
            Issue.record("loaded a missing store")
        } catch let e as BenjiError {
            #expect(e.status == .unavailable)
        }
        do {
            _ = try StoreConfig.load(FileStore(root: dir))
            Issue.record("loaded an empty directory")
        } catch let e as BenjiError {
            #expect(e.status == .config)
        }
        let store = FileStore(root: dir)
        try store.put(ObjectKey.config, Array(#"{"format":2,"id":"x","created":"","naming":"sha256"}"#.utf8))
        do {
            _ = try StoreConfig.load(store)
            Issue.record("loaded a newer store")
        } catch let e as BenjiError {
            #expect(e.status == .config)
            #expect(e.message.contains("format 2"))
        }
    }
}
