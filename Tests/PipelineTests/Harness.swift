import Foundation
import Testing

/// The package root, found from this file's path.
let packageRoot: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }
    return url.path
}()

/// Where the built binaries are: $BENJI_BIN_DIR, else .build/debug.
let binDir: String = ProcessInfo.processInfo.environment["BENJI_BIN_DIR"] ?? packageRoot + "/.build/debug"

struct Run {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// A scratch directory with its own catalog and store, and a shell to run the tools in it.
final class Sandbox {
    let dir: String
    var env: [String: String]

    init(initialize: Bool = true) throws {
        dir = NSTemporaryDirectory() + "benji-pipeline-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        var e = ProcessInfo.processInfo.environment
        e["PATH"] = binDir + ":" + (e["PATH"] ?? "/usr/bin:/bin")
        e["BENJI_CATALOG"] = dir + "/catalog.sqlite"
        e["BENJI_STORE"] = "file://" + dir + "/store"
        e["BENJI_CONFIG"] = nil
        e["HOME"] = dir
        e["XDG_CONFIG_HOME"] = nil
        env = e
        guard FileManager.default.isExecutableFile(atPath: binDir + "/benji") else {
            throw SandboxError(message: "no benji binary in \(binDir): run 'swift build' before 'swift test'")
        }
        if initialize {
            let r = try sh("benji init --no-config")
            guard r.status == 0 else { throw SandboxError(message: "benji init failed: \(r.stderr)") }
        }
    }

    deinit { try? FileManager.default.removeItem(atPath: dir) }

    /// Runs a bash script (with `set -o pipefail`) in the sandbox directory.
    @discardableResult
    func sh(_ script: String, stdin: Data? = nil) throws -> Run {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/bash")
        p.arguments = ["-c", "set -o pipefail\n" + script]
        p.currentDirectoryURL = URL(fileURLWithPath: dir)
        p.environment = env
        let id = UUID().uuidString
        let outPath = dir + "/.stdout-" + id, errPath = dir + "/.stderr-" + id
        FileManager.default.createFile(atPath: outPath, contents: nil)
        FileManager.default.createFile(atPath: errPath, contents: nil)
        defer {
            try? FileManager.default.removeItem(atPath: outPath)
            try? FileManager.default.removeItem(atPath: errPath)
        }
        p.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
        p.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        if let stdin {
            let inPath = dir + "/.stdin-" + id
            try stdin.write(to: URL(fileURLWithPath: inPath))
            p.standardInput = try FileHandle(forReadingFrom: URL(fileURLWithPath: inPath))
        } else {
            p.standardInput = FileHandle.nullDevice
        }
        try p.run()
        p.waitUntilExit()
        let o = (try? Data(contentsOf: URL(fileURLWithPath: outPath))) ?? Data()
        let e = (try? Data(contentsOf: URL(fileURLWithPath: errPath))) ?? Data()
        return Run(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
    }

    /// Runs a script that must succeed; returns its stdout without the trailing newline.
    @discardableResult
    func ok(_ script: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        let r = try sh(script)
        #expect(r.status == 0, "\(script)\n\(r.stderr)", sourceLocation: sourceLocation)
        return r.stdout.trimmingCharacters(in: .newlines)
    }

    /// Runs a script that must fail with `status` and a stderr that starts with `stderr` (the whole of it
    /// when it ends with a newline).
    func fails(_ script: String, _ status: Int32, _ stderr: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let r = try sh(script)
        #expect(r.status == status, "\(script)\n\(r.stderr)", sourceLocation: sourceLocation)
        if stderr.hasSuffix("\n") {
            #expect(r.stderr == stderr, "\(script)", sourceLocation: sourceLocation)
        } else {
            #expect(r.stderr.hasPrefix(stderr), "\(script)\n\(r.stderr)", sourceLocation: sourceLocation)
        }
    }

    func path(_ name: String) -> String { dir + "/" + name }

    /// Checks that a restore into `target` that stopped left nothing: neither the target nor the hidden
    /// file a new target is written under (`.NAME.benji-restore-…`).
    func expectNothingRestored(_ target: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        try ok("test ! -e \(target) && \(noRestoreLeftovers)", sourceLocation: sourceLocation)
    }

    /// Writes a test image: random and compressible data, zero runs, a size that is not a multiple of the block size.
    func makeImage(_ name: String, size: Int, seed: UInt64 = 1) throws {
        var rng = SplitMix(seed: seed)
        var data = [UInt8](repeating: 0, count: size)
        var offset = 0
        while offset < size {
            let run = min(size - offset, Int(rng.next() % 300_000) + 1000)
            switch rng.next() % 3 {
            case 0: for i in 0..<run { data[offset + i] = UInt8(truncatingIfNeeded: rng.next()) }
            case 1: for i in 0..<run { data[offset + i] = UInt8(truncatingIfNeeded: (offset + i) / 100 % 64 + 32) }
            default: break // zeros
            }
            offset += run
        }
        try Data(data).write(to: URL(fileURLWithPath: path(name)))
    }

    func versions() throws -> [[String: Any]] {
        let out = try ok("benji ls --json")
        return try out.split(separator: "\n").map {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
        }
    }

    /// Inverts byte `offset` of the store file of object `name` (overwriting it with a constant would
    /// leave it unchanged one time in 256).
    func flipByte(ofObject name: String, at offset: Int) throws {
        try ok("""
            f=$(find store/blocks -name \(name)); chmod u+w $f
            b=$(dd if=$f bs=1 skip=\(offset) count=1 status=none | od -An -tu1 | tr -d ' ')
            printf "\\\\x$(printf %02x $((b ^ 255)))" | dd of=$f bs=1 seek=\(offset) conv=notrunc status=none
            """)
    }

    func objectCount() throws -> Int {
        Int(try ok("{ find store/blocks -type f 2>/dev/null || true; } | wc -l")) ?? -1
    }
}

struct SandboxError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

/// A small deterministic generator for test data.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// A shell test that holds when no hidden restore file (`.NAME.benji-restore-…`) is in the directory.
let noRestoreLeftovers = "! ls -a | grep -q benji-restore"
