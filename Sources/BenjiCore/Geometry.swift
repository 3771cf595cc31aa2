/// A byte range of an image and whether it holds data (`exists: false` means it reads as zeros).
public struct Extent: Sendable, Equatable {
    public var offset: Int64
    public var length: Int64
    public var exists: Bool

    public init(offset: Int64, length: Int64, exists: Bool) {
        self.offset = offset; self.length = length; self.exists = exists
    }
}

/// Limits on block sizes: 4 KiB to 64 MiB, a multiple of 4 KiB; 4 MiB by default (the RBD object size).
public enum BlockSizeLimits {
    public static let minimum = 4096
    public static let maximum = 64 << 20
    public static let `default` = 4 << 20

    public static func validate(_ size: Int) -> Bool {
        size >= minimum && size <= maximum && size % 4096 == 0
    }
}

/// How an image of `size` bytes divides into blocks of `blockSize`.
public struct BlockGeometry: Sendable, Equatable {
    public var size: Int64
    public var blockSize: Int

    public init(size: Int64, blockSize: Int) {
        self.size = size
        self.blockSize = blockSize
    }

    /// The number of blocks (the last may be short).
    public var blockCount: Int64 { size / Int64(blockSize) + (size % Int64(blockSize) != 0 ? 1 : 0) }

    /// The size of block `idx`.
    public func size(of idx: Int64) -> Int { Int(min(Int64(blockSize), size - idx * Int64(blockSize))) }

    /// The byte offset of block `idx`.
    public func offset(of idx: Int64) -> Int64 { idx * Int64(blockSize) }
}
