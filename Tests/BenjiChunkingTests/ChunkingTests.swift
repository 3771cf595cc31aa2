import Testing
@testable import BenjiChunking
@testable import BenjiCore

@Suite struct ZeroDetectionTests {
    @Test func findsAnyNonZeroByte() {
        for n in [0, 1, 15, 16, 17, 4096, 4 << 20] {
            var block = [UInt8](repeating: 0, count: n)
            #expect(ZeroDetection.isZero(block))
            for position in Set([0, n / 2, n - 1]) where n > 0 {
                block[position] = 1
                #expect(!ZeroDetection.isZero(block), "byte \(position) of \(n)")
                block[position] = 0
            }
        }
    }
}

@Suite struct PlanTests {
    let bs = 4096

    func actions(_ plan: BlockPlan) -> [Int64: BlockAction] {
        var out: [Int64: BlockAction] = [:]
        plan.forEach { out[$0] = $1 }
        return out
    }

    @Test func everyBlockWithoutHints() {
        let plan = BlockPlan(everyBlockOf: 10_000, blockSize: bs)
        #expect(actions(plan) == [0: .read, 1: .read, 2: .read])
        #expect(plan.blockSize(of: 2) == 1808)
    }

    @Test func hintsSelectBlocks() throws {
        let hints = [
            Extent(offset: 100, length: 10, exists: true),        // inside block 0
            Extent(offset: 4096 * 3, length: 8192, exists: false), // covers blocks 3 and 4 exactly
            Extent(offset: 4096 * 6 + 1, length: 4095, exists: false), // part of block 6: read
            Extent(offset: 4096 * 8, length: 4096 * 2, exists: true),  // blocks 8, 9
            Extent(offset: 4096 * 9, length: 4096, exists: false),     // block 9 again: reading wins
        ]
        let plan = try BlockPlan(hints: hints, size: 4096 * 10 + 5, blockSize: bs)
        #expect(actions(plan) == [0: .read, 3: .zero, 4: .zero, 6: .read, 8: .read, 9: .read])
    }

    @Test func zeroHintOverTheShortLastBlock() throws {
        let plan = try BlockPlan(hints: [Extent(offset: 4096, length: 100, exists: false)], size: 4196, blockSize: bs)
        #expect(actions(plan) == [1: .zero])
    }

    @Test func hintsBeyondTheImageAreAnError() {
        #expect(throws: BenjiError.self) {
            _ = try BlockPlan(hints: [Extent(offset: 4096, length: 4097, exists: true)], size: 8192, blockSize: bs)
        }
    }

    @Test func checkSamplesFallOutsideTheHints() throws {
        let plan = try BlockPlan(hints: [Extent(offset: 0, length: 4096 * 10, exists: true)], size: 4096 * 100,
                                 blockSize: bs, checkSamples: 8)
        let a = actions(plan)
        #expect(a.values.filter { $0 == .check }.count == 8)
        #expect(a.filter { $0.value == .check }.keys.allSatisfy { $0 >= 10 })
        #expect(BlockPlan.defaultCheckSamples(blockCount: 3) == 3)
        #expect(BlockPlan.defaultCheckSamples(blockCount: 1_000_000) == 1000)
    }

    /// The block-by-block rule, written plainly: the plan must agree with it on any hints.
    func reference(_ hints: [Extent], size: Int64, alsoRead: [Int64]) -> [Int64: BlockAction] {
        let bs = Int64(bs)
        var actions: [Int64: BlockAction] = [:]
        for e in hints where e.length > 0 {
            for idx in (e.offset / bs)...((e.offset + e.length - 1) / bs) {
                let start = idx * bs, end = min(start + bs, size)
                if e.exists || !(e.offset <= start && e.offset + e.length >= end) {
                    actions[idx] = .read
                } else if actions[idx] == nil {
                    actions[idx] = .zero
                }
            }
        }
        for idx in alsoRead { actions[idx] = .read }
        return actions
    }

    @Test func agreesWithTheBlockByBlockRuleOnRandomHints() throws {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<500 {
            let size = Int64.random(in: 1...(Int64(bs) * 40), using: &rng)
            let hints = (0..<Int.random(in: 0...8, using: &rng)).map { _ in
                let offset = Int64.random(in: 0..<size, using: &rng)
                return Extent(offset: offset, length: Int64.random(in: 0...(size - offset), using: &rng), exists: Bool.random(using: &rng))
            }
            let count = BlockGeometry(size: size, blockSize: bs).blockCount
            let alsoRead = Bool.random(using: &rng) ? [count - 1] : []
            let plan = try BlockPlan(hints: hints, size: size, blockSize: bs, alsoRead: alsoRead)
            var order: [Int64] = []
            plan.forEach { idx, _ in order.append(idx) }
            #expect(order == order.sorted() && Set(order).count == order.count, "\(hints)")
            #expect(actions(plan) == reference(hints, size: size, alsoRead: alsoRead), "size \(size), hints \(hints)")
        }
    }

    /// A plan over 2^32 blocks costs its extents, not its blocks.
    @Test func hugeImagesCostTheirExtentsNotTheirBlocks() throws {
        let size = Int64(bs) << 32
        let plan = try BlockPlan(hints: [Extent(offset: 0, length: size, exists: true)], size: size, blockSize: bs, checkSamples: 8)
        var iterator = plan.makeIterator()
        #expect(iterator.next()! == (0, .read) && iterator.next()! == (1, .read))
        let sparse = try BlockPlan(hints: [Extent(offset: size - 4096, length: 4096, exists: false)], size: size, blockSize: bs, checkSamples: 8)
        var listed: [(Int64, BlockAction)] = []
        sparse.forEach { listed.append(($0, $1)) }
        #expect(listed.filter { $0.1 == .check }.count == 8)
        #expect(listed.last! == ((1 << 32) - 1, .zero))
    }

    @Test func emptyHintsReadNothing() throws {
        #expect(actions(try BlockPlan(hints: [], size: 1 << 30, blockSize: bs)).isEmpty)
    }
}
