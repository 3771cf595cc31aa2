import ArgumentParser
import BenjiCatalog
import BenjiChunking
import BenjiCore
import BenjiEngine
import BenjiRecords
import BenjiSeal
import BenjiSource
import BenjiStore
import Foundation

/// Options that describe the version a stream will become.
struct VersionOptions: ParsableArguments {
    @Option(help: ArgumentHelp("A name for the snapshot the data comes from (free text, e.g. the RBD snapshot).", valueName: "name"))
    var snapshot: String = ""

    @Option(help: ArgumentHelp("A version to build on: blocks the stream does not list are taken from it.", valueName: "version"))
    var base: String?

    @Option(name: .customLong("label"), help: ArgumentHelp("A label for the version (repeatable).", valueName: "key=value"))
    var labels: [String] = []

    @Option(help: ArgumentHelp("Block size: a multiple of 4 KiB up to 64 MiB (e.g. 4M, 64K). Default: the base's, else 4 MiB.", valueName: "bytes"))
    var blockSize: String?

    @Option(help: ArgumentHelp("The size the source must have, in bytes or with K, M, G or T (e.g. 10G). A stream that ends short (a dropped connection) or runs long, or a file or device of another size, is refused and nothing is committed.", valueName: "bytes"))
    var expectSize: String?

    /// The options given, by their flags.
    var givenOptions: [String] {
        [(!snapshot.isEmpty, "--snapshot"), (base != nil, "--base"), (!labels.isEmpty, "--label"),
         (blockSize != nil, "--block-size"), (expectSize != nil, "--expect-size")].filter(\.0).map(\.1)
    }

    /// `--expect-size`, parsed. - Throws: 64 for a malformed size.
    func expectedSize() throws -> Int64? { try expectSize.map { try parseByteCount($0, what: "--expect-size") } }
}

/// Stream header fields for a new stream.
func streamHeader(volume: String, size: Int64?, blockSize: Int, source: String, options: VersionOptions) throws -> StreamHeader {
    StreamHeader(volume: volume, snapshot: options.snapshot, size: size, blockSize: blockSize, base: options.base,
                 source: source, labels: try checkedNames(volume: volume, options))
}

/// The labels of a new version, once its names are known to be acceptable to the catalog.
/// - Throws: 64 for a bad volume name, snapshot name or label.
func checkedNames(volume: String, _ options: VersionOptions) throws -> [(String, String)] {
    let labels = try parseLabels(options.labels)
    try Catalog.validateNames(volume: volume, snapshot: options.snapshot, labels: labels, status: .usage)
    return labels
}

/// Resolves the block size: the flag, else the base's (from the catalog), else the config file, else 4 MiB.
func resolveBlockSize(_ options: VersionOptions, repository: RepositoryOptions) throws -> Int {
    if let text = options.blockSize { return try parseBlockSize(text) }
    if let base = options.base {
        return try Catalog(path: try repository.catalogPath()).version(base).blockSize
    }
    if let text = try repository.configValue("block_size") { return try parseBlockSize(text) }
    return BlockSizeLimits.default
}

// MARK: - diff

struct DiffCommand: ParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(
            commandName: commandName("diff"),
            abstract: "Plan a backup: emit the blocks of SOURCE to read, as a record stream.",
            discussion: """
            Writes a `stream` record, one `block` record (idx, size) per block to read, `zero: true` for blocks \
            the hints declare empty, `check: true` for a sample of blocks outside the hints (re-read to verify \
            the hints against the base), and an `end` record. Without --hints every block is listed. With \
            --hints and --base, unlisted blocks are inherited from the base; with --hints alone they are zero.

            Pipe the output into benji-chunk.
            """)
    }

    @OptionGroup var repository: RepositoryOptions
    @Argument(help: ArgumentHelp("A file or block device (file: prefix optional).", valueName: "source"))
    var source: String
    @Argument(help: ArgumentHelp("The volume the backup belongs to.", valueName: "volume"))
    var volume: String
    @Option(help: ArgumentHelp("Changed extents: `rbd diff --format=json` output or NDJSON extent records.", valueName: "file"))
    var hints: String?
    @OptionGroup var version: VersionOptions
    @Flag(help: "Do not re-read a sample of blocks outside the hints.")
    var noCheck = false

    func run() throws {
        _ = try checkedNames(volume: volume, version)
        let src = try openSource(source)
        guard let size = src.size else { throw BenjiError(.usage, "benji-diff needs a source of known size; for a stream use benji-chunk - VOLUME") }
        try checkSize(size, of: src, expected: try version.expectedSize())
        let blockSize = try resolveBlockSize(version, repository: repository)
        let base = try version.base.map { try Catalog(path: try repository.catalogPath()).version($0) }
        let plan = try Stages.plan(size: size, blockSize: blockSize, hints: try hints.map(loadHints), base: base, check: !noCheck)
        let out = StandardStreams.writer()
        try out.write(try streamHeader(volume: volume, size: size, blockSize: blockSize, source: src.name, options: version).record)
        var count: Int64 = 0
        try plan.forEach { idx, action in
            var b = Block(idx: idx, size: plan.blockSize(of: idx))
            if action == .zero { b.set("zero", .bool(true)) }
            if action == .check { b.set("check", .bool(true)) }
            try out.write(b.record)
            count += 1
        }
        try out.write(EndRecord(blocks: count, size: size).record)
        try out.flush()
    }
}

// MARK: - chunk

struct ChunkCommand: ParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(
            commandName: commandName("chunk"),
            abstract: "Read blocks: add each block's SHA-256 and data (base64), or mark it zero.",
            discussion: """
            With SOURCE and VOLUME, reads all of SOURCE (a file, a block device, or - for a raw stream on \
            stdin) and writes a whole block stream. Without them, reads a plan from benji-diff on stdin and \
            reads the blocks it lists from the plan's source (or --source); the version's options \
            (--snapshot, --base, --label, --block-size, --expect-size) are then benji-diff's, and refused here.
            """)
    }

    @Argument(help: ArgumentHelp("A file, a block device, or - for stdin. Omit to read a plan on stdin.", valueName: "source"))
    var source: String?
    @Argument(help: ArgumentHelp("The volume (with SOURCE).", valueName: "volume"))
    var volume: String?
    @Option(name: .customLong("source"), help: ArgumentHelp("With a plan on stdin: read from here instead of the plan's source (a path of the same size; the version records this one).", valueName: "source"))
    var sourceOverride: String?
    @OptionGroup var version: VersionOptions
    @OptionGroup var repository: RepositoryOptions

    func validate() throws {
        if (source == nil) != (volume == nil) { throw ValidationError("give both SOURCE and VOLUME, or neither (to read a plan on stdin)") }
        if source != nil && sourceOverride != nil { throw ValidationError("--source is for reading a plan on stdin") }
        if source == nil, let given = version.givenOptions.first {
            throw ValidationError("\(given) goes with SOURCE and VOLUME; a plan on stdin carries it from benji-diff")
        }
    }

    func run() throws {
        if let source, let volume { try chunkWhole(source: source, volume: volume) } else { try chunkPlan() }
    }

    private static func record(for block: ChunkedBlock) -> Record {
        var b = Block(idx: block.idx, size: block.size)
        if let digest = block.sha256 {
            b.set("sha256", .text(digest.hex))
            b.set("data", .base64String(block.data))
        } else {
            b.set("zero", .bool(true))
        }
        return b.record
    }

    private func chunkWhole(source: String, volume: String) throws {
        let src = try openSource(source)
        let blockSize = try resolveBlockSize(version, repository: repository)
        let out = StandardStreams.writer()
        try out.write(try streamHeader(volume: volume, size: src.size, blockSize: blockSize, source: src.name, options: version).record)
        var count: Int64 = 0, total: Int64 = 0, sparse: Int64 = 0, bytesRead: Int64 = 0
        let geometry = BlockGeometry(size: src.size ?? 0, blockSize: blockSize)
        var next: Int64 = 0
        var ended = false
        let threads = defaultWorkerCount
        // Blocks go to the workers in pairs, whose digests are computed together (`Stages.chunk`).
        /// The next block: its index alone for a file or device, which the workers read; read here from a stream.
        func nextBlock() throws -> ChunkedBlock? {
            if src.isRandomAccess {
                guard next < geometry.blockCount else { return nil }
                defer { next += 1 }
                return ChunkedBlock(idx: next, size: 0, sha256: nil, data: [])
            }
            if ended { return nil }
            var data = [UInt8](unsafeUninitializedCapacity: blockSize) { _, c in c = blockSize }
            let n = try data.withUnsafeMutableBytes { try src.read(at: next * Int64(blockSize), into: $0) }
            if n < blockSize { ended = true; data.removeLast(blockSize - n) }
            if n == 0 { return nil }
            defer { next += 1 }
            return ChunkedBlock(idx: next, size: n, sha256: nil, data: data)
        }
        try orderedParallelMap(threads: threads, window: threads + 1, produce: { () throws -> [ChunkedBlock]? in
            var pair: [ChunkedBlock] = []
            while pair.count < 2, let block = try nextBlock() { pair.append(block) }
            return pair.isEmpty ? nil : pair
        }, transform: { pair -> [(Record, Bool)] in
            let blocks = src.isRandomAccess
                ? try Stages.chunk(source: src, blocks: pair.map(\.idx), geometry: geometry)
                : Stages.hash(pair)
            return blocks.map { (ChunkCommand.record(for: $0), $0.read) }
        }, consume: { pair in
            for (record, read) in pair {
                let size = record["size"]?.int64 ?? 0
                total += size
                if read { bytesRead += size }
                if record["zero"] != nil { sparse += size }
                count += 1
                try out.write(record)
            }
        })
        try src.checkUnchanged()
        if src.size == nil && total == 0 { throw emptyStreamError(src) }
        // Before the end record: without it, nothing downstream commits.
        try checkSize(src.size ?? total, of: src, expected: try version.expectedSize())
        var end = EndRecord(blocks: count, size: src.size ?? total)
        end.record["bytes_read"] = .int(bytesRead)
        end.record["bytes_sparse"] = .int(sparse)
        try out.write(end.record)
        try out.flush()
    }

    private func chunkPlan() throws {
        let source = Locked<(BlockSource, BlockGeometry)?>(nil)
        let override = sourceOverride
        try runPairedStage(counters: ["bytes_read", "bytes_sparse"], header: { h in
            guard let spec = override ?? h.source else {
                throw BenjiError.data("the plan names no source; pass --source")
            }
            guard let size = h.size else { throw BenjiError.data("the plan has no size") }
            let src = try openSource(spec)
            guard src.isRandomAccess, src.size == size else {
                throw BenjiError.data("source \(spec) has \(src.size.map(String.init) ?? "unknown") bytes, the plan \(size)")
            }
            source.withLock { $0 = (src, BlockGeometry(size: size, blockSize: h.blockSize)) }
            // The version records what was read.
            if override != nil {
                h.source = src.name
                h.record["source"] = .text(src.name)
            }
        }, blocks: { group in
            // Blocks already read, known zero, or carrying an object pass through; the others are read, and
            // hashed two at a time.
            let toRead = group.indices.filter { i in
                let b = group[i].0
                return !(b.zero || b.sha256 != nil || b.hasData || b.object != nil)
            }
            var done = group.map { ($0.0, Counters()) }
            guard let first = toRead.first else { return done }
            guard let (src, geometry) = source.withLock({ $0 }) else { throw BenjiError.data("no source", location: group[first].location) }
            let chunked = try Stages.chunk(source: src, blocks: toRead.map { group[$0].0.idx }, geometry: geometry)
            for (i, block) in zip(toRead, chunked) {
                let b = group[i].0
                var out = b
                if let digest = block.sha256 {
                    out.set("sha256", .text(digest.hex))
                    if !b.check { out.set("data", .base64String(block.data)) }
                } else {
                    out.set("zero", .bool(true))
                }
                var counters: Counters = block.read ? ["bytes_read": Int64(b.size)] : [:]
                if block.sha256 == nil && !b.check { counters["bytes_sparse"] = Int64(b.size) }
                done[i] = (out, counters)
            }
            return done
        }, end: { _ in
            try source.withLock { $0 }?.0.checkUnchanged()
        })
    }
}

// MARK: - seal

struct SealCommand: ParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(
            commandName: commandName("seal"),
            abstract: "Seal block data into stored objects (zstd, AES-256-GCM), or --open them again.",
            discussion: """
            Sealing replaces each block's `data` with `object_data` (the stored object, base64) and names the \
            object in `object`. Compression is skipped for blocks that do not shrink. If the configured store \
            is encrypted, every object is encrypted with AES-256-GCM under a data key of its own, wrapped by \
            the store key given (--key-file, a passphrase, or a writer key), and named by a keyed hash; without \
            a configured store, objects are not encrypted and are named by their SHA-256. With --open, \
            `object_data` is authenticated, decrypted, decompressed and verified against `sha256`, and becomes \
            `data` again; a block that fails gets an `error` field instead, the stream goes on, and the exit \
            status is 3. A wrong key stops it with 77 before any block is read.
            """)
    }

    @Flag(help: "Open sealed objects instead: authenticate, decrypt, decompress and verify them.")
    var open = false
    @OptionGroup var compression: CompressionOptions
    @OptionGroup var repository: RepositoryOptions
    @OptionGroup var keyOptions: KeyOptions

    func run() throws {
        // The store's config says whether objects are encrypted and how they are named; without a store,
        // objects are sealed unencrypted and named by their digest.
        let keys = try storeKeys(repository, keyOptions)
        let sealer = try Sealer(options: try compression.sealOptions(repository), keys: keys?.isEncrypted == true ? keys : nil)
        if open {
            try keys?.requireOpening()
            let failures = Locked(0)
            try runPairedStage(blocks: { group in
                var done: [(Block, Counters)] = []
                // Blocks whose objects opened: where in the group, the digest expected, the plaintext.
                var opened: [(at: Int, digest: SHA256Digest, plain: [UInt8])] = []
                func failed(_ b: inout Block, _ e: BenjiError) {
                    failures.withLock { $0 += 1 }
                    b.set("error", .text("object \(b.object ?? "?"): \(e.message)"))
                }
                for (i, (b, location)) in group.enumerated() {
                    var out = b
                    if let object = try b.bytes("object_data", location: location) {
                        out.set("object_data", nil)
                        guard let digest = b.sha256 else { throw BenjiError.data("block \(b.idx) has no sha256 to verify", location: location) }
                        do {
                            opened.append((i, digest, try sealer.openUnverified(object, expected: digest)))
                        } catch let e as BenjiError where e.status == .dataError {
                            failed(&out, e)
                        }
                    }
                    done.append((out, [:]))
                }
                // Checked two at a time (`SHA256.hash(each:)`).
                for (o, actual) in zip(opened, SHA256.hash(each: opened.map(\.plain))) {
                    do {
                        try Sealer.verify(actual, expected: o.digest)
                        done[o.at].0.set("data", .base64String(o.plain))
                    } catch let e as BenjiError {
                        failed(&done[o.at].0, e)
                    }
                }
                return done
            })
            let n = failures.withLock { $0 }
            if n > 0 { throw BenjiError(.partial, "\(n) block(s) failed verification; they carry an error field") }
            return
        }
        try keys?.requireSealing()
        try runPairedStage(blocks: { group in
            var done = group.map { ($0.0, Counters()) }
            // Blocks with data to seal: where in the group, the digest it claims, its plaintext.
            var toSeal: [(at: Int, digest: SHA256Digest, plain: [UInt8])] = []
            for (i, (b, location)) in group.enumerated() where b.hasData && !b.check {
                guard let digest = b.sha256 else {
                    throw BenjiError.data("block \(b.idx) has data but no sha256 (run it through benji-chunk)", location: location)
                }
                toSeal.append((i, digest, try b.plaintext(location: location)))
            }
            // The stream's word is not enough: an object must hold what its name says (a replayed or
            // filtered stream with other data would otherwise replace a good object). Two blocks are
            // hashed together.
            let actual = SHA256.hash(each: toSeal.map(\.plain))
            for (k, block) in toSeal.enumerated() {
                let (b, location) = group[block.at]
                guard actual[k] == block.digest else {
                    throw BenjiError.data("block \(b.idx): its data has SHA-256 \(actual[k].hex), not the \(block.digest.hex) it claims", location: location)
                }
                let object = try block.plain.withUnsafeBytes { try sealer.seal($0, digest: block.digest) }
                var out = b
                out.set("data", nil)
                out.set("object", .text(keys?.blockName(for: block.digest) ?? block.digest.hex))
                out.set("object_data", .base64String(object))
                done[block.at] = (out, [:])
            }
            return done
        })
    }
}


// MARK: - put

struct PutCommand: ParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(
            commandName: commandName("put"),
            abstract: "Write sealed objects to the store, or --get them back.",
            discussion: """
            Each block with `object_data` is written to the store under `object` (replacing any object of that \
            name: only objects the catalog knows as valid are trusted, and dedup takes those out before), and \
            leaves with `written: true` and `stored_size` instead of the bytes. The `end` record is written only once every object is durable, and names the store (`store`: its id), which `benji-catalog commit` checks against its catalog. An encrypted store takes only encrypted objects. \
            With --get, each block with an `object` gains its `object_data` from the store; a missing object \
            gets an `error` field instead, the stream goes on, and the exit status is 3.
            """)
    }

    @Flag(help: "Read objects instead of writing them.")
    var get = false
    @OptionGroup var repository: RepositoryOptions

    func run() throws {
        let store = try openStore(url: try repository.storeURL())
        let storeConfig = try StoreConfig.load(store)
        let encrypted = storeConfig.encryption != nil
        if let catalogPath = try repository.setting(repository.catalog, env: "BENJI_CATALOG", key: "catalog") {
            try checkPair(catalog: try Catalog(path: catalogPath), store: store)
        }
        if get {
            let failures = Locked(0)
            try runStage(block: { b, location in
                guard let name = b.object, !b.hasObjectData, !b.hasData else { return (b, [:]) }
                var out = b
                do {
                    out.set("object_data", .base64String(try store.get(ObjectKey.block(name))))
                } catch let e as BenjiError where e.status == .notFound || e.status == .ioError {
                    failures.withLock { $0 += 1 }
                    out.set("error", .text(e.status == .notFound ? missingBlockObject(name, in: store).message : e.message))
                }
                return (out, [:])
            })
            let n = failures.withLock { $0 }
            if n > 0 { throw BenjiError(.partial, "\(n) object(s) could not be read; their blocks carry an error field") }
            return
        }
        let batch = store.putBatch()
        defer { batch.abandon() }
        try runStage(counters: ["bytes_written"], block: { b, location in
            guard let object = try b.bytes("object_data", location: location) else { return (b, [:]) }
            guard let name = b.object else { throw BenjiError.data("block \(b.idx) has object_data but no object name", location: location) }
            // An encrypted store takes only encrypted objects, and the other way round.
            let header = try object.withUnsafeBytes { try ObjectFormat.parseHeader($0) }
            guard header.flags.contains(.encrypted) == encrypted else {
                throw BenjiError.data(encrypted
                    ? "block \(b.idx): object \(name) is not encrypted, but store \(store.url) is: configure benji-seal with the store and its key"
                    : "block \(b.idx): object \(name) is encrypted, but store \(store.url) is not", location: location)
            }
            let written = try object.withUnsafeBytes { try Stages.put(batch: batch, name: name, object: $0) }
            var out = b
            out.set("object_data", nil)
            out.set("heal", nil)
            out.set("written", .bool(true))
            out.set("stored_size", .int(object.count))
            return (out, ["bytes_written": Int64(written)])
        }, end: { e in
            try batch.finish()
            try store.flush()
            // The store these objects went to: commit refuses them for a catalog of another store.
            e.record["store"] = .text(storeConfig.id)
        })
    }
}

// MARK: - write

struct WriteCommand: ParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(
            commandName: commandName("write"),
            abstract: "Write a block stream with data to a file, a block device or stdout (the end of a restore).",
            discussion: """
            Blocks carrying an `error` field are written as zeros and reported as bad ranges on stderr (and as \
            `bad_range` records on stdout with --json); the exit status is then 3.
            """)
    }

    @Argument(help: ArgumentHelp("A file (a new one gets mode 0600, as it holds a whole disk's data, and its name only when complete), a block device, or - for stdout.", valueName: "target"))
    var target: String
    @Flag(help: "Leave zero blocks as holes instead of writing zeros.")
    var sparse = false
    @Flag(help: "Overwrite an existing file (in place: it keeps its mode; one interrupted is left partly overwritten) or device.")
    var force = false
    @Flag(help: "Write bad ranges as records on stdout.")
    var json = false
    @Flag(help: "Flush a restored file to stable storage before exiting (a device always is).")
    var fsync = false

    func run() throws {
        let input = StandardStreams.reader()
        var output: RestoreTarget?
        var geometry = BlockGeometry(size: 0, blockSize: BlockSizeLimits.default)
        var bad = BadRangeCollector()
        do {
            try writeStream(input, &output, &geometry, &bad)
        } catch {
            output?.discard()
            throw error
        }
        try reportBadRanges(bad.ranges, json: json)
    }

    private func writeStream(_ input: BlockStreamReader, _ output: inout RestoreTarget?, _ geometry: inout BlockGeometry,
                             _ bad: inout BadRangeCollector) throws {
        var next: Int64 = 0
        // The size the end record gives: the target is finished (a new file named) only once the input
        // has been read to its end and found whole, nothing after the end record.
        var finalSize: Int64?
        func fillGap(_ idx: Int64) throws {
            while next < idx {
                try output!.zero(at: geometry.offset(of: next), length: geometry.blockSize)
                next += 1
            }
        }
        while let event = try input.next() {
            switch event {
            case .header(let h):
                if let base = h.base {
                    throw BenjiError.data("the stream lists only the blocks that changed since version \(base); write a whole version (benji-catalog blocks VERSION)", location: input.location)
                }
                output = try RestoreTarget(path: target, size: h.size, sparse: sparse, force: force, blockSize: h.blockSize)
                geometry = BlockGeometry(size: h.size ?? Int64.max / 2, blockSize: h.blockSize)
            case .block(let b):
                try fillGap(b.idx)
                let offset = geometry.offset(of: b.idx)
                if let error = b.error {
                    bad.add(offset: offset, length: Int64(b.size), reason: error)
                    try output!.zero(at: offset, length: b.size)
                } else if b.zero {
                    try output!.zero(at: offset, length: b.size)
                } else {
                    let data = try b.plaintext(location: input.location)
                    try data.withUnsafeBytes { try output!.write(at: offset, $0) }
                }
                next = b.idx + 1
            case .end(let e):
                let size = input.header?.size ?? e.size ?? 0
                let count = BlockGeometry(size: size, blockSize: geometry.blockSize).blockCount
                geometry = BlockGeometry(size: size, blockSize: geometry.blockSize)
                while next < count {
                    try output!.zero(at: geometry.offset(of: next), length: geometry.size(of: next))
                    next += 1
                }
                finalSize = size
            case .other:
                break
            }
        }
        if let finalSize { try output!.finish(size: finalSize, durable: fsync) }
    }
}

/// Prints bad ranges (stderr, and records on stdout with `json`) and fails with status 3 if there are any.
func reportBadRanges(_ ranges: [BadRange], json: Bool) throws {
    guard !ranges.isEmpty else { return }
    let tool = standaloneTool ?? "benji"
    if json {
        let out = StandardStreams.writer()
        for r in ranges { try out.write(r.record) }
        try out.flush()
    }
    var total: Int64 = 0
    for r in ranges {
        printError("\(tool): bad range: offset \(r.offset) length \(r.length): \(r.reason)")
        total += r.length
    }
    throw BenjiError(.partial, "\(ranges.count) bad range(s), \(total) bytes, could not be restored and were written as zeros; the rest is restored")
}
