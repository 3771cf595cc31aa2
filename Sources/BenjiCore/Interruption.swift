internal import CBenjiKernels
#if canImport(Glibc)
import Glibc
#endif

/// SIGINT, SIGTERM and SIGHUP as errors: a command that catches them stops at the next block or record
/// it takes up, and unwinds like any other failure. A backup then removes its incomplete version and
/// releases its lock; a restore removes the file it created; a stage exits without writing its `end`
/// record, so nothing downstream commits. A second signal ends the process at once.
public enum Interruption {
    /// Starts catching the signals (once per process, at start).
    public static func catchSignals() { benji_catch_interrupts() }

    /// Throws if one of the signals arrived: 129 (SIGHUP), 130 (SIGINT) or 143 (SIGTERM).
    public static func check() throws {
        let signal = benji_interrupting_signal()
        guard signal != 0 else { return }
        switch signal {
        case SIGHUP: throw BenjiError(.hangup, "stopped by SIGHUP")
        case SIGINT: throw BenjiError(.interrupted, "interrupted (SIGINT)")
        default: throw BenjiError(.terminated, "stopped by SIGTERM")
        }
    }

    /// Runs `body` on a thread other than the main one, such that a blocking read or write in it returns
    /// at one of the signals, as on the main thread (a signal goes to one thread only; the others are woken).
    public static func watching<R>(_ body: () throws -> R) rethrows -> R {
        let slot = benji_watch_thread()
        defer { benji_unwatch_thread(slot) }
        return try body()
    }

    /// `value`, unless one of the signals arrived (then throws, as `check()`).
    public static func check<T>(_ value: T) throws -> T {
        try check()
        return value
    }
}
