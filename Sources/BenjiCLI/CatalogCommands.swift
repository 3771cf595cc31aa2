import ArgumentParser
import BenjiCatalog
import BenjiCore
import BenjiEngine
import BenjiRecords
import BenjiStore
import Foundation

/// Opens the catalog. With `checkStore`, also checks that it records the configured store, if one is
/// configured: a pipeline whose stages disagree about the store would commit versions whose objects are
/// elsewhere. (Listing or removing versions needs no store, and works while it is unreachable.)
func openCatalog(_ options: RepositoryOptions, checkStore: Bool = false, readOnlyAllowed: Bool = false) throws -> Catalog {
    let catalog = try Catalog(path: try options.catalogPath(), readOnlyAllowed: readOnlyAllowed)
    if checkStore, let url = try options.setting(options.store, env: "BENJI_STORE", key: "store") {
        try checkPair(catalog: catalog, store: try openStore(url: url))
    }
    return catalog
}

/// Fails with 78 unless the catalog records this store.
func checkPair(catalog: Catalog, store: ObjectStore) throws {
    let config = try StoreConfig.load(store)
    guard catalog.storeID == config.id else {
        throw BenjiError(.config, "catalog \(catalog.path) belongs to store \(catalog.storeID), but \(store.url) is store \(config.id)")
    }
}

// MARK: - dedup

struct DedupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dedup",
        abstract: "Drop the data of blocks the store already holds.",
        discussion: """
        A block whose SHA-256 names a valid object in the catalog loses its `data` and gains `object`: it is \
        neither sealed nor stored again. A block whose object is known but marked invalid gains `heal: true`, \
        so that benji-put rewrites it. Block data is passed on, or dropped, without passing through this \
        process (`splice`); the fields benji reads must come before a block's `data`, as benji's stages \
        write them.
        """)

    @OptionGroup var repository: RepositoryOptions

    /// Block data is never copied through this process: a block record is read up to its `data`, and the
    /// data goes on to stdout, or is dropped, by `splice` (`BlockStreamReader.writeDeferred`).
    func run() throws {
        let catalog = try openCatalog(repository, checkStore: true)
        let input = StandardStreams.reader()
        let output = StandardStreams.writer()
        var deduplicated: Int64 = 0
        var last: EndRecord?
        while let (event, deferred) = try input.next(deferringDataOf: RecordWriter.directThreshold) {
            switch event {
            case .header(let h): try output.write(h.record)
            case .other(let r): try output.write(r)
            case .end(let e): last = e
            case .block(let b):
                var out = b
                if let digest = b.sha256, b.hasData, !b.check {
                    if let object = try catalog.lookup(digest) {
                        out.set("data", nil)
                        out.set("object", .text(object.name))
                        deduplicated += Int64(b.size)
                    } else if try catalog.isInvalid(digest) {
                        out.set("heal", .bool(true))
                    }
                }
                try deferred ? input.writeDeferred(out, to: output) : output.write(out.record)
            }
        }
        // The end record only once the whole input has been read and found whole.
        if var e = last {
            e.add(["bytes_deduplicated": deduplicated])
            try output.write(e.record)
        }
        try output.flush()
    }
}

// MARK: - commit

struct CommitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "commit",
        abstract: "Record a whole block stream as a new version, atomically; print its version record.",
        discussion: """
        Every block must be stored (`object` with `written: true`, or an `object` found by dedup) or zero. \
        Blocks the stream does not list are taken from the stream's `base`, or are zero without one. The \
        version becomes valid only when the `end` record has arrived and matches; a stream that ends early or \
        is malformed leaves nothing valid behind (exit 65). A backup of the same volume that is still running \
        holds its lock (exit 75); a lock left by a process that died is taken over.
        """)

    @OptionGroup var repository: RepositoryOptions
    @Flag(help: "Print only the version id instead of the version record.")
    var quiet = false

    func run() throws {
        let catalog = try openCatalog(repository, checkStore: true)
        let input = StandardStreams.reader()
        var writer: VersionWriter?
        var writtenBlocks = 0
        let started = Date()
        do {
            while let event = try input.next() {
                switch event {
                case .header(let h):
                    writer = try catalog.beginVersion(volume: h.volume, snapshot: h.snapshot, size: h.size, blockSize: h.blockSize,
                                                      base: h.base, source: h.source, labels: h.labels)
                case .block(let b):
                    let location = input.location
                    if let error = b.error { throw BenjiError.data("block \(b.idx) failed upstream: \(error)", location: location) }
                    let outcome: BlockOutcome
                    if b.check {
                        guard b.zero || b.sha256 != nil else {
                            throw BenjiError.data("check block \(b.idx) was not read (it needs benji-chunk)", location: location)
                        }
                        outcome = .check(sha256: b.zero ? nil : b.sha256)
                    } else if b.zero {
                        outcome = .zero
                    } else if let name = b.object, let digest = b.sha256, !b.hasData, !b.hasObjectData {
                        guard name.utf8.count == 64, Hex.decode(name).map(Hex.encode) == name else {
                            throw BenjiError.data("block \(b.idx): object name \"\(name)\" is not 64 lowercase hex digits", location: location)
                        }
                        let written = b.record["written"]?.bool ?? false
                        if written { writtenBlocks += 1 }
                        outcome = .object(sha256: digest, size: b.size, name: name,
                                          storedSize: b.record["stored_size"]?.int64.map { Int($0) }, written: written)
                    } else {
                        throw BenjiError.data("block \(b.idx) is not stored yet (it needs benji-seal and benji-put, or dedup)", location: location)
                    }
                    try writer!.add(idx: b.idx, outcome)
                case .end(let e):
                    // Commit only once the input has ended too: anything after `end` is an error.
                    guard try input.next() == nil else { continue }
                    // Objects written by benji-put count only if they went to this catalog's store.
                    if writtenBlocks > 0 {
                        guard let store = e.record["store"]?.stringValue else {
                            throw BenjiError.data("the stream's blocks were written, but its end record does not name the store (benji-put adds it)", location: input.location)
                        }
                        guard store == catalog.storeID else {
                            throw BenjiError(.config, "the stream's objects went to store \(store), but catalog \(catalog.path) records store \(catalog.storeID)")
                        }
                    }
                    var stats = BackupStatistics()
                    stats.bytesRead = e.record["bytes_read"]?.int64 ?? 0
                    stats.bytesWritten = e.record["bytes_written"]?.int64 ?? 0
                    stats.bytesDeduplicated = e.record["bytes_deduplicated"]?.int64 ?? 0
                    stats.bytesSparse = e.record["bytes_sparse"]?.int64 ?? 0
                    stats.duration = Date().timeIntervalSince(started)
                    let info = try writer!.finish(size: input.header?.size ?? e.size ?? 0, statistics: stats)
                    writer = nil
                    try printVersion(info, quiet: quiet)
                case .other:
                    break
                }
            }
        } catch {
            writer?.abort()
            throw error
        }
    }
}

func printVersion(_ info: VersionInfo, quiet: Bool) throws {
    if quiet {
        try Array((info.id + "\n").utf8).withUnsafeBytes {
            try FileDescriptor(borrowing: 1, name: "<stdout>").writeAll($0)
        }
    } else {
        let out = StandardStreams.writer()
        try out.write(info.record)
        try out.flush()
    }
}

// MARK: - blocks

struct BlocksCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "blocks",
        abstract: "Emit a version's blocks as a record stream (the start of a restore).",
        discussion: "Each block names its object and SHA-256, or is `zero: true`. Pipe into `benji-put --get`.")

    @OptionGroup var repository: RepositoryOptions
    @Argument(help: ArgumentHelp("The version to emit.", valueName: "version"))
    var version: String

    func run() throws {
        let catalog = try openCatalog(repository, checkStore: true, readOnlyAllowed: true)
        let info = try catalog.version(version)
        guard info.status != .incomplete, let size = info.size else {
            throw BenjiError(.dataError, "version \(version) is incomplete")
        }
        let out = StandardStreams.writer()
        var header = StreamHeader(volume: info.volume, snapshot: info.snapshot, size: size, blockSize: info.blockSize,
                                  base: nil, source: info.source, labels: info.labels.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
        header.record["version"] = .text(info.id)
        try out.write(header.record)
        var count: Int64 = 0
        try catalog.blocks(of: version) { entry in
            var b = Block(idx: entry.idx, size: entry.size)
            if let object = entry.object {
                b.set("sha256", .text(object.sha256.hex))
                b.set("object", .text(object.name))
            } else {
                b.set("zero", .bool(true))
            }
            try out.write(b.record)
            count += 1
        }
        try out.write(EndRecord(blocks: count, size: size).record)
        try out.flush()
    }
}

// MARK: - ls, rm, protect

struct LsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ls",
        abstract: "List versions.",
        discussion: """
        A table by default; with --json one `version` record per line. Needs only the catalog, so it works \
        while the store is unreachable (--store is not used).
        """)

    @OptionGroup var repository: RepositoryOptions
    @Option(help: ArgumentHelp("Only versions of this volume.", valueName: "volume"))
    var volume: String?
    @Flag(help: "Print version records instead of a table.")
    var json = false

    func run() throws {
        let versions = try openCatalog(repository, readOnlyAllowed: true).versions(volume: volume)
        if json {
            let out = StandardStreams.writer()
            for v in versions { try out.write(v.record) }
            try out.flush()
            return
        }
        let header = ["DATE", "ID", "VOLUME", "SNAPSHOT", "SIZE", "BLOCK", "STATUS", "READ", "WRITTEN", "DEDUP", "SPARSE", "TIME", "LABELS"]
        var rows = [header]
        for v in versions {
            let date = String(v.date.prefix(19)).replacingOccurrences(of: "T", with: " ")
            let labels = v.labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
            rows.append([date, v.id, v.volume, v.snapshot, v.size.map(formatBytes) ?? "-", formatBytes(Int64(v.blockSize)),
                         v.status.rawValue + (v.protected ? ",protected" : ""), formatBytes(v.bytesRead), formatBytes(v.bytesWritten),
                         formatBytes(v.bytesDeduplicated), formatBytes(v.bytesSparse), String(format: "%.1fs", v.duration), labels])
        }
        var widths = [Int](repeating: 0, count: header.count)
        for row in rows { for (i, c) in row.enumerated() { widths[i] = max(widths[i], c.count) } }
        var text = ""
        for row in rows {
            text += row.enumerated().map { i, c in i == row.count - 1 ? c : c.padding(toLength: widths[i], withPad: " ", startingAt: 0) }
                .joined(separator: "  ").trimmingCharacters(in: .whitespaces) + "\n"
        }
        try text.utf8CString.withUnsafeBytes { raw in
            try FileDescriptor(borrowing: 1, name: "<stdout>").writeAll(UnsafeRawBufferPointer(rebasing: raw.dropLast()))
        }
    }
}

struct RmCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rm",
        abstract: "Remove versions from the catalog.",
        discussion: """
        The objects of removed versions stay in the store until garbage collection removes those no version \
        uses. Protected versions are refused (exit 77); a version a running backup is writing is refused \
        (exit 75). All the versions named are removed, or none: one refused leaves every one in place. \
        Needs only the catalog, as do protect and unprotect (--store is not used), which likewise change \
        all their versions or none.
        """)

    @OptionGroup var repository: RepositoryOptions
    @Argument(help: ArgumentHelp("The versions to remove.", valueName: "version"))
    var versions: [String]

    func validate() throws { if versions.isEmpty { throw ValidationError("name at least one version") } }

    func run() throws {
        let catalog = try openCatalog(repository)
        try catalog.remove(versions)
    }
}

struct ProtectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "protect", abstract: "Protect versions from removal.")
    @OptionGroup var repository: RepositoryOptions
    @Argument(help: ArgumentHelp("The versions to protect.", valueName: "version"))
    var versions: [String]
    func run() throws {
        let catalog = try openCatalog(repository)
        try catalog.setProtected(versions, true)
    }
}

struct UnprotectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "unprotect", abstract: "Allow versions to be removed again.")
    @OptionGroup var repository: RepositoryOptions
    @Argument(help: ArgumentHelp("The versions to unprotect.", valueName: "version"))
    var versions: [String]
    func run() throws {
        let catalog = try openCatalog(repository)
        try catalog.setProtected(versions, false)
    }
}

/// `benji-catalog` / `benji catalog`: everything about versions.
struct CatalogCommand: ParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(
            commandName: commandName("catalog"),
            abstract: "The catalog's side of the pipeline (dedup, commit, blocks) and version management.",
            subcommands: [DedupCommand.self, CommitCommand.self, BlocksCommand.self, LsCommand.self, RmCommand.self,
                          ProtectCommand.self, UnprotectCommand.self])
    }
}
