import BenjiCore
import BenjiStore

/// A store in memory, for tests of the stages above the store.
public final class MemoryStore: ObjectStore, @unchecked Sendable {
    public let url = "memory://"
    private let objects = Locked<[String: [UInt8]]>([:])

    public init() {}

    public func put(_ key: String, _ bytes: UnsafeRawBufferPointer) throws {
        let copy = Array(bytes)
        objects.withLock { $0[key] = copy }
    }

    public func get(_ key: String) throws -> [UInt8] {
        guard let bytes = objects.withLock({ $0[key] }) else {
            throw BenjiError(.notFound, "object \(key) is missing from store \(url)")
        }
        return bytes
    }

    public func size(_ key: String) throws -> Int? { objects.withLock { $0[key]?.count } }

    public func delete(_ key: String) throws { objects.withLock { _ = $0.removeValue(forKey: key) } }

    public func list(prefix: String, _ body: (String, Int) throws -> Void) throws {
        let snapshot = objects.withLock { $0 }
        for key in snapshot.keys.sorted() where key.hasPrefix(prefix) { try body(key, snapshot[key]!.count) }
    }

    public func flush() throws {}
}

/// The contract every `ObjectStore` backend must meet (restic's backend test suite does the same).
/// Each check throws a `ConformanceFailure` naming what broke; call `run` from a test per backend.
public enum StoreConformance {
    public struct ConformanceFailure: Error, CustomStringConvertible {
        public let description: String
    }

    private static func expect(_ condition: Bool, _ what: String) throws {
        if !condition { throw ConformanceFailure(description: what) }
    }

    /// Runs every check against an empty store.
    public static func run(_ store: ObjectStore) throws {
        let payload = (0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let key = "blocks/" + String(repeating: "ab", count: 32)

        // Missing objects: get says not found (66), size says nil, delete succeeds.
        do {
            _ = try store.get(key)
            try expect(false, "get of a missing object must throw")
        } catch let e as BenjiError {
            try expect(e.status == .notFound, "get of a missing object must throw status 66, got \(e.status.rawValue)")
        }
        try expect(try store.size(key) == nil, "size of a missing object must be nil")
        try store.delete(key)
        // Prefetch is a hint: of a missing object, or of a key that is not one, it does nothing.
        store.prefetch(key)
        store.prefetch("../outside")
        try expect(try store.size(key) == nil, "prefetch must not create an object")

        // Round trip, size, list.
        try store.put(key, payload)
        try expect(try store.get(key) == payload, "get must return what put stored")
        try expect(try store.size(key) == payload.count, "size must be the stored length")
        try store.put("versions/v-1", [1, 2, 3])
        var listed: [String: Int] = [:]
        try store.list(prefix: "blocks/") { listed[$0] = $1 }
        try expect(listed == [key: payload.count], "list(blocks/) must list exactly the block, got \(listed)")
        listed = [:]
        try store.list(prefix: "versions/") { listed[$0] = $1 }
        try expect(listed == ["versions/v-1": 3], "list(versions/) must list exactly the version object, got \(listed)")

        // Overwrite replaces whole.
        try store.put(key, [9, 9])
        try expect(try store.get(key) == [9, 9], "put over an existing object must replace it")

        // Ranged reads and in-place patches.
        var part = [UInt8](repeating: 0, count: 4)
        try expect(try part.withUnsafeMutableBytes { try store.read(key, offset: 1, into: $0) } == 1 && part[0] == 9,
                   "read at an offset must return the bytes from there to the end")
        try store.put(key, payload)
        try expect(try part.withUnsafeMutableBytes { try store.read(key, offset: 10, into: $0) } == 4 && part == Array(payload[10..<14]),
                   "read must return the bytes at the offset")
        try expect(try store.patch(key, offset: 32, expected: Array(payload[32..<35]), [1, 2, 3]), "patch must report that it wrote")
        var patched = payload
        patched[32] = 1; patched[33] = 2; patched[34] = 3
        try expect(try store.get(key) == patched, "patch must change exactly its range")
        // Compare and swap: bytes that are no longer the expected ones are left alone.
        try expect(try !store.patch(key, offset: 32, expected: Array(payload[32..<35]), [7, 7, 7]), "patch must refuse when the bytes changed")
        try expect(try store.get(key) == patched, "a refused patch must change nothing")
        for (offset, length) in [(payload.count - 1, 2), (-1, 1)] {
            do {
                _ = try store.patch(key, offset: offset, expected: [UInt8](repeating: 0, count: length), [UInt8](repeating: 0, count: length))
                try expect(false, "patch past the end of an object must throw")
            } catch let e as BenjiError {
                try expect(e.status == .dataError, "patch out of range must throw status 65, got \(e.status.rawValue)")
            }
        }
        do {
            _ = try store.patch("blocks/" + String(repeating: "cd", count: 32), offset: 0, expected: [0], [1])
            try expect(false, "patch of a missing object must throw")
        } catch let e as BenjiError {
            try expect(e.status == .notFound, "patch of a missing object must throw status 66, got \(e.status.rawValue)")
        }
        try store.put(key, [9, 9])

        // Empty objects are objects.
        try store.put("versions/empty", [])
        try expect(try store.size("versions/empty") == 0, "an empty object must exist with size 0")

        // Delete, and idempotent delete.
        try store.delete(key)
        try expect(try store.size(key) == nil, "a deleted object must be gone")
        try store.delete(key)
        try store.flush()

        // Concurrent puts of the same key with the same content leave that content.
        let concurrent = "blocks/" + String(repeating: "cd", count: 32)
        let errors = Locked<[Error]>([])
        let threads = 8
        let group = DispatchGroupShim()
        for _ in 0..<threads {
            group.run {
                do { try store.put(concurrent, payload) } catch { errors.withLock { $0.append(error) } }
            }
        }
        group.wait()
        try expect(errors.withLock { $0.isEmpty }, "concurrent puts failed: \(errors.withLock { $0 })")
        try expect(try store.get(concurrent) == payload, "concurrent puts of one object must leave it whole")
        try store.delete(concurrent)
        try store.delete("versions/v-1")
        try store.delete("versions/empty")

        try batches(store)
    }

    /// A batch: puts from several threads (a key twice, an empty object, one larger than a backup's
    /// blocks) are all there, whole, once `finish` returns; an abandoned batch takes no more puts and
    /// leaves each of its objects whole or absent.
    static func batches(_ store: ObjectStore) throws {
        // Objects are slices of one pattern at different offsets (built by doubling: debug builds are slow per byte).
        var built = (0..<4099).map { UInt8(truncatingIfNeeded: $0 &* 13 &+ $0 >> 8) }
        while built.count < (9 << 20) + 100 { built += built }
        let pattern = built
        @Sendable func object(_ i: Int) -> [UInt8] {
            let length = i == 0 ? 0 : i == 1 ? 9 << 20 : 1 + (i * 7919) % 300_000
            return Array(pattern[i..<(i + length)])
        }
        @Sendable func key(_ i: Int) -> String { "blocks/" + String(format: "%064x", i + 1) }
        let count = 48
        let batch = store.putBatch()
        let errors = Locked<[Error]>([])
        let group = DispatchGroupShim()
        for t in 0..<4 {
            group.run {
                for i in stride(from: t, to: count, by: 4) {
                    do { try batch.put(key(i), object(i)) } catch { errors.withLock { $0.append(error) } }
                }
                do { try batch.put(key(5), object(5)) } catch { errors.withLock { $0.append(error) } }
            }
        }
        group.wait()
        try batch.finish()
        try store.flush()
        try expect(errors.withLock { $0.isEmpty }, "batch puts failed: \(errors.withLock { $0 })")
        for i in 0..<count {
            try expect(try store.get(key(i)) == object(i), "object \(i) of a finished batch must be there, whole")
        }
        var listed = 0
        try store.list(prefix: "blocks/") { _, _ in listed += 1 }
        try expect(listed == count, "a finished batch must leave \(count) objects, not \(listed)")

        let abandoned = store.putBatch()
        for i in count..<(count + 8) { try abandoned.put(key(i), object(i)) }
        abandoned.abandon()
        abandoned.abandon()
        var refused = false
        do { try abandoned.put(key(count + 8), object(3)) } catch { refused = true }
        try expect(refused, "an abandoned batch must refuse puts")
        for i in count..<(count + 9) {
            if let size = try store.size(key(i)) {
                try expect(size == object(i).count && (try store.get(key(i))) == object(i),
                           "an abandoned batch's object must be whole or absent")
            }
        }
        for i in 0..<(count + 9) { try store.delete(key(i)) }
    }
}

import Foundation

/// Runs closures on threads and waits for all of them.
final class DispatchGroupShim: @unchecked Sendable {
    private let group = DispatchGroup()
    func run(_ body: @escaping @Sendable () -> Void) {
        group.enter()
        Thread { body(); self.group.leave() }.start()
    }
    func wait() { group.wait() }
}
