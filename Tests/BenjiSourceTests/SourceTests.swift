import Foundation
import Testing
@testable import BenjiCore
@testable import BenjiSource

private func scratch() -> String {
    let path = NSTemporaryDirectory() + "benji-source-" + UUID().uuidString
    try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

@Suite struct SourceTests {
    @Test func opensFilesWithAndWithoutPrefix() throws {
        let dir = scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Data(repeating: 7, count: 10_000).write(to: URL(fileURLWithPath: dir + "/img"))
        for spec in [dir + "/img", "file:" + dir + "/img", "file://" + dir + "/img"] {
            let source = try openSource(spec)
            #expect(source.size == 10_000)
            #expect(source.name == "file:" + dir + "/img")
            #expect(source.isRandomAccess)
            var buffer = [UInt8](repeating: 0, count: 4096)
            let n = try buffer.withUnsafeMutableBytes { try source.read(at: 8192, into: $0) }
            #expect(n == 10_000 - 8192)
            #expect(buffer[0] == 7)
        }
        #expect(try openSource("-") is StreamSource)
    }

    /// Blocks that are not in the page cache are read with direct I/O into aligned buffers, the last
    /// (short) one too; unaligned buffers and cached blocks go through the cache; the bytes are the same.
    @Test func readsUncachedBlocksDirectly() throws {
        let dir = scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/img", size = 3 * 65536 + 1234
        let data = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 12) }
        try Data(data).write(to: URL(fileURLWithPath: path))
        let file = try FileDescriptor(path: path, flags: O_RDONLY)
        try file.sync()
        func dropFromCache() { #expect(posix_fadvise(file.rawValue, 0, 0, POSIX_FADV_DONTNEED) == 0) }
        // Direct reads happen where the file system takes them and its pages can be dropped (not tmpfs).
        dropFromCache()
        let expectDirect = try FileDescriptor(path: path, flags: O_RDONLY).setDirect(true) && file.isCached(length: size) == false

        let source = try FileSource(path: path)
        let block = 65536
        let aligned = UnsafeMutableRawBufferPointer.allocate(byteCount: block + 1, alignment: 4096)
        defer { aligned.deallocate() }
        for buffer in [UnsafeMutableRawBufferPointer(rebasing: aligned[0..<block]), UnsafeMutableRawBufferPointer(rebasing: aligned[1...])] {
            dropFromCache()
            for offset in stride(from: 0, to: size, by: block) {
                buffer.initializeMemory(as: UInt8.self, repeating: 0xEE)
                let n = try source.read(at: Int64(offset), into: buffer)
                #expect(n == min(block, size - offset))
                #expect(Array(buffer[0..<n]) == Array(data[offset..<(offset + n)]))
            }
        }
        // Four blocks direct (the aligned buffer), none for the unaligned one.
        #expect(source.directReadCount.withLock { $0 } == (expectDirect ? 4 : 0))
        // Cached now: read from there.
        let n = try source.read(at: 0, into: UnsafeMutableRawBufferPointer(rebasing: aligned[0..<block]))
        #expect(n == block && Array(aligned[0..<block]) == Array(data[0..<block]))
        #expect(source.directReadCount.withLock { $0 } == (expectDirect ? 4 : 0))
    }

    @Test func reportsMissingAndUnsupportedSources() {
        do { _ = try openSource("/nonexistent/image"); Issue.record("opened a missing file") } catch let e as BenjiError {
            #expect(e.status == .notFound)
        } catch { Issue.record("\(error)") }
        do { _ = try openSource("rbd:pool/image"); Issue.record("opened an rbd source") } catch let e as BenjiError {
            #expect(e.status == .config)
        } catch { Issue.record("\(error)") }
        do { _ = try openSource("/"); Issue.record("opened a directory") } catch let e as BenjiError {
            #expect(e.status == .usage)
        } catch { Issue.record("\(error)") }
        // A file of /proc has size 0 whatever it holds.
        do { _ = try openSource("/proc/self/status"); Issue.record("opened a /proc file") } catch let e as BenjiError {
            #expect(e.status == .usage && e.message.contains("kernel file system"))
        } catch { Issue.record("\(error)") }
    }

    /// A file truncated during a backup: the blocks past its new end are not holes, and the check at
    /// the end finds the new size.
    @Test func aFileTruncatedMeanwhileIsNoHole() throws {
        let dir = scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/img"
        let fd = try FileDescriptor(path: path, flags: O_WRONLY | O_CREAT)
        try [UInt8](repeating: 1, count: 3 << 20).withUnsafeBytes { try fd.write(at: 0, from: $0) }
        try fd.sync()
        let source = try FileSource(path: path)
        try source.checkUnchanged()
        try fd.truncate(to: 1 << 20)
        #expect(!source.isHole(at: 1 << 20, length: 1 << 20))
        #expect(!source.isHole(at: 2 << 20, length: 1 << 20))
        #expect(throws: BenjiError.self) { try source.checkUnchanged() }
        // A hole at the end of a file that keeps its size is still one, where the file system tells.
        try fd.truncate(to: 3 << 20)
        let grown = try FileSource(path: path)
        if grown.isHole(at: 2 << 20, length: 1 << 20) { try grown.checkUnchanged() }
    }

    @Test func findsHolesInSparseFiles() throws {
        let dir = scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/sparse"
        let fd = try FileDescriptor(path: path, flags: O_WRONLY | O_CREAT)
        try fd.truncate(to: 64 << 20)
        try [UInt8](repeating: 1, count: 4096).withUnsafeBytes { try fd.write(at: 32 << 20, from: $0) }
        try fd.sync()
        let source = try FileSource(path: path)
        // Whether a file system reports holes is its choice; where it does, data is never called a hole.
        #expect(!source.isHole(at: 32 << 20, length: 4096))
        #expect(!source.isHole(at: (32 << 20) - 4096, length: 8192))
        if source.isHole(at: 0, length: 1 << 20) {
            #expect(source.isHole(at: 60 << 20, length: 4 << 20))
        }
    }

    @Test func streamSourcesReadInOrder() throws {
        let dir = scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Data(repeating: 3, count: 5000).write(to: URL(fileURLWithPath: dir + "/s"))
        let source = StreamSource(fd: try FileDescriptor(path: dir + "/s", flags: O_RDONLY))
        #expect(source.size == nil)
        var buffer = [UInt8](repeating: 0, count: 4096)
        #expect(try buffer.withUnsafeMutableBytes { try source.read(at: 0, into: $0) } == 4096)
        #expect(try buffer.withUnsafeMutableBytes { try source.read(at: 4096, into: $0) } == 904)
    }
}

@Suite struct TargetTests {
    @Test func refusesToOverwriteWithoutForce() throws {
        let dir = scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/out"
        try Data([1]).write(to: URL(fileURLWithPath: path))
        do {
            _ = try RestoreTarget(path: path, size: 10, sparse: false, force: false, blockSize: 4096)
            Issue.record("overwrote an existing file")
        } catch let e as BenjiError {
            #expect(e.status == .cannotCreate)
        }
        _ = try RestoreTarget(path: path, size: 10, sparse: false, force: true, blockSize: 4096)
    }

    @Test func writesDataAndZerosSparseOrNot() throws {
        let dir = scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for sparse in [false, true] {
            let path = dir + "/out-\(sparse)"
            let target = try RestoreTarget(path: path, size: 3 * 4096 + 5, sparse: sparse, force: false, blockSize: 4096)
            try [UInt8](repeating: 9, count: 4096).withUnsafeBytes { try target.write(at: 4096, $0) }
            try target.zero(at: 0, length: 4096)
            try target.zero(at: 2 * 4096, length: 4096 + 5)
            try target.finish(size: 3 * 4096 + 5, durable: true)
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            #expect(data.count == 3 * 4096 + 5)
            #expect(data[0..<4096].allSatisfy { $0 == 0 })
            #expect(data[4096..<8192].allSatisfy { $0 == 9 })
            #expect(data[8192...].allSatisfy { $0 == 0 })
        }
    }
}
