import BenjiCore
import BenjiRecords
import Foundation

/// Counters a stage adds to the `end` record (`bytes_read`, `bytes_written`, …).
typealias Counters = [String: Int64]

/// One record on its way through a stage.
enum StageItem: Sendable {
    /// One block, or two consecutive ones for a stage that takes pairs (`runPairedStage`).
    case blocks([(Block, location: String)])
    case record(Record)
    case end(EndRecord)
}

/// Standard input and output as record streams.
enum StandardStreams {
    static func reader() -> BlockStreamReader {
        BlockStreamReader(RecordReader(input: FileDescriptor(borrowing: 0, name: "<stdin>")))
    }

    static func writer() -> RecordWriter {
        RecordWriter(output: FileDescriptor(borrowing: 1, name: "<stdout>"))
    }
}

/// Runs a stage over a block stream from stdin to stdout: framing is checked as records arrive, block
/// records are transformed on `threads` threads and written in input order, everything else passes
/// through unchanged, and the `end` record gains the stage's counters (`counters` names those it always
/// carries, 0 if no block added to them). Nothing is written after a failure, so the next stage sees no
/// `end` record and fails too.
func runStage(
    threads: Int = defaultWorkerCount,
    counters: [String] = [],
    header: (inout StreamHeader) throws -> Void = { _ in },
    block: @escaping @Sendable (Block, String) throws -> (Block, Counters),
    end: (inout EndRecord) throws -> Void = { _ in }
) throws {
    try runPairedStage(threads: threads, pairs: false, counters: counters, header: header, blocks: { blocks in
        try blocks.map { try block($0.0, $0.location) }
    }, end: end)
}

/// `runStage` for a stage that does more with two blocks at once than with each alone (hashes them
/// together, `SHA256.hash(_:_:)`): with `pairs`, consecutive blocks go to `blocks` two at a time (one
/// where a record that is not a block follows).
func runPairedStage(
    threads: Int = defaultWorkerCount,
    pairs: Bool = true,
    counters: [String] = [],
    header: (inout StreamHeader) throws -> Void = { _ in },
    blocks: @escaping @Sendable ([(Block, location: String)]) throws -> [(Block, Counters)],
    end: (inout EndRecord) throws -> Void = { _ in }
) throws {
    let input = StandardStreams.reader()
    let output = StandardStreams.writer()
    var totals = Counters(uniqueKeysWithValues: counters.map { ($0, 0) })
    // An event read to see whether a second block follows the first, for the next item.
    var ahead: StreamEvent?
    var last: EndRecord?
    func item(_ event: StreamEvent) throws -> StageItem {
        switch event {
        case .header(var h):
            try header(&h)
            return .record(h.record)
        case .block(let b): return .blocks([(b, input.location)])
        case .end(let e): return .end(e)
        case .other(let r): return .record(r)
        }
    }
    // The window holds as many blocks either way: paired, half as many items.
    try orderedParallelMap(threads: threads, window: pairs ? threads + 1 : threads * 2 + 2, produce: { () throws -> StageItem? in
        let next: StreamEvent? = if let a = ahead { a } else { try input.next() }
        ahead = nil
        guard let event = next else { return nil }
        guard pairs, case .block(let first) = event else { return try item(event) }
        let location = input.location
        guard let following = try input.next() else { return .blocks([(first, location)]) }
        guard case .block(let second) = following else {
            ahead = following
            return .blocks([(first, location)])
        }
        return .blocks([(first, location), (second, input.location)])
    }, transform: { item -> (StageItem, [Counters]) in
        guard case .blocks(let group) = item else { return (item, []) }
        let done = try blocks(group)
        return (.blocks(zip(done, group).map { ($0.0, $1.location) }), done.map(\.1))
    }, consume: { item, counters in
        for c in counters {
            for (k, v) in c { totals[k, default: 0] += v }
        }
        switch item {
        case .blocks(let group):
            for (b, _) in group { try output.write(b.record) }
        case .record(let r): try output.write(r)
        case .end(let e): last = e
        }
    })
    // The end record only once the whole input has been read and found whole (nothing may follow it).
    if var e = last {
        try end(&e)
        e.add(totals)
        try output.write(e.record)
    }
    try output.flush()
}

extension EndRecord {
    /// Adds a stage's counters to those the record holds.
    mutating func add(_ counters: Counters) {
        for (k, v) in counters.sorted(by: { $0.key < $1.key }) {
            record[k] = .int((record[k]?.int64 ?? 0) + v)
        }
    }
}

extension Block {
    /// Decodes `data`, which must be present.
    func plaintext(location: String) throws -> [UInt8] {
        guard let bytes = try bytes("data", location: location) else {
            throw BenjiError.data("block \(idx) has no data", location: location)
        }
        guard bytes.count == size else {
            throw BenjiError.data("block \(idx) has \(bytes.count) bytes of data, its size is \(size)", location: location)
        }
        return bytes
    }

}
