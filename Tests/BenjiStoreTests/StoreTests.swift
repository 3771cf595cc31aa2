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

    /// Aligned buffers take the direct-I/O path (with a padded, truncated tail); others the page cache.
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
