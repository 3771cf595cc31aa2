import BenjiCore
import Foundation

/// What a backup found for one block.
public enum BlockOutcome: Sendable {
    /// All zeros: nothing stored.
    case zero
    /// Data in an object. `written` says this backup stored (or rewrote) the object, so that it becomes
    /// valid when the version commits; otherwise it was deduplicated against a valid object.
    case object(sha256: SHA256Digest, size: Int, name: String, storedSize: Int?, written: Bool)
    /// A block outside the hints, read only to check that it equals the base: its digest (nil if zero).
    case check(sha256: SHA256Digest?)
}

/// Builds the block map of a new version segment by segment as blocks arrive in ascending order,
/// sharing unchanged segments with the base, and commits it atomically in `finish`.
///
/// Memory stays at one segment (1024 entries) however large the image; catalog writes are proportional
/// to the segments that changed. Until `finish`, the version is `incomplete` and the objects it wrote are
/// `pending` (invisible to dedup), so an interrupted backup never leaves anything that looks valid.
public final class VersionWriter {
    public let id: String
    private let catalog: Catalog
    private let lockName: String
    private let blockSize: Int
    private let base: VersionInfo?
    private let baseSegments: [Int64]

    private var segmentIndex = 0
    private var entries: [Int64]?
    private var dirty = false
    private var segments: [Int64] = []
    private var lastIdx: Int64 = -1
    /// Whether the base's last block was listed (it must be when the image size changed).
    private var baseLastListed = false
    private var lastRenewal = Date()
    private var finished = false

    /// Catalog writes wait in memory and go in short transactions (a few thousand rows, or a second's
    /// worth), so that concurrent backups and commands never wait long for the write lock. New objects
    /// get placeholder ids (-1, -2, …) in the current segment until they are inserted.
    private var newObjects: [(digest: SHA256Digest, size: Int, name: SQLValue, storedSize: Int?)] = []
    private var placeholders: [SHA256Digest: Int64] = [:]
    private var pendingExisting: [Int64] = []
    private var batchStarted: Date?

    private let keeper: LeaseKeeper

    init(catalog: Catalog, id: String, lockName: String, blockSize: Int, base: VersionInfo?, baseSegments: [Int64]) {
        self.catalog = catalog
        self.id = id
        self.lockName = lockName
        self.blockSize = blockSize
        self.base = base
        self.baseSegments = baseSegments
        keeper = LeaseKeeper(catalogPath: catalog.path, lockName: lockName, versionID: id)
    }

    deinit { keeper.stop() }


    private var db: Database { catalog.db }

    /// Records one block. Blocks must come in strictly ascending order; unlisted blocks are inherited from
    /// the base (or zero without one).
    ///
    /// - Throws: 65 if a `check` block differs from the base (the hints missed a change).
    public func add(idx: Int64, _ outcome: BlockOutcome) throws {
        precondition(idx > lastIdx, "blocks must be added in ascending order")
        lastIdx = idx
        let segment = Int(idx / Int64(BlockMapCodec.segmentBlocks))
        try advance(to: segment)
        try loadEntries()
        let slot = Int(idx % Int64(BlockMapCodec.segmentBlocks))
        switch outcome {
        case .zero:
            set(slot, 0, idx)
        case .object(let digest, let size, let name, let storedSize, let written):
            set(slot, try objectID(digest, size: size, name: name, storedSize: storedSize, written: written), idx)
            try flushIfDue()
        case .check(let digest):
            let current = entries![slot]
            let expected: SHA256Digest? = current == 0 ? nil : try catalog.object(id: current).sha256
            if expected != digest {
                throw BenjiError.data("block \(idx) changed although the hints list no change there "
                    + "(base \(expected?.hex ?? "zero"), now \(digest?.hex ?? "zero")): the change list is wrong; "
                    + "back up without hints or with correct ones")
            }
        }
        try renewIfDue()
    }

    private func set(_ slot: Int, _ objectID: Int64, _ idx: Int64) {
        if entries![slot] != objectID { dirty = true }
        entries![slot] = objectID
        if let baseSize = base?.size, idx == BlockGeometry(size: baseSize, blockSize: blockSize).blockCount - 1 {
            baseLastListed = true
        }
    }

    private func loadEntries() throws {
        if entries != nil { return }
        let baseID = segmentIndex < baseSegments.count ? baseSegments[segmentIndex] : 0
        entries = try catalog.segment(baseID)
        dirty = false
    }

    /// Finishes segments before `segment`.
    private func advance(to segment: Int) throws {
        while segmentIndex < segment {
            try closeSegment()
            segmentIndex += 1
        }
    }

    private func closeSegment() throws {
        if entries != nil, dirty {
            try flushBatch()
            let e = entries!
            segments.append(try db.transaction { try catalog.storeSegment(e) })
        } else {
            segments.append(segmentIndex < baseSegments.count ? baseSegments[segmentIndex] : 0)
        }
        entries = nil
        dirty = false
    }

    private func objectID(_ digest: SHA256Digest, size: Int, name: String, storedSize: Int?, written: Bool) throws -> Int64 {
        if let placeholder = placeholders[digest] { return placeholder }
        let find = try db.statement("SELECT id, state FROM objects WHERE sha256 = ?")
        find.bind(.blob(digest.bytes))
        defer { find.reset() }
        if try find.step() {
            let objectID = find.int(0)
            if find.int(1) != Catalog.ObjectState.valid.rawValue {
                guard written else {
                    throw BenjiError.data("block with SHA-256 \(digest.hex) refers to an object that is not valid in the catalog; it must be stored again")
                }
                pendingExisting.append(objectID)
                if batchStarted == nil { batchStarted = Date() }
            }
            return objectID
        }
        guard written else {
            throw BenjiError.data("block with SHA-256 \(digest.hex) refers to object \(name), which the catalog does not know and this stream did not store")
        }
        let storedName: SQLValue = name == digest.hex ? .null : (Hex.decode(name).map { .blob($0) } ?? .null)
        newObjects.append((digest, size, storedName, storedSize))
        let placeholder = -Int64(newObjects.count)
        placeholders[digest] = placeholder
        if batchStarted == nil { batchStarted = Date() }
        return placeholder
    }

    private func flushIfDue() throws {
        guard let started = batchStarted else { return }
        if newObjects.count + pendingExisting.count >= 2048 || Date().timeIntervalSince(started) > 1 { try flushBatch() }
    }

    /// Inserts the waiting objects in one short transaction and replaces their placeholders.
    private func flushBatch() throws {
        guard batchStarted != nil else { return }
        let now = Timestamp.format(Date())
        var ids: [Int64] = []
        try db.transaction {
            for o in newObjects {
                try db.statement("""
                    INSERT INTO objects(sha256, name, size, stored_size, state, created) VALUES (?, ?, ?, ?, 0, ?)
                    ON CONFLICT(sha256) DO NOTHING
                    """).bind(.blob(o.digest.bytes), o.name, .int(Int64(o.size)), .from(o.storedSize.map(Int64.init)), .text(now)).run()
                // Another backup may have recorded the same data meanwhile: use its row.
                let find = try db.statement("SELECT id, state FROM objects WHERE sha256 = ?")
                find.bind(.blob(o.digest.bytes))
                defer { find.reset() }
                guard try find.step() else { throw BenjiError(.failure, "catalog \(catalog.path): an object row vanished") }
                ids.append(find.int(0))
                if find.int(1) != Catalog.ObjectState.valid.rawValue { pendingExisting.append(find.int(0)) }
            }
            for objectID in pendingExisting {
                try db.statement("INSERT OR IGNORE INTO pending_objects(version_id, object_id) VALUES (?, ?)")
                    .bind(.text(id), .int(objectID)).run()
            }
        }
        if var e = entries {
            for i in e.indices where e[i] < 0 { e[i] = ids[Int(-e[i]) - 1] }
            entries = e
        }
        newObjects.removeAll(keepingCapacity: true)
        placeholders.removeAll(keepingCapacity: true)
        pendingExisting.removeAll(keepingCapacity: true)
        batchStarted = nil
    }

    private func renewIfDue() throws {
        guard Date().timeIntervalSince(lastRenewal) > 30 else { return }
        try renewLease()
    }

    /// Extends the lock's lease; fails if the lock is no longer this writer's.
    private func renewLease() throws {
        lastRenewal = Date()
        guard try LeaseKeeper.renew(db, lockName: lockName, versionID: id) else {
            throw BenjiError(.tempFail, "lost the lock on \(lockName.dropFirst("volume:".count)) while writing version \(id)")
        }
    }

    /// Commits the version: the last segments, the block map, the statistics, status `valid`, the objects
    /// it wrote made valid, the lock released — all in one transaction.
    ///
    /// - Parameters:
    ///   - size: the image size (for raw streams known only now).
    /// - Throws: 65 if a block inherited across a size change no longer fits.
    public func finish(size: Int64, statistics: BackupStatistics) throws -> VersionInfo {
        precondition(!finished)
        let geometry = BlockGeometry(size: size, blockSize: blockSize)
        let count = geometry.blockCount
        precondition(lastIdx < count, "a block beyond the end of the image")
        let segmentCount = Int((count + Int64(BlockMapCodec.segmentBlocks) - 1) / Int64(BlockMapCodec.segmentBlocks))
        try advance(to: segmentCount)
        if segmentIndex == segmentCount && entries != nil { try closeSegment() }
        segments = Array(segments.prefix(segmentCount))
        // The last segment must not carry entries beyond the image (a base that was larger).
        let tail = Int(count % Int64(BlockMapCodec.segmentBlocks))
        if tail != 0, let last = segments.last, last != 0 {
            var e = try catalog.segment(last)
            if e[tail...].contains(where: { $0 != 0 }) {
                for i in tail..<e.count { e[i] = 0 }
                let trimmed = e
                segments[segments.count - 1] = try db.transaction { try catalog.storeSegment(trimmed) }
            }
        }
        // Blocks inherited across a size change must still have the right size.
        if let base, let baseSize = base.size, baseSize != size {
            let baseCount = BlockGeometry(size: baseSize, blockSize: blockSize).blockCount
            var inherited: Set<Int64> = []
            if !baseLastListed { inherited.insert(baseCount - 1) }
            if lastIdx != count - 1 { inherited.insert(count - 1) }
            for idx in inherited where idx >= 0 && idx < count {
                let seg = try catalog.segment(segments[Int(idx / Int64(BlockMapCodec.segmentBlocks))])
                let objectID = seg[Int(idx % Int64(BlockMapCodec.segmentBlocks))]
                if objectID != 0, try catalog.object(id: objectID).size != geometry.size(of: idx) {
                    throw BenjiError.data("block \(idx) is inherited from base \(base.id), but the image size changed from \(baseSize) to \(size) bytes; the stream must list that block")
                }
            }
        }
        try flushBatch()
        try db.transaction {
            try db.statement("""
                UPDATE objects SET state = 1 WHERE id IN (SELECT object_id FROM pending_objects WHERE version_id = ?)
                """).bind(.text(id)).run()
            try db.statement("DELETE FROM pending_objects WHERE version_id = ?").bind(.text(id)).run()
            try db.statement("DELETE FROM locks WHERE name = ? AND version_id = ? AND pid = ? AND host = ?")
                .bind(.text(lockName), .text(id), .int(Int64(getpid())), .text(hostName)).run()
            guard db.changes == 1 else {
                throw BenjiError(.tempFail, "lost the lock on \(lockName.dropFirst("volume:".count)) while writing version \(id); nothing was committed")
            }
            try db.statement("""
                UPDATE versions SET status = 'valid', size = ?, block_map = ?, bytes_read = ?, bytes_written = ?,
                    bytes_deduplicated = ?, bytes_sparse = ?, duration = ? WHERE id = ? AND status = 'incomplete'
                """).bind(.int(size), .blob(BlockMapCodec.encode(segments)),
                          .int(statistics.bytesRead), .int(statistics.bytesWritten), .int(statistics.bytesDeduplicated),
                          .int(statistics.bytesSparse), .double(statistics.duration), .text(id)).run()
            guard db.changes == 1 else { throw BenjiError(.failure, "version \(id) vanished while it was being written") }
        }
        finished = true
        keeper.stop()
        return try catalog.version(id)
    }

    /// Gives up: removes the incomplete version and releases the lock. Objects already written stay
    /// `pending` for garbage collection.
    public func abort() {
        guard !finished else { return }
        finished = true
        keeper.stop()
        do {
            try db.transaction {
                try db.statement("DELETE FROM pending_objects WHERE version_id = ?").bind(.text(id)).run()
                try db.statement("DELETE FROM versions WHERE id = ? AND status = 'incomplete'").bind(.text(id)).run()
                try db.statement("DELETE FROM locks WHERE name = ? AND version_id = ?").bind(.text(lockName), .text(id)).run()
            }
        } catch {
            // A full or failing catalog: the incomplete version stays, never valid, until the next backup
            // of the volume finds its owner gone and removes it.
            printNote("the incomplete version \(id) and its lock stay in the catalog (\(error)); the next backup of the volume removes them")
        }
    }
}

/// Renews a lock's lease every 30 s on a thread and a connection of its own, so that the lease also holds
/// while the writer's thread is busy elsewhere (waiting for the store's final flush, or for its input).
/// What it cannot renew (the lock was taken over) the writer finds out at its next renewal or commit.
final class LeaseKeeper: @unchecked Sendable {
    private let stopped = DispatchSemaphore(value: 0)
    private let done = DispatchSemaphore(value: 0)
    private let state = Locked(false)

    init(catalogPath: String, lockName: String, versionID: String, every interval: Double = 30) {
        Thread { [stopped, done] in
            defer { done.signal() }
            guard let catalog = try? Catalog(path: catalogPath) else { return }
            while stopped.wait(timeout: .now() + interval) == .timedOut {
                _ = try? LeaseKeeper.renew(catalog.db, lockName: lockName, versionID: versionID)
            }
        }.start()
    }

    /// Extends the lease of this process's lock on `lockName`; false if the lock is no longer its own.
    static func renew(_ db: Database, lockName: String, versionID: String) throws -> Bool {
        try db.transaction {
            try db.statement("UPDATE locks SET lease_until = ? WHERE name = ? AND version_id = ? AND pid = ? AND host = ?")
                .bind(.double(Date().timeIntervalSince1970 + Catalog.leaseSeconds), .text(lockName), .text(versionID),
                      .int(Int64(getpid())), .text(hostName)).run()
            return db.changes == 1
        }
    }

    /// Stops the thread and waits for it (idempotent).
    func stop() {
        let first = state.withLock { s -> Bool in defer { s = true }; return !s }
        guard first else { return }
        stopped.signal()
        done.wait()
    }
}
