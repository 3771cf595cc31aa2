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
public struct BlockPlan: Sendable {
    public let size: Int64
    public let blockSize: Int
    /// nil means "every block".
    private let entries: [(Int64, BlockAction)]?

    public var blockCount: Int64 { BlockGeometry(size: size, blockSize: blockSize).blockCount }

    /// Reads every block.
    public init(everyBlockOf size: Int64, blockSize: Int) {
        self.size = size
        self.blockSize = blockSize
        entries = nil
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
        var actions: [Int64: BlockAction] = [:]
        for e in hints where e.length > 0 {
            guard e.offset >= 0, e.offset <= size, e.length <= size - e.offset else {
                throw BenjiError.data("a hint (offset \(e.offset), length \(e.length)) reaches beyond the \(size)-byte image")
            }
            let first = e.offset / bs
            let last = (e.offset + e.length - 1) / bs
            for idx in first...last {
                if e.exists {
                    actions[idx] = .read
                } else {
                    let blockStart = idx * bs
                    let blockEnd = min(blockStart + bs, size)
                    let covers = e.offset <= blockStart && e.offset + e.length >= blockEnd
                    if !covers {
                        actions[idx] = .read
                    } else if actions[idx] == nil {
                        actions[idx] = .zero
                    }
                }
            }
        }
        for idx in alsoRead where idx >= 0 && idx < BlockGeometry(size: size, blockSize: blockSize).blockCount {
            actions[idx] = .read
        }
        // Adjacent zero extents may together cover a block that neither covers alone; such a block was
        // marked read above, which is correct if wasteful.
        let count = BlockGeometry(size: size, blockSize: blockSize).blockCount
        let unlisted = count - Int64(actions.count)
        if checkSamples > 0 && unlisted > 0 {
            var picked = 0
            var attempts = 0
            let want = min(Int64(checkSamples), unlisted)
            while picked < want && attempts < checkSamples * 20 {
                attempts += 1
                let idx = Int64.random(in: 0..<count)
                if actions[idx] == nil { actions[idx] = .check; picked += 1 }
            }
        }
        entries = actions.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    /// The blocks to handle, in ascending order.
    public func forEach(_ body: (Int64, BlockAction) throws -> Void) rethrows {
        if let entries {
            for (idx, action) in entries { try body(idx, action) }
        } else {
            var idx: Int64 = 0
            while idx < blockCount { try body(idx, .read); idx += 1 }
        }
    }

    /// The size of block `idx` (the last block may be short).
    public func blockSize(of idx: Int64) -> Int {
        Int(min(Int64(blockSize), size - idx * Int64(blockSize)))
    }

    /// How many blocks a check sample should hold for an image with `count` blocks: 0.1% of them, at
    /// least 8 (the original Benji re-read a similar share).
    public static func defaultCheckSamples(blockCount count: Int64) -> Int {
        Int(min(count, max(8, count / 1000)))
    }
}
