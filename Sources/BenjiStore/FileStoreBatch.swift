import BenjiCore
internal import CSystem
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The file store's batch: the page cache is the write-behind buffer between the threads that seal
/// objects and the disk.
///
/// A put writes the object to its temporary file through the page cache and returns. Two threads of the
/// batch take the files in order: the first starts each one's writeback (`sync_file_range`, which blocks
/// while the device's queue is full — so it is not done by the put); the second waits for each one's
/// data (`fdatasync`, which by then has usually nothing left to wait for), renames it to its key, and
/// drops its pages from the cache. So the disk works all through the backup and a burst of incompressible
/// blocks waits in the page cache (not in the process's memory), never in the threads that compress. A
/// name still appears only over durable data. At most `maximumBytes` of data and `maximumFiles` open
/// files wait at a time.
final class FileStoreBatch: PutBatch, @unchecked Sendable {
    static let defaultMaximumBytes = 512 << 20
    static let defaultMaximumFiles = 256

    private let state: State

    init(store: FileStore, maximumBytes: Int = defaultMaximumBytes, maximumFiles: Int = defaultMaximumFiles) {
        let state = State(store: store, maximumBytes: maximumBytes, maximumFiles: maximumFiles)
        self.state = state
        // The threads hold the state, not the batch: a batch dropped without `finish` is abandoned.
        Thread {
            while let p = state.written.pop() {
                _ = benji_start_writeback(p.file.rawValue)
                state.started.push(p)
            }
            state.started.close()
        }.start()
        Thread {
            while let p = state.started.pop() { state.complete(p) }
            state.done.signal()
        }.start()
    }

    deinit { abandon() }

    func put(_ key: String, _ bytes: UnsafeRawBufferPointer) throws { try state.put(key, bytes) }

    func finish() throws {
        state.join()
        if let error = state.failure.withLock({ $0 }) { throw error }
        if state.condition.withLock({ state.stopped }) { throw state.stoppedError }
    }

    func abandon() {
        state.condition.withLock {
            state.stopped = true
            state.condition.broadcast()
        }
        state.join()
    }

    private struct Pending {
        var file: FileDescriptor
        var temp: String
        var target: String
        var key: String
        var bytes: Int
    }

    private final class State: @unchecked Sendable {
        let store: FileStore
        let maximumBytes: Int
        let maximumFiles: Int
        /// Files written, waiting for their writeback to be started; then for it to end.
        let written: BoundedQueue<Pending>
        let started: BoundedQueue<Pending>
        /// Guards `pendingBytes`, `pendingFiles`, `stopped` and `joined`.
        let condition = NSCondition()
        var pendingBytes = 0
        var pendingFiles = 0
        var stopped = false
        var joined = false
        let failure = Locked<Error?>(nil)
        let done = DispatchSemaphore(value: 0)

        init(store: FileStore, maximumBytes: Int, maximumFiles: Int) {
            self.store = store
            self.maximumBytes = maximumBytes
            self.maximumFiles = maximumFiles
            written = BoundedQueue(capacity: maximumFiles)
            started = BoundedQueue(capacity: maximumFiles)
        }

        func put(_ key: String, _ bytes: UnsafeRawBufferPointer) throws {
            if let error = failure.withLock({ $0 }) { throw error }
            // Wait for room; one object larger than the whole budget still goes through alone.
            condition.lock()
            while (pendingFiles >= maximumFiles || pendingBytes > 0 && pendingBytes + bytes.count > maximumBytes) && !stopped {
                condition.wait()
            }
            let admitted = !stopped
            if admitted {
                pendingBytes += bytes.count
                pendingFiles += 1
            }
            condition.unlock()
            guard admitted else { throw stoppedError }

            let temp: String, target: String
            do {
                (temp, target) = try store.temporaryPath(for: key)
            } catch {
                release(bytes.count)
                throw failed(error)
            }
            let queued: Bool
            do {
                let file = try store.createFile(temp, holding: bytes)
                queued = written.push(Pending(file: file, temp: temp, target: target, key: key, bytes: bytes.count))
            } catch {
                unlink(temp)
                release(bytes.count)
                throw failed(store.writeError(error, key: key))
            }
            if !queued {
                unlink(temp)
                release(bytes.count)
                throw stoppedError
            }
        }

        /// Records a put's own failure, so that `finish` reports it too; returns it.
        func failed(_ error: Error) -> Error {
            failure.withLock { if $0 == nil { $0 = error } }
            return error
        }

        var stoppedError: BenjiError { .writesStopped(to: store.url) }

        /// Makes one file durable and gives it its name, in the order the files were put.
        func complete(_ p: Pending) {
            if condition.withLock({ stopped }) || failure.withLock({ $0 != nil }) {
                unlink(p.temp)
            } else {
                do {
                    do { try p.file.syncData() } catch { throw store.writeError(error, key: p.key) }
                    // Written once, read rarely: the pages are better used for something else.
                    _ = posix_fadvise(p.file.rawValue, 0, 0, POSIX_FADV_DONTNEED)
                    try store.publish(p.temp, as: p.target, key: p.key)
                } catch {
                    unlink(p.temp)
                    _ = failed(error)
                }
            }
            release(p.bytes)
        }

        func release(_ n: Int) {
            condition.lock()
            pendingBytes -= n
            pendingFiles -= 1
            condition.broadcast()
            condition.unlock()
        }

        /// Lets the threads drain the queues and waits for them (from any number of callers).
        func join() {
            let first = condition.withLock {
                defer { joined = true }
                return !joined
            }
            if first { written.close() }
            done.wait()
            done.signal()
        }
    }
}
