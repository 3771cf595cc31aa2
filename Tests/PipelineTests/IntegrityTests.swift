import Foundation
import Testing

/// Streams that lie, and numbers at the edge: each is refused with a clear error, never a crash, and
/// nothing already stored is harmed.
@Suite(.serialized) struct IntegrityTests {
    /// A stream whose block data does not match its `sha256` (a replayed or filtered stream) must not
    /// become an object under that digest's name, replacing the good one.
    @Test func sealRefusesDataThatIsNotWhatItClaims() throws {
        let s = try Sandbox()
        try s.ok("head -c 196608 /dev/urandom > a && head -c 65536 /dev/urandom > other")
        let v = try s.ok("benji backup a va --block-size 64K")
        try s.ok("""
            benji-chunk a x --block-size 64K > good.ndjson
            python3 - <<'PY'
            import base64, json
            lines = open('good.ndjson').read().splitlines()
            out = []
            for l in lines:
                r = json.loads(l)
                if r.get('type') == 'block' and r['idx'] == 0:
                    r['data'] = base64.b64encode(open('other', 'rb').read()).decode()
                out.append(json.dumps(r, separators=(',', ':')))
            open('bad.ndjson', 'w').write('\\n'.join(out) + '\\n')
            PY
            """)
        let r = try s.sh("benji-seal < bad.ndjson | benji-put | benji-catalog commit")
        #expect(r.status == 65, "\(r.stderr)")
        #expect(r.stderr.contains("benji-seal: error:") && r.stderr.contains("not the"), "\(r.stderr)")
        try s.ok("benji restore \(v) out && cmp a out")
    }

    /// Objects that benji-put wrote to another store do not make a version in this catalog.
    @Test func commitRefusesObjectsWrittenToAnotherStore() throws {
        let s = try Sandbox()
        try s.ok("benji init --no-config --catalog other.sqlite --store other-store")
        try s.ok("head -c 100000 /dev/urandom > img")
        let r = try s.sh("benji-chunk img v | benji-seal | env -u BENJI_CATALOG benji-put --store other-store | benji-catalog commit")
        #expect(r.status == 78, "\(r.stderr)")
        #expect(r.stderr.contains("went to store"), "\(r.stderr)")
        #expect(try s.versions().isEmpty)
        // A stream whose blocks claim to be written but whose end names no store is refused too.
        let forged = try s.sh("benji-chunk img v | benji-seal | benji-put | jq -c 'del(.store)' | benji-catalog commit")
        #expect(forged.status == 65, "\(forged.stderr)")
        #expect(try s.versions().isEmpty)
    }

    @Test func numbersAtTheEdgeAreRefusedNotCrashedOn() throws {
        let s = try Sandbox()
        try s.ok("head -c 100000 /dev/urandom > img")
        let v = try s.ok("benji backup img vol")
        try s.ok(#"echo '[{"offset":9223372036854775807,"length":10,"exists":"true"}]' > h1"#)
        let r = try s.sh("benji backup img vol --base \(v) --hints h1")
        #expect(r.status == 65, "\(r.stderr)")
        // Refused before a version or a lock exists: the next backup needs no recovery.
        let next = try s.sh("benji backup img vol")
        #expect(next.status == 0 && !next.stderr.contains("took over"), "\(next.stderr)")
        let huge = try s.sh(#"echo '{"type":"stream","v":1,"volume":"x","size":9223372036854775807,"block_size":4096}' | benji-seal"#)
        #expect(huge.status == 65, "\(huge.stderr)")
        try s.ok(#"echo '{"type":"extent","v":2,"offset":0,"length":4096}' > h2"#)
        let newer = try s.sh("benji backup img vol --base \(v) --hints h2")
        #expect(newer.status == 65 && newer.stderr.contains("extent record version 2"), "\(newer.stderr)")
        // More blocks than a stream may hold: refused up front by the all-in-one backup too.
        // (tmpfs: ext4 files stop short of 16 TiB.)
        let many = try s.sh("f=$(mktemp /dev/shm/benji-test.XXXXXX); truncate -s 17T $f; benji backup $f big --block-size 4K; r=$?; rm -f $f; exit $r")
        #expect(many.status == 64 && many.stderr.contains("more than"), "\(many.stderr)")
    }

    /// A store that stops taking objects half-way through a backup (here: a file stands where block 40's
    /// directory goes) fails the backup with 74 and one line, all-in-one and pipeline: no version, no
    /// temporary files, and every object that did get its name holds its whole content. Once the store
    /// is mended, the next backup succeeds without recovery.
    @Test func aStoreThatStopsTakingObjectsFailsTheBackupCleanly() throws {
        let s = try Sandbox()
        try s.makeImage("img", size: 80 * 65536)
        let name = try s.ok("dd if=img bs=64K skip=40 count=1 status=none | sha256sum | cut -c1-64").trimmingCharacters(in: .whitespacesAndNewlines)
        let a = String(name.prefix(2)), b = String(name.dropFirst(2).prefix(2))
        try s.ok("mkdir -p store/blocks/\(a) && touch store/blocks/\(a)/\(b)")
        for command in ["benji backup img vol --block-size 64K | cat",
                        "benji-chunk img vol --block-size 64K | benji-seal | benji-put | benji-catalog commit"] {
            // The status of the tool before the last (in the pipeline, benji-catalog fails too: its input stopped short).
            let r = try s.sh(command + "; s=(${PIPESTATUS[@]}); exit ${s[-2]}")
            #expect(r.status == 74, "\(command): \(r.stderr)")
            let line = r.stderr.split(separator: "\n").first ?? ""
            #expect(line.hasPrefix(command.hasPrefix("benji-chunk") ? "benji-put: error: cannot store blocks/\(name)" : "benji: error: cannot store blocks/\(name)"), "\(r.stderr)")
            #expect(try s.versions().isEmpty)
            let leftovers = try s.ok("find store -name '.*' | wc -l").trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(leftovers == "0", "temporary files left behind")
        }
        // What did get a name is whole: byte for byte what a backup into a sound store writes (objects of an
        // unencrypted store are deterministic).
        try s.ok("benji init --no-config --catalog c2.sqlite --store store2 && benji backup img vol --block-size 64K --catalog c2.sqlite --store store2")
        let published = try s.ok("""
            n=0; for f in $(find store/blocks -type f -size +0c); do cmp $f store2/${f#store/} || exit 1; n=$((n+1)); done; echo $n
            """)
        #expect(Int(published.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0 > 0, "no object was published before the failure")
        try s.ok("rm store/blocks/\(a)/\(b)")
        let next = try s.sh("benji backup img vol --block-size 64K")
        #expect(next.status == 0 && !next.stderr.contains("took over"), "\(next.stderr)")
        try s.ok("benji restore \(next.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) out && cmp img out")
    }
}
