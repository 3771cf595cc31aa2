import BenjiCore
import BenjiSeal
import BenjiStore
import Foundation

/// Writes sealed objects to the store on threads of its own, through one `PutBatch`, so that the threads
/// that hash and compress never wait for the store: the batch spreads the disk's work over the backup
/// (the file store's keeps the disk busy from the page cache) instead of leaving it to the final flush.
///
/// Buffers come from `buffer()` and belong to the pool again once submitted. Memory is bounded: at most
/// `capacity` objects wait, and `threads` are being written.
final class ObjectWriterPool: @unchecked Sendable {
    private struct Job {
        var name: String
        var buffer: UnsafeMutableRawBufferPointer
        var length: Int
    }

    private let batch: PutBatch
    private let queue: BoundedQueue<Job>
    private let free = Locked<[UnsafeMutableRawBufferPointer]>([])
    private let bufferSize: Int
    private let failure = Locked<Error?>(nil)
    private let group = DispatchGroup()
    private let bytes = Locked<Int64>(0)
    private var finished = false

    init(store: ObjectStore, threads: Int, capacity: Int, bufferSize: Int) {
        let batch = store.putBatch()
        self.batch = batch
        self.bufferSize = bufferSize
        queue = BoundedQueue(capacity: capacity)
        for _ in 0..<threads {
            group.enter()
            Thread { [queue, batch, free, failure, bytes, group] in
                while let job = queue.pop() {
                    if failure.withLock({ $0 == nil }) {
                        do {
                            let object = UnsafeRawBufferPointer(rebasing: job.buffer[0..<job.length])
                            let n = try Stages.put(batch: batch, name: job.name, object: object)
                            bytes.withLock { $0 += Int64(n) }
                        } catch {
                            failure.withLock { if $0 == nil { $0 = error } }
                        }
                    }
                    free.withLock { $0.append(job.buffer) }
                }
                group.leave()
            }.start()
        }
    }

    deinit {
        close()
        free.withLock { for b in $0 { b.deallocate() } }
    }

    /// Stops the threads once the queue is drained; for the error path (`finish` does it otherwise).
    func close() {
        guard !finished else { return }
        // Abandon first: what is still queued is not written only to be deleted.
        batch.abandon()
        stopThreads()
    }

    /// Lets the threads drain the queue, and waits for them.
    private func stopThreads() {
        finished = true
        queue.close()
        group.wait()
    }

    /// A buffer to seal an object into.
    func buffer() -> UnsafeMutableRawBufferPointer {
        free.withLock { $0.popLast() } ?? .allocate(byteCount: bufferSize, alignment: 4096)
    }

    /// Returns an unused buffer to the pool.
    func recycle(_ buffer: UnsafeMutableRawBufferPointer) {
        free.withLock { $0.append(buffer) }
    }

    /// Queues an object for writing; the buffer goes back to the pool afterwards.
    /// - Throws: the first error of an earlier write.
    func submit(name: String, buffer: UnsafeMutableRawBufferPointer, length: Int) throws {
        if let error = failure.withLock({ $0 }) {
            free.withLock { $0.append(buffer) }
            throw error
        }
        queue.push(Job(name: name, buffer: buffer, length: length))
    }

    /// Waits for every queued object; returns the bytes written.
    func finish() throws -> Int64 {
        precondition(!finished, "ObjectWriterPool.finish called twice")
        stopThreads()
        if let error = failure.withLock({ $0 }) {
            batch.abandon()
            throw error
        }
        try batch.finish()
        return bytes.withLock { $0 }
    }
}
