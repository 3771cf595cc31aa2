import Foundation
import Testing
@testable import BenjiCore
@testable import BenjiRecords
import CBenjiKernels

private func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }

@Suite struct JSONTests {
    @Test func parsesAndWritesBackUnchanged() throws {
        let text = #"{"type":"block","v":1,"idx":3,"x":{"b":[1,2.5e3,-0,true,false,null]},"s":"a\"b\\c\u00e9\n","size":4096}"#
        let value = try JSONParser.parse(bytes(text))
        #expect(JSONWriter.string(value) == text)
        guard case .object(let o) = value else { Issue.record("not an object"); return }
        #expect(o["s"]?.stringValue == "a\"b\\c\u{e9}\n")
        #expect(o["idx"]?.int64 == 3)
        #expect(o.fields.map(\.key) == ["type", "v", "idx", "x", "s", "size"])
    }

    @Test(arguments: [
        "", "{", "{\"a\":1,}", "[1,]", "{\"a\" 1}", "{\"a\":01}", "{\"a\":1.}", "{\"a\":\"\u{01}\"}",
        "{\"a\":\"\\x\"}", "{\"a\":\"\\u12\"}", "{\"a\":tru}", "{\"a\":1}x", "{\"a\":1,\"a\":2}", "{'a':1}",
        "{\"a\":NaN}", "{\"a\":\"unterminated}",
    ])
    func rejectsMalformedJSON(_ text: String) {
        #expect(throws: JSONSyntaxError.self) { _ = try JSONParser.parse(bytes(text)) }
    }

    @Test func rejectsInvalidUTF8() {
        #expect(throws: JSONSyntaxError.self) { _ = try JSONParser.parse([0x22, 0xff, 0xfe, 0x22]) }
    }

    @Test func escapesOnWrite() {
        let s = JSONString("quote\" slash\\ nl\n tab\t bell\u{07}")
        #expect(String(decoding: s.raw, as: UTF8.self) == #"quote\" slash\\ nl\n tab\t bell\u0007"#)
        #expect(s.value == "quote\" slash\\ nl\n tab\t bell\u{07}")
    }

    /// The SIMD scan finds a special byte, and notices a non-ASCII one, at every offset of strings around the
    /// vector widths (16, 32, 64 bytes): checked against the plain definition.
    @Test func scanFindsSpecialAndNonASCIIBytesAtEveryOffset() throws {
        for length in [0, 1, 15, 16, 31, 32, 33, 63, 64, 65, 100, 130, 200] {
            for at in 0..<max(length, 1) {
                for inserted: UInt8 in [0x22, 0x5C, 0x0A, 0xC3] {
                    var text = [UInt8](repeating: UInt8(ascii: "a"), count: length)
                    if length > 0 { text[at] = inserted }
                    var high: UInt8 = 0
                    let n = text.withUnsafeBufferPointer { benji_json_string_scan($0.baseAddress ?? UnsafePointer(bitPattern: 1)!, length, &high) }
                    let expectedStop = text.firstIndex { $0 == 0x22 || $0 == 0x5C || $0 < 0x20 } ?? length
                    #expect(n == expectedStop, "length \(length), byte \(inserted) at \(at)")
                    let sawHigh = text[..<expectedStop].contains { $0 >= 0x80 }
                    #expect((high != 0) == sawHigh, "length \(length), byte \(inserted) at \(at): high \(high)")
                }
            }
        }
        // Non-ASCII in a long string is validated as UTF-8; a valid one parses.
        let valid = String(repeating: "A", count: 100_000) + "é" + String(repeating: "B", count: 100)
        #expect(throws: Never.self) { _ = try JSONParser.parse(bytes("{\"s\":\"\(valid)\"}")) }
        var invalid = bytes("{\"s\":\"" + String(repeating: "A", count: 100_000))
        invalid += [0xC3, 0x28] + bytes("\"}")
        #expect(throws: JSONSyntaxError.self) { _ = try JSONParser.parse(invalid) }
    }

    @Test func longStringsScanFast() throws {
        let payload = String(repeating: "A", count: 5_000_000)
        let value = try JSONParser.parse(bytes("{\"data\":\"\(payload)\"}"))
        guard case .object(let o) = value, case .string(let s)? = o["data"] else { Issue.record("no data"); return }
        #expect(s.raw.count == 5_000_000)
        #expect(!s.hasEscapes)
    }
}

@Suite struct Base64Tests {
    @Test func rfc4648Vectors() {
        let vectors = [("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="),
                       ("fooba", "Zm9vYmE="), ("foobar", "Zm9vYmFy")]
        for (plain, encoded) in vectors {
            #expect(Base64.encode(bytes(plain)) == encoded)
            #expect(Base64.decode(bytes(encoded)) == bytes(plain))
        }
    }

    @Test func roundTripsEveryLengthAndMatchesFoundation() {
        var rng = SystemRandomNumberGenerator()
        for n in 0..<200 {
            let data = (0..<n).map { _ in UInt8.random(in: 0...255, using: &rng) }
            let encoded = Base64.encode(data)
            #expect(encoded == Data(data).base64EncodedString())
            #expect(Base64.decode(bytes(encoded)) == data)
        }
        let big = (0..<(4 << 20) + 7).map { UInt8(truncatingIfNeeded: $0 &* 2654435761) }
        #expect(Base64.decode(bytes(Base64.encode(big))) == big)
    }

    /// The SIMD bulk loops stop at any group with a character outside the alphabet; the scalar code
    /// after them must then reject it, wherever it stands.
    @Test func rejectsEveryInvalidCharacterAtEveryPosition() {
        let data = (0..<300).map { UInt8(truncatingIfNeeded: $0 &* 97 &+ 13) }
        let valid = Array(Base64.encode(data).utf8)
        #expect(Base64.decode(valid) == data)
        let alphabet = Set(Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8))
        let invalid = (0...255).map(UInt8.init).filter { !alphabet.contains($0) }
        for position in 0..<(valid.count - 4) {
            for bad in invalid where bad % 7 == UInt8(position % 7) || bad == UInt8(ascii: "=") {
                var text = valid
                text[position] = bad
                #expect(Base64.decode(text) == nil, "byte \(bad) at \(position)")
            }
        }
    }

    @Test(arguments: ["Zg=", "Zg", "Z===", "Zm9v\n", "Zm 9v", "Zh==", "Zm9=", "=Zm9", "Zg==Zg==", "Zm9v!A==", "Zm-_"])
    func rejectsNonCanonical(_ text: String) {
        #expect(Base64.decode(bytes(text)) == nil)
    }
}

@Suite struct LineTests {
    static let input = "{\"type\":\"a\",\"v\":1}\n\n{\"type\":\"b\",\"v\":1}\n{\"type\":\"c\",\"v\":1}\n"

    static func lines(feeding chunks: [[UInt8]]) -> [[UInt8]] {
        var s = LineSplitter()
        var out: [[UInt8]] = []
        for c in chunks {
            c.withUnsafeBytes { s.append($0) }
            while let l = s.nextLine() { out.append(l) }
        }
        return out
    }

    @Test func sameLinesHoweverTheBytesArrive() {
        let all = bytes(LineTests.input)
        let expected = LineTests.lines(feeding: [all])
        #expect(expected.count == 4)
        #expect(LineTests.lines(feeding: all.map { [$0] }) == expected)
        for split in 0...all.count {
            #expect(LineTests.lines(feeding: [Array(all[..<split]), Array(all[split...])]) == expected)
        }
    }

    /// Long lines are handed over (not copied) when they start at the front of the buffer; they come out the
    /// same as short ones, whatever is read after them and however the reads fall.
    @Test func longLinesComeOutWholeHoweverTheyArrive() throws {
        var stream: [UInt8] = []
        var expected: [[UInt8]] = []
        for (i, length) in [70_000, 10, 3_000_000, 0, 65_536, 65_535, 2_100_000, 5, 1_048_576, 200_000].enumerated() {
            let line = (0..<length).map { UInt8(ascii: "a") + UInt8(($0 &+ i) % 26) }
            expected.append(line)
            stream += line + [0x0A]
        }
        for chunk in [1 << 20, 4096, 65_536 + 7, 3_500_000] {
            var s = LineSplitter()
            var out: [[UInt8]] = []
            var offset = 0
            while offset < stream.count {
                let n = s.fill { buffer in
                    let count = min(buffer.count, chunk, stream.count - offset)
                    stream.withUnsafeBytes { buffer.baseAddress!.copyMemory(from: $0.baseAddress! + offset, byteCount: count) }
                    return count
                }
                offset += n
                while let l = s.nextLine() { out.append(l) }
            }
            #expect(out == expected, "reads of \(chunk) bytes")
            #expect(s.remainder() == nil)
        }
    }

    @Test func keepsTheUnterminatedRest() {
        var s = LineSplitter()
        bytes("abc\ndef").withUnsafeBytes { s.append($0) }
        #expect(s.nextLine() == bytes("abc"))
        #expect(s.nextLine() == nil)
        #expect(s.remainder() == bytes("def"))
    }
}

@Suite struct StreamValidatorTests {
    func run(_ lines: [String]) throws -> [StreamEvent] {
        var v = StreamValidator()
        var events: [StreamEvent] = []
        for (i, l) in lines.enumerated() {
            events.append(try v.accept(try Record.parse(bytes(l), location: "t:\(i + 1)"), location: "t:\(i + 1)"))
        }
        try v.finish(location: "t:end")
        return events
    }

    let header = #"{"type":"stream","v":1,"volume":"vm","size":10000,"block_size":4096}"#

    @Test func acceptsAWholeStream() throws {
        let events = try run([header,
                              #"{"type":"block","v":1,"idx":0,"size":4096,"zero":true}"#,
                              #"{"type":"note","v":7,"anything":[1]}"#,
                              #"{"type":"block","v":1,"idx":2,"size":1808}"#,
                              #"{"type":"end","v":1,"blocks":2}"#])
        #expect(events.count == 5)
        if case .other(let r) = events[2] { #expect(r.type == "note") } else { Issue.record("unknown type not passed through") }
    }

    @Test(arguments: [
        ([#"{"type":"block","v":1,"idx":0,"size":4096}"#], "before the stream"),
        ([#"{"type":"stream","v":2,"volume":"vm","size":1,"block_size":4096}"#], "version 2"),
        ([#"{"type":"stream","v":1,"volume":"vm","size":10000,"block_size":4096}"#], "without an end record"),
        ([#"{"type":"stream","v":1,"volume":"vm","size":10000,"block_size":4096}"#, #"{"type":"end","v":1,"blocks":1}"#], "counts 1 blocks"),
        ([#"{"type":"stream","v":1,"volume":"vm","size":10000,"block_size":4096}"#, #"{"type":"block","v":1,"idx":1,"size":4096}"#,
          #"{"type":"block","v":1,"idx":1,"size":4096}"#], "out of order"),
        ([#"{"type":"stream","v":1,"volume":"vm","size":10000,"block_size":4096}"#, #"{"type":"block","v":1,"idx":3,"size":4096}"#], "beyond the end"),
        ([#"{"type":"stream","v":1,"volume":"vm","size":10000,"block_size":4096}"#, #"{"type":"block","v":1,"idx":2,"size":4096}"#], "expected 1808"),
        ([#"{"type":"stream","v":1,"volume":"vm","size":10000,"block_size":1000}"#], "not a multiple"),
        ([#"{"type":"stream","v":1,"volume":"vm","block_size":4096}"#, #"{"type":"end","v":1,"blocks":0}"#], "no size"),
        ([#"{"type":"stream","v":1,"volume":"vm","size":0,"block_size":4096}"#, #"{"type":"end","v":1,"blocks":0}"#, #"{"type":"x","v":1}"#], "follows the end"),
        ([#"{"type":"stream","v":1,"volume":"vm","size":10000,"block_size":4096}"#, #"{"type":"block","v":1,"idx":0,"size":4096,"sha256":"AB"}"#], "sha256"),
        ([#"{"type":"stream","v":1,"volume":"vm","size":10000,"block_size":4096}"#, #"{"type":"block","v":1,"idx":0,"size":4096,"zero":true,"data":"AAAA"}"#], "zero block"),
        ([#"{"v":1}"#], "no \"type\""),
        ([#"{"type":"stream"}"#], "\"v\""),
        ([], "ended before a stream record"),
        ([#"{"type":"stream","v":1,"volume":"vm","block_size":4096}"#, #"{"type":"block","v":1,"idx":0,"size":4096}"#,
          #"{"type":"block","v":1,"idx":1,"size":4096}"#, #"{"type":"end","v":1,"blocks":2,"size":8000}"#], "needs 3904"),
        ([#"{"type":"stream","v":1,"volume":"vm","block_size":4096}"#, #"{"type":"block","v":1,"idx":1000000000000000,"size":4096}"#], "largest image"),
        ([#"{"type":"stream","v":1,"volume":"vm","size":1000000000000000000,"block_size":4096}"#], "2^32 blocks"),
    ])
    func rejects(_ lines: [String], _ message: String) {
        do {
            _ = try run(lines)
            Issue.record("accepted a bad stream: expected \(message)")
        } catch let e as BenjiError {
            #expect(e.status == .dataError)
            #expect(e.message.contains(message), "\(e.message)")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func rawStreamsCarryTheSizeInTheEndRecord() throws {
        _ = try run([#"{"type":"stream","v":1,"volume":"vm","block_size":4096}"#,
                     #"{"type":"block","v":1,"idx":0,"size":4096,"zero":true}"#,
                     #"{"type":"block","v":1,"idx":1,"size":10}"#,
                     #"{"type":"end","v":1,"blocks":2,"size":4106}"#])
        #expect(throws: BenjiError.self) {
            _ = try run([#"{"type":"stream","v":1,"volume":"vm","block_size":4096}"#,
                         #"{"type":"block","v":1,"idx":0,"size":10}"#,
                         #"{"type":"block","v":1,"idx":1,"size":10}"#,
                         #"{"type":"end","v":1,"blocks":2,"size":20}"#])
        }
    }
}

@Suite struct HintsTests {
    @Test func parsesRbdDiffJSON() throws {
        let text = #"[{"offset":0,"length":4194304,"exists":"true"},{"offset":8388608,"length":4096,"exists":"false"},{"offset":12582912,"length":1,"exists":true}]"#
        let extents = try Hints.parse(bytes(text), name: "h")
        #expect(extents == [Extent(offset: 0, length: 4194304, exists: true), Extent(offset: 8388608, length: 4096, exists: false),
                            Extent(offset: 12582912, length: 1, exists: true)])
    }

    @Test func parsesExtentRecords() throws {
        let text = "{\"type\":\"extent\",\"v\":1,\"offset\":4096,\"length\":8192,\"exists\":true}\n{\"type\":\"other\",\"v\":1}\n"
        #expect(try Hints.parse(bytes(text), name: "h") == [Extent(offset: 4096, length: 8192, exists: true)])
        #expect(try Hints.parse(bytes(" []\n"), name: "h").isEmpty)
        // An empty file is what a failed `rbd diff > file` leaves: refused, not read as "nothing changed".
        #expect(throws: BenjiError.self) { _ = try Hints.parse(bytes("  \n"), name: "h") }
        #expect(throws: BenjiError.self) { _ = try Hints.parse([], name: "h") }
    }

    @Test func rejectsBadHints() {
        #expect(throws: BenjiError.self) { _ = try Hints.parse(bytes(#"[{"offset":-1,"length":1}]"#), name: "h") }
        #expect(throws: BenjiError.self) { _ = try Hints.parse(bytes(#"[{"offset":0,"length":1,"exists":"maybe"}]"#), name: "h") }
        #expect(throws: BenjiError.self) { _ = try Hints.parse(bytes("[{"), name: "h") }
    }
}
