import BenjiCore
import BenjiRecords
import Foundation

/// Counters a stage adds to the `end` record (`bytes_read`, `bytes_written`, …).
typealias Counters = [String: Int64]

/// One record on its way through a stage.
enum StageItem: Sendable {
    case block(Block, location: String)
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
/// through unchanged, and the `end` record gains the stage's counters. Nothing is written after a failure,
/// so the next stage sees no `end` record and fails too.
func runStage(
    threads: Int = defaultWorkerCount,
    header: (inout StreamHeader) throws -> Void = { _ in },
    block: @escaping @Sendable (Block, String) throws -> (Block, Counters),
    end: (inout EndRecord) throws -> Void = { _ in }
) throws {
    let input = StandardStreams.reader()
    let output = StandardStreams.writer()
    var totals: Counters = [:]
    try orderedParallelMap(threads: threads, window: threads * 2 + 2, produce: { () throws -> StageItem? in
        guard let event = try input.next() else { return nil }
        switch event {
        case .header(var h):
            try header(&h)
            return .record(h.record)
        case .block(let b): return .block(b, location: input.location)
        case .end(let e): return .end(e)
        case .other(let r): return .record(r)
        }
    }, transform: { item -> (StageItem, Counters) in
        guard case .block(let b, let location) = item else { return (item, [:]) }
        let (out, counters) = try block(b, location)
        return (.block(out, location: location), counters)
    }, consume: { item, counters in
        for (k, v) in counters { totals[k, default: 0] += v }
        switch item {
        case .block(let b, _): try output.write(b.record)
        case .record(let r): try output.write(r)
        case .end(var e):
            try end(&e)
            for (k, v) in totals.sorted(by: { $0.key < $1.key }) {
                e.record[k] = .int((e.record[k]?.int64 ?? 0) + v)
            }
            try output.write(e.record)
        }
    })
    try output.flush()
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
