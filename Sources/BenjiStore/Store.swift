import BenjiCore

/// Where objects live. Every backend (file, RADOS, S3) implements this contract and passes the one
/// conformance suite in BenjiTestSupport.
///
/// Keys are relative paths such as `blocks/<name>` or `versions/<id>`; backends map them as they need
/// (the file store fans `blocks/` out into two directory levels).
///
/// Contract:
/// - `put` is atomic: a reader sees the old state or the whole new object, never a part. When it
///   returns, the object's bytes are on stable storage; its *name* is durable once `flush` returns.
///   Writing an existing key replaces it (objects are immutable by convention: the same key always
///   gets the same plaintext).
/// - `get` of a missing key throws `BenjiError` with status `.notFound` (66); any other failure is an
///   I/O (74) or availability (69) error, so callers can tell "missing" from "unreachable".
/// - `delete` of a missing key succeeds (deletes are idempotent).
/// - `list` may be called while other processes write; it reports each key that existed throughout.
/// - All methods may be called from several threads at once.
public protocol ObjectStore: AnyObject, Sendable {
    /// The store's URL, for messages.
    var url: String { get }

    func put(_ key: String, _ bytes: UnsafeRawBufferPointer) throws
    func get(_ key: String) throws -> [UInt8]
    /// Reads an object into `buffer` and returns its length.
    /// - Throws: as `get`; a data error (65) if the object is larger than the buffer.
    func get(_ key: String, into buffer: UnsafeMutableRawBufferPointer) throws -> Int
    /// The object's size in bytes, or nil if it does not exist.
    func size(_ key: String) throws -> Int?
    func delete(_ key: String) throws
    /// Calls `body` with every key under `prefix` (for example `blocks/`) and its size.
    func list(prefix: String, _ body: (String, Int) throws -> Void) throws
    /// Makes every `put` and `patch` that returned durable, names included.
    func flush() throws
    /// Reads up to `buffer.count` bytes of an object from `offset`; returns how many (fewer at its end).
    /// - Throws: as `get`.
    func read(_ key: String, offset: Int, into buffer: UnsafeMutableRawBufferPointer) throws -> Int
    /// Overwrites `bytes.count` bytes of an existing object at `offset` (never past its end), if they still
    /// hold `expected` (compare and swap): what a rekey does to the wrapped keys in object headers while
    /// backups may replace objects. Returns false, changing nothing, if they do not. After a crash the
    /// range holds the old or the new bytes, as long as it lies within the object's first 512 bytes; a
    /// reader at the very moment of the write may see a mix (and fail that read). Durable once `flush`
    /// returns.
    /// - Throws: 66 if the object is missing, 65 if the range is not inside it.
    func patch(_ key: String, offset: Int, expected: UnsafeRawBufferPointer, _ bytes: UnsafeRawBufferPointer) throws -> Bool
    /// A batch of puts that overlap with each other and with the caller's work: what a backup writes its
    /// blocks through. The default puts each object at once.
    func putBatch() -> PutBatch
    /// A hint that `key` will be read soon, so that the backend can start reading it now (a restore
    /// names the objects a window ahead of its workers). Errors are ignored; the default does nothing.
    func prefetch(_ key: String)
}

/// Puts whose durability is waited for together. Each `put` is atomic as `ObjectStore.put` is — the
/// name appears only with its whole content — but may return before the object is durable or visible;
/// `finish` returns once every accepted object is both (names durable after the store's `flush`, as
/// for `put`). Several threads may put at once.
public protocol PutBatch: AnyObject, Sendable {
    /// Accepts an object, waiting while the batch holds as many bytes as it may.
    /// - Throws: this put's error, or the first error of an earlier one.
    func put(_ key: String, _ bytes: UnsafeRawBufferPointer) throws
    /// Waits for every accepted put. - Throws: the first error of any.
    func finish() throws
    /// Stops without waiting for the disk: accepted objects not yet visible are dropped. Idempotent;
    /// harmless after `finish`, which throws after it.
    func abandon()
}

extension PutBatch {
    public func put(_ key: String, _ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try put(key, $0) }
    }
}

extension BenjiError {
    /// A put or finish of a batch that was abandoned.
    static func writesStopped(to url: String) -> BenjiError { BenjiError(.ioError, "the writes to store \(url) were stopped") }
}

/// The batch of a store that writes synchronously: each put is finished when it returns.
final class ImmediatePutBatch: PutBatch, @unchecked Sendable {
    private let store: ObjectStore
    private let abandoned = Locked(false)
    init(_ store: ObjectStore) { self.store = store }
    func put(_ key: String, _ bytes: UnsafeRawBufferPointer) throws {
        if abandoned.withLock({ $0 }) { throw BenjiError.writesStopped(to: store.url) }
        try store.put(key, bytes)
    }
    func finish() throws {
        if abandoned.withLock({ $0 }) { throw BenjiError.writesStopped(to: store.url) }
    }
    func abandon() { abandoned.withLock { $0 = true } }
}

extension ObjectStore {
    public func putBatch() -> PutBatch { ImmediatePutBatch(self) }
    public func prefetch(_ key: String) {}

    public func put(_ key: String, _ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try put(key, $0) }
    }

    public func exists(_ key: String) throws -> Bool { try size(key) != nil }

    /// Copies the result of `get`; backends that can read in place do better.
    public func get(_ key: String, into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let bytes = try get(key)
        guard bytes.count <= buffer.count else {
            throw BenjiError.data("object \(key) in \(url) is \(bytes.count) bytes, more than an object can be")
        }
        if !bytes.isEmpty {
            bytes.withUnsafeBytes { buffer.baseAddress!.copyMemory(from: $0.baseAddress!, byteCount: bytes.count) }
        }
        return bytes.count
    }

    /// Copies part of the result of `get`; backends that can read ranges do better.
    public func read(_ key: String, offset: Int, into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        precondition(offset >= 0)
        let bytes = try get(key)
        guard offset < bytes.count, buffer.count > 0 else { return 0 }
        let n = min(buffer.count, bytes.count - offset)
        bytes.withUnsafeBytes { buffer.baseAddress!.copyMemory(from: $0.baseAddress! + offset, byteCount: n) }
        return n
    }

    /// Rewrites the whole object (atomic by `put`); backends that can write in place do better. (Between
    /// the get and the put, a concurrent put of the same object could be undone: backends with conditional
    /// writes should use them.)
    public func patch(_ key: String, offset: Int, expected: UnsafeRawBufferPointer, _ bytes: UnsafeRawBufferPointer) throws -> Bool {
        var object = try get(key)
        try checkPatch(key, offset: offset, length: bytes.count, expected: expected.count, objectSize: object.count)
        guard object[offset..<(offset + bytes.count)].elementsEqual(expected) else { return false }
        object.withUnsafeMutableBytes { $0.baseAddress!.advanced(by: offset).copyMemory(from: bytes.baseAddress!, byteCount: bytes.count) }
        try put(key, object)
        return true
    }

    public func patch(_ key: String, offset: Int, expected: [UInt8], _ bytes: [UInt8]) throws -> Bool {
        try expected.withUnsafeBytes { e in try bytes.withUnsafeBytes { try patch(key, offset: offset, expected: e, $0) } }
    }

    public func checkPatch(_ key: String, offset: Int, length: Int, expected: Int, objectSize: Int) throws {
        precondition(expected == length, "patch: expected and new bytes differ in length")
        guard offset >= 0, length > 0, offset + length <= objectSize else {
            throw BenjiError.data("cannot patch bytes \(offset)..<\(offset + length) of object \(key) (\(objectSize) bytes) in \(url)")
        }
    }
}

/// Object keys of the store layout (docs/design.md §4).
public enum ObjectKey {
    /// The store's configuration object.
    public static let config = "config"
    public static func block(_ name: String) -> String { "blocks/" + name }
    public static func version(_ id: String) -> String { "versions/" + id }
    /// The record of a write session's ephemeral key (write-only stores, docs/design.md §4.1).
    public static func keySession(_ hexID: String) -> String { "keys/" + hexID }
}

/// The error for a block whose object the store does not hold, naming the object as a damaged one is
/// named: by its name, not by the store's key.
public func missingBlockObject(_ name: String, in store: ObjectStore) -> BenjiError {
    BenjiError(.notFound, "object \(name) is missing from store \(store.url)")
}

/// Opens a store from its URL: `file:///path`, `file:path` or a plain path. `rados://` and `s3://` are
/// reserved for their backends.
public func openStore(url: String) throws -> ObjectStore {
    if url.hasPrefix("rados://") || url.hasPrefix("s3://") {
        throw BenjiError(.config, "store \(url): this build has no \(url.hasPrefix("s3") ? "S3" : "RADOS") backend yet; use a file store")
    }
    guard let path = fileStorePath(url) else { throw BenjiError(.config, "store \(url): unknown URL scheme") }
    if url.hasPrefix("file://") && !path.hasPrefix("/") {
        throw BenjiError(.config, "store \(url): a file:// URL needs an absolute path")
    }
    guard !url.isEmpty else { throw BenjiError(.config, "the store URL is empty") }
    return FileStore(root: path)
}

/// The directory a file store's URL names, as written (`file:///path`, `file:path` or a plain path); nil
/// for a URL of another scheme.
public func fileStorePath(_ url: String) -> String? {
    if url.hasPrefix("file://") { return String(url.dropFirst("file://".count)) }
    if url.hasPrefix("file:") { return String(url.dropFirst("file:".count)) }
    return url.contains("://") ? nil : url
}
