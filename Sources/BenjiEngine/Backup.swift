import BenjiCore
import BenjiRecords
import BenjiChunking
import BenjiSeal
import BenjiStore
import BenjiCatalog
import BenjiSource
import Foundation

/// Everything a backup or restore needs: the catalog, the store and how objects are sealed.
public struct Repository: @unchecked Sendable {
    public let catalogPath: String
    public let catalog: Catalog
    public let store: ObjectStore
    public let storeConfig: StoreConfig
    public let keys: StoreKeys
    public let sealer: Sealer

    /// Opens a catalog and a store, checks that they belong together, and unlocks the store's keys.
    /// `readOnlyCatalog`: for commands that only read the catalog (`Catalog.init(path:readOnlyAllowed:)`).
    ///
    /// - Throws: 78 if the catalog records another store; 77 for a wrong key (before any object is read).
    public init(catalogPath: String, storeURL: String, seal: SealOptions = .default, credential: Credential? = nil,
                readOnlyCatalog: Bool = false) throws {
        store = try openStore(url: storeURL)
        storeConfig = try StoreConfig.load(store)
        self.catalogPath = catalogPath
        catalog = try Catalog(path: catalogPath, readOnlyAllowed: readOnlyCatalog)
        guard catalog.storeID == storeConfig.id else {
            throw BenjiError(.config, "catalog \(catalogPath) belongs to store \(catalog.storeID), but \(store.url) is store \(storeConfig.id)")
        }
        keys = try StoreKeys.unlock(store: store, config: storeConfig, credential: credential)
        sealer = try Sealer(options: seal, keys: keys.isEncrypted ? keys : nil)
    }
}

/// What to back up and how.
public struct BackupRequest: Sendable {
    public var volume: String
    public var snapshot: String = ""
    public var base: String?
    public var hints: [Extent]?
    public var labels: [(String, String)] = []
    public var blockSize: Int?
    /// Re-read a sample of blocks outside the hints and compare with the base.
    public var checkUnchanged = true
    /// The size the source must have: a stream that ends short or runs long, or a file or device of
    /// another size, is refused (65) and nothing is committed.
    public var expectedSize: Int64?

    public init(volume: String) { self.volume = volume }
}

/// The all-in-one backup: the stages of the pipeline in one process, on all cores, with memory bounded
/// by a window of blocks in flight.
public final class BackupEngine {
    private let repository: Repository
    private let threads: Int

    public init(repository: Repository, threads: Int = defaultWorkerCount) {
        self.repository = repository
        self.threads = threads
    }

    /// Runs a backup and returns the committed version.
    public func backup(source: BlockSource, request: BackupRequest) throws -> VersionInfo {
        let started = Date()
        let catalog = repository.catalog
        try repository.keys.requireSealing()
        let baseInfo = try request.base.map { try catalog.version($0) }
        let blockSize = request.blockSize ?? baseInfo?.blockSize ?? BlockSizeLimits.default
        guard BlockSizeLimits.validate(blockSize) else {
            throw BenjiError(.usage, "block size \(blockSize) must be a multiple of 4096 between 4 KiB and 64 MiB")
        }
        if request.hints != nil && source.size == nil {
            throw BenjiError(.usage, "hints need a source of known size, not a stream")
        }
        // Everything that can be refused is checked before the version and its lock exist.
        if let size = source.size {
            try checkSize(size, of: source, expected: request.expectedSize)
            guard BlockGeometry(size: size, blockSize: blockSize).blockCount <= StreamValidator.maximumBlocks else {
                throw BenjiError(.usage, "\(size) bytes in blocks of \(blockSize) are more than \(StreamValidator.maximumBlocks) blocks; use a larger --block-size")
            }
        }
        let plan = try source.size.map {
            try Stages.plan(size: $0, blockSize: blockSize, hints: request.hints, base: baseInfo, check: request.checkUnchanged)
        }
        let writer = try catalog.beginVersion(
            volume: request.volume, snapshot: request.snapshot, size: source.size, blockSize: blockSize,
            base: request.base, source: source.name, labels: request.labels)
        do {
            let stats = try run(source: source, request: request, plan: plan, blockSize: blockSize, writer: writer)
            var statistics = stats.statistics
            statistics.duration = Date().timeIntervalSince(started)
            try repository.store.flush()
            return try writer.finish(size: stats.size, statistics: statistics)
        } catch {
            writer.abort()
            throw error
        }
    }

    private enum Work: Sendable {
        case read(Int64, BlockAction)
        case data(Int64, [UInt8])
    }

    private struct Outcome: Sendable {
        var idx: Int64
        var outcome: BlockOutcome
        var size: Int
        var read: Bool
        var deduplicated: Bool
    }

    private func run(source: BlockSource, request: BackupRequest, plan: BlockPlan?, blockSize: Int,
                     writer: VersionWriter) throws -> (size: Int64, statistics: BackupStatistics) {
        // Dedup lookups come from the worker threads: they share a second connection.
        let lookup = Locked(try Catalog(path: repository.catalogPath))
        let store = repository.store
        let sealer = repository.sealer
        let keys = repository.keys
        var stats = BackupStatistics()

        var produce: () throws -> Work?
        var geometry: BlockGeometry
        if let size = source.size, let plan {
            geometry = BlockGeometry(size: size, blockSize: blockSize)
            var iterator = plan.makeIterator()
            produce = { iterator.next().map { .read($0.0, $0.1) } }
        } else {
            geometry = BlockGeometry(size: 0, blockSize: blockSize)
            var idx: Int64 = 0
            var ended = false
            produce = {
                if ended { return nil }
                var data = [UInt8](unsafeUninitializedCapacity: blockSize) { _, c in c = blockSize }
                let n = try data.withUnsafeMutableBytes { try source.read(at: Int64(idx) * Int64(blockSize), into: $0) }
                if n < blockSize { ended = true; data.removeLast(blockSize - n) }
                if n == 0 { return nil }
                defer { idx += 1 }
                return .data(idx, data)
            }
        }
        let fixedGeometry = geometry
        var streamed: Int64 = 0

        let readBuffers = BufferPool(size: blockSize)
        let objects = ObjectWriterPool(store: store, threads: 2, capacity: 8,
                                       bufferSize: Sealer.maximumObjectSize(plaintextSize: blockSize))
        defer { objects.close() }

        /// Seals and stores one block (whose digest is nil if it is all zeros) unless the store has it.
        @Sendable func process(_ idx: Int64, _ bytes: UnsafeRawBufferPointer, _ action: BlockAction, _ digest: SHA256Digest?) throws -> Outcome {
            let size = bytes.count
            if action == .check {
                return Outcome(idx: idx, outcome: .check(sha256: digest), size: size, read: true, deduplicated: false)
            }
            guard let digest else {
                return Outcome(idx: idx, outcome: .zero, size: size, read: true, deduplicated: false)
            }
            // A block whose object is missing from the lookup (unknown, pending or invalid) is stored again.
            if let known = try lookup.withLock({ try $0.lookup(digest) }) {
                return Outcome(idx: idx, outcome: .object(sha256: digest, size: size, name: known.name, storedSize: nil, written: false),
                               size: size, read: true, deduplicated: true)
            }
            let name = keys.blockName(for: digest)
            let out = objects.buffer()
            let length: Int
            do {
                length = try sealer.seal(bytes, digest: digest, into: out)
            } catch {
                objects.recycle(out)
                throw error
            }
            try objects.submit(name: name, buffer: out, length: length)
            return Outcome(idx: idx, outcome: .object(sha256: digest, size: size, name: name, storedSize: length, written: true),
                           size: size, read: true, deduplicated: false)
        }

        /// Processes blocks read (or streamed) into `buffers`: their digests computed together where there
        /// are two (`SHA256.hash(_:_:)`: on one core, two blocks take little more than one).
        @Sendable func process(_ blocks: [(idx: Int64, action: BlockAction)], _ buffers: [UnsafeRawBufferPointer]) throws -> [Outcome] {
            let digests = Stages.digestsOrZero(buffers)
            return try blocks.indices.map { try process(blocks[$0].idx, buffers[$0], blocks[$0].action, digests[$0]) }
        }

        // Blocks go to the workers in pairs (`process`). One thread more than cores: a thread waiting for a
        // read leaves its core to another.
        try orderedParallelMap(threads: threads + 1, window: source.isRandomAccess ? 32 : threads + 2, produce: { () -> [Work]? in
            guard let first = try produce() else { return nil }
            guard let second = try produce() else { return [first] }
            return [first, second]
        }, transform: { (pair: [Work]) -> [Outcome] in
            var outcomes = [Outcome?](repeating: nil, count: pair.count)
            var reads: [(at: Int, idx: Int64, action: BlockAction)] = []
            var fromStream: [(at: Int, idx: Int64, data: [UInt8])] = []
            for (i, work) in pair.enumerated() {
                switch work {
                case .read(let idx, .zero):
                    outcomes[i] = Outcome(idx: idx, outcome: .zero, size: fixedGeometry.size(of: idx), read: false, deduplicated: false)
                case .read(let idx, .read) where source.isHole(at: fixedGeometry.offset(of: idx), length: fixedGeometry.size(of: idx)):
                    // A hole in a sparse file: zero without reading it.
                    outcomes[i] = Outcome(idx: idx, outcome: .zero, size: fixedGeometry.size(of: idx), read: false, deduplicated: false)
                case .read(let idx, let action):
                    reads.append((i, idx, action))
                case .data(let idx, let data):
                    fromStream.append((i, idx, data))
                }
            }
            if !reads.isEmpty {
                try readBuffers.with { first in
                    try readBuffers.with { second in
                        let buffers = try zip(reads, [first, second]).map { read, buffer in
                            try Stages.read(source: source, idx: read.idx, geometry: fixedGeometry, into: buffer)
                        }
                        let done = try process(reads.map { ($0.idx, $0.action) }, buffers)
                        for (read, outcome) in zip(reads, done) { outcomes[read.at] = outcome }
                    }
                }
            }
            if let first = fromStream.first {
                let blocks = fromStream.map { (idx: $0.idx, action: BlockAction.read) }
                let done = try first.data.withUnsafeBytes { a in
                    guard let second = fromStream.dropFirst().first else { return try process(blocks, [a]) }
                    return try second.data.withUnsafeBytes { b in try process(blocks, [a, b]) }
                }
                for (block, outcome) in zip(fromStream, done) { outcomes[block.at] = outcome }
            }
            return outcomes.map { $0! }
        }, consume: { pair in
            for o in pair {
                try writer.add(idx: o.idx, o.outcome)
                if o.read { stats.bytesRead += Int64(o.size) }
                if case .zero = o.outcome { stats.bytesSparse += Int64(o.size) }
                if o.deduplicated { stats.bytesDeduplicated += Int64(o.size) }
                streamed += Int64(o.size)
            }
        })
        stats.bytesWritten = try objects.finish()
        try source.checkUnchanged()
        if source.size == nil && streamed == 0 { throw emptyStreamError(source) }
        let size = source.size ?? streamed
        try checkSize(size, of: source, expected: request.expectedSize)
        return (size, stats)
    }
}
