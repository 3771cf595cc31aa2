import Foundation
import Testing
@testable import BenjiCore

@Suite struct HexTests {
    @Test func roundTrip() {
        let bytes: [UInt8] = [0, 1, 0x7f, 0x80, 0xfe, 0xff]
        #expect(Hex.encode(bytes) == "00017f80feff")
        #expect(Hex.decode("00017f80feff") == bytes)
        #expect(Hex.decode("00017F80FEFF") == bytes)
    }

    @Test func rejectsBadInput() {
        #expect(Hex.decode("abc") == nil)
        #expect(Hex.decode("zz") == nil)
    }
}

@Suite struct DigestTests {
    @Test func sha256KnownAnswers() {
        // FIPS 180-2 test vectors.
        #expect(SHA256.hash(Array("abc".utf8)).hex == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256.hash([]).hex == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        let million = [UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)
        #expect(SHA256.hash(million).hex == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    /// The paired SHA-NI code against OpenSSL: the known answers, both messages at every length up to
    /// 300 bytes (every padding case, at both alignments) against partners of other lengths, and
    /// block-sized messages that differ in one byte.
    @Test func pairedDigestsMatchOpenSSL() throws {
        try #require(SHA256.hashesPairsTogether, "this CPU has no SHA extensions: the pairs are hashed one after the other")
        var generator = SystemRandomNumberGenerator()
        let data = (0..<5_000).map { _ in UInt8.random(in: 0...255, using: &generator) }
        data.withUnsafeBytes { all in
            func check(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) {
                let (da, db) = SHA256.pairedHash(a, b)
                #expect(da == SHA256.hash(a) && db == SHA256.hash(b), "lengths \(a.count) and \(b.count)")
            }
            let abc = Array("abc".utf8)
            let million = [UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)
            abc.withUnsafeBytes { a in
                million.withUnsafeBytes { m in
                    let (d1, d2) = SHA256.pairedHash(a, m)
                    #expect(d1.hex == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
                    #expect(d2.hex == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
                    check(m, a)
                    check(UnsafeRawBufferPointer(rebasing: m[0..<0]), m)
                }
            }
            for n in 0...300 {
                check(UnsafeRawBufferPointer(rebasing: all[0..<n]), UnsafeRawBufferPointer(rebasing: all[1001..<(1001 + n)]))
                check(UnsafeRawBufferPointer(rebasing: all[3..<(3 + n)]), UnsafeRawBufferPointer(rebasing: all[2000..<(2000 + (n * 7) % 1_000)]))
            }
        }
        var a = [UInt8](repeating: 0x5a, count: 4 << 20)
        var b = a
        b[(4 << 20) - 1] ^= 1
        let (da, db) = a.withUnsafeBytes { x in b.withUnsafeBytes { y in SHA256.pairedHash(x, y) } }
        #expect(da == SHA256.hash(a) && db == SHA256.hash(b) && da != db)
        a[0] ^= 1
        let (dc, dd) = a.withUnsafeBytes { x in b.withUnsafeBytes { y in SHA256.hash(x, y) } }
        #expect(dc == SHA256.hash(a) && dd == db)
    }

    /// Any number of buffers, hashed in pairs (with or without the SHA extensions), in order.
    @Test func eachBufferGetsItsOwnDigest() {
        let arrays = (0..<5).map { n in [UInt8](repeating: UInt8(n), count: 1_000 * n + 63) }
        for count in 0...arrays.count {
            let some = Array(arrays[0..<count])
            #expect(SHA256.hash(each: some) == some.map { SHA256.hash($0) })
        }
    }

    @Test func digestParsesItsHex() throws {
        let d = SHA256.hash(Array("benji".utf8))
        #expect(SHA256Digest(hex: d.hex) == d)
        #expect(SHA256Digest(hex: "00") == nil)
        #expect(d.bytes.count == 32)
    }
}

@Suite struct ConcurrencyTests {
    @Test func orderedParallelMapKeepsOrder() throws {
        var next = 0
        var seen: [Int] = []
        try orderedParallelMap(threads: 4, window: 8, produce: { () -> Int? in
            guard next < 1000 else { return nil }
            defer { next += 1 }
            return next
        }, transform: { (n: Int) -> Int in
            if n % 7 == 0 { usleep(100) }
            return n * 2
        }, consume: { seen.append($0) })
        #expect(seen == (0..<1000).map { $0 * 2 })
    }

    /// What is done goes out while the producer waits for more input: here the producer waits for the
    /// first result to be consumed before it produces the second.
    @Test func orderedParallelMapConsumesWhileTheProducerWaits() throws {
        let firstConsumed = DispatchSemaphore(value: 0)
        var next = 0
        var waited: DispatchTimeoutResult?
        var seen: [Int] = []
        try orderedParallelMap(threads: 2, window: 8, produce: { () -> Int? in
            if next == 1 { waited = firstConsumed.wait(timeout: .now() + 10) }
            guard next < 3 else { return nil }
            defer { next += 1 }
            return next
        }, transform: { (n: Int) -> Int in n }, consume: { n in
            seen.append(n)
            if n == 0 { firstConsumed.signal() }
        })
        #expect(waited == .success, "the first result was held back while the producer waited")
        #expect(seen == [0, 1, 2])
    }

    @Test func orderedParallelMapStopsAtTheFirstError() {
        struct Boom: Error {}
        var next = 0
        var consumed = 0
        #expect(throws: Boom.self) {
            try orderedParallelMap(threads: 3, window: 4, produce: { () -> Int? in
                guard next < 100 else { return nil }
                defer { next += 1 }
                return next
            }, transform: { (n: Int) -> Int in
                if n == 50 { throw Boom() }
                return n
            }, consume: { _ in consumed += 1 })
        }
        #expect(consumed == 50)
        #expect(next < 100, "the producer must stop soon after the failure")
    }

    @Test func boundedQueueDrainsAfterClose() {
        let q = BoundedQueue<Int>(capacity: 2)
        #expect(q.push(1))
        #expect(q.push(2))
        q.close()
        #expect(!q.push(3))
        #expect(q.pop() == 1)
        #expect(q.pop() == 2)
        #expect(q.pop() == nil)
    }

    @Test func aLentBufferGoesBackToItsPoolWhenReleased() {
        let pool = BufferPool(size: 8192)
        var lent: PooledBuffer? = pool.lend()
        let first = lent!.bytes.baseAddress
        #expect(lent!.bytes.count == 8192)
        #expect(Int(bitPattern: first) % 4096 == 0)
        // While it is lent, the pool hands out another buffer.
        pool.with { other in #expect(other.baseAddress != first) }
        lent = nil
        pool.with { again in #expect(again.baseAddress == first) }
        // A buffer released after the last reference to its pool still finds it.
        var orphan: PooledBuffer? = BufferPool(size: 4096).lend()
        orphan!.bytes.storeBytes(of: 1, as: UInt8.self)
        orphan = nil
        #expect(lent == nil && orphan == nil)
    }
}

@Suite struct TimestampTests {
    @Test func formatsAndParsesRFC3339() throws {
        let date = Date(timeIntervalSince1970: 1_795_000_000.25)
        let text = Timestamp.format(date)
        #expect(text == "2026-11-18T11:06:40Z")
        #expect(Timestamp.parse(text) == Date(timeIntervalSince1970: 1_795_000_000))
        let fractional = Timestamp.format(date, fractional: true)
        #expect(fractional == "2026-11-18T11:06:40.250000Z")
        #expect(abs(Timestamp.parse(fractional)!.timeIntervalSince1970 - 1_795_000_000.25) < 1e-6)
        #expect(Timestamp.parse("2026-11-18 08:26:40Z") == nil)
        #expect(Timestamp.parse("yesterday") == nil)
    }

    @Test func formatsBytes() {
        #expect(formatBytes(512) == "512 B")
        #expect(formatBytes(4 << 20) == "4.0 MiB")
    }
}

@Suite struct GeometryTests {
    @Test func lastBlockIsShort() {
        let g = BlockGeometry(size: 10_000, blockSize: 4096)
        #expect(g.blockCount == 3)
        #expect(g.size(of: 0) == 4096)
        #expect(g.size(of: 2) == 10_000 - 8192)
        #expect(BlockGeometry(size: 0, blockSize: 4096).blockCount == 0)
        #expect(BlockSizeLimits.validate(4 << 20))
        #expect(!BlockSizeLimits.validate(1000))
        #expect(!BlockSizeLimits.validate(128 << 20))
    }
}

@Suite struct ExitStatusTests {
    @Test func documentedCodes() {
        let codes = ExitStatus.allCases.map(\.rawValue)
        #expect(codes == [0, 1, 3, 64, 65, 66, 69, 73, 74, 75, 77, 78, 129, 130, 143, 141])
        #expect(BenjiError.system("x", errno: ENOENT).status == .notFound)
        #expect(BenjiError.system("x", errno: EACCES).status == .noPermission)
        #expect(BenjiError.system("x", errno: EIO).status == .ioError)
    }
}

@Suite struct FileSystemTests {
    /// Restores fill the page cache ahead of their writes only where that reads zeros without I/O.
    @Test func tellsLocalFileSystemsThatReadHolesWithoutIO() throws {
        for dir in [FileManager.default.currentDirectoryPath, "/dev/shm", "/proc"] where FileManager.default.fileExists(atPath: dir) {
            // What stat(1) says the file system is, in hex.
            let stat = Process()
            stat.executableURL = URL(fileURLWithPath: "/usr/bin/stat")
            stat.arguments = ["-f", "-c", "%t", dir]
            let out = Pipe()
            stat.standardOutput = out
            try stat.run()
            stat.waitUntilExit()
            let hex = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            let type = Int(hex.trimmingCharacters(in: .whitespacesAndNewlines), radix: 16)
            let expected = [0xEF53, 0x5846_5342, 0x9123_683E].contains(type ?? -1)
            #expect(try FileDescriptor(path: dir, flags: O_RDONLY).readsHolesWithoutIO() == expected, "\(dir): type \(hex)")
        }
        #expect(!(try FileDescriptor(path: "/proc", flags: O_RDONLY).readsHolesWithoutIO()))
    }

    /// Direct reads are chosen by whether a range is cached: `cachestat` (where the kernel has it) and
    /// `mincore` agree, for a whole file and for a range at an offset, before and after reading it.
    @Test func cachestatAndMincoreAgreeOnWhatIsCached() throws {
        let path = NSTemporaryDirectory() + "benji-cached-" + UUID().uuidString
        defer { unlink(path) }
        let length = 3 * 4096 + 100
        try Data(repeating: 9, count: length).write(to: URL(fileURLWithPath: path))
        let fd = try FileDescriptor(path: path, flags: O_RDONLY)
        try fd.sync()
        func agree(at offset: Int64, _ n: Int) -> Bool? {
            let m = fd.isCachedByMincore(at: offset, length: n), c = fd.isCachedByCachestat(at: offset, length: n)
            #expect(m != nil)
            if let c { #expect(c == m, "cachestat \(c), mincore \(String(describing: m)) at \(offset)+\(n)") }
            #expect(fd.isCached(at: offset, length: n) == (c ?? m))
            return m
        }
        #expect(posix_fadvise(fd.rawValue, 0, 0, POSIX_FADV_DONTNEED) == 0)
        // Dropped (except on tmpfs, where the pages are the file: then both say cached).
        let dropped = agree(at: 0, length) == false
        var buffer = [UInt8](repeating: 0, count: length)
        #expect(try buffer.withUnsafeMutableBytes { try fd.read(at: 0, into: $0) } == length)
        #expect(agree(at: 0, length) == true)
        #expect(agree(at: 4096, 4096) == true)
        // Only the first page dropped: the range after it is still cached, the whole file is not.
        #expect(posix_fadvise(fd.rawValue, 0, 4096, POSIX_FADV_DONTNEED) == 0)
        #expect(agree(at: 4096, length - 4096) == true)
        #expect(agree(at: 0, length) == !dropped)
    }
}
