import Foundation
import Testing
@testable import BenjiCatalog
@testable import BenjiCore

@Suite struct BlockMapCodecTests {
    @Test func roundTrips() {
        let cases: [[Int64]] = [[], [0], [1, 2, 3, 4], [5, 0, 0, 7, 1_000_000_000_000, 3, 0, 0], [Int64.max, 1, Int64.max]]
        for ids in cases {
            var trimmed = ids
            while trimmed.last == 0 { trimmed.removeLast() }
            #expect(BlockMapCodec.decode(BlockMapCodec.encode(ids)) == trimmed)
            #expect(BlockMapCodec.decode(BlockMapCodec.encode(ids), count: max(ids.count, 8)) == ids + [Int64](repeating: 0, count: max(0, 8 - ids.count)))
        }
        // Consecutive ids cost one byte each.
        #expect(BlockMapCodec.encode(Array(1...1024)).count == 1024)
        #expect(BlockMapCodec.decode([0x80]) == nil)
    }
}

final class CatalogFixture {
    let dir: String
    let catalog: Catalog
    var path: String { dir + "/catalog.sqlite" }

    init() throws {
        dir = NSTemporaryDirectory() + "benji-catalog-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        catalog = try Catalog.create(path: dir + "/catalog.sqlite", storeID: "store-1")
    }

    deinit { try? FileManager.default.removeItem(atPath: dir) }

    static func digest(_ n: Int) -> SHA256Digest { SHA256.hash(Array("block \(n)".utf8)) }

    /// Commits a version whose listed blocks hold `digest(n)`.
    func commit(volume: String = "vm", size: Int64, blocks: [Int64: Int?], base: String? = nil, blockSize: Int = 4096) throws -> VersionInfo {
        let w = try catalog.beginVersion(volume: volume, snapshot: "", size: size, blockSize: blockSize, base: base,
                                         source: nil, labels: [("k", "v")], notice: { _ in })
        let g = BlockGeometry(size: size, blockSize: blockSize)
        do {
        for idx in blocks.keys.sorted() {
            if let n = blocks[idx]! {
                try w.add(idx: idx, .object(sha256: CatalogFixture.digest(n), size: g.size(of: idx), name: CatalogFixture.digest(n).hex,
                                            storedSize: 100, written: true))
            } else {
                try w.add(idx: idx, .zero)
            }
        }
        } catch {
            w.abort()
            throw error
        }
        do {
            return try w.finish(size: size, statistics: BackupStatistics())
        } catch {
            w.abort()
            throw error
        }
    }

    func map(_ id: String) throws -> [Int64: SHA256Digest?] {
        var out: [Int64: SHA256Digest?] = [:]
        try catalog.blocks(of: id) { out.updateValue($0.object?.sha256, forKey: $0.idx) }
        return out
    }

    func count(_ table: String) throws -> Int {
        let s = try catalog.db.statement("SELECT count(*) FROM \(table)")
        _ = try s.step()
        return Int(s.int(0))
    }
}

@Suite struct CatalogTests {
    @Test func createOpenAndReject() throws {
        let f = try CatalogFixture()
        #expect(try Catalog(path: f.path).storeID == "store-1")
        #expect(throws: BenjiError.self) { _ = try Catalog.create(path: f.path, storeID: "x") }
        do { _ = try Catalog(path: f.dir + "/nope.sqlite"); Issue.record("opened a missing catalog") } catch let e as BenjiError {
            #expect(e.status == .config)
        }
        try "not a database".write(toFile: f.dir + "/junk", atomically: true, encoding: .utf8)
        #expect(throws: BenjiError.self) { _ = try Catalog(path: f.dir + "/junk") }
    }

    @Test func commitsAVersionAndListsIt() throws {
        let f = try CatalogFixture()
        let v = try f.commit(size: 4096 * 3 + 10, blocks: [0: 1, 1: nil, 3: 2])
        #expect(v.status == .valid)
        #expect(v.labels == ["k": "v"])
        let map = try f.map(v.id)
        #expect(map.count == 4)
        #expect(map[0]! == CatalogFixture.digest(1))
        #expect(map[1]! == nil)
        #expect(map[2]! == nil)
        #expect(map[3]! == CatalogFixture.digest(2))
        #expect(try f.catalog.lookup(CatalogFixture.digest(1))?.size == 4096)
        #expect(try f.catalog.versions().map(\.id) == [v.id])
    }

    @Test func incrementalInheritsAndSharesUnchangedSegments() throws {
        let f = try CatalogFixture()
        let blocks = 5000 // five segments
        var full: [Int64: Int?] = [:]
        for i in 0..<blocks { full[Int64(i)] = i }
        let size = Int64(blocks) * 4096
        let v1 = try f.commit(size: size, blocks: full)
        let segmentsAfterFirst = try f.count("segments")
        #expect(segmentsAfterFirst == 5)
        let v2 = try f.commit(size: size, blocks: [2500: 99_999], base: v1.id)
        // Only the segment holding block 2500 is new.
        #expect(try f.count("segments") == segmentsAfterFirst + 1)
        let m2 = try f.map(v2.id)
        #expect(m2[2500]! == CatalogFixture.digest(99_999))
        #expect(m2[2499]! == CatalogFixture.digest(2499))
        #expect(m2[4999]! == CatalogFixture.digest(4999))
        // An unchanged incremental adds no segment at all.
        _ = try f.commit(size: size, blocks: [:], base: v2.id)
        #expect(try f.count("segments") == segmentsAfterFirst + 1)
    }

    @Test func sizeChangesNeedTheBoundaryBlocks() throws {
        let f = try CatalogFixture()
        let v1 = try f.commit(size: 4096 * 2 + 100, blocks: [0: 1, 1: 2, 2: 3])
        // Growing: the old short last block must be listed.
        #expect(throws: BenjiError.self) { _ = try f.commit(size: 4096 * 4, blocks: [3: 4], base: v1.id) }
        let grown = try f.commit(size: 4096 * 4, blocks: [2: 5, 3: 4], base: v1.id)
        #expect(try f.map(grown.id).count == 4)
        // Shrinking to one block: block 0 is inherited whole.
        let shrunk = try f.commit(size: 4096, blocks: [:], base: grown.id)
        #expect(try f.map(shrunk.id) == [0: CatalogFixture.digest(1)])
    }

    @Test func checkBlocksCatchWrongHints() throws {
        let f = try CatalogFixture()
        let v1 = try f.commit(size: 4096 * 3, blocks: [0: 1, 1: 2, 2: nil])
        let w = try f.catalog.beginVersion(volume: "vm", snapshot: "", size: 4096 * 3, blockSize: 4096, base: v1.id,
                                           source: nil, labels: [], notice: { _ in })
        try w.add(idx: 0, .check(sha256: CatalogFixture.digest(1)))
        try w.add(idx: 1, .check(sha256: CatalogFixture.digest(2)))
        do {
            try w.add(idx: 2, .check(sha256: CatalogFixture.digest(7)))
            Issue.record("a changed block outside the hints went unnoticed")
        } catch let e as BenjiError {
            #expect(e.status == .dataError)
        }
        w.abort()
        #expect(try f.catalog.versions().count == 1)
    }

    @Test func uncommittedObjectsAreNotUsedForDedup() throws {
        let f = try CatalogFixture()
        let w = try f.catalog.beginVersion(volume: "vm", snapshot: "", size: 4096, blockSize: 4096, base: nil,
                                           source: nil, labels: [], notice: { _ in })
        try w.add(idx: 0, .object(sha256: CatalogFixture.digest(1), size: 4096, name: "n", storedSize: 1, written: true))
        #expect(try f.catalog.lookup(CatalogFixture.digest(1)) == nil)
        w.abort()
        #expect(try f.catalog.lookup(CatalogFixture.digest(1)) == nil)
        #expect(try f.catalog.versions().isEmpty)
        // A later backup that stores the same data again makes it valid.
        _ = try f.commit(size: 4096, blocks: [0: 1])
        #expect(try f.catalog.lookup(CatalogFixture.digest(1)) != nil)
    }

    @Test func referencesToUnknownObjectsAreRefused() throws {
        let f = try CatalogFixture()
        let w = try f.catalog.beginVersion(volume: "vm", snapshot: "", size: 4096, blockSize: 4096, base: nil,
                                           source: nil, labels: [], notice: { _ in })
        #expect(throws: BenjiError.self) {
            try w.add(idx: 0, .object(sha256: CatalogFixture.digest(1), size: 4096, name: "n", storedSize: nil, written: false))
        }
        w.abort()
    }

    /// The lease is renewed on a thread of its own, also while the writer adds nothing.
    @Test func leasesAreKeptWhileTheWriterIsBusyElsewhere() throws {
        let f = try CatalogFixture()
        let w = try f.catalog.beginVersion(volume: "vm", snapshot: "", size: 4096, blockSize: 4096, base: nil,
                                           source: nil, labels: [], notice: { _ in })
        try f.catalog.db.execute("UPDATE locks SET lease_until = 0 WHERE name = 'volume:vm'")
        let keeper = LeaseKeeper(catalogPath: f.path, lockName: "volume:vm", versionID: try #require(f.catalog.versions(volume: "vm").first?.id), every: 0.05)
        Thread.sleep(forTimeInterval: 0.5)
        keeper.stop()
        keeper.stop()
        let s = try f.catalog.db.statement("SELECT lease_until FROM locks WHERE name = 'volume:vm'")
        _ = try s.step()
        #expect(s.double(0) > Date().timeIntervalSince1970 + 60)
        s.reset()
        _ = try w.finish(size: 4096, statistics: BackupStatistics())
    }

    @Test func liveLocksBlockAndDeadLocksAreRecovered() throws {
        let f = try CatalogFixture()
        let w = try f.catalog.beginVersion(volume: "vm", snapshot: "", size: 4096, blockSize: 4096, base: nil,
                                           source: nil, labels: [], notice: { _ in })
        let other = try Catalog(path: f.path)
        do {
            _ = try other.beginVersion(volume: "vm", snapshot: "", size: 4096, blockSize: 4096, base: nil, source: nil, labels: [])
            Issue.record("two backups of one volume ran at once")
        } catch let e as BenjiError {
            #expect(e.status == .tempFail)
        }
        // Another volume is not blocked.
        _ = try other.beginVersion(volume: "other", snapshot: "", size: 0, blockSize: 4096, base: nil, source: nil, labels: [])
        // Pretend the holder died: a PID that does not run.
        try f.catalog.db.execute("UPDATE locks SET pid = 2147483000 WHERE name = 'volume:vm'")
        var notes: [String] = []
        let recovered = try other.beginVersion(volume: "vm", snapshot: "", size: 4096, blockSize: 4096, base: nil,
                                               source: nil, labels: [], notice: { notes.append($0) })
        #expect(notes.count == 1 && notes[0].contains("recovered"))
        #expect(try f.catalog.versions(volume: "vm").map(\.id) == [recovered.id])
        // The writer that lost its lock cannot commit.
        #expect(throws: BenjiError.self) { _ = try w.finish(size: 4096, statistics: BackupStatistics()) }
        _ = try recovered.finish(size: 4096, statistics: BackupStatistics())
    }

    @Test func removeAndProtect() throws {
        let f = try CatalogFixture()
        let v = try f.commit(size: 4096, blocks: [0: 1])
        try f.catalog.setProtected([v.id], true)
        do { try f.catalog.remove([v.id]); Issue.record("removed a protected version") } catch let e as BenjiError {
            #expect(e.status == .noPermission)
        }
        try f.catalog.setProtected([v.id], false)
        try f.catalog.remove([v.id])
        #expect(try f.catalog.versions().isEmpty)
        do { try f.catalog.remove([v.id]); Issue.record("removed twice") } catch let e as BenjiError {
            #expect(e.status == .notFound)
        }
    }

    /// Several versions are removed or protected all together, or not at all.
    @Test func removeAndProtectAreAllOrNothing() throws {
        let f = try CatalogFixture()
        let (a, b, c) = (try f.commit(size: 4096, blocks: [0: 1]), try f.commit(size: 4096, blocks: [0: 2]), try f.commit(size: 4096, blocks: [0: 3]))
        try f.catalog.setProtected([b.id], true)
        #expect(throws: BenjiError.self) { try f.catalog.remove([a.id, b.id, c.id]) }
        #expect(Set(try f.catalog.versions().map(\.id)) == [a.id, b.id, c.id])
        #expect(throws: BenjiError.self) { try f.catalog.setProtected([a.id, "nosuch"], true) }
        #expect(try f.catalog.version(a.id).protected == false)
        try f.catalog.remove([a.id, c.id, a.id])
        #expect(try f.catalog.versions().map(\.id) == [b.id])
    }

    @Test func baseMustBeValidWithTheSameBlockSize() throws {
        let f = try CatalogFixture()
        let v = try f.commit(size: 4096, blocks: [0: 1])
        #expect(throws: BenjiError.self) {
            _ = try f.catalog.beginVersion(volume: "vm", snapshot: "", size: 8192, blockSize: 8192, base: v.id, source: nil, labels: [])
        }
        do {
            _ = try f.catalog.beginVersion(volume: "vm", snapshot: "", size: 8192, blockSize: 4096, base: "nope", source: nil, labels: [])
            Issue.record("accepted a missing base")
        } catch let e as BenjiError {
            #expect(e.status == .notFound)
        }
    }
}
