import Foundation
import Testing

/// A cheap scrypt cost for tests (the default, 2^16, takes a fifth of a second per derivation).
let testScrypt = "--scrypt-log-n 10"

extension Sandbox {
    /// A sandbox whose store is created encrypted by `initArguments` (after `setup`, a shell snippet).
    static func encrypted(_ setup: String, _ initArguments: String) throws -> Sandbox {
        let s = try Sandbox(initialize: false)
        try s.ok("\(setup)\nbenji init --no-config \(initArguments)")
        return s
    }

}

@Suite(.serialized) struct EncryptionTests {
    @Test(arguments: ["", "--no-compression"])
    func keyFileRoundTrips(compression: String) throws {
        let s = try Sandbox.encrypted("benji keygen master.key", "--key-file master.key")
        try s.ok("test $(stat -c %a master.key) = 600")
        try s.makeImage("img", size: 9_000_001)
        s.env["BENJI_KEY_FILE"] = s.path("master.key")
        let v = try s.ok("benji backup img vol \(compression)")
        try s.ok("benji restore \(v) out && cmp img out")
        // The pipeline produces the same blocks under the same (keyed) names, and restores too.
        let p = try s.ok(backupPipeline.replacingOccurrences(of: "benji-seal", with: "benji-seal \(compression)"))
        #expect(try s.ok("benji-catalog blocks \(v) | jq -c 'select(.type==\"block\") | [.sha256, .object]'")
            == s.ok("benji-catalog blocks \(p) | jq -c 'select(.type==\"block\") | [.sha256, .object]'"))
        try s.ok("V=\(p); \(restorePipeline) out2 && cmp img out2")
        // Names are not the plaintext digests, and no object holds its plaintext.
        let pairs = try s.ok("benji-catalog blocks \(v) | jq -r 'select(.type==\"block\" and .object) | .sha256 + \" \" + .object'")
        for pair in pairs.split(separator: "\n") {
            let parts = pair.split(separator: " ")
            #expect(parts[0] != parts[1])
            #expect(try s.ok("find store/blocks -name \(parts[0]) | wc -l") == "0")
        }
        try s.ok("""
            needle=$(dd if=img bs=1 skip=4194404 count=32 status=none | od -An -tx1 -v | tr -d ' \\n')
            test ${#needle} = 64
            for f in $(find store/blocks -type f); do od -An -tx1 -v $f | tr -d ' \\n' | grep -q "$needle" && exit 1; done; true
            """)
        for object in try s.ok("find store/blocks -type f").split(separator: "\n") {
            let header = try s.ok("head -c 16 \(object) | od -An -tx1 | tr -d ' \\n'")
            #expect(["60291b35273746d30102640001000000", "60291b35273746d30103640001000000"].contains(header), "\(header)")
            #expect(compression.isEmpty || header.hasPrefix("60291b35273746d30102"))
        }
        // The key file names no secret on the command line: it is a file, and `ps` shows only its path.
        let keyText = try s.ok("cat master.key")
        #expect(keyText.contains("benji-key-v1 "))
        // A key file that went through an editor with CRLF line ends still works.
        try s.ok("sed 's/$/\\r/' master.key > crlf.key && benji restore \(v) out3 --key-file crlf.key && cmp img out3")
    }

    /// Every kind of key, with and without compression: all-in-one backup, pipeline restore, and back.
    @Test(arguments: ["key-file", "passphrase", "x25519", "p-384"], ["", "--no-compression"])
    func everyKeyKindRoundTrips(kind: String, compression: String) throws {
        let (setup, initArguments, writer, reader): (String, String, String, String)
        switch kind {
        case "key-file": (setup, initArguments, writer, reader) = ("benji keygen k", "--key-file k", "k", "k")
        case "passphrase": (setup, initArguments, writer, reader) = ("echo 'a passphrase of some length' > p", "--passphrase-file p \(testScrypt)", "", "")
        case "p-384":
            // The public key in compressed form: it must name and derive exactly as the private key's half.
            (setup, initArguments, writer, reader) = ("benji keygen o --type p-384 && openssl ec -in o -pubout -conv_form compressed -out oc.pub 2>/dev/null",
                                                      "--public-key oc.pub --writer-key w", "w", "o")
        default: (setup, initArguments, writer, reader) = ("benji keygen o --type \(kind)", "--public-key o.pub --writer-key w", "w", "o")
        }
        let s = try Sandbox.encrypted(setup, initArguments)
        if kind == "passphrase" { s.env["BENJI_PASSPHRASE_FILE"] = s.path("p") }
        try s.makeImage("img", size: 1_500_001, seed: 3)
        let flag = { (file: String) in file.isEmpty ? "" : "--key-file \(file)" }
        let v = try s.ok("benji backup img vol --block-size 64K \(compression) \(flag(writer))")
        try s.ok("benji-catalog blocks \(v) | benji-put --get | benji-seal --open \(flag(reader)) | benji-write out && cmp img out")
        let p = try s.ok("benji-diff img vol2 --block-size 64K | benji-chunk | benji-seal \(compression) \(flag(writer)) | benji-put | benji-catalog commit --quiet")
        try s.ok("benji restore \(p) out2 \(flag(reader)) && cmp img out2")
        let flags = try s.ok("for f in $(find store/blocks -type f); do dd if=$f bs=1 skip=9 count=1 status=none | od -An -tu1; done | sort -u | tr -d ' \\n'")
        #expect(compression.isEmpty ? flags.contains("3") : flags == "2", "object flags [\(flags)]")
    }

    @Test func passphrasesFromTheEnvironmentAndFromAFile() throws {
        let s = try Sandbox.encrypted("", "--passphrase-file <(echo 'correct horse battery staple') \(testScrypt)")
        try s.makeImage("img", size: 3_000_000)
        // A file with a trailing newline and the variable name the same passphrase.
        try s.ok("echo 'correct horse battery staple' > pass && chmod 600 pass")
        let v = try s.ok("benji backup img vol --passphrase-file pass")
        try s.ok("BENJI_PASSPHRASE='correct horse battery staple' benji restore \(v) out && cmp img out")
        try s.ok("BENJI_PASSPHRASE_FILE=pass benji restore \(v) out2 && cmp img out2")
        let wrong = try s.sh("BENJI_PASSPHRASE='correct horse battery stable' benji restore \(v) out3")
        #expect(wrong.status == 77)
        #expect(wrong.stderr.contains("wrong passphrase"))
        try s.expectNothingRestored("out3")
        // Two credentials at once are refused rather than guessed between.
        #expect(try s.sh("BENJI_PASSPHRASE=x BENJI_KEY_FILE=k benji restore \(v) out4").status == 64)
    }

    @Test func wrongMissingAndMisplacedKeysFailBeforeAnyObjectIsTouched() throws {
        let s = try Sandbox.encrypted("benji keygen a.key && benji keygen b.key", "--key-file a.key")
        try s.makeImage("img", size: 1_000_000)
        let v = try s.ok("benji backup img vol --key-file a.key")
        let before = try s.ok("find store -type f -printf '%P %s %T@\\n' | sort")
        for (command, status, message) in [
            ("benji restore \(v) out --key-file b.key", 77, "wrong key"),
            ("benji backup img vol --key-file b.key", 77, "wrong key"),
            ("benji restore \(v) out", 77, "store file://\(s.dir)/store is encrypted"),
            ("benji backup img vol", 77, "is encrypted"),
            ("benji-seal < /dev/null", 77, "is encrypted"),
            ("benji restore \(v) out --key-file nonexistent.key", 66, "nonexistent.key"),
            ("benji restore \(v) out --key-file img", 78, "not a benji key file"),
        ] {
            let r = try s.sh(command)
            #expect(r.status == Int32(status), "\(command): \(r.stderr)")
            #expect(r.stderr.contains(message), "\(command): \(r.stderr)")
            #expect(r.stderr.split(separator: "\n").count == 1, "\(command): \(r.stderr)")
        }
        try s.expectNothingRestored("out")
        #expect(try s.ok("find store -type f -printf '%P %s %T@\\n' | sort") == before)
        // A passphrase-protected PEM key is refused (78), without prompting on the terminal.
        try s.ok("openssl genpkey -algorithm X25519 -aes256 -pass pass:secret -out locked.pem 2>/dev/null")
        let locked = try s.sh("benji restore \(v) out --key-file locked.pem")
        #expect(locked.status == 78, "\(locked.stderr)")
        // A key given to an unencrypted store is a configuration error, not silently ignored.
        let plain = try Sandbox()
        try plain.ok("benji keygen k.key && head -c 100000 /dev/urandom > img")
        #expect(try plain.sh("benji backup img vol --key-file k.key").status == 78)
        // benji-put does not let unencrypted objects into an encrypted store.
        let r = try s.sh("benji-diff img vol | benji-chunk | env -u BENJI_STORE benji-seal | benji-put > /dev/null")
        #expect(r.status == 65)
        #expect(r.stderr.contains("is not encrypted, but store"))
    }

    /// Tampering with any part of a stored object (header, key id, wrapped key, nonce, payload, tag) is an
    /// authentication failure for that block: restore reports it and goes on (3), `benji-seal --open`
    /// marks the block (3); neither ever returns other data.
    @Test func tamperedObjectsFailAuthentication() throws {
        let s = try Sandbox.encrypted("benji keygen k.key", "--key-file k.key")
        s.env["BENJI_KEY_FILE"] = s.path("k.key")
        try s.ok("head -c \(7 * 65_536) /dev/urandom > img")
        let v = try s.ok("benji backup img vol --block-size 64K")
        let names = try s.ok("benji-catalog blocks \(v) | jq -r 'select(.type==\"block\") | .object'").split(separator: "\n").map(String.init)
        #expect(names.count == 7)
        let size = 100 + 65_536 + 16
        // Block i gets byte offsets[i - 1] inverted; block 0 stays intact.
        let offsets = [3, 40, 60, 95, 100 + 30_000, size - 5]
        for (i, offset) in offsets.enumerated() { try s.flipByte(ofObject: names[i + 1], at: offset) }
        let r = try s.sh("benji restore \(v) out --json")
        #expect(r.status == 3, "\(r.stderr)")
        let bad = r.stdout.split(separator: "\n").map { try! JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        #expect(bad.map { $0["offset"] as? Int } == (1...6).map { $0 * 65_536 }, "\(r.stdout)")
        #expect(r.stderr.contains("authentication failed"))
        try s.ok("cmp <(head -c 65536 img) <(head -c 65536 out)")
        try s.ok("cmp <(tail -c +65537 out) <(head -c \(6 * 65_536) /dev/zero)")
        // Each block fails on its own, with an authentication (or header) error.
        let p = try s.sh("benji-catalog blocks \(v) | benji-put --get | benji-seal --open | jq -r 'select(.type==\"block\") | .error // \"ok\"'")
        #expect(p.status == 3)
        let errors = p.stdout.split(separator: "\n").map(String.init)
        #expect(errors.count == 7 && errors[0] == "ok")
        for e in errors.dropFirst() { #expect(e.contains("authentication failed") || e.contains("bad magic"), "\(e)") }
    }

    @Test func rekeyThenRetireThenRestore() throws {
        let s = try Sandbox.encrypted("benji keygen old.key && benji keygen new.key", "--key-file old.key")
        try s.makeImage("img", size: 9_000_001)
        let v = try s.ok("benji backup img vol --key-file old.key --block-size 1M")
        let oldID = try s.ok("benji key list --json | jq -r .id")
        let newID = try s.ok("benji key add --key-file old.key --new-key-file new.key")
        #expect(newID.count == 32 && newID != oldID)
        // The new key opens the store but not yet the objects, which are wrapped under the old key.
        #expect(try s.sh("benji restore \(v) out --key-file new.key").status == 77)
        // Retiring a key that still wraps objects is refused.
        #expect(try s.sh("benji key retire \(oldID) --key-file new.key").status == 1)
        let count = try s.ok("find store/blocks -type f | wc -l")
        let payloads = try s.ok("for f in $(find store/blocks -type f | sort); do tail -c +101 $f | sha256sum; done")
        let r = try s.ok("benji rekey --to \(newID) --key-file old.key --new-key-file new.key --json")
        let report = try JSONSerialization.jsonObject(with: Data(r.utf8)) as! [String: Any]
        #expect(report["rewrapped"] as? Int == Int(count) && report["failed"] as? Int == 0)
        // Only the 56 header bytes of the wrapping changed: payloads and tags are as they were.
        #expect(try s.ok("for f in $(find store/blocks -type f | sort); do tail -c +101 $f | sha256sum; done") == payloads)
        // Running it again finds nothing to do.
        let again = try JSONSerialization.jsonObject(with: Data(try s.ok("benji rekey --to \(newID) --key-file new.key --json").utf8)) as! [String: Any]
        #expect(again["rewrapped"] as? Int == 0 && again["already"] as? Int == Int(count))
        #expect(try s.sh("benji key retire \(newID) --key-file new.key").status == 64)
        // An object whose header names a key the store does not know might need the old key: retiring
        // waits for --force (a copy of the object is restored afterwards).
        let victim = try s.ok("find store/blocks -type f | head -1")
        try s.ok("cp \(victim) victim.bak")
        try s.flipByte(ofObject: (victim as NSString).lastPathComponent, at: 40)
        let unclear = try s.sh("benji key retire \(oldID) --key-file new.key")
        #expect(unclear.status == 1 && unclear.stderr.contains("--force"), "\(unclear.stderr)")
        try s.ok("chmod u+w \(victim) && cp victim.bak \(victim)")
        try s.ok("benji key retire \(oldID) --key-file new.key")
        try s.ok("benji restore \(v) out --key-file new.key && cmp img out")
        let old = try s.sh("benji restore \(v) out2 --key-file old.key")
        #expect(old.status == 77 && old.stderr.contains("wrong key"))
        // New backups under the new key dedup against the rekeyed objects.
        let v2 = try s.ok("benji backup img vol --key-file new.key --block-size 1M --json")
        #expect(v2.contains("\"bytes_written\":0"))
        // A passphrase key added and rekeyed to works the same way.
        try s.ok("BENJI_NEW_PASSPHRASE='a long passphrase' benji key add --key-file new.key \(testScrypt)")
        let passID = try s.ok("benji key list --json | jq -r 'select(.key_type==\"passphrase\") | .id'")
        try s.ok("BENJI_NEW_PASSPHRASE='a long passphrase' benji rekey --to \(passID) --key-file new.key")
        try s.ok("BENJI_PASSPHRASE='a long passphrase' benji restore \(v) out3 && cmp img out3")
        #expect(try s.ok("benji key list --usage --json | jq -r 'select(.id==\"\(passID)\") | .objects'") == count)
    }

    @Test(arguments: ["x25519", "p-384"])
    func writeOnlyHostBacksUpAndThePrivateKeyRestores(curve: String) throws {
        let s = try Sandbox.encrypted("benji keygen owner.key --type \(curve)", "--public-key owner.key.pub --writer-key writer.key")
        try s.ok("test $(stat -c %a writer.key) = 600 && test $(stat -c %a owner.key) = 600 && grep -q 'BEGIN PRIVATE KEY' owner.key")
        try s.makeImage("img", size: 9_000_001)
        s.env["BENJI_KEY_FILE"] = s.path("writer.key")
        let v = try s.ok("benji backup img vol")
        // The writer key cannot read, neither all-in-one nor in the pipeline.
        let r = try s.sh("benji restore \(v) out")
        #expect(r.status == 77 && r.stderr.contains("writer key"))
        try s.expectNothingRestored("out")
        let p0 = try s.sh("V=\(v); \(restorePipeline) out")
        #expect(p0.status != 0 && p0.stderr.contains("benji-seal: error: key file") && p0.stderr.contains("writer key"), "\(p0.stderr)")
        try s.expectNothingRestored("out")
        // Nor can it change the store's keys.
        let pairID = try s.ok("benji key list --json | jq -r .id")
        for command in ["benji keygen extra.key && benji key add --new-key-file extra.key", "benji key retire \(pairID)",
                        "benji rekey --to \(pairID) --new-key-file extra.key"] {
            let k = try s.sh(command)
            #expect(k.status == 77 && k.stderr.contains("writer key"), "\(command): \(k.stderr)")
        }
        #expect(try s.ok("benji key list --json | wc -l") == "1")
        // It still deduplicates against the catalog, in both forms.
        #expect(try s.ok("benji backup img vol --json").contains("\"bytes_written\":0"))
        let p = try s.ok(backupPipeline)
        #expect(try s.ok("benji ls --json | jq -r 'select(.id==\"\(p)\") | .bytes_written'") == "0")
        try s.makeImage("img2", size: 5_000_000, seed: 9)
        let v2 = try s.ok(backupPipeline.replacingOccurrences(of: "img vol", with: "img2 vol2"))
        // The private key restores everything.
        s.env["BENJI_KEY_FILE"] = s.path("owner.key")
        try s.ok("benji restore \(v) out && cmp img out")
        try s.ok("V=\(v2); \(restorePipeline) out2 && cmp img2 out2")
        // Rekeying to an AES key needs the private key to unwrap; then the AES key alone restores.
        try s.ok("benji keygen aes.key && benji key add --new-key-file aes.key > aes.id")
        try s.ok("benji rekey --to $(cat aes.id) --new-key-file aes.key")
        try s.ok("benji restore \(v) out3 --key-file aes.key && cmp img out3")
        // And back to the key pair: its public key is in the store, so no new key material is needed.
        try s.ok("benji rekey --to \(pairID) --key-file aes.key")
        try s.ok("benji restore \(v2) out4 && cmp img2 out4")
    }
}
