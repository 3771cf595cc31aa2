import Foundation

/// A value guarded by a lock, for state shared between the worker threads of a stage.
public final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value

    public init(_ value: Value) { self.value = value }

    @discardableResult
    public func withLock<R>(_ body: (inout Value) throws -> R) rethrows -> R {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}

/// A first-in first-out queue with a capacity: `push` blocks while it is full, `pop` while it is empty.
///
/// Closing the queue wakes every waiter: `push` then returns false and `pop` drains what is left, then returns nil.
public final class BoundedQueue<Element>: @unchecked Sendable {
    private let condition = NSCondition()
    /// A ring of `capacity` slots; a popped slot is cleared at once, so the queue never keeps an
    /// element (which may hold megabytes) alive after handing it out.
    private var ring: [Element?]
    private var head = 0
    private var count = 0
    private var closed = false

    public init(capacity: Int) {
        precondition(capacity > 0)
        ring = [Element?](repeating: nil, count: capacity)
    }

    /// Appends an element, waiting for room; false if the queue was closed.
    @discardableResult
    public func push(_ element: Element) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while count == ring.count && !closed { condition.wait() }
        if closed { return false }
        ring[(head + count) % ring.count] = element
        count += 1
        condition.broadcast()
        return true
    }

    /// Removes the oldest element, waiting for one; nil once the queue is closed and empty.
    public func pop() -> Element? {
        condition.lock()
        defer { condition.unlock() }
        while count == 0 && !closed { condition.wait() }
        if count == 0 { return nil }
        let element = ring[head]
        ring[head] = nil
        head = (head + 1) % ring.count
        count -= 1
        condition.broadcast()
        return element
    }

    /// Wakes all waiters; later pushes fail, pops drain what is queued.
    public func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }
}

/// Runs `transform` on the elements of a sequence on several threads and hands the results to
/// `consume`, in the input order, with at most `window` elements in flight (and one more in the hands of
/// `produce`, waiting for room).
///
/// This is the shape of every parallel stage: reading is sequential, work is parallel, output is ordered
/// (so record streams keep their order), memory is bounded by `window`. `produce` runs on the calling
/// thread, `consume` on a thread of its own (one call at a time, each result as soon as it and those
/// before it are done): while `produce` waits for input (a stream that stalls), what is done goes on
/// (the stream record, on which `benji-catalog commit` takes its lock). The first error thrown by the
/// producer, a transform or the consumer stops the pipeline and is rethrown; nothing is consumed after it.
public func orderedParallelMap<Input: Sendable, Output>(
    threads: Int,
    window: Int,
    produce: () throws -> Input?,
    transform: @escaping @Sendable (Input) throws -> Output,
    consume: (Output) throws -> Void
) throws {
    let threads = max(1, threads)
    if threads == 1 {
        while let item = try Interruption.check(produce()) { try consume(try transform(item)) }
        return
    }
    let work = BoundedQueue<(Input, ResultSlot<Output>)>(capacity: max(window, threads))
    // The slots in input order, for the consumer; one more is being consumed.
    let ordered = BoundedQueue<ResultSlot<Output>>(capacity: max(1, window - 1))
    let failure = Locked<Error?>(nil)
    let group = DispatchGroup()
    for _ in 0..<threads {
        group.enter()
        let thread = Thread {
            while let (input, slot) = work.pop() {
                slot.set(Result { try transform(input) })
            }
            group.leave()
        }
        thread.stackSize = 1 << 20
        thread.start()
    }
    try withoutActuallyEscaping(consume) { consume in
        // The thread holds the box, which gives the closure up before the call returns.
        let consumer = ClosureBox(consume)
        defer { consumer.value = nil }
        let consumed = DispatchGroup()
        consumed.enter()
        let thread = Thread {
            // A consumed slot is dropped at once, so that its result is freed. A signal stops a write
            // that waits here (`Interruption`).
            Interruption.watching {
                while let slot = ordered.pop() {
                    do {
                        let result = try slot.wait().get()
                        if failure.withLock({ $0 }) != nil { break }
                        try consumer.value!(result)
                    } catch {
                        failure.withLock { if $0 == nil { $0 = error } }
                        break
                    }
                }
            }
            // After a failure, the producer's next push fails.
            ordered.close()
            consumed.leave()
        }
        thread.stackSize = 1 << 20
        thread.start()
        defer {
            ordered.close()
            work.close()
            consumed.wait()
            group.wait()
        }
        do {
            while failure.withLock({ $0 }) == nil, let item = try Interruption.check(produce()) {
                let slot = ResultSlot<Output>()
                guard ordered.push(slot) else { break }
                work.push((item, slot))
            }
        } catch {
            failure.withLock { if $0 == nil { $0 = error } }
        }
        ordered.close()
        consumed.wait()
        if let error = failure.withLock({ $0 }) { throw error }
    }
}

/// A closure handed to another thread, which calls it only while its owner waits, and which the owner
/// takes back (`value = nil`) before returning: a closure that does not escape its call.
private final class ClosureBox<Value>: @unchecked Sendable {
    var value: Value?
    init(_ value: Value) { self.value = value }
}

/// A result that one thread sets and another waits for.
final class ResultSlot<Output>: @unchecked Sendable {
    private let condition = NSCondition()
    private var result: Result<Output, Error>?

    func set(_ r: Result<Output, Error>) {
        condition.lock(); result = r; condition.broadcast(); condition.unlock()
    }

    func wait() -> Result<Output, Error> {
        condition.lock(); defer { condition.unlock() }
        while result == nil { condition.wait() }
        return result!
    }
}

/// The number of worker threads a CPU-bound stage uses: `BENJI_THREADS` or the number of cores.
public var defaultWorkerCount: Int {
    ((try? configuredWorkerCount()) ?? nil) ?? max(1, ProcessInfo.processInfo.activeProcessorCount)
}

/// What `BENJI_THREADS` may be (each worker holds a few block buffers).
public let workerCountRange = 1...256

/// Checks `BENJI_THREADS`, which every command reads. - Throws: 78 if it is set to anything else than a
/// number in `workerCountRange`.
public func checkWorkerCount() throws { _ = try configuredWorkerCount() }

/// `BENJI_THREADS`, or nil if it is not set. - Throws: 78 if it is not a number in `workerCountRange`.
private func configuredWorkerCount() throws -> Int? {
    guard let text = ProcessInfo.processInfo.environment["BENJI_THREADS"] else { return nil }
    guard let n = Int(text), workerCountRange.contains(n) else {
        throw BenjiError(.config, "BENJI_THREADS is \"\(text)\"; it must be a number from \(workerCountRange.lowerBound) to \(workerCountRange.upperBound)")
    }
    return n
}

/// Reusable page-aligned buffers of one size, so that the hot path of a stage touches the same memory
/// block after block (a fresh 4 MiB allocation costs a thousand page faults and zeroing).
public final class BufferPool: @unchecked Sendable {
    public let size: Int
    private let free = Locked<[UnsafeMutableRawBufferPointer]>([])

    public init(size: Int) { self.size = size }

    deinit { free.withLock { for b in $0 { b.deallocate() } } }

    /// Lends a buffer of `size` bytes (contents undefined) for the duration of `body`.
    public func with<R>(_ body: (UnsafeMutableRawBufferPointer) throws -> R) rethrows -> R {
        let buffer = take()
        defer { giveBack(buffer) }
        return try body(buffer)
    }

    /// Lends a buffer of `size` bytes (contents undefined) until the returned object is released: for a
    /// buffer that one thread fills and another writes out.
    public func lend() -> PooledBuffer { PooledBuffer(pool: self, bytes: take()) }

    fileprivate func take() -> UnsafeMutableRawBufferPointer {
        free.withLock { $0.popLast() } ?? UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: 4096)
    }

    fileprivate func giveBack(_ buffer: UnsafeMutableRawBufferPointer) { free.withLock { $0.append(buffer) } }
}

/// A buffer lent by a `BufferPool`, which gets it back when this object is released (and which lives
/// at least as long).
public final class PooledBuffer: @unchecked Sendable {
    private let pool: BufferPool
    public let bytes: UnsafeMutableRawBufferPointer

    fileprivate init(pool: BufferPool, bytes: UnsafeMutableRawBufferPointer) {
        self.pool = pool
        self.bytes = bytes
    }

    deinit { pool.giveBack(bytes) }
}
