import BenjiCore
import Foundation

/// A version as the catalog lists it.
public struct VersionInfo: Sendable, Equatable {
    public enum Status: String, Sendable { case incomplete, valid, invalid }

    public var id: String
    public var volume: String
    public var snapshot: String
    public var date: String
    /// nil while a backup from a raw stream is still running.
    public var size: Int64?
    public var blockSize: Int
    public var status: Status
    public var protected: Bool
    public var base: String?
    public var source: String?
    public var bytesRead: Int64
    public var bytesWritten: Int64
    public var bytesDeduplicated: Int64
    public var bytesSparse: Int64
    public var duration: Double
    public var labels: [String: String]

    public static func == (a: VersionInfo, b: VersionInfo) -> Bool {
        a.id == b.id && a.status == b.status && a.size == b.size && a.labels == b.labels && a.protected == b.protected
    }
}

/// A stored object the catalog knows.
public struct ObjectRef: Sendable, Equatable {
    /// The catalog's row id (block maps refer to objects by it).
    public var id: Int64
    public var sha256: SHA256Digest
    /// The plaintext size.
    public var size: Int
    /// The object's name in the store.
    public var name: String
}

/// One block of a version: its index, size, and object (nil for a zero block).
public struct BlockEntry: Sendable {
    public var idx: Int64
    public var size: Int
    public var object: ObjectRef?
}

/// Statistics of a backup, as `ls` shows them.
public struct BackupStatistics: Sendable {
    public var bytesRead: Int64 = 0
    public var bytesWritten: Int64 = 0
    public var bytesDeduplicated: Int64 = 0
    public var bytesSparse: Int64 = 0
    public var duration: Double = 0
    public init() {}
}

/// The SQLite catalog: versions, labels, objects, block-map segments and locks (docs/design.md §5).
///
/// One `Catalog` is one connection; use it from one thread at a time. Several processes may use the same
/// catalog file at once (WAL mode; writers wait up to 60 s for each other).
public final class Catalog: @unchecked Sendable {
    /// The schema version this build writes and reads.
    public static let schemaVersion = 1

    let db: Database
    public let path: String
    /// The id of the store whose objects this catalog records.
    public let storeID: String

    /// Opens an existing catalog. With `readOnlyAllowed` (commands that only read: ls, restore, blocks), a
    /// catalog this process cannot write, such as a copy on read-only media, is opened read-only.
    ///
    /// - Throws: 78 if the file does not exist or is not a benji catalog of a supported schema version.
    public init(path: String, readOnlyAllowed: Bool = false) throws {
        var st = stat()
        guard stat(path, &st) == 0 else {
            throw BenjiError(.config, "catalog \(path) does not exist; run 'benji init'")
        }
        // SQLite would take an empty file for a new database, and write to it.
        if (st.st_mode & S_IFMT) == S_IFREG && st.st_size == 0 {
            throw BenjiError(.config, "catalog \(path) is an empty file, not a benji catalog")
        }
        self.path = path
        db = try Database(path: path, create: false, readOnlyAllowed: readOnlyAllowed)
        let version: String?
        do {
            if !db.readOnly { try Catalog.configure(db) }
            let s = try db.statement("SELECT value FROM meta WHERE key = 'schema_version'")
            defer { s.reset() }
            version = try s.step() ? s.text(0) : nil
        } catch let e as BenjiError where e.status == .failure || e.status == .dataError {
            throw BenjiError(.config, "\(path) is not a benji catalog, or is damaged")
        }
        guard let version, let v = Int(version) else { throw BenjiError(.config, "\(path) is not a benji catalog, or is damaged") }
        guard v <= Catalog.schemaVersion else {
            throw BenjiError(.config, "catalog \(path) has schema version \(v); this benji reads version \(Catalog.schemaVersion) — upgrade benji")
        }
        let s = try db.statement("SELECT value FROM meta WHERE key = 'store_id'")
        defer { s.reset() }
        storeID = try s.step() ? (s.text(0) ?? "") : ""
    }

    /// Creates a new catalog file for the store with id `storeID`; refuses to touch an existing file.
    public static func create(path: String, storeID: String) throws -> Catalog {
        try requireAbsent(path)
        // Created first, private to its owner (SQLite would make it 0644; its -wal and -shm files take
        // the catalog's mode).
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw BenjiError.creating("cannot create catalog \(path)", errno: errno) }
        close(fd)
        let db: Database
        do { db = try Database(path: path, create: true) } catch { unlink(path); throw error }
        do {
            try configure(db)
            try db.transaction {
                try createSchema(db, storeID: storeID)
            }
        } catch {
            // A catalog that could not be set up is not left behind to be found later.
            for suffix in ["", "-wal", "-shm"] { unlink(path + suffix) }
            throw error
        }
        return try Catalog(path: path)
    }

    /// Throws 78 if something is at `path` already: `create` never touches an existing file (and
    /// `benji init` asks before it touches the store).
    public static func requireAbsent(_ path: String) throws {
        var st = stat()
        if stat(path, &st) == 0 { throw BenjiError(.config, "catalog \(path) already exists") }
    }

    private static func createSchema(_ db: Database, storeID: String) throws {
        try db.execute(schema)
        for (key, value) in [("schema_version", String(schemaVersion)), ("store_id", storeID), ("created", Timestamp.format(Date()))] {
            try db.statement("INSERT INTO meta(key, value) VALUES (?, ?)").bind(.text(key), .text(value)).run()
        }
    }

    private static func configure(_ db: Database) throws {
        try db.execute("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; PRAGMA temp_store=FILE")
    }

    static let schema = """
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
    CREATE TABLE objects (
        id INTEGER PRIMARY KEY,
        sha256 BLOB NOT NULL UNIQUE,
        name BLOB,
        size INTEGER NOT NULL,
        stored_size INTEGER,
        state INTEGER NOT NULL,
        created TEXT NOT NULL,
        last_verified TEXT
    );
    CREATE TABLE segments (
        id INTEGER PRIMARY KEY,
        hash BLOB NOT NULL UNIQUE,
        data BLOB NOT NULL
    );
    CREATE TABLE versions (
        id TEXT PRIMARY KEY,
        seq INTEGER NOT NULL UNIQUE,
        volume TEXT NOT NULL,
        snapshot TEXT NOT NULL,
        date TEXT NOT NULL,
        size INTEGER,
        block_size INTEGER NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('incomplete', 'valid', 'invalid')),
        protected INTEGER NOT NULL DEFAULT 0,
        base TEXT,
        source TEXT,
        bytes_read INTEGER NOT NULL DEFAULT 0,
        bytes_written INTEGER NOT NULL DEFAULT 0,
        bytes_deduplicated INTEGER NOT NULL DEFAULT 0,
        bytes_sparse INTEGER NOT NULL DEFAULT 0,
        duration REAL NOT NULL DEFAULT 0,
        block_map BLOB
    );
    CREATE INDEX versions_by_volume ON versions(volume, date);
    CREATE TABLE labels (
        version_id TEXT NOT NULL REFERENCES versions(id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        value TEXT NOT NULL,
        PRIMARY KEY (version_id, name)
    ) WITHOUT ROWID;
    CREATE INDEX labels_by_name ON labels(name, value);
    CREATE TABLE pending_objects (
        version_id TEXT NOT NULL,
        object_id INTEGER NOT NULL,
        PRIMARY KEY (version_id, object_id)
    ) WITHOUT ROWID;
    CREATE TABLE locks (
        name TEXT PRIMARY KEY,
        host TEXT NOT NULL,
        pid INTEGER NOT NULL,
        pid_start INTEGER NOT NULL,
        started TEXT NOT NULL,
        lease_until REAL NOT NULL,
        version_id TEXT
    ) WITHOUT ROWID;
    """

    /// Object states in the `objects` table.
    enum ObjectState: Int64 {
        /// Written by a backup that has not committed yet: not used for dedup.
        case pending = 0
        case valid = 1
        /// Found damaged or missing: not used for dedup; the next backup that meets its data rewrites it.
        case invalid = 2
    }

    // MARK: objects

    /// The valid object holding data with this digest, if any: the dedup lookup.
    public func lookup(_ digest: SHA256Digest) throws -> ObjectRef? {
        let s = try db.statement("SELECT id, size, name FROM objects WHERE sha256 = ? AND state = 1")
        s.bind(.blob(digest.bytes))
        defer { s.reset() }
        guard try s.step() else { return nil }
        return ObjectRef(id: s.int(0), sha256: digest, size: Int(s.int(1)), name: Catalog.name(s.blob(2), digest))
    }

    /// True if an object with this digest is recorded but marked invalid (so a backup must rewrite it).
    public func isInvalid(_ digest: SHA256Digest) throws -> Bool {
        let s = try db.statement("SELECT state FROM objects WHERE sha256 = ?")
        s.bind(.blob(digest.bytes))
        defer { s.reset() }
        return try s.step() && s.int(0) == ObjectState.invalid.rawValue
    }

    /// Marks objects found missing or damaged (by a restore) as invalid: dedup no longer trusts them, and
    /// the next backup that meets their data stores them again (`heal`), which makes them valid again.
    public func markInvalid(objectIDs: [Int64]) throws {
        guard !objectIDs.isEmpty else { return }
        try db.transaction {
            for id in objectIDs {
                try db.statement("UPDATE objects SET state = ? WHERE id = ? AND state = ?")
                    .bind(.int(ObjectState.invalid.rawValue), .int(id), .int(ObjectState.valid.rawValue)).run()
            }
        }
    }

    /// The object with this row id.
    public func object(id: Int64) throws -> ObjectRef {
        let s = try db.statement("SELECT sha256, size, name FROM objects WHERE id = ?")
        s.bind(.int(id))
        defer { s.reset() }
        guard try s.step(), let d = s.blob(0).flatMap({ SHA256Digest(bytes: $0) }) else {
            throw BenjiError.data("catalog \(path) is inconsistent: a block map refers to object \(id), which is not recorded")
        }
        return ObjectRef(id: id, sha256: d, size: Int(s.int(1)), name: Catalog.name(s.blob(2), d))
    }

    static func name(_ stored: [UInt8]?, _ digest: SHA256Digest) -> String {
        if let stored { return Hex.encode(stored) }
        return digest.hex
    }

    // MARK: versions

    private static let versionColumns = """
        id, volume, snapshot, date, size, block_size, status, protected, base, source,
        bytes_read, bytes_written, bytes_deduplicated, bytes_sparse, duration
        """

    private func readVersion(_ s: Statement) throws -> VersionInfo {
        let id = s.text(0) ?? ""
        var info = VersionInfo(
            id: id, volume: s.text(1) ?? "", snapshot: s.text(2) ?? "", date: s.text(3) ?? "",
            size: s.isNull(4) ? nil : s.int(4), blockSize: Int(s.int(5)),
            status: VersionInfo.Status(rawValue: s.text(6) ?? "") ?? .invalid, protected: s.int(7) != 0,
            base: s.text(8), source: s.text(9), bytesRead: s.int(10), bytesWritten: s.int(11),
            bytesDeduplicated: s.int(12), bytesSparse: s.int(13), duration: s.double(14), labels: [:])
        info.labels = try labels(of: id)
        return info
    }

    private func labels(of id: String) throws -> [String: String] {
        let s = try db.statement("SELECT name, value FROM labels WHERE version_id = ?")
        s.bind(.text(id))
        var out: [String: String] = [:]
        while try s.step() { out[s.text(0) ?? ""] = s.text(1) ?? "" }
        return out
    }

    /// All versions, oldest first, optionally of one volume.
    public func versions(volume: String? = nil) throws -> [VersionInfo] {
        let s: Statement
        if let volume {
            s = try db.statement("SELECT \(Catalog.versionColumns) FROM versions WHERE volume = ? ORDER BY date, seq")
            s.bind(.text(volume))
        } else {
            s = try db.statement("SELECT \(Catalog.versionColumns) FROM versions ORDER BY date, seq")
        }
        var out: [VersionInfo] = []
        while try s.step() { out.append(try readVersion(s)) }
        return out
    }

    /// One version.
    /// - Throws: 66 if there is no such version.
    public func version(_ id: String) throws -> VersionInfo {
        let s = try db.statement("SELECT \(Catalog.versionColumns) FROM versions WHERE id = ?")
        s.bind(.text(id))
        defer { s.reset() }
        guard try s.step() else { throw BenjiError(.notFound, "version \(id) not found in catalog \(path)") }
        return try readVersion(s)
    }

    /// Removes versions from the catalog, all or none (in one transaction). Their objects stay in the
    /// store until garbage collection. A version named twice is removed once.
    ///
    /// - Throws: 66 if one does not exist; 77 if one is protected; 75 if a live backup is still writing one.
    public func remove(_ ids: [String]) throws {
        try db.transaction {
            for id in Catalog.unique(ids) {
                let v = try version(id)
                if v.protected { throw BenjiError(.noPermission, "version \(id) is protected; unprotect it first") }
                if v.status == .incomplete, let holder = try lockHolder(versionID: id), !holder.isDead {
                    throw BenjiError(.tempFail, "version \(id) is still being written by process \(holder.pid) on \(holder.host) (since \(holder.started))")
                }
                try db.statement("DELETE FROM locks WHERE version_id = ?").bind(.text(id)).run()
                try db.statement("DELETE FROM pending_objects WHERE version_id = ?").bind(.text(id)).run()
                try db.statement("DELETE FROM versions WHERE id = ?").bind(.text(id)).run()
            }
        }
    }

    /// Sets or clears the protected flag of versions, all or none (in one transaction).
    /// - Throws: 66 if one does not exist; 65 for protecting an incomplete version: the next backup of its
    ///   volume removes it (its backup died), and a flag would promise what it cannot keep.
    public func setProtected(_ ids: [String], _ protected: Bool) throws {
        try db.transaction {
            for id in Catalog.unique(ids) {
                let v = try version(id)
                if protected && v.status == .incomplete {
                    throw BenjiError.data("version \(id) is incomplete (its backup did not finish) and cannot be protected")
                }
                try db.statement("UPDATE versions SET protected = ? WHERE id = ?").bind(.int(protected ? 1 : 0), .text(id)).run()
            }
        }
    }

    /// `ids` without repeats, in their first order.
    private static func unique(_ ids: [String]) -> [String] {
        var seen = Set<String>()
        return ids.filter { seen.insert($0).inserted }
    }

    /// The segment ids of a committed version's block map.
    func segmentIDs(of id: String) throws -> [Int64] {
        let s = try db.statement("SELECT block_map, status FROM versions WHERE id = ?")
        s.bind(.text(id))
        defer { s.reset() }
        guard try s.step() else { throw BenjiError(.notFound, "version \(id) not found in catalog \(path)") }
        guard let map = s.blob(0) else {
            throw BenjiError(.dataError, "version \(id) is \(s.text(1) ?? "incomplete") and has no block map")
        }
        guard let ids = BlockMapCodec.decode(map) else {
            throw BenjiError.data("catalog \(path): the block map of version \(id) is corrupt")
        }
        return ids
    }

    /// The object ids of one segment (1024 entries; 0 for zero blocks).
    func segment(_ id: Int64) throws -> [Int64] {
        if id == 0 { return [Int64](repeating: 0, count: BlockMapCodec.segmentBlocks) }
        let s = try db.statement("SELECT data FROM segments WHERE id = ?")
        s.bind(.int(id))
        defer { s.reset() }
        guard try s.step(), let data = s.blob(0),
              let ids = BlockMapCodec.decode(data, count: BlockMapCodec.segmentBlocks) else {
            throw BenjiError.data("catalog \(path): block-map segment \(id) is missing or corrupt")
        }
        return ids
    }

    /// Stores a segment (or finds the identical one) and returns its id; 0 for an all-zero segment.
    func storeSegment(_ ids: [Int64]) throws -> Int64 {
        if ids.allSatisfy({ $0 == 0 }) { return 0 }
        let data = BlockMapCodec.encode(ids)
        let hash = SHA256.hash(data).bytes
        let find = try db.statement("SELECT id FROM segments WHERE hash = ?")
        find.bind(.blob(hash))
        defer { find.reset() }
        if try find.step() { return find.int(0) }
        try db.statement("INSERT INTO segments(hash, data) VALUES (?, ?)").bind(.blob(hash), .blob(data)).run()
        return db.lastInsertRowID
    }

    /// Calls `body` with every block of a committed version, in order (zero blocks included).
    public func blocks(of id: String, _ body: (BlockEntry) throws -> Void) throws {
        let info = try version(id)
        guard let size = info.size else { throw BenjiError(.dataError, "version \(id) is incomplete") }
        let geometry = BlockGeometry(size: size, blockSize: info.blockSize)
        let segments = try segmentIDs(of: id)
        let count = geometry.blockCount
        var idx: Int64 = 0
        for segmentID in segments {
            let entries = try segment(segmentID)
            for objectID in entries {
                guard idx < count else { break }
                let object = objectID == 0 ? nil : try self.object(id: objectID)
                if let object, object.size != geometry.size(of: idx) {
                    throw BenjiError.data("catalog \(path): block \(idx) of version \(id) refers to a \(object.size)-byte object, expected \(geometry.size(of: idx))")
                }
                try body(BlockEntry(idx: idx, size: geometry.size(of: idx), object: object))
                idx += 1
            }
        }
        while idx < count {
            try body(BlockEntry(idx: idx, size: geometry.size(of: idx), object: nil))
            idx += 1
        }
    }

    // MARK: locks

    /// Who holds a lock.
    public struct LockHolder: CustomStringConvertible, Sendable {
        public var host: String
        public var pid: Int32
        public var pidStart: Int64
        public var started: String
        public var leaseUntil: Double
        public var versionID: String?

        /// True if the holder is known to be gone. On this host the process table decides (a process that
        /// no longer runs, is a zombie, or whose PID now belongs to a later process), whatever the lease
        /// says: a live backup that was suspended keeps its lock. On another host only an expired lease does.
        public var isDead: Bool {
            if host == hostName {
                if !processIsAlive(pid) || processIsZombie(pid) { return true }
                let start = processStartTime(pid)
                return start != 0 && start != pidStart   // 0: /proc not readable here, so unknown
            }
            return leaseUntil < Date().timeIntervalSince1970
        }

        public var description: String {
            "process \(pid) on \(host) since \(started)" + (versionID.map { " (version \($0))" } ?? "")
        }
    }

    func lockHolder(name: String) throws -> LockHolder? {
        let s = try db.statement("SELECT host, pid, pid_start, started, lease_until, version_id FROM locks WHERE name = ?")
        s.bind(.text(name))
        defer { s.reset() }
        guard try s.step() else { return nil }
        return LockHolder(host: s.text(0) ?? "", pid: Int32(s.int(1)), pidStart: s.int(2), started: s.text(3) ?? "",
                          leaseUntil: s.double(4), versionID: s.text(5))
    }

    func lockHolder(versionID: String) throws -> LockHolder? {
        let s = try db.statement("SELECT name FROM locks WHERE version_id = ?")
        s.bind(.text(versionID))
        defer { s.reset() }
        guard try s.step(), let name = s.text(0) else { return nil }
        return try lockHolder(name: name)
    }

    /// How long a lock lives without renewal. A writer renews it as it goes.
    public static let leaseSeconds: Double = 900

    // MARK: writing versions

    /// Starts writing a new version: takes the volume's lock (recovering it from a dead holder, whose
    /// incomplete version is removed) and records the version as `incomplete`.
    ///
    /// - Throws: 75 if a live process holds the volume's lock; 66 if the base does not exist; 65 if the
    ///   base is not valid or has another block size.
    public func beginVersion(volume: String, snapshot: String, size: Int64?, blockSize: Int, base: String?,
                             source: String?, labels: [(String, String)], id: String? = nil,
                             notice: (String) -> Void = { printNote($0) }) throws -> VersionWriter {
        try Catalog.validateNames(volume: volume, snapshot: snapshot, labels: labels, status: .dataError)
        let versionID = id ?? Catalog.newVersionID(volume: volume)
        let lockName = "volume:" + volume
        var baseInfo: VersionInfo?
        var baseSegments: [Int64] = []
        try db.transaction {
            if let holder = try lockHolder(name: lockName) {
                guard holder.isDead else {
                    throw BenjiError(.tempFail, "volume \(volume) is locked by a running backup: \(holder)")
                }
                try db.statement("DELETE FROM locks WHERE name = ?").bind(.text(lockName)).run()
                if let stale = holder.versionID {
                    try db.statement("DELETE FROM pending_objects WHERE version_id = ?").bind(.text(stale)).run()
                    try db.statement("DELETE FROM versions WHERE id = ? AND status = 'incomplete'").bind(.text(stale)).run()
                }
                notice("recovered the lock on volume \(volume) from \(holder), which is gone; its incomplete version was removed")
            }
            if let base {
                let b = try version(base)
                guard b.status == .valid else {
                    throw BenjiError.data("base version \(base) is \(b.status.rawValue); only a valid version can be a base")
                }
                // Blocks outside the hints come from the base: another volume's would be the wrong data.
                guard b.volume == volume else {
                    throw BenjiError.data("base version \(base) is a version of volume \(b.volume), not of \(volume)")
                }
                guard b.blockSize == blockSize else {
                    throw BenjiError.data("base version \(base) has block size \(b.blockSize), the new backup \(blockSize)")
                }
                baseInfo = b
                baseSegments = try segmentIDs(of: base)
            }
            let now = Date()
            let seq = try nextSequence()
            try db.statement("""
                INSERT INTO versions(id, seq, volume, snapshot, date, size, block_size, status, base, source)
                VALUES (?, ?, ?, ?, ?, ?, ?, 'incomplete', ?, ?)
                """).bind(.text(versionID), .int(seq), .text(volume), .text(snapshot),
                          .text(Timestamp.format(now, fractional: true)), .from(size), .int(Int64(blockSize)),
                          .from(base), .from(source)).run()
            for (k, v) in labels {
                try db.statement("INSERT OR REPLACE INTO labels(version_id, name, value) VALUES (?, ?, ?)")
                    .bind(.text(versionID), .text(k), .text(v)).run()
            }
            try db.statement("""
                INSERT INTO locks(name, host, pid, pid_start, started, lease_until, version_id) VALUES (?, ?, ?, ?, ?, ?, ?)
                """).bind(.text(lockName), .text(hostName), .int(Int64(getpid())), .int(processStartTime(getpid())),
                          .text(Timestamp.format(now)), .double(now.timeIntervalSince1970 + Catalog.leaseSeconds),
                          .text(versionID)).run()
        }
        return VersionWriter(catalog: self, id: versionID, lockName: lockName, blockSize: blockSize,
                             base: baseInfo, baseSegments: baseSegments)
    }

    private func nextSequence() throws -> Int64 {
        let s = try db.statement("SELECT coalesce(max(seq), 0) + 1 FROM versions")
        defer { s.reset() }
        _ = try s.step()
        return s.int(0)
    }

    /// Checks the names a version is recorded under, which tables and ids show: a volume is 1 to 255 bytes
    /// and does not start with `-` (its ids would read as options); a snapshot (maybe empty), a volume and
    /// label values hold no control characters (a newline would split a row of `benji ls`).
    /// - Throws: `status` (64 for options, 65 for a stream's header).
    public static func validateNames(volume: String, snapshot: String, labels: [(String, String)], status: ExitStatus) throws {
        func check(_ text: String, _ what: String) throws {
            if let c = text.unicodeScalars.first(where: { $0.properties.generalCategory == .control }) {
                throw BenjiError(status, "\(what) holds a control character (U+\(String(format: "%04X", c.value)))")
            }
            guard text.utf8.count <= 255 else { throw BenjiError(status, "\(what) is longer than 255 bytes") }
        }
        guard !volume.isEmpty else { throw BenjiError(status, "the volume name is empty") }
        guard !volume.hasPrefix("-") else { throw BenjiError(status, "volume \"\(volume)\" starts with -") }
        try check(volume, "the volume name")
        try check(snapshot, "the snapshot name")
        for (key, value) in labels { try check(value, "label \(key)") }
    }

    /// A new version id: the volume name (made safe for file names and URLs) and 8 random characters.
    public static func newVersionID(volume: String) -> String {
        let safe = volume.unicodeScalars.map { c -> Character in
            (c.properties.isASCIIHexDigit || ("a"..."z").contains(c) || ("A"..."Z").contains(c) || c == "." || c == "_" || c == "-")
                ? Character(c) : "_"
        }
        let prefix = String(String(safe).prefix(64))
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789")
        let random = secureRandomBytes(8).map { alphabet[Int($0) % alphabet.count] }
        return prefix + "-" + String(random)
    }
}

/// True if the process has exited but not been reaped (a zombie holds its PID, but no lock).
public func processIsZombie(_ pid: Int32) -> Bool {
    guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
          let close = text.lastIndex(of: ")") else { return false }
    let state = text[text.index(after: close)...].split(separator: " ").first
    return state == "Z" || state == "X"
}

/// The start time of a process in clock ticks since boot (field 22 of `/proc/PID/stat`), which tells a
/// process from a later one that reuses its PID; 0 if unknown.
public func processStartTime(_ pid: Int32) -> Int64 {
    guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
          let close = text.lastIndex(of: ")") else { return 0 }
    let fields = text[text.index(after: close)...].split(separator: " ")
    // After the command name, field 3 (state) is index 0, so field 22 is index 19.
    guard fields.count > 19, let start = Int64(fields[19]) else { return 0 }
    return start
}
