import BenjiCore
import BenjiChunking
import BenjiSeal
import BenjiStore
import BenjiCatalog
import BenjiSource

/// What reading one block produced.
public struct ChunkedBlock: Sendable {
    public var idx: Int64
    public var size: Int
    /// nil for a zero block.
    public var sha256: SHA256Digest?
    /// The plaintext; empty for zero blocks.
    public var data: [UInt8]
    /// False for a hole of a sparse file, which is known to be zero without reading.
    public var read = true
    public var isZero: Bool { sha256 == nil }

    public init(idx: Int64, size: Int, sha256: SHA256Digest?, data: [UInt8]) {
        self.idx = idx; self.size = size; self.sha256 = sha256; self.data = data
    }
}

/// The stage functions that the pipeline tools and the all-in-one `benji` share.
public enum Stages {
    /// Reads block `idx` of `geometry` from `source`, hashes it and detects zeros.
    ///
    /// - Throws: 65 if the source ends early (it shrank while being read).
    public static func chunk(source: BlockSource, idx: Int64, geometry: BlockGeometry) throws -> ChunkedBlock {
        try chunk(source: source, blocks: [idx], geometry: geometry)[0]
    }

    /// `chunk` for one or two blocks, whose digests are computed together (`SHA256.hash(_:_:)`: on one
    /// core, two blocks take little more than one).
    public static func chunk(source: BlockSource, blocks: [Int64], geometry: BlockGeometry) throws -> [ChunkedBlock] {
        var chunked = try blocks.map { idx in
            let size = geometry.size(of: idx)
            if source.isHole(at: geometry.offset(of: idx), length: size) {
                var hole = ChunkedBlock(idx: idx, size: size, sha256: nil, data: [])
                hole.read = false
                return hole
            }
            var data = [UInt8](unsafeUninitializedCapacity: size) { _, count in count = size }
            _ = try data.withUnsafeMutableBytes { try read(source: source, idx: idx, geometry: geometry, into: $0) }
            return ChunkedBlock(idx: idx, size: size, sha256: nil, data: data)
        }
        let notHoles = chunked.indices.filter { chunked[$0].read }
        for (i, block) in zip(notHoles, hash(notHoles.map { chunked[$0] })) { chunked[i] = block }
        return chunked
    }

    /// The blocks' digests, nil for those that are all zeros; the others hashed two at a time
    /// (`SHA256.hash(each:)`).
    public static func digestsOrZero(_ blocks: [UnsafeRawBufferPointer]) -> [SHA256Digest?] {
        let nonZero = blocks.indices.filter { !ZeroDetection.isZero(blocks[$0]) }
        var digests = [SHA256Digest?](repeating: nil, count: blocks.count)
        for (i, digest) in zip(nonZero, SHA256.hash(each: nonZero.map { blocks[$0] })) { digests[i] = digest }
        return digests
    }

    /// Hashes blocks read elsewhere (a stream): two at a time, like `chunk`; zero blocks lose their data.
    public static func hash(_ blocks: [ChunkedBlock]) -> [ChunkedBlock] {
        var hashed = blocks
        let digests = withUnsafeBytes(of: blocks.map(\.data)) { digestsOrZero($0) }
        for (i, digest) in digests.enumerated() {
            hashed[i].sha256 = digest
            if digest == nil { hashed[i].data = [] }
        }
        return hashed
    }

    /// Stores a sealed object.
    ///
    /// An object of the same name may be there already — a crashed backup's leftover, a concurrent
    /// backup's, or a damaged copy (the catalog marks it invalid and dedup sends the block on with
    /// `heal`). It is replaced all the same: only objects the catalog knows as valid are trusted, and
    /// those are never sent here (dedup takes them out first).
    /// - Returns: the number of bytes written.
    @discardableResult
    public static func put(batch: PutBatch, name: String, object: UnsafeRawBufferPointer) throws -> Int {
        try batch.put(ObjectKey.block(name), object)
        return object.count
    }

    /// Reads block `idx` into `buffer` (at least a block long) and returns the part holding it.
    ///
    /// Blocks are copied out of the page cache, not mapped, although a mapping would save a third of the
    /// kernel's work in a backup: the hash and the sealed object must come from the same bytes, and a
    /// source that changes while it is read (a live file or device) would change them in between,
    /// storing an object whose content is not its name.
    /// - Throws: 65 if the source ends early (it shrank while being read).
    public static func read(source: BlockSource, idx: Int64, geometry: BlockGeometry,
                            into buffer: UnsafeMutableRawBufferPointer) throws -> UnsafeRawBufferPointer {
        let size = geometry.size(of: idx)
        let region = UnsafeMutableRawBufferPointer(rebasing: buffer[0..<size])
        let n = try source.read(at: geometry.offset(of: idx), into: region)
        guard n == size else {
            throw BenjiError.data("source \(source.name) ended at byte \(geometry.offset(of: idx) + Int64(n)), expected \(geometry.size) bytes: did it shrink?")
        }
        return UnsafeRawBufferPointer(region)
    }

    /// Plans a backup: every block, or the blocks the hints name (plus a check sample and, if the size
    /// changed since the base, the base's old last block).
    public static func plan(size: Int64, blockSize: Int, hints: [Extent]?, base: VersionInfo?, check: Bool) throws -> BlockPlan {
        guard let hints else { return BlockPlan(everyBlockOf: size, blockSize: blockSize) }
        var alsoRead: [Int64] = []
        if let base, let baseSize = base.size, baseSize != size {
            let baseCount = BlockGeometry(size: baseSize, blockSize: blockSize).blockCount
            let count = BlockGeometry(size: size, blockSize: blockSize).blockCount
            alsoRead = [baseCount - 1, count - 1]
            // Blocks that did not exist in the base are zero unless hinted; that is what a grown RBD image reads.
        }
        let geometry = BlockGeometry(size: size, blockSize: blockSize)
        let samples = (check && base != nil) ? BlockPlan.defaultCheckSamples(blockCount: geometry.blockCount) : 0
        return try BlockPlan(hints: hints, size: size, blockSize: blockSize, checkSamples: samples, alsoRead: alsoRead)
    }
}
