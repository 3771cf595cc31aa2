/// The exit statuses every benji tool uses (sysexits-style, see docs/design.md §7).
public enum ExitStatus: Int32, Sendable, CaseIterable {
    case success = 0
    /// Any failure that no other status describes.
    case failure = 1
    /// Finished, but some items failed (for example a restore that skipped bad blocks).
    case partial = 3
    /// The command line was wrong.
    case usage = 64
    /// Bad input data: a malformed record, a missing `end`, a checksum or tag mismatch.
    case dataError = 65
    /// A named thing (version, object, file) was not found.
    case notFound = 66
    /// The store or the cluster cannot be reached.
    case unavailable = 69
    /// A file cannot be created or used: the restore target exists (use `--force`), or is a device too
    /// small for the version.
    case cannotCreate = 73
    /// An I/O error, including a failed write to stdout.
    case ioError = 74
    /// Temporary: a lock is held by a live process.
    case tempFail = 75
    /// Permission denied, or a wrong key.
    case noPermission = 77
    /// A configuration error.
    case config = 78
    /// Stopped by SIGHUP, SIGINT or SIGTERM (128 + the signal, as a shell reports a process the signal
    /// killed): the work in progress was abandoned cleanly (no version committed, no partial file left).
    case hangup = 129
    case interrupted = 130
    case terminated = 143
    /// stdout was closed by its reader (`| head`, or a later stage that failed and said why): the tool
    /// stops without a message, with the status SIGPIPE would give it (128 + 13).
    case outputClosed = 141
}

/// The one error type that crosses module boundaries: a status and a one-line message.
///
/// Lower layers throw it with the most specific status they know; the CLI turns it into
/// `tool: error: (at input:line) message` on stderr and exits with `status`.
public struct BenjiError: Error, CustomStringConvertible, Sendable {
    public var status: ExitStatus
    public var message: String
    /// Where in the input the error was found (`<stdin>:12`), if it came from a record stream.
    public var location: String?
    /// The errno of a failed system call, for callers that handle particular ones.
    public var errno: Int32?

    public init(_ status: ExitStatus, _ message: String, location: String? = nil) {
        self.status = status
        self.message = message
        self.location = location
    }

    public var description: String {
        if let location { return "(at \(location)) \(message)" }
        return message
    }

    /// A data error, status 65.
    public static func data(_ message: String, location: String? = nil) -> BenjiError {
        BenjiError(.dataError, message, location: location)
    }

    /// An error for a failed system call, with the errno text; ENOENT maps to 66, EACCES/EPERM to 77.
    public static func system(_ operation: String, errno code: Int32, status: ExitStatus? = nil) -> BenjiError {
        let text = String(cString: strerror(code))
        let mapped: ExitStatus
        if let status {
            mapped = status
        } else {
            switch code {
            case ENOENT, ENOTDIR: mapped = .notFound
            case EACCES, EPERM, EROFS: mapped = .noPermission
            default: mapped = .ioError
            }
        }
        var error = BenjiError(mapped, "\(operation): \(text) (errno \(code))")
        error.errno = code
        return error
    }

    /// An error for a file that could not be created: 73 where its place is wrong (a missing directory,
    /// a file where a directory should be), else as `system`.
    public static func creating(_ operation: String, errno code: Int32) -> BenjiError {
        system(operation, errno: code, status: [ENOENT, ENOTDIR, EEXIST, EISDIR].contains(code) ? .cannotCreate : nil)
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
