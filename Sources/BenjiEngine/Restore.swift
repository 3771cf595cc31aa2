import BenjiCore
import BenjiSeal
import BenjiStore
import BenjiCatalog
import BenjiSource
import Foundation

/// A byte range a restore could not produce, and why.
public struct BadRange: Sendable, Equatable {
    public var offset: Int64
    public var length: Int64
    public var reason: String

    public init(offset: Int64, length: Int64, reason: String) {
        self.offset = offset; self.length = length; self.reason = reason
    }
}

/// Collects bad blocks into ranges: adjacent blocks with the same reason become one range.
public struct BadRangeCollector: Sendable {
    public private(set) var ranges: [BadRange] = []
    public init() {}

    public mutating func add(offset: Int64, length: Int64, reason: String) {
        if var last = ranges.last, last.offset + last.length == offset, last.reason == reason {
            last.length += length
            ranges[ranges.count - 1] = last
        } else {
            ranges.append(BadRange(offset: offset, length: length, reason: reason))
        }
    }
}

/// The result of a restore.
public struct RestoreReport: Sendable {
    public var version: VersionInfo
    public var badRanges: [BadRange]
    public var bytesWritten: Int64
    public var duration: Double
}

/// The all-in-one restore: fetches, opens and verifies objects on all cores and writes them in place.
/// A missing or damaged object does not stop it: the block is written as zeros and reported.
public final class RestoreEngine {
    private let repository: Repository
    private let threads: Int

    public init(repository: Repository, threads: Int = defaultWorkerCount) {
        self.repository = repository
        self.threads = threads
    }

    public func restore(versionID: String, to path: String, sparse: Bool, force: Bool, durable: Bool = false) throws -> RestoreReport {
        let started = Date()
        let version = try repository.catalog.version(versionID)
        try repository.keys.requireOpening()
        guard version.status != .incomplete, let size = version.size else {
            throw BenjiError(.dataError, "version \(versionID) is incomplete and cannot be restored")
        }
        let target = try RestoreTarget(path: path, size: size, sparse: sparse, force: force, blockSize: version.blockSize)
        let geometry = BlockGeometry(size: size, blockSize: version.blockSize)
        let store = repository.store
        let sealer = repository.sealer
        var bad = BadRangeCollector()
        var written: Int64 = 0
        // Objects found missing or damaged: recorded as invalid at the end, so that dedup stops trusting them.
        let damaged = Locked<Set<Int64>>([])

        // The catalog walk runs on a thread of its own and feeds a bounded queue, so that the producer
        // below never holds the catalog connection while workers run.
        let entries = BoundedQueue<BlockEntry>(capacity: 4096)
        let walkError = Locked<Error?>(nil)
        let catalogPath = repository.catalogPath
        let walker = Thread {
            do {
                let catalog = try Catalog(path: catalogPath, readOnlyAllowed: true)
                try catalog.blocks(of: versionID) { entry in
                    if !entries.push(entry) { throw CancellationError() }
                }
            } catch is CancellationError {
            } catch {
                walkError.withLock { $0 = error }
            }
            entries.close()
        }
        walker.start()
        defer { entries.close() }

        // Files and devices are written in place by the workers from reused buffers; stdout takes the
        // blocks in order from the consuming thread.
        let direct = target.kind != .stream
        // Rounded up for direct reads (the file store's), which read whole aligned units.
        let objectBuffers = BufferPool(size: directReadRoom(Sealer.maximumObjectSize(plaintextSize: version.blockSize)))
        let plainBuffers = BufferPool(size: version.blockSize)

        // A restore that stops (not one with bad blocks, which finishes) leaves no new file behind.
        var finished = false
        defer { if !finished { target.discard() } }
        /// What became of a block: written (or zero), lent to the consumer (stdout), or bad.
        typealias Done = (entry: BlockEntry, data: (PooledBuffer, Int)?, failure: BenjiError?)

        /// A block whose object is missing or damaged: reported, and its range zeros (again, if its data
        /// was `written` before its check failed). A missing object in a store whose config object is gone
        /// too means the store is gone: that stops the restore.
        @Sendable func skip(_ entry: BlockEntry, _ e: BenjiError, written: Bool = false) throws -> Done {
            if e.status == .notFound && (try? store.exists(ObjectKey.config)) != true {
                throw BenjiError(.unavailable, "store \(store.url) is no longer reachable (its config object is gone)")
            }
            if e.status == .notFound || e.status == .dataError, let object = entry.object {
                damaged.withLock { _ = $0.insert(object.id) }
            }
            if direct {
                let offset = geometry.offset(of: entry.idx)
                try written ? target.rezero(at: offset, length: entry.size) : target.zero(at: offset, length: entry.size)
            }
            return (entry, nil, e)
        }

        // Blocks go to the workers in pairs, whose checksums are computed together (`SHA256.hash(_:_:)`:
        // on one core, two blocks take little more than one). Objects are named to the store as they enter
        // the window, so that their reads overlap with the work on the blocks before them.
        try orderedParallelMap(threads: threads + 2, window: threads * 2 + 4, produce: { () -> [BlockEntry]? in
            var pair: [BlockEntry] = []
            while pair.count < 2, let entry = entries.pop() {
                if let name = entry.object?.name { store.prefetch(ObjectKey.block(name)) }
                pair.append(entry)
            }
            return pair.isEmpty ? nil : pair
        }, transform: { (pair: [BlockEntry]) -> [Done] in
            var done: [Done?] = Array(repeating: nil, count: pair.count)
            // Blocks whose objects opened: where in the pair, the plaintext (lent), its size.
            var opened: [(at: Int, plain: PooledBuffer, size: Int)] = []
            for (i, entry) in pair.enumerated() {
                guard let object = entry.object else {
                    if direct { try target.zero(at: geometry.offset(of: entry.idx), length: entry.size) }
                    done[i] = (entry, nil, nil)
                    continue
                }
                if direct { target.prepareWrite(at: geometry.offset(of: entry.idx), length: entry.size) }
                // Released (back to the pool) here for a file or device; by the consumer for stdout.
                let plain = plainBuffers.lend()
                // A missing or damaged object is reported and skipped; an unreachable store or a missing
                // key stops the restore, as does any failure to write the target.
                do {
                    let m = try objectBuffers.with { objectBuffer in
                        // The store's errors name the object; the opener's get its name here.
                        let n = try store.get(ObjectKey.block(object.name), into: objectBuffer)
                        do {
                            let m = try sealer.openUnverified(inPlace: UnsafeMutableRawBufferPointer(rebasing: objectBuffer[0..<n]),
                                                              expected: object.sha256, into: plain.bytes)
                            guard m == entry.size else { throw BenjiError.data("it holds \(m) bytes, the block \(entry.size)") }
                            return m
                        } catch let e as BenjiError {
                            throw BenjiError(e.status, "object \(object.name): \(e.message)")
                        }
                    }
                    // Written while the data is still in the CPU's cache, checked with the other block of
                    // the pair below (and zeroed again if it fails).
                    if direct { try target.write(at: geometry.offset(of: entry.idx), UnsafeRawBufferPointer(rebasing: plain.bytes[0..<m])) }
                    opened.append((i, plain, m))
                } catch let e as BenjiError where e.status != .unavailable && e.status != .noPermission {
                    done[i] = try skip(entry, e.status == .notFound ? missingBlockObject(object.name, in: store) : e)
                }
            }
            let plaintexts = opened.map { UnsafeRawBufferPointer(rebasing: $0.plain.bytes[0..<$0.size]) }
            let digests = SHA256.hash(each: plaintexts)
            for (k, o) in opened.enumerated() {
                let entry = pair[o.at], object = entry.object!
                do {
                    try Sealer.verify(digests[k], expected: object.sha256)
                } catch let e as BenjiError {
                    done[o.at] = try skip(entry, BenjiError(e.status, "object \(object.name): \(e.message)"), written: direct)
                    continue
                }
                if direct {
                    done[o.at] = (entry, nil, nil)
                } else {
                    done[o.at] = (entry, (o.plain, o.size), nil)
                }
            }
            return done.map { $0! }
        }, consume: { pair in
            for (entry, data, failure) in pair {
                let offset = geometry.offset(of: entry.idx)
                if let failure {
                    bad.add(offset: offset, length: Int64(entry.size), reason: failure.message)
                    if !direct { try target.zero(at: offset, length: entry.size) }
                    continue
                }
                if entry.object != nil { written += Int64(entry.size) }
                if direct { continue }
                if let (buffer, count) = data {
                    try target.write(at: offset, UnsafeRawBufferPointer(rebasing: buffer.bytes[0..<count]))
                } else {
                    try target.zero(at: offset, length: entry.size)
                }
            }
        })
        if let error = walkError.withLock({ $0 }) { throw error }
        try target.finish(size: size, durable: durable)
        finished = true
        let invalid = damaged.withLock { Array($0) }.sorted()
        do {
            try repository.catalog.markInvalid(objectIDs: invalid)
        } catch {
            // The restore itself is done; a read-only catalog only keeps dedup trusting these objects.
            printNote("\(invalid.count) missing or damaged object(s) could not be marked invalid in the catalog: \(error)")
        }
        return RestoreReport(version: version, badRanges: bad.ranges, bytesWritten: written,
                             duration: Date().timeIntervalSince(started))
    }
}
