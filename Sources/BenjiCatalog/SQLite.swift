import BenjiCore
internal import CSQLite
#if canImport(Glibc)
import Glibc
#endif

/// SQLITE_TRANSIENT: tells SQLite to copy bound buffers.
private let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

/// How long a command waits for another process's write transaction to end, and when it says so.
private let busyLimit = 60.0, busyNoteAfter = 5.0

/// A wait for the catalog's write lock, for the busy handler.
private final class BusyWait {
    let path: String
    var started = 0.0
    var noted = false
    /// Set when a wait ends without the lock: after `busyLimit`, or at a signal.
    var timedOut = false
    init(path: String) { self.path = path }
}

/// SQLite's busy handler: retries for up to `busyLimit` seconds, sleeping a little longer each time, and
/// says once, after `busyNoteAfter` seconds, what it is waiting for (a silent minute looks like a hang).
private let busyHandler: @convention(c) (UnsafeMutableRawPointer?, Int32) -> Int32 = { context, count in
    let wait = Unmanaged<BusyWait>.fromOpaque(context!).takeUnretainedValue()
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    let seconds = Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    if count == 0 { wait.started = seconds; wait.timedOut = false }
    let waited = seconds - wait.started
    // A signal (Ctrl-C) stops the wait too: the statement fails, and the command unwinds as interrupted.
    if waited >= busyLimit || (try? Interruption.check()) == nil {
        wait.timedOut = true
        return 0
    }
    if waited >= busyNoteAfter && !wait.noted {
        wait.noted = true
        printNote("catalog \(wait.path) is busy: another process is writing to it; waiting up to \(Int(busyLimit)) s")
    }
    usleep(count < 10 ? 1_000 : count < 40 ? 10_000 : 50_000)
    return 1
}

/// An open SQLite database (`sqlite3*`), closed in `deinit`. Not shared between threads.
final class Database {
    private(set) var handle: OpaquePointer?
    let path: String
    private var statements: [String: Statement] = [:]
    private let busy: BusyWait

    /// True if opened read-only (`readOnlyAllowed` and a file this process cannot write).
    private(set) var readOnly = false

    /// Opens (and with `create`, creates) a database file. The corresponding C function is `sqlite3_open_v2`.
    /// With `readOnlyAllowed`, a file this process cannot write (a copy on read-only media) is opened
    /// immutable, for commands that only read — if it holds no write-ahead log that would need writing.
    init(path: String, create: Bool, readOnlyAllowed: Bool = false) throws {
        self.path = path
        busy = BusyWait(path: path)
        var db: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0) | SQLITE_OPEN_NOMUTEX
        let rc = sqlite3_open_v2(path, &db, flags, nil)
        guard rc == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            // The system's reason (a directory, no permission) says more than SQLite's "unable to open".
            let systemErrno = db.map { sqlite3_system_errno($0) } ?? 0
            sqlite3_close(db)
            if rc & 0xFF == SQLITE_CANTOPEN {
                if systemErrno != 0 { throw BenjiError.system("catalog \(path) cannot be opened", errno: systemErrno) }
                throw BenjiError(.notFound, "catalog \(path) cannot be opened: \(message)")
            }
            throw BenjiError(.ioError, "opening catalog \(path): \(message)")
        }
        handle = db
        // SQLite opens a file it may not write read-only, and its write-ahead log then fails every
        // command at its first statement with "attempt to write a readonly database".
        if !create && sqlite3_db_readonly(db, "main") == 1 {
            let hasLog = Database.hasLog(path)
            if readOnlyAllowed && !hasLog {
                sqlite3_close(db)
                handle = nil
                var ro: OpaquePointer?
                // immutable: no locks and no -shm, which a read-only directory could not hold.
                let uri = "file:" + path.addingURIEscapes() + "?immutable=1"
                guard sqlite3_open_v2(uri, &ro, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX, nil) == SQLITE_OK, let ro else {
                    let message = ro.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
                    sqlite3_close(ro)
                    throw BenjiError(.ioError, "opening catalog \(path) read-only: \(message)")
                }
                handle = ro
                readOnly = true
                sqlite3_extended_result_codes(ro, 1)
                return
            }
            var fs = statvfs()
            let readOnlyFileSystem = statvfs(path, &fs) == 0 && fs.f_flag & 1 != 0 /* ST_RDONLY */
            let why = readOnlyFileSystem ? "is on a read-only file system, and this command writes to it"
                                         : "is not writable by this user, and this command writes to it and to its directory"
            let log = hasLog ? "; its write-ahead log holds commits that need a writable copy to read" : ""
            throw BenjiError(.noPermission, "catalog \(path) \(why) (\(readOnlyFileSystem ? "" : "SQLite's write-ahead log; ")ls, restore and benji-catalog blocks only read)\(log)")
        }
        sqlite3_busy_handler(db, busyHandler, Unmanaged.passUnretained(busy).toOpaque())
        sqlite3_extended_result_codes(db, 1)
    }

    deinit {
        statements.removeAll()
        sqlite3_close_v2(handle)
    }

    /// True if the database has a non-empty write-ahead log beside it (commits not yet in the file).
    static func hasLog(_ path: String) -> Bool {
        var st = stat()
        return stat(path + "-wal", &st) == 0 && st.st_size > 0
    }

    /// SQL as one line (messages are one line).
    static func oneLine(_ sql: String) -> String {
        sql.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }

    func error(_ what: String, _ rc: Int32) -> BenjiError {
        let message = String(cString: sqlite3_errmsg(handle))
        if rc & 0xFF == SQLITE_BUSY && busy.timedOut {
            do { try Interruption.check() } catch let e as BenjiError { return e } catch {}
            return BenjiError(.tempFail, "catalog \(path) is busy: another process kept it locked for \(Int(busyLimit)) s (\(message)); try again")
        }
        if rc & 0xFF == SQLITE_CORRUPT || rc & 0xFF == SQLITE_NOTADB {
            return BenjiError(.dataError, what == message ? "catalog \(path) is damaged (\(message)); restore it from a copy"
                                                          : "catalog \(path) is damaged (\(message), \(what)); restore it from a copy")
        }
        let status: ExitStatus
        switch rc & 0xFF {
        case SQLITE_BUSY, SQLITE_LOCKED: status = .tempFail
        case SQLITE_CORRUPT, SQLITE_NOTADB: status = .dataError
        case SQLITE_READONLY, SQLITE_PERM, SQLITE_AUTH: status = .noPermission
        case SQLITE_IOERR, SQLITE_FULL, SQLITE_CANTOPEN: status = .ioError
        default: status = .failure
        }
        // sqlite3_exec passes SQLite's message as `what`: not twice.
        return BenjiError(status, what == message ? "catalog \(path): \(message)" : "catalog \(path): \(what): \(message)")
    }

    /// Runs SQL that returns no rows (several statements allowed).
    func execute(_ sql: String) throws {
        var message: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(handle, sql, nil, nil, &message)
        if rc != SQLITE_OK {
            let text = message.map { String(cString: $0) } ?? "error \(rc)"
            sqlite3_free(message)
            throw error(text, rc)
        }
    }

    /// A cached prepared statement, reset and with bindings cleared.
    func statement(_ sql: String) throws -> Statement {
        if let s = statements[sql] {
            s.reset()
            return s
        }
        var stmt: OpaquePointer?
        let rc = sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &stmt, nil)
        guard rc == SQLITE_OK, let stmt else { throw error("preparing \(Database.oneLine(sql))", rc) }
        let s = Statement(stmt, db: self)
        statements[sql] = s
        return s
    }

    /// Runs `body` in a transaction (`BEGIN IMMEDIATE`: takes the write lock up front, so a busy database
    /// waits at the start, not halfway through), committing if it returns and rolling back if it throws.
    func transaction<R>(_ body: () throws -> R) throws -> R {
        try execute("BEGIN IMMEDIATE")
        do {
            let r = try body()
            try execute("COMMIT")
            return r
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    var changes: Int { Int(sqlite3_changes(handle)) }
    var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }
}

/// A prepared statement (`sqlite3_stmt*`), finalized in `deinit`.
final class Statement {
    private let stmt: OpaquePointer
    private unowned let db: Database

    init(_ stmt: OpaquePointer, db: Database) {
        self.stmt = stmt
        self.db = db
    }

    deinit { sqlite3_finalize(stmt) }

    func reset() {
        sqlite3_reset(stmt)
        sqlite3_clear_bindings(stmt)
    }

    @discardableResult
    func bind(_ values: SQLValue?...) -> Statement {
        for (i, v) in values.enumerated() {
            let index = Int32(i + 1)
            switch v {
            case nil, .null?: sqlite3_bind_null(stmt, index)
            case .int(let n)?: sqlite3_bind_int64(stmt, index, n)
            case .double(let d)?: sqlite3_bind_double(stmt, index, d)
            case .text(let s)?: sqlite3_bind_text(stmt, index, s, -1, transient)
            case .blob(let b)?:
                b.withUnsafeBytes { _ = sqlite3_bind_blob(stmt, index, $0.baseAddress ?? UnsafeRawPointer(bitPattern: 1), Int32($0.count), transient) }
            }
        }
        return self
    }

    /// Steps once; true if a row is available.
    func step() throws -> Bool {
        let rc = sqlite3_step(stmt)
        switch rc {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default: throw db.error("running \(Database.oneLine(String(cString: sqlite3_sql(stmt))))", rc)
        }
    }

    /// Runs a statement that returns no rows.
    func run() throws {
        while try step() {}
    }

    func int(_ column: Int32) -> Int64 { sqlite3_column_int64(stmt, column) }
    func double(_ column: Int32) -> Double { sqlite3_column_double(stmt, column) }
    func isNull(_ column: Int32) -> Bool { sqlite3_column_type(stmt, column) == SQLITE_NULL }
    func text(_ column: Int32) -> String? {
        guard let p = sqlite3_column_text(stmt, column) else { return nil }
        return String(cString: p)
    }
    func blob(_ column: Int32) -> [UInt8]? {
        guard sqlite3_column_type(stmt, column) != SQLITE_NULL else { return nil }
        let n = Int(sqlite3_column_bytes(stmt, column))
        guard n > 0, let p = sqlite3_column_blob(stmt, column) else { return [] }
        return Array(UnsafeRawBufferPointer(start: p, count: n))
    }
}

enum SQLValue {
    case null
    case int(Int64)
    case double(Double)
    case text(String)
    case blob([UInt8])

    static func from(_ s: String?) -> SQLValue { s.map { .text($0) } ?? .null }
    static func from(_ n: Int64?) -> SQLValue { n.map { .int($0) } ?? .null }
}

extension String {
    /// The path with the characters a `file:` URI gives a meaning to (`%`, `?`, `#`) escaped.
    func addingURIEscapes() -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        for byte in utf8 {
            if byte == UInt8(ascii: "%") || byte == UInt8(ascii: "?") || byte == UInt8(ascii: "#") {
                out += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 15)]]
            } else {
                out.append(byte)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
