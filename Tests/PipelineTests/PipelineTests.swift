import Foundation
import Testing

/// The backup pipeline spelled out with the stage tools.
let backupPipeline = "benji-diff img vol | benji-chunk | benji-catalog dedup | benji-seal | benji-put | benji-catalog commit --quiet"
let restorePipeline = "benji-catalog blocks $V | benji-put --get | benji-seal --open | benji-write"

@Suite(.serialized) struct RoundTripTests {
    @Test(arguments: [(0, "64K"), (1, "64K"), (65_535, "64K"), (3 * 65_536 + 17, "64K"), (9_000_001, "4M"), (8 << 20, "4M")])
    func allInOne(size: Int, blockSize: String) throws {
        let s = try Sandbox()
        try s.makeImage("img", size: size)
        let v = try s.ok("benji backup img vol --block-size \(blockSize)")
        try s.ok("benji restore \(v) out && cmp img out")
        try s.ok("benji restore \(v) sparse --sparse && cmp img sparse")
        try s.ok("benji restore \(v) - > streamed && cmp img streamed")
        // A restore refuses to overwrite without --force.
        let again = try s.sh("benji restore \(v) out")
        #expect(again.status == 73)
        #expect(again.stderr.contains("exists"))
        try s.ok("benji restore \(v) out --force && cmp img out")
    }

    @Test func sparseRestoreLeavesHoles() throws {
        let s = try Sandbox()
        try s.ok("head -c 1000000 /dev/urandom > img && truncate -s 64M img")
        let v = try s.ok("benji backup img vol --block-size 64K")
        try s.ok("benji restore \(v) sparse --sparse && cmp img sparse")
        let allocated = Int(try s.ok("du -k sparse | cut -f1")) ?? 0
        #expect(allocated < 4096, "a sparse restore of 1 MB of data in 64 MiB allocated \(allocated) KiB")
        let versions = try s.versions()
        #expect(versions[0]["bytes_sparse"] as? Int == (64 << 20) - 1_048_576 + (1_048_576 - 1_000_000) / 65_536 * 0)
    }

    @Test(arguments: ["64K", "4M"])
    func pipeline(blockSize: String) throws {
        let s = try Sandbox()
        try s.makeImage("img", size: 5 * 65_536 + 4321, seed: 7)
        let v = try s.ok("benji-diff img vol --block-size \(blockSize) | benji-chunk | benji-catalog dedup | benji-seal | benji-put | benji-catalog commit --quiet")
        try s.ok("V=\(v); \(restorePipeline) out && cmp img out")
        try s.ok("V=\(v); \(restorePipeline) sparse --sparse && cmp img sparse")
        try s.ok("V=\(v); \(restorePipeline) - > streamed && cmp img streamed")
        // Again: every block is known, and dedup drops its data (with 4 MiB blocks, after reading only the
        // record's head: the data is long enough to be deferred).
        let again = try s.ok("benji-diff img vol --block-size \(blockSize) | benji-chunk | benji-catalog dedup | benji-seal | benji-put | benji-catalog commit | jq -c '[.bytes_written, .bytes_deduplicated]'")
        #expect(again == "[0,\(5 * 65_536 + 4321)]")
        // A filter that adds a field (jq puts it last, after the data) is passed on by every stage.
        try s.ok("benji-chunk img vol --block-size \(blockSize) | jq -c 'if .type == \"block\" then .note = \"kept\" else . end' | benji-catalog dedup > deduped.ndjson")
        #expect(try s.ok("jq -r 'select(.type == \"block\") | .note' deduped.ndjson | sort -u") == "kept")
    }

    @Test func stdinSources() throws {
        let s = try Sandbox()
        try s.makeImage("img", size: 3 * 65_536 + 99, seed: 3)
        let a = try s.ok("cat img | benji backup - vol --block-size 64K")
        try s.ok("benji restore \(a) out && cmp img out")
        let b = try s.ok("cat img | benji-chunk - vol2 --block-size 64K | benji-catalog dedup | benji-seal | benji-put | benji-catalog commit --quiet")
        try s.ok("V=\(b); \(restorePipeline) out2 && cmp img out2")
        // A stream cut short (a dropped connection) is refused when the size to expect is given, on
        // both paths, and nothing is committed; the right size passes.
        let size = 3 * 65_536 + 99
        try s.fails("head -c 100000 img | benji backup - cut --block-size 64K --expect-size \(size)", 65,
                    "benji: error: stdin holds 100000 bytes, not the \(size) that --expect-size gives; nothing was committed\n")
        try s.fails("head -c 100000 img | benji-chunk - cut --block-size 64K --expect-size \(size) | benji-catalog dedup | benji-seal | benji-put | benji-catalog commit",
                    65, "benji-chunk: error: stdin holds 100000 bytes")
        try s.fails("benji backup img cut --block-size 64K --expect-size 1M", 65, "benji: error: file:")
        try s.fails("benji backup img cut --expect-size 1X", 64, "benji: error: --expect-size 1X is not a size")
        #expect(try s.versions().allSatisfy { $0["volume"] as? String != "cut" })
        try s.ok("benji backup - cut --block-size 64K --expect-size \(size) < img")
        try s.ok("benji rm $(benji ls --json | jq -r 'select(.volume == \"cut\") | .id')")
        // Read from stdin or from the file, the blocks come out the same (they are hashed in pairs: an
        // odd count leaves one alone at the end).
        try s.makeImage("odd", size: 4 * 65_536 + 7, seed: 4)
        let blocks = #"jq -c 'select(.type == "block")'"#
        let fromStdin = try s.ok("benji-chunk - odd --block-size 64K < odd | \(blocks)")
        #expect(fromStdin.split(separator: "\n").count == 5)
        #expect(fromStdin == (try s.ok("benji-chunk odd odd --block-size 64K | \(blocks)")))
        let versions = try s.versions()
        #expect(versions.map { $0["size"] as? Int } == [3 * 65_536 + 99, 3 * 65_536 + 99])
        #expect(versions.allSatisfy { $0["source"] as? String == "stdin" })
        // An empty stream is what a failed command upstream looks like: refused, nothing committed.
        let empty = try s.sh("false | benji backup - empty")
        #expect(empty.status == 65)
        #expect(empty.stderr == "benji: error: stdin is empty: there is nothing to back up\n")
        let emptyPipeline = try s.sh("benji-chunk - empty < /dev/null | benji-catalog dedup | benji-seal | benji-put | benji-catalog commit")
        #expect(emptyPipeline.status == 65)
        #expect(emptyPipeline.stderr.contains("benji-chunk: error: stdin is empty"))
        #expect(try s.versions().count == 2)
        // An empty file is an empty image.
        let file = try s.ok("touch e0 && benji backup e0 empty")
        try s.ok("benji restore \(file) e && test ! -s e")
    }

    /// The pipeline and `benji backup` make the same version: the same block map and the same objects.
    @Test func pipelineMatchesAllInOne() throws {
        let a = try Sandbox(), b = try Sandbox()
        try a.makeImage("img", size: 9 * 65_536 + 5, seed: 11)
        try b.ok("cp \(a.path("img")) img")
        let va = try a.ok("benji backup img vol --block-size 64K")
        let vb = try b.ok("benji-diff img vol --block-size 64K | benji-chunk | benji-catalog dedup | benji-seal | benji-put | benji-catalog commit --quiet")
        let blocksA = try a.ok("benji-catalog blocks \(va) | tail -n +2")
        let blocksB = try b.ok("benji-catalog blocks \(vb) | tail -n +2")
        #expect(blocksA == blocksB)
        #expect(!blocksA.isEmpty)
        let objectsA = try a.ok("cd store/blocks && find . -type f | sort | xargs sha256sum")
        let objectsB = try b.ok("cd store/blocks && find . -type f | sort | xargs sha256sum")
        #expect(objectsA == objectsB)
        let statsA = try a.versions()[0], statsB = try b.versions()[0]
        for key in ["size", "bytes_read", "bytes_written", "bytes_deduplicated", "bytes_sparse", "block_size"] {
            #expect(statsA[key] as? Int == statsB[key] as? Int, "\(key)")
        }
    }
}

@Suite(.serialized) struct IncrementalTests {
    /// Overwrites whole 64 KiB blocks with new data and writes `rbd diff` hints for them.
    func change(_ s: Sandbox, blocks: [Int], zeroBlocks: [Int] = []) throws {
        var hints: [String] = []
        for b in blocks {
            try s.ok("head -c 65536 /dev/urandom | dd of=img bs=65536 seek=\(b) conv=notrunc status=none")
            hints.append(#"{"offset":\#(b * 65_536),"length":65536,"exists":"true"}"#)
        }
        for b in zeroBlocks {
            try s.ok("dd if=/dev/zero of=img bs=65536 seek=\(b) count=1 conv=notrunc status=none")
            hints.append(#"{"offset":\#(b * 65_536),"length":65536,"exists":false}"#)
        }
        try ("[" + hints.joined(separator: ",") + "]").write(toFile: s.path("hints.json"), atomically: true, encoding: .utf8)
    }

    @Test func hintsWithBaseReadOnlyTheChanges() throws {
        let s = try Sandbox()
        try s.makeImage("img", size: 64 * 65_536, seed: 5)
        let v1 = try s.ok("benji backup img vol --block-size 64K")
        try change(s, blocks: [3, 40], zeroBlocks: [10])
        let v2 = try s.ok("benji backup img vol --base \(v1) --hints hints.json --no-check")
        try s.ok("benji restore \(v2) out && cmp img out")
        let info = try s.versions().last!
        #expect(info["bytes_read"] as? Int == 2 * 65_536)
        #expect(info["bytes_sparse"] as? Int == 65_536)
        // The same with the stage tools, checking a sample outside the hints.
        try change(s, blocks: [7])
        let v3 = try s.ok("benji-diff img vol --base \(v2) --hints hints.json | benji-chunk | benji-catalog dedup | benji-seal | benji-put | benji-catalog commit --quiet")
        try s.ok("V=\(v3); \(restorePipeline) out3 && cmp img out3")
    }

    @Test func hintsWithoutBaseTreatTheRestAsZero() throws {
        let s = try Sandbox()
        try s.ok("truncate -s 1M img")
        try change(s, blocks: [2, 5])
        let v = try s.ok("benji backup img thin --hints hints.json --block-size 64K")
        try s.ok("benji restore \(v) out && cmp img out")
        #expect(try s.versions()[0]["bytes_read"] as? Int == 2 * 65_536)
    }

    @Test func wrongHintsAreCaught() throws {
        let s = try Sandbox()
        try s.makeImage("img", size: 6 * 65_536, seed: 9)
        let v1 = try s.ok("benji backup img vol --block-size 64K")
        try change(s, blocks: [1])
        // Change block 4 behind the hints' back: the check sample (every unlisted block of so small an image) finds it.
        try s.ok("head -c 65536 /dev/urandom | dd of=img bs=65536 seek=4 conv=notrunc status=none")
        let r = try s.sh("benji backup img vol --base \(v1) --hints hints.json")
        #expect(r.status == 65)
        #expect(r.stderr.contains("block 4 changed although the hints list no change"))
        let r2 = try s.sh("benji-diff img vol --base \(v1) --hints hints.json | benji-chunk | benji-catalog dedup | benji-seal | benji-put | benji-catalog commit")
        #expect(r2.status == 65)
        #expect(try s.versions().count == 1)
    }

    @Test func resizedImages() throws {
        let s = try Sandbox()
        try s.makeImage("img", size: 10 * 65_536 + 100, seed: 2)
        let v1 = try s.ok("benji backup img vol --block-size 64K")
        try s.ok("truncate -s \(12 * 65_536 + 7) img")
        try change(s, blocks: [11])
        let v2 = try s.ok("benji backup img vol --base \(v1) --hints hints.json")
        try s.ok("benji restore \(v2) out && cmp img out")
        try s.ok("truncate -s \(3 * 65_536 + 1) img")
        try ("[]").write(toFile: s.path("hints.json"), atomically: true, encoding: .utf8)
        let v3 = try s.ok("benji backup img vol --base \(v2) --hints hints.json")
        try s.ok("benji restore \(v3) out3 && cmp img out3")
    }
}

@Suite(.serialized) struct DedupTests {
    @Test func sameDataWritesNothingNew() throws {
        let s = try Sandbox()
        try s.makeImage("img", size: 20 * 65_536, seed: 4)
        _ = try s.ok("benji backup img vol --block-size 64K")
        let objects = try s.objectCount()
        #expect(objects > 0)
        _ = try s.ok("benji backup img vol --block-size 64K")
        _ = try s.ok("benji-diff img other --block-size 64K | benji-chunk | benji-catalog dedup | benji-seal | benji-put | benji-catalog commit --quiet")
        #expect(try s.objectCount() == objects)
        let last = try s.versions().last!
        #expect(last["bytes_written"] as? Int == 0)
        // Every stage's counters are in the end record, 0 where no block added to them.
        let end = try s.ok("benji-diff img third --block-size 64K | benji-chunk | benji-catalog dedup | benji-seal | benji-put | tail -n 1")
        let counters = try JSONSerialization.jsonObject(with: Data(end.utf8)) as! [String: Any]
        #expect(counters["bytes_written"] as? Int == 0 && counters["bytes_read"] as? Int == 20 * 65_536, "\(end)")
        #expect((counters["bytes_deduplicated"] as? Int ?? 0) + (counters["bytes_sparse"] as? Int ?? 0) == 20 * 65_536, "\(end)")
        // A stream of zeros alone: nothing deduplicated, nothing written, and both say so.
        let zeros = try s.ok("truncate -s 1M zeros && benji-chunk zeros z --block-size 64K | benji-catalog dedup | benji-seal | benji-put | tail -n 1")
        #expect(zeros.contains("\"bytes_deduplicated\":0") && zeros.contains("\"bytes_written\":0"), "\(zeros)")
        // A second volume sharing most content writes only its new block.
        try s.ok("cp img img2 && head -c 65536 /dev/urandom | dd of=img2 bs=65536 seek=2 conv=notrunc status=none")
        _ = try s.ok("benji backup img2 vol2 --block-size 64K")
        #expect(try s.objectCount() == objects + 1)
    }

    @Test func zeroBlocksAreNeverStored() throws {
        let s = try Sandbox()
        try s.ok("truncate -s 8M img")
        let v = try s.ok("benji backup img vol --block-size 64K")
        #expect(try s.objectCount() == 0)
        try s.ok("benji restore \(v) out && cmp img out")
    }
}

@Suite(.serialized) struct BadInputTests {
    func expectNoValidVersion(_ s: Sandbox) throws {
        #expect(try s.versions().filter { $0["status"] as? String == "valid" }.isEmpty)
    }

    /// A stage passes the end record on only once its whole input has been read: a stream with more
    /// after its end is refused, and no end record leaves the stage (it would let commit commit).
    @Test func nothingAfterTheEndRecordAndNoEndRecordOut() throws {
        let s = try Sandbox()
        try s.makeImage("img", size: 1 << 20, seed: 2)
        try s.ok("benji-chunk img vol --block-size 4K > s.ndjson && benji-chunk img vol --block-size 4K | benji-catalog dedup | benji-seal > sealed.ndjson")
        for (input, stage) in [("s.ndjson", "benji-catalog dedup"), ("s.ndjson", "benji-seal"), ("sealed.ndjson", "benji-put")] {
            let r = try s.sh("cat \(input) \(input) | \(stage) > out.ndjson")
            #expect(r.status == 65, "\(stage): \(r.stderr)")
            #expect(r.stderr.contains("follows the end record"), "\(stage): \(r.stderr)")
            #expect(try s.ok("grep -c '\"type\":\"end\"' out.ndjson || true") == "0", "\(stage) wrote an end record")
        }
        // benji-write names its file only once nothing follows the end record.
        let v = try s.ok("benji backup img vol --block-size 64K")
        try s.fails("{ benji-catalog blocks \(v) | benji-put --get | benji-seal --open; echo '{\"type\":\"note\",\"v\":1}'; } | benji-write restored", 65, "benji-write: error: ")
        try s.expectNothingRestored("restored")
    }

    @Test func truncatedStreamIsNotCommitted() throws {
        let s = try Sandbox()
        try s.makeImage("img", size: 5 * 65_536, seed: 1)
        let r = try s.sh("benji-chunk img vol --block-size 64K | head -n 3 | benji-catalog dedup | benji-seal | benji-put | benji-catalog commit")
        #expect(r.status == 65)
        #expect(r.stderr.contains("benji-catalog dedup: error:") || r.stderr.contains("benji-catalog: error:"))
        #expect(r.stderr.contains("incomplete"))
        try expectNoValidVersion(s)
        // Straight into commit: already-stored blocks, but no end record.
        try s.ok("benji-chunk img vol --block-size 64K | benji-catalog dedup | benji-seal | benji-put > stored.ndjson")
        let r2 = try s.sh("head -n -1 stored.ndjson | benji-catalog commit")
        #expect(r2.status == 65)
        #expect(r2.stderr.contains("benji-catalog: error: (at <stdin>:6) the input ended without an end record after 5 blocks"))
        try expectNoValidVersion(s)
        // A wrong count in the end record.
        let r3 = try s.sh(#"sed 's/"blocks":5/"blocks":4/' stored.ndjson | benji-catalog commit"#)
        #expect(r3.status == 65)
        #expect(r3.stderr.contains("counts 4 blocks, the stream had 5"))
        try expectNoValidVersion(s)
        // The whole stream commits.
        try s.ok("benji-catalog commit < stored.ndjson")
        #expect(try s.versions().filter { $0["status"] as? String == "valid" }.count == 1)
    }

    @Test func garbageAndWrongVersionsAreRejected() throws {
        let s = try Sandbox()
        try s.makeImage("img", size: 2 * 65_536, seed: 1)
        try s.ok("benji-chunk img vol --block-size 64K | benji-catalog dedup | benji-seal | benji-put > stored.ndjson")
        let garbage = try s.sh("sed '2s/.*/this is not json/' stored.ndjson | benji-catalog commit")
        #expect(garbage.status == 65)
        #expect(garbage.stderr == "benji-catalog: error: (at <stdin>:2) malformed record: invalid literal at byte 1\n")
        let wrongV = try s.sh(#"sed '2s/"v":1/"v":2/' stored.ndjson | benji-catalog commit"#)
        #expect(wrongV.status == 65)
        #expect(wrongV.stderr.contains("(at <stdin>:2) block record version 2 is not supported"))
        let empty = try s.sh("benji-seal < /dev/null")
        #expect(empty.status == 65)
        #expect(empty.stderr == "benji-seal: error: (at <stdin>) the input ended before a stream record (did the stage before this one fail?)\n")
        let noV = try s.sh(#"sed '1s/"v":1,//' stored.ndjson | benji-seal"#)
        #expect(noV.status == 65)
        #expect(noV.stderr.contains("benji-seal: error: (at <stdin>:1) malformed record: stream record has no integer \"v\" field"))
        let badData = try s.sh(#"benji-chunk img vol --block-size 64K | sed '2s/"data":"./"data":"!/' | benji-seal"#)
        #expect(badData.status == 65)
        #expect(badData.stderr.contains("not valid base64"))
        try expectNoValidVersion(s)
    }

    @Test func commitChecksTheWholeInputAndWhatItIsGiven() throws {
        let s = try Sandbox()
        try s.makeImage("img", size: 2 * 65_536, seed: 1)
        try s.ok("benji-chunk img vol --block-size 64K | benji-catalog dedup | benji-seal | benji-put > stored.ndjson")
        // Records after the end record: nothing is committed.
        let twice = try s.sh("cat stored.ndjson stored.ndjson | benji-catalog commit")
        #expect(twice.status == 65)
        #expect(twice.stderr.contains("follows the end record"))
        try expectNoValidVersion(s)
        // A check block that was never read.
        let v = try s.ok("benji-catalog commit --quiet < stored.ndjson")
        let unread = try s.sh("benji-diff img vol --base \(v) --hints <(echo '[]') | benji-catalog commit")
        #expect(unread.status == 65)
        #expect(unread.stderr.contains("was not read"))
        // A size the file system cannot hold: no empty file is left behind.
        let huge = try s.sh(#"sed '1s/"size":131072/"size":70368744177664/' stored.ndjson | benji-write big.img"#)
        #expect(huge.status == 74)
        #expect(huge.stderr.contains("benji-write: error: restore target big.img cannot be made 70368744177664 bytes long"), "\(huge.stderr)")
        try s.expectNothingRestored("big.img")
        // An incremental plan is not a whole image: benji-write refuses it.
        let partial = try s.sh("benji-diff img vol --base \(v) --hints <(echo '[]') --no-check | benji-write out")
        #expect(partial.status == 65)
        #expect(partial.stderr.contains("only the blocks that changed"))
    }

    @Test func stagesRefuseACatalogOfAnotherStore() throws {
        let s = try Sandbox()
        try s.makeImage("img", size: 65_536, seed: 1)
        try s.ok("benji init --no-config --catalog other.sqlite --store file://\(s.dir)/other")
        for stage in ["benji-catalog dedup", "benji-put", "benji-catalog commit"] {
            let r = try s.sh("benji-chunk img vol | \(stage) --catalog other.sqlite")
            #expect(r.status == 78, "\(stage)")
            #expect(r.stderr.contains("belongs to store"), "\(stage)")
        }
    }

    @Test func missingStoreCatalogAndSource() throws {
        let s = try Sandbox()
        try s.makeImage("img", size: 65_536, seed: 1)
        let noStore = try s.sh("benji backup img vol --store file://\(s.dir)/nowhere")
        #expect(noStore.status == 69)
        #expect(noStore.stderr.contains("not reachable"))
        let noCatalog = try s.sh("benji backup img vol --catalog \(s.dir)/nowhere.sqlite")
        #expect(noCatalog.status == 78)
        let noSource = try s.sh("benji backup missing.img vol")
        #expect(noSource.status == 66)
        #expect(noSource.stderr.hasPrefix("benji: error: source missing.img:"))
        let dirSource = try s.sh("mkdir d && benji backup d vol")
        #expect(dirSource.status == 64)
        let dirHints = try s.sh("benji-diff img vol --hints d")
        #expect(dirHints.status == 74)
        #expect(dirHints.stderr.hasPrefix("benji-diff: error: hints file d cannot be read: "))
        // Every tool tells its version.
        #expect(try s.ok("benji-put --version") == (try s.ok("benji --version")))
        // Listing needs only the catalog: it works while the store is unreachable.
        try s.ok("benji ls --store file://\(s.dir)/nowhere")
        let unconfigured = try s.sh("env -u BENJI_CATALOG -u BENJI_STORE benji ls")
        #expect(unconfigured.status == 78)
        #expect(unconfigured.stderr.contains("no catalog configured"))
        let unknownVersion = try s.sh("benji restore nope out")
        #expect(unknownVersion.status == 66)
        let usage = try s.sh("benji backup")
        #expect(usage.status == 64)
        try expectNoValidVersion(s)
    }

    /// `benji init` makes both or neither: a catalog that cannot be made leaves the store uninitialized,
    /// so that init can simply run again.
    @Test func initIsAllOrNothing() throws {
        let s = try Sandbox(initialize: false)
        try s.ok("touch file && benji init --no-config --store file://$PWD/first --catalog first.sqlite")
        let exists = try s.sh("benji init --no-config --store file://$PWD/st --catalog first.sqlite")
        #expect(exists.status == 78)
        #expect(exists.stderr == "benji: error: catalog first.sqlite already exists\n")
        let notADirectory = try s.sh("benji init --no-config --store file://$PWD/st --catalog file/catalog.sqlite")
        #expect(notADirectory.status == 73, "\(notADirectory.stderr)")
        #expect(notADirectory.stderr.hasPrefix("benji: error: cannot create catalog file/catalog.sqlite: Not a directory"), "\(notADirectory.stderr)")
        // Nothing is left of a failed init: no store config, and none of the directories it made.
        try s.ok("test ! -e st")
        try s.ok("printf '' > empty-pass")
        let noPassphrase = try s.sh("benji init --no-config --store file://$PWD/new/st --catalog new/c/c.sqlite --passphrase-file empty-pass")
        #expect(noPassphrase.status == 78, "\(noPassphrase.stderr)")
        let emptyVariable = try s.sh("BENJI_PASSPHRASE= benji init --no-config --store file://$PWD/new/st --catalog new/c/c.sqlite")
        #expect(emptyVariable.stderr == "benji: error: $BENJI_PASSPHRASE is set but empty; give it a value or unset it\n")
        #expect(emptyVariable.status == 78)
        let initialized = try s.sh("benji init --no-config --store file://$PWD/first --catalog new/c/c.sqlite")
        #expect(initialized.status == 78 && initialized.stderr.contains("already initialized"), "\(initialized.stderr)")
        try s.ok("test ! -e new && test -e first/config")
        // The writer key's place is checked first: a link (even a dangling one) is never replaced or
        // removed, and a missing directory is 73.
        try s.ok("benji keygen owner.key --type x25519 >/dev/null 2>&1 && ln -s /nowhere wk")
        try s.fails("benji init --no-config --store file://$PWD/new/st --catalog new/c.sqlite --public-key owner.key.pub --writer-key wk", 73,
                    "benji: error: wk exists; benji does not overwrite key files\n")
        try s.fails("benji init --no-config --store file://$PWD/new/st --catalog new/c.sqlite --public-key owner.key.pub --writer-key nodir/wk", 73,
                    "benji: error: cannot create the writer key nodir/wk: nodir is not a directory\n")
        try s.ok("test -L wk && test ! -e new")
        // A configuration file that cannot be written undoes the whole init.
        try s.fails("benji init --config $PWD/file/benji.toml --store file://$PWD/new/st --catalog new/c.sqlite", 73,
                    "benji: error: cannot create configuration file \(s.dir)/file/benji.toml: Not a directory")
        try s.ok("test ! -e new")
        // A new store and catalog, and the directories made for them, are their owner's alone.
        try s.ok("umask 022 && benji init --no-config --store file://$PWD/new/st --catalog new/c/c.sqlite")
        #expect(try s.ok("stat -c %a new/st new/c new/c/c.sqlite") == "700\n700\n600")
        #expect(try s.ok("stat -c %a new") == "755")
    }

    /// A damaged catalog is named as such, in one line (not SQLite's statement over several); an empty
    /// file is not taken for a new catalog (SQLite would write one into it).
    @Test func aDamagedOrEmptyCatalogIsNamedInOneLine() throws {
        let s = try Sandbox()
        try s.makeImage("img", size: 300_000)
        let v = try s.ok("benji backup img vol --block-size 64K")
        try s.ok("size=$(stat -c %s catalog.sqlite); head -c $((size - 4096)) /dev/urandom | dd of=catalog.sqlite bs=4096 seek=1 conv=notrunc status=none")
        for command in ["benji restore \(v) out", "benji backup img vol2", "benji ls"] {
            let r = try s.sh(command)
            #expect(r.status == 65 || r.status == 78, "\(command): \(r.stderr)")
            #expect(r.stderr.hasPrefix("benji: error: ") && r.stderr.filter { $0 == "\n" }.count == 1, "\(command): \(r.stderr)")
            #expect(r.stderr.contains("is damaged"), "\(command): \(r.stderr)")
        }
        try s.fails(": > empty.sqlite && benji ls --catalog empty.sqlite", 78, "benji: error: catalog empty.sqlite is an empty file, not a benji catalog\n")
        try s.ok("test ! -s empty.sqlite")
    }

    /// A command line that does not parse is one line too, naming the help to read, with status 64.
    @Test func usageErrorsAreOneLine() throws {
        let s = try Sandbox()
        for (command, line) in [
            ("benji backup img vol --bsae v", "benji: error: unknown option '--bsae'. Did you mean '--base'? (see 'benji backup --help')"),
            ("benji restor v out", "benji: error: unknown command 'restor' (see 'benji --help')"),
            ("benji backup", "benji: error: missing expected argument '<source>' (see 'benji backup --help')"),
            ("benji-write", "benji-write: error: missing expected argument '<target>' (see 'benji-write --help')"),
            ("benji-write --bogus", "benji-write: error: unknown option '--bogus' (see 'benji-write --help')"),
            ("benji-diff --bogus", "benji-diff: error: unknown option '--bogus' (see 'benji-diff --help')"),
            ("benji backup img --bsae v", "benji: error: unknown option '--bsae'. Did you mean '--base'? (see 'benji backup --help')"),
            ("benji-chunk --label x=y", "benji-chunk: error: --label goes with SOURCE and VOLUME; a plan on stdin carries it from benji-diff (see 'benji-chunk --help')"),
            ("benji-chunk --expect-size 1G --block-size 64K", "benji-chunk: error: --block-size goes with SOURCE and VOLUME; a plan on stdin carries it from benji-diff (see 'benji-chunk --help')"),
            ("benji-catalog nosuch", "benji-catalog: error: unknown command 'nosuch' (see 'benji-catalog --help')"),
            ("benji catalog dedup --x", "benji: error: unknown option '--x' (see 'benji catalog dedup --help')"),
            ("benji help nosuch", "benji: error: unknown command 'nosuch' (see 'benji --help')"),
            ("benji help catalog nosuch", "benji: error: unknown command 'nosuch' (see 'benji --help')"),
        ] {
            let r = try s.sh(command)
            #expect(r.status == 64, "\(command)")
            #expect(r.stderr == line + "\n", "\(command)")
        }
        #expect(try s.ok("benji backup --help").contains("USAGE: benji backup"))
        #expect(try s.ok("benji help catalog dedup").contains("USAGE: benji catalog dedup"))
    }

    /// Names end up in tables and ids: empty names, a leading -, and control characters are refused.
    @Test func volumeSnapshotAndLabelNamesAreChecked() throws {
        let s = try Sandbox()
        try s.makeImage("img", size: 65_536, seed: 1)
        for (args, message) in [("''", "the volume name is empty"), ("-- -vol", "volume \"-vol\" starts with -"),
                                ("\"$(printf 'a\\nb')\"", "the volume name holds a control character (U+000A)"),
                                ("vol --snapshot \"$(printf 'x\\ty')\"", "the snapshot name holds a control character (U+0009)"),
                                ("vol --label \"k=$(printf 'x\\ny')\"", "label k holds a control character (U+000A)")] {
            let backup = try s.sh("benji backup img \(args)")
            #expect(backup.status == 64, "\(args)")
            #expect(backup.stderr == "benji: error: \(message)\n")
            let diff = try s.sh("benji-diff img \(args)")
            #expect(diff.status == 64, "\(args)")
            #expect(diff.stderr == "benji-diff: error: \(message)\n")
        }
        // The catalog checks a stream's header too.
        let edited = try s.sh(#"benji-chunk img vol | sed '1s/"volume":"vol"/"volume":"v\\u0001l"/' | benji-catalog dedup | benji-seal | benji-put | benji-catalog commit"#)
        #expect(edited.status == 65)
        #expect(edited.stderr.contains("benji-catalog: error: the volume name holds a control character (U+0001)"), "\(edited.stderr)")
        try expectNoValidVersion(s)
    }

    @Test func settingsFromTheEnvironmentAndTheConfigFileAreChecked() throws {
        let s = try Sandbox()
        for threads in ["abc", "0", "-1", "100000"] {
            let r = try s.sh("BENJI_THREADS=\(threads) benji ls")
            #expect(r.status == 78)
            #expect(r.stderr == "benji: error: BENJI_THREADS is \"\(threads)\"; it must be a number from 1 to 256\n")
        }
        try s.ok("BENJI_THREADS=3 benji ls")
        // A named config file must exist, whatever the command takes from it.
        for command in ["benji ls", "benji-catalog blocks nope", "benji backup img vol"] {
            let r = try s.sh("BENJI_CONFIG=\(s.dir)/nowhere.toml \(command)")
            #expect(r.status == 78, "\(command)")
            #expect(r.stderr.hasSuffix("error: configuration file \(s.dir)/nowhere.toml does not exist\n"))
        }
        for (line, message) in [("block_size = \"banana\"", "block_size: block size banana must be"),
                                ("compression_level = 99", "compression_level must be none or a zstd level from"),
                                ("catalog = ", "catalog is empty"),
                                ("catalog = 5", "catalog must be an absolute path, not 5"),
                                ("store = \"file:st\"", "store must be an absolute path or a URL (file:///path), not file:st"),
                                ("key_file = \"k.key\"", "key_file must be an absolute path, not k.key")] {
            try s.ok("printf '# settings\\n%s\\n' '\(line)' > bad.toml")
            let r = try s.sh("benji ls --config bad.toml")
            #expect(r.status == 78, "\(line)")
            #expect(r.stderr.hasPrefix("benji: error: configuration file bad.toml, line 2: \(message)"), "\(r.stderr)")
        }
    }
}

@Suite(.serialized) struct ConcurrencyTests {
    /// Another process holding the catalog's write lock is waited for (up to a minute), and after five
    /// seconds a note says so.
    @Test func aBusyCatalogIsWaitedForWithANote() throws {
        let s = try Sandbox()
        try s.makeImage("img", size: 70_000)
        let r = try s.sh("""
            python3 -c "
            import os, sqlite3, time
            c = sqlite3.connect('catalog.sqlite', isolation_level=None)
            c.execute('BEGIN IMMEDIATE')
            print('locked', flush=True)
            for i in range(600):
                if os.path.exists('release'): break
                time.sleep(0.05)
            c.execute('COMMIT')" > held.txt &
            holder=$!
            for i in $(seq 1 200); do grep -q locked held.txt && break; sleep 0.05; done
            benji backup img vol --block-size 64K > /dev/null 2> backup.err &
            job=$!
            # The lock is held until the backup has said that it waits.
            for i in $(seq 1 400); do grep -q 'is busy' backup.err && break; sleep 0.05; done
            touch release
            wait $job; echo "status $?"
            wait $holder
            cat backup.err >&2
            """)
        #expect(r.stdout == "status 0\n", "\(r.stdout) \(r.stderr)")
        #expect(r.stderr == "benji: note: catalog \(s.dir)/catalog.sqlite is busy: another process is writing to it; waiting up to 60 s\n", "\(r.stderr)")
    }

    /// Backups of different volumes run at once on one catalog; each commits.
    @Test func parallelBackupsOfDifferentVolumes() throws {
        let s = try Sandbox()
        try s.makeImage("img", size: 40 * 65_536, seed: 12)
        let r = try s.sh("""
            for i in 1 2 3 4; do benji backup img vol$i --block-size 4K > v$i.txt 2> e$i.txt & done; wait
            for i in 1 2 3 4; do cat e$i.txt; done
            """)
        #expect(r.stdout.isEmpty, "\(r.stdout)")
        let versions = try s.versions()
        #expect(versions.count == 4)
        #expect(versions.allSatisfy { $0["status"] as? String == "valid" })
        for i in 1...4 { try s.ok("benji restore $(cat v\(i).txt) out\(i) && cmp img out\(i)") }
    }
}

@Suite(.serialized) struct DamageTests {
    @Test func restoreContinuesPastMissingAndCorruptObjects() throws {
        let s = try Sandbox()
        try s.ok("head -c \(6 * 65_536) /dev/urandom > img")
        let v = try s.ok("benji backup img vol --block-size 64K")
        let objects = try s.ok("find store/blocks -type f | sort").split(separator: "\n").map(String.init)
        #expect(objects.count == 6)
        // Delete the object of block 1 and flip a byte in the object of block 4.
        let names = try s.ok("benji-catalog blocks \(v) | jq -r 'select(.type==\"block\") | .object'").split(separator: "\n")
        try s.ok("rm -f $(find store/blocks -name \(names[1]))")
        try s.flipByte(ofObject: String(names[4]), at: 1000)
        let r = try s.sh("benji restore \(v) out --json")
        #expect(r.status == 3)
        #expect(r.stderr.contains("bad range: offset 65536 length 65536"))
        #expect(r.stderr.contains("bad range: offset 262144 length 65536"))
        #expect(r.stderr.contains("checksum mismatch") || r.stderr.contains("corrupt"))
        #expect(r.stderr.contains("bad range: offset 65536 length 65536: object \(names[1]) is missing from store file://"), "\(r.stderr)")
        #expect(r.stderr.contains("offset 262144 length 65536: object \(names[4]): "), "\(r.stderr)")
        let records = r.stdout.split(separator: "\n").map { try! JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        #expect(records.map { $0["offset"] as? Int } == [65_536, 262_144])
        // Everything else is restored.
        for b in [0, 2, 3, 5] {
            try s.ok("cmp <(dd if=img bs=65536 skip=\(b) count=1 status=none) <(dd if=out bs=65536 skip=\(b) count=1 status=none)")
        }
        // Bad blocks read as zeros: the missing one, and the damaged one (whose data decompressed and was
        // written before its checksum failed).
        for b in [1, 4] {
            try s.ok("cmp <(head -c 65536 /dev/zero) <(dd if=out bs=65536 skip=\(b) count=1 status=none)")
        }
        // The pipeline reports the same and exits 3 as well.
        let p = try s.sh("V=\(v); \(restorePipeline) out2")
        #expect(p.status == 3)
        #expect(p.stderr.contains("benji-write: bad range: offset 65536 length 65536: object \(names[1]) is missing from store file://"), "\(p.stderr)")
        try s.ok("cmp out out2")
        // The restore marked the two objects invalid: the next backup of the same data stores them again
        // (in the all-in-one and in the pipeline, whose dedup stage sends them on with heal), and the
        // old version restores whole.
        let again = try s.ok("benji backup img vol --block-size 64K --json | jq -r '.bytes_written'")
        #expect(again == String(2 * (32 + 65_536)), "two objects again: header and raw random data each")
        try s.ok("benji restore \(v) healed && cmp img healed")
        try s.flipByte(ofObject: String(names[2]), at: 1000)
        #expect(try s.sh("benji restore \(v) out3").status == 3)
        let healing = try s.ok("benji-diff img vol --block-size 64K | benji-chunk | benji-catalog dedup | tee deduped.ndjson | benji-seal | benji-put | benji-catalog commit --quiet")
        #expect(try s.ok("jq -c 'select(.heal == true) | .idx' deduped.ndjson") == "2")
        #expect(!healing.isEmpty)
        try s.ok("benji restore \(v) healed2 && cmp img healed2")
    }
}

@Suite(.serialized) struct KillTests {
    /// A backup killed with SIGKILL leaves no valid version; the next one recovers the lock and succeeds.
    @Test(arguments: ["benji backup img vol --block-size 4K", backupPipeline.replacingOccurrences(of: "benji-diff img vol", with: "benji-diff img vol --block-size 4K")])
    func killedBackupLeavesNothingValid(command: String) throws {
        let s = try Sandbox()
        try s.makeImage("img", size: 24 << 20, seed: 8)
        // Start the backup, wait until it holds the lock, kill the whole process group.
        let r = try s.sh("""
            set -m
            ( \(command) > /dev/null 2> err.txt ) &
            group=$!
            for i in $(seq 1 400); do
              if [ -s catalog.sqlite-wal ] && sqlite3 catalog.sqlite 'select count(*) from locks' 2>/dev/null | grep -q 1; then break; fi
              sleep 0.05
            done
            sleep 0.3
            kill -KILL -- -$group
            wait $group 2>/dev/null
            sqlite3 catalog.sqlite "select status from versions"
            """)
        #expect(!r.stdout.contains("valid"), "\(r.stdout)")
        #expect(try s.versions().filter { $0["status"] as? String == "valid" }.isEmpty)
        let next = try s.sh("benji backup img vol --block-size 4K")
        #expect(next.status == 0, "\(next.stderr)")
        #expect(next.stderr.contains(": note: recovered the lock on volume vol"))
        let versions = try s.versions()
        #expect(versions.count == 1)
        #expect(versions.first?["status"] as? String == "valid")
        try s.ok("benji restore \(next.stdout.trimmingCharacters(in: .newlines)) out && cmp img out")
    }
}

@Suite(.serialized) struct InterruptTests {
    /// SIGINT, SIGTERM or SIGHUP stop a backup cleanly: one line on stderr, 128 + the signal, no version
    /// (not even an incomplete one) and no lock left, so the next backup needs no recovery. The source is
    /// a stream that stalls after its first blocks, so the signal finds the backup waiting in a read.
    /// (The test runner starts its children with these signals blocked; benji unblocks them, the helper
    /// processes here are killed with SIGKILL.)
    @Test(arguments: [("INT", 130, "interrupted (SIGINT)"), ("TERM", 143, "stopped by SIGTERM"), ("HUP", 129, "stopped by SIGHUP")])
    func signalledBackupLeavesNothing(signal: String, status: Int32, message: String) throws {
        let s = try Sandbox()
        try s.makeImage("img", size: 8 << 20, seed: 9)
        for command in ["benji backup - vol --block-size 64K", "benji-chunk - vol --block-size 64K | benji-seal | benji-put | benji-catalog commit --quiet"] {
            let r = try s.sh("""
                mkfifo src
                ( cat img; exec sleep 20 ) > src 2> /dev/null &
                feeder=$!
                # In a process group of its own; the shell outlives the signal (a trap, which its children do not
                # inherit) and exits with the job's last status.
                setsid sh -c 'trap : INT TERM HUP; \(command)' < src > /dev/null 2> err.txt &
                job=$!
                # Until the version exists (every process of the job is running: the stream record went through
                # the whole pipeline), then signal them all.
                for i in $(seq 1 400); do
                  [ "$(sqlite3 catalog.sqlite 'select count(*) from versions' 2>/dev/null)" = 1 ] && break
                  sleep 0.05
                done
                # The whole process group at once, as a terminal's Ctrl-C does.
                kill -\(signal) -- -$job
                wait $job; echo "status $?"
                kill -KILL $feeder; wait $feeder 2>/dev/null; rm -f src
                sqlite3 catalog.sqlite 'select count(*) from versions; select count(*) from locks'
                cat err.txt
                """)
            let lines = r.stdout.split(separator: "\n").map(String.init)
            #expect(lines.first == "status \(status)", "\(command): \(r.stdout)\(r.stderr)")
            #expect(lines.dropFirst().prefix(2) == ["0", "0"], "\(command): a version or lock was left: \(r.stdout)")
            #expect(lines.contains { $0.hasSuffix(": error: \(message)") }, "\(command): \(r.stdout)")
            let next = try s.sh("benji backup img vol --block-size 64K")
            #expect(next.status == 0 && !next.stderr.contains("recovered"), "\(next.stderr)")
            try s.ok("benji rm $(benji ls --json | jq -r .id)")
        }
    }

    /// A sandbox with a 4 MiB image backed up in 64 KiB blocks, and the version's id.
    private func backedUpImage() throws -> (Sandbox, String) {
        let s = try Sandbox()
        try s.makeImage("img", size: 4 << 20, seed: 10)
        return (s, try s.ok("benji backup img vol --block-size 64K"))
    }

    /// A restore into a new file writes it under a hidden name until it is complete: one killed on the way
    /// (SIGKILL, no cleanup) leaves nothing under the target's name.
    @Test func aKilledRestoreLeavesNoFileUnderTheTargetsName() throws {
        let (s, v) = try backedUpImage()
        let r = try s.sh("""
            mkfifo feed
            benji-write out < feed 2> err.txt &
            job=$!
            exec 3> feed
            benji-catalog blocks \(v) | benji-put --get | benji-seal --open | head -n 3 >&3
            for i in $(seq 1 100); do ls .out.benji-restore-* >/dev/null 2>&1 && break; sleep 0.05; done
            kill -KILL $job; wait $job; echo "status $?"
            exec 3>&-
            test ! -e out && ls -a | grep -c '^\\.out\\.benji-restore-'
            """)
        #expect(r.stdout == "status 137\n1\n", "\(r.stdout) \(r.stderr)")
        try s.ok("rm .out.benji-restore-* && benji restore \(v) out && cmp img out && \(noRestoreLeftovers)")
    }

    /// A restore stops at a signal too (and, like any restore that stops, removes a file it was creating:
    /// `RestoreTarget.discard`).
    @Test func signalledRestoreStops() throws {
        let (s, v) = try backedUpImage()
        // A restore to stdout that nothing reads blocks in its first write; the signal finds it there.
        let r = try s.sh("""
            mkfifo sink
            benji restore \(v) - > sink 2> err.txt &
            job=$!
            exec 3< sink
            sleep 0.5
            kill -TERM $job; wait $job; echo "status $?"
            exec 3<&-
            cat err.txt
            """)
        #expect(r.stdout.hasPrefix("status 143\n"), "\(r.stdout)")
        #expect(r.stdout.contains("benji: error: stopped by SIGTERM"), "\(r.stdout)")
    }

    /// Every stage passes the stream record on at once, so a pipeline's commit takes its volume's lock
    /// when its first block is read: a second backup of the volume is refused (75) while both wait for
    /// the rest of their input, not after reading it all. (Each stalls after its first 200 kB.)
    @Test func aPipelineTakesItsLockWhenItsStreamStarts() throws {
        let s = try Sandbox()
        try s.makeImage("img", size: 1 << 20, seed: 11)
        let stages = "benji-catalog dedup | benji-seal | benji-put"
        let r = try s.sh("""
            set -m
            mkfifo src1 src2
            ( head -c 200000 img; exec sleep 30 ) > src1 2> /dev/null &
            feeder1=$!
            ( benji-chunk - vol --block-size 64K < src1 | \(stages) | benji-catalog commit --quiet > /dev/null 2> err1.txt ) &
            job1=$!
            for i in $(seq 1 200); do
              [ "$(sqlite3 catalog.sqlite 'select count(*) from locks')" = 1 ] && break
              sleep 0.05
            done
            echo "locks $(sqlite3 catalog.sqlite 'select count(*) from locks')"
            ( head -c 200000 img; exec sleep 30 ) > src2 2> /dev/null &
            feeder2=$!
            ( benji-chunk - vol --block-size 64K < src2 | \(stages) | { benji-catalog commit --quiet > /dev/null 2> err2.txt; echo $? > status2.txt; } ) &
            job2=$!
            for i in $(seq 1 200); do [ -s status2.txt ] && break; sleep 0.05; done
            echo "status $(cat status2.txt 2> /dev/null)"
            kill -KILL -- -$job1 -$job2 $feeder1 $feeder2 2> /dev/null
            wait 2> /dev/null
            cat err2.txt err1.txt
            """)
        let lines = r.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first == "locks 1", "\(r.stdout)\(r.stderr)")
        #expect(lines.dropFirst().first == "status 75", "\(r.stdout)\(r.stderr)")
        #expect(r.stdout.contains(": error: volume vol is locked by a running backup"), "\(r.stdout)")
    }

    /// An incomplete version (its backup died) cannot be protected: the next backup removes it.
    @Test func incompleteVersionCannotBeProtected() throws {
        let s = try Sandbox()
        try s.makeImage("img", size: 1 << 20, seed: 11)
        let r = try s.sh("""
            mkfifo src
            ( cat img; exec sleep 20 ) > src 2> /dev/null &
            feeder=$!
            benji backup - vol --block-size 64K < src > /dev/null 2>&1 &
            job=$!
            for i in $(seq 1 400); do
              if sqlite3 catalog.sqlite 'select count(*) from locks' 2>/dev/null | grep -q 1; then break; fi
              sleep 0.05
            done
            kill -KILL $job; wait $job 2>/dev/null
            kill -KILL $feeder; wait $feeder 2>/dev/null
            benji protect $(benji ls --json | jq -r .id)
            """)
        #expect(r.status == 65, "\(r.stderr)")
        #expect(r.stderr.contains("is incomplete (its backup did not finish) and cannot be protected"), "\(r.stderr)")
    }
}

@Suite struct CLITests {
    @Test func helpNamesEveryCommand() throws {
        let s = try Sandbox(initialize: false)
        let help = try s.ok("benji --help")
        for command in ["init", "backup", "restore", "ls", "rm", "protect", "diff", "chunk", "catalog", "seal", "put", "write"] {
            #expect(help.contains("  \(command) "), "\(command) missing from benji --help")
        }
        #expect(try s.ok("benji-put --help").contains("USAGE: benji-put"))
        #expect(try s.ok("benji put --help").contains("USAGE: benji put"))
        #expect(try s.ok("benji-catalog --help").contains("USAGE: benji-catalog <subcommand>"))
        #expect(try s.ok("benji --version") == "0.1.0")
    }

    /// Mistakes an operator makes, refused before anything is written: a base of another volume (the
    /// blocks outside the hints would be that volume's), an empty hints file (a failed `rbd diff > f`,
    /// which read as "nothing changed" would miss every change), a directory as a restore target, and a
    /// label given twice.
    @Test func refusesLikelyMistakes() throws {
        let s = try Sandbox()
        try s.makeImage("img", size: 3 * 65_536, seed: 12)
        let a = try s.ok("benji backup img a --block-size 64K")
        try s.ok(#"echo '[{"offset":0,"length":65536,"exists":"true"}]' > hints.json && : > empty.json && mkdir dir"#)
        try s.fails("benji backup img b --block-size 64K --base \(a) --hints hints.json", 65,
                    "benji: error: base version \(a) is a version of volume a, not of b\n")
        try s.fails("benji backup img a --block-size 64K --base \(a) --hints empty.json", 65,
                    "benji: error: (at empty.json) the hints are empty")
        try s.fails("benji restore \(a) dir --force", 73,
                    "benji: error: restore target dir is a directory; name a file or a block device\n")
        try s.fails("benji restore \(a) nosuch/out", 73,
                    "benji: error: cannot create restore target nosuch/out: No such file or directory (errno 2)\n")
        try s.fails("ln -s nowhere dangling && benji restore \(a) dangling", 73,
                    "benji: error: restore target dangling is a link to a file that does not exist; name the file itself\n")
        try s.fails("benji restore \(a) ''", 64, "benji: error: the restore target is empty; name a file, a block device or -\n")
        // A long name still fits: the hidden name takes only the start of it.
        let long = String(repeating: "n", count: 250)
        try s.ok("benji restore \(a) \(long) && cmp img \(long) && \(noRestoreLeftovers)")
        try s.fails("benji backup img a --label k=1 --label k=2", 64, "benji: error: label k is given twice\n")
        #expect(try s.versions().count == 1)
    }

    /// A negative level is the word after --level, as zstd's fast levels are usually written.
    @Test func negativeLevelsFollowTheOption() throws {
        let s = try Sandbox()
        try s.makeImage("img", size: 300_000)
        let v = try s.ok("benji backup img vol --level -5 --block-size 64K")
        try s.ok("benji restore \(v) out && cmp img out")
        try s.ok("benji-chunk img vol2 --block-size 64K | benji-seal --level -1 | benji-put | benji-catalog commit")
        try s.fails("benji backup img vol --level --json", 64, "benji: error: the value '--json' is invalid for '--level <n>'")
        try s.fails("benji backup img vol --level 3 --no-compression", 64, "benji: error: give --level or --no-compression, not both")
    }

    /// benji-chunk reads a plan's blocks from another path of the same size (--source), which the version
    /// records; a path of another size is refused.
    @Test func chunkReadsAPlanFromAnotherPath() throws {
        let s = try Sandbox()
        try s.makeImage("img", size: 300_000)
        try s.ok("cp img copy.img && head -c 1000 img > short.img")
        let v = try s.ok("benji-diff img vol --block-size 64K | benji-chunk --source copy.img | benji-catalog dedup | benji-seal | benji-put | benji-catalog commit --quiet")
        try s.ok("benji restore \(v) out && cmp img out")
        #expect(try s.versions().first?["source"] as? String == "file:\(s.dir)/copy.img")
        try s.fails("benji-diff img vol --block-size 64K | benji-chunk --source short.img > /dev/null", 65,
                    "benji-chunk: error: source short.img has 1000 bytes, the plan 300000\n")
    }

    @Test func protectBlocksRemoval() throws {
        let s = try Sandbox()
        try s.makeImage("img", size: 65_536)
        let v = try s.ok("benji backup img vol --label env=prod --label tier=1 --snapshot s1")
        let info = try s.versions()[0]
        #expect(info["labels"] as? [String: String] == ["env": "prod", "tier": "1"])
        #expect(info["snapshot"] as? String == "s1")
        try s.ok("benji protect \(v)")
        #expect(try s.sh("benji rm \(v)").status == 77)
        // Several versions go all together or not at all.
        let other = try s.ok("benji backup img vol")
        try s.fails("benji rm \(other) \(v)", 77, "benji: error: version \(v) is protected; unprotect it first\n")
        #expect(try s.versions().count == 2)
        try s.ok("benji unprotect \(v) && benji rm \(v) \(other)")
        #expect(try s.versions().isEmpty)
        #expect(try s.sh("benji rm \(v)").status == 66)
    }

    @Test func configFileIsUsed() throws {
        let s = try Sandbox(initialize: false)
        s.env["BENJI_CATALOG"] = nil
        s.env["BENJI_STORE"] = nil
        try s.ok("benji init --catalog \(s.dir)/c.sqlite --store file://\(s.dir)/st")
        #expect(FileManager.default.fileExists(atPath: s.dir + "/.config/benji/benji.toml"))
        // A relative catalog is written as an absolute path; a store may be file:/path as well.
        try s.ok("benji init --config rel.toml --catalog rel.sqlite --store file:\(s.dir)/st3")
        try s.ok("grep -qx 'catalog = \"\(s.dir)/rel.sqlite\"' rel.toml")
        try s.ok("printf 'catalog = \"%s\"\\nstore = \"file:%s\"\\n' \(s.dir)/rel.sqlite \(s.dir)/st3 > short.toml && benji ls --config short.toml")
        try s.makeImage("img", size: 70_000)
        let v = try s.ok("benji backup img vol")
        try s.ok("benji restore \(v) out && cmp img out")
        try s.ok("printf 'nonsense\\n' > bad.toml")
        #expect(try s.sh("benji ls --config bad.toml").status == 78)
        // A catalog paired with another store is refused.
        try s.ok("benji init --catalog \(s.dir)/c2.sqlite --store file://\(s.dir)/st2 --no-config")
        let mismatch = try s.sh("benji backup img vol --catalog \(s.dir)/c2.sqlite")
        #expect(mismatch.status == 78)
        #expect(mismatch.stderr.contains("belongs to store"))
    }
}

@Suite(.serialized) struct ExampleTests {
    /// Every script in examples/ runs to completion against a fresh repository.
    @Test(arguments: ["backup-and-restore-pipeline.sh", "encryption-and-key-rotation.sh", "incremental-with-hints.sh", "stdin-and-inspection.sh", "write-only-backup-host.sh"])
    func runs(_ script: String) throws {
        let s = try Sandbox()
        let r = try s.sh("\(packageRoot)/examples/\(script)")
        #expect(r.status == 0, "\(script) failed:\n\(r.stderr)")
        #expect(!r.stdout.isEmpty)
    }

    @Test func everyExampleIsTested() throws {
        let scripts = try FileManager.default.contentsOfDirectory(atPath: packageRoot + "/examples")
            .filter { $0.hasSuffix(".sh") && $0 != "common.sh" }.sorted()
        #expect(scripts == ["backup-and-restore-pipeline.sh", "encryption-and-key-rotation.sh", "incremental-with-hints.sh", "stdin-and-inspection.sh", "write-only-backup-host.sh"])
    }
}

/// True if this machine lets us attach loop devices (root, and /dev/loop-control present).
let loopDevicesAvailable: Bool = getuid() == 0 && FileManager.default.fileExists(atPath: "/dev/loop-control")

@Suite(.serialized, .enabled(if: loopDevicesAvailable, "needs root and loop devices")) struct BlockDeviceTests {
    /// Back up a block device, restore it to another, plain and sparse (over garbage), and refuse to
    /// overwrite a device without --force.
    /// A catalog on read-only media (a read-only bind mount here) is read in place by the commands that
    /// only read; the others say that they write.
    @Test func aReadOnlyCatalogIsReadInPlace() throws {
        let s = try Sandbox()
        try s.makeImage("img", size: 300_000)
        let v = try s.ok("benji backup img vol --block-size 64K")
        let mounted = try s.sh("mkdir ro && cp catalog.sqlite ro/ && mount --bind ro ro && mount -o remount,ro,bind ro")
        guard mounted.status == 0 else { return }  // no mounts here (a container without the capability)
        defer { _ = try? s.sh("umount \(s.dir)/ro") }
        #expect(try s.ok("benji ls --catalog ro/catalog.sqlite --json | jq -r .id") == v)
        try s.ok("benji restore \(v) out --catalog ro/catalog.sqlite && cmp img out")
        try s.ok("benji-catalog blocks \(v) --catalog ro/catalog.sqlite | tail -n 1 | grep -q '\"type\":\"end\"'")
        try s.fails("benji rm \(v) --catalog ro/catalog.sqlite", 77,
                    "benji: error: catalog ro/catalog.sqlite is on a read-only file system, and this command writes to it (ls, restore and benji-catalog blocks only read)\n")
    }

    @Test func backupAndRestoreBlockDevices() throws {
        let s = try Sandbox()
        try s.ok("truncate -s 32M a.img b.img && truncate -s 16M c.img")
        var attached: [String] = []
        defer { for device in attached { _ = try? s.sh("losetup -d \(device)") } }
        for image in ["a.img", "b.img", "c.img"] { attached.append(try s.ok("losetup --show -f \(image)")) }
        let (a, b, c) = (attached[0], attached[1], attached[2])
        try s.ok("head -c 5000000 /dev/urandom | dd of=\(a) bs=1M conv=notrunc,fsync status=none")
        let v = try s.ok("benji backup \(a) dev --block-size 1M")
        let info = try s.versions()[0]
        #expect(info["size"] as? Int == 32 << 20)
        #expect(info["source"] as? String == "file:\(a)")
        let refused = try s.sh("benji restore \(v) \(b)")
        #expect(refused.status == 73)
        try s.ok("benji restore \(v) \(b) --force && cmp \(a) \(b)")
        try s.ok("dd if=/dev/urandom of=\(b) bs=1M count=32 status=none")
        try s.ok("benji restore \(v) \(b) --force --sparse && cmp \(a) \(b)")
        try s.ok("dd if=/dev/urandom of=\(b) bs=1M count=32 status=none")
        try s.ok("V=\(v); \(restorePipeline) \(b) --force --sparse && cmp \(a) \(b)")
        // A device smaller than the version is refused before anything is written to it.
        let small = try s.sh("benji restore \(v) \(c) --force")
        #expect(small.status == 73)
        #expect(small.stderr.contains("holds 16777216 bytes, too few for the version's 33554432"))
        try s.ok("cmp -n 16777216 \(c) /dev/zero")
    }
}
