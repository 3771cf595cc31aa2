import BenjiCore

/// What to do with one block of a new version.
public enum BlockAction: Sendable, Equatable {
    /// Read it from the source.
    case read
    /// It is known to be all zeros; do not read it.
    case zero
    /// It is outside the hints and should be unchanged since the base: read it only to verify that.
    case check
}

/// Which blocks of an image a backup reads, in ascending order.
///
/// With no hints every block is read. With hints (extents of changed data), blocks overlapped by an
/// `exists` extent are read, blocks wholly covered by non-`exists` extents are zero, and a block only
/// partly covered by a non-`exists` extent is read (reading wins). Blocks outside the hints are not
/// listed: the commit inherits them from the base version, or takes them as zero when there is none.
///
/// Memory follows the number of extents, not of blocks: the hints become sorted, disjoint runs of
/// blocks with one action each, and blocks are produced from them as they are asked for.
public struct BlockPlan: Sendable {
    public let size: Int64
    public let blockSize: Int
    /// Disjoint runs of blocks `[start, end)` in ascending order; nil means "every block".
    private let runs: [Run]?
    /// Blocks outside the runs to re-read and compare with the base, ascending.
    private let checks: [Int64]

    struct Run: Sendable, Equatable {
        var start: Int64
        var end: Int64
        var action: BlockAction
    }

    public var blockCount: Int64 { BlockGeometry(size: size, blockSize: blockSize).blockCount }

    /// Reads every block.
    public init(everyBlockOf size: Int64, blockSize: Int) {
        self.size = size
        self.blockSize = blockSize
        runs = nil
        checks = []
    }

    /// Plans from hints.
    ///
    /// - Parameters:
    ///   - alsoRead: blocks to read whatever the hints say (the old last block when the image was resized).
    ///   - checkSamples: how many blocks outside the hints to re-read and compare with the base (only
    ///     meaningful with a base version; pass 0 without one).
    /// - Throws: a data error if a hint reaches beyond the image.
    public init(hints: [Extent], size: Int64, blockSize: Int, checkSamples: Int = 0, alsoRead: [Int64] = []) throws {
        self.size = size
        self.blockSize = blockSize
        let bs = Int64(blockSize)
        let count = BlockGeometry(size: size, blockSize: blockSize).blockCount
        // Each extent becomes up to three runs: blocks it reads, and blocks it wholly zeroes.
        var reads: [(Int64, Int64)] = [], zeros: [(Int64, Int64)] = []
        for e in hints where e.length > 0 {
            guard e.offset >= 0, e.offset <= size, e.length <= size - e.offset else {
                throw BenjiError.data("a hint (offset \(e.offset), length \(e.length)) reaches beyond the \(size)-byte image")
            }
            let first = e.offset / bs, last = (e.offset + e.length - 1) / bs
            if e.exists {
                reads.append((first, last + 1))
                continue
            }
            // Wholly covered blocks: from the first block starting at or after the offset, to the last
            // block ending at or before the extent's end (the image's end counts as a block's end).
            let end = e.offset + e.length
            let zeroFirst = (e.offset + bs - 1) / bs
            let zeroEnd = end == size ? count : end / bs
            if zeroFirst < zeroEnd { zeros.append((zeroFirst, zeroEnd)) }
            if first < zeroFirst || zeroFirst >= zeroEnd { reads.append((first, min(zeroFirst, last + 1))) }
            if zeroEnd <= last { reads.append((max(zeroEnd, first), last + 1)) }
        }
        for idx in alsoRead where idx >= 0 && idx < count { reads.append((idx, idx + 1)) }
        let runs = BlockPlan.sweep(reads: reads, zeros: zeros)
        self.runs = runs
        // Check samples: blocks outside every run, picked at random.
        let listed = runs.reduce(Int64(0)) { $0 + $1.end - $1.start }
        var picked = Set<Int64>()
        if checkSamples > 0 && count > listed {
            let want = min(Int64(checkSamples), count - listed)
            var attempts = 0
            while Int64(picked.count) < want && attempts < checkSamples * 20 {
                attempts += 1
                let idx = Int64.random(in: 0..<count)
                if !BlockPlan.covers(runs, idx) { picked.insert(idx) }
            }
        }
        checks = picked.sorted()
    }

    /// Merges read and zero ranges into disjoint runs; where they overlap, reading wins.
    static func sweep(reads: [(Int64, Int64)], zeros: [(Int64, Int64)]) -> [Run] {
        var events: [(Int64, Int, Int)] = []   // position, read delta, zero delta
        for (a, b) in reads { events.append((a, 1, 0)); events.append((b, -1, 0)) }
        for (a, b) in zeros { events.append((a, 0, 1)); events.append((b, 0, -1)) }
        events.sort { $0.0 < $1.0 }
        var runs: [Run] = []
        var readDepth = 0, zeroDepth = 0
        var i = 0
        while i < events.count {
            let position = events[i].0
            while i < events.count && events[i].0 == position {
                readDepth += events[i].1
                zeroDepth += events[i].2
                i += 1
            }
            guard i < events.count else { break }
            let next = events[i].0
            let action: BlockAction? = readDepth > 0 ? .read : zeroDepth > 0 ? .zero : nil
            guard let action, position < next else { continue }
            if var last = runs.last, last.end == position, last.action == action {
                last.end = next
                runs[runs.count - 1] = last
            } else {
                runs.append(Run(start: position, end: next, action: action))
            }
        }
        return runs
    }

    static func covers(_ runs: [Run], _ idx: Int64) -> Bool {
        var lo = 0, hi = runs.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if runs[mid].end <= idx { lo = mid + 1 } else { hi = mid }
        }
        return lo < runs.count && runs[lo].start <= idx
    }

    /// The blocks to handle, in ascending order.
    public struct Iterator {
        let plan: BlockPlan
        var run = 0, check = 0
        var cursor: Int64 = 0

        public mutating func next() -> (Int64, BlockAction)? {
            guard let runs = plan.runs else {
                guard cursor < plan.blockCount else { return nil }
                defer { cursor += 1 }
                return (cursor, .read)
            }
            while run < runs.count && cursor >= runs[run].end { run += 1 }
            if run < runs.count && cursor < runs[run].start { cursor = runs[run].start }
            let fromRun: Int64? = run < runs.count ? cursor : nil
            if check < plan.checks.count, fromRun.map({ plan.checks[check] < $0 }) ?? true {
                check += 1
                return (plan.checks[check - 1], .check)
            }
            guard let idx = fromRun else { return nil }
            cursor = idx + 1
            return (idx, runs[run].action)
        }
    }

    public func makeIterator() -> Iterator { Iterator(plan: self) }

    /// The blocks to handle, in ascending order.
    public func forEach(_ body: (Int64, BlockAction) throws -> Void) rethrows {
        var iterator = makeIterator()
        while let (idx, action) = iterator.next() { try body(idx, action) }
    }

    /// The size of block `idx` (the last block may be short).
    public func blockSize(of idx: Int64) -> Int { BlockGeometry(size: size, blockSize: blockSize).size(of: idx) }

    /// How many blocks a check sample should hold for an image with `count` blocks: 0.1% of them, at
    /// least 8 (the original Benji re-read a similar share).
    public static func defaultCheckSamples(blockCount count: Int64) -> Int {
        Int(min(count, max(8, count / 1000)))
    }
}
