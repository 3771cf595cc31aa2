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

/// A stage that takes block records without their data (`BlockStreamReader.next(deferringDataOf:)`), as
/// `benji-catalog dedup` does: the data goes from input to output (or is dropped) by `splice` between a
/// pipe and a file, and through a buffer between two files.
@Suite struct DeferredDataTests {
    enum End: String, CaseIterable { case file, pipe }

    static let sizes = [1 << 20, 300_000]
    /// A stream of two blocks (1 MiB and 300000 bytes) whose data is long enough to be deferred; `second`
    /// replaces the second block's record.
    static func stream(second: String? = nil, data: String? = nil) -> (lines: [String], data: [String]) {
        let digest = String(repeating: "ab", count: 32)
        let data = sizes.enumerated().map { i, n in
            Base64.encode((0..<n).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ i) })
        }
        let lines = [#"{"type":"stream","v":1,"volume":"vm","size":1348576,"block_size":1048576}"#,
                     #"{"type":"block","v":1,"idx":0,"size":1048576,"sha256":"\#(digest)","data":"\#(data[0])"}"#,
                     second ?? #"{"type":"block","v":1,"idx":1,"size":300000,"sha256":"\#(digest)","data":"\#(data[1])","note":[1,{"a":"b"}]}"#,
                     #"{"type":"end","v":1,"blocks":2}"#]
        return (lines, data)
    }

    /// Runs `input` through the stage, which drops the data of the blocks in `drop` (and gives them an
    /// `object`) and passes the rest on; returns its output and whether each block was deferred.
    static func run(_ input: [UInt8], from inputEnd: End, to outputEnd: End, drop: Set<Int64> = []) throws -> (output: [UInt8], deferred: [Bool]) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("benji-deferred-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let group = DispatchGroup()
        let inputFD: FileDescriptor
        switch inputEnd {
        case .file:
            _ = FileManager.default.createFile(atPath: dir + "/in", contents: Data(input))
            inputFD = try FileDescriptor(path: dir + "/in", flags: O_RDONLY)
        case .pipe:
            var fds: [Int32] = [0, 0]
            #expect(pipe(&fds) == 0)
            inputFD = FileDescriptor(borrowing: fds[0], name: "<in>")
            let w = fds[1]
            DispatchQueue.global().async(group: group) {
                _ = try? input.withUnsafeBytes { try FileDescriptor(borrowing: w, name: "<w>").writeAll($0) }
                close(w)
            }
        }
        let outputFD: FileDescriptor
        let collected = Locked<[UInt8]>([])
        var pipeRead: Int32 = -1
        switch outputEnd {
        case .file:
            outputFD = try FileDescriptor(path: dir + "/out", flags: O_WRONLY | O_CREAT | O_TRUNC)
        case .pipe:
            var fds: [Int32] = [0, 0]
            #expect(pipe(&fds) == 0)
            outputFD = FileDescriptor(borrowing: fds[1], name: "<out>")
            pipeRead = fds[0]
            let r = fds[0]
            DispatchQueue.global().async(group: group) {
                let all = (try? FileDescriptor(borrowing: r, name: "<r>").readToEnd(limit: 1 << 30)) ?? []
                collected.withLock { $0 = all }
            }
        }
        var deferred: [Bool] = []
        do {
            defer { if inputEnd == .pipe { close(inputFD.rawValue) } }
            let reader = BlockStreamReader(RecordReader(input: inputFD))
            let writer = RecordWriter(output: outputFD)
            defer { if outputEnd == .pipe { close(outputFD.rawValue) } }
            while let (event, isDeferred) = try reader.next(deferringDataOf: RecordWriter.directThreshold) {
                guard case .block(var b) = event else {
                    switch event {
                    case .header(let h): try writer.write(h.record)
                    case .end(let e): try writer.write(e.record)
                    case .other(let r): try writer.write(r)
                    case .block: break
                    }
                    continue
                }
                deferred.append(isDeferred)
                let dropping = drop.contains(b.idx)
                if dropping {
                    b.set("data", nil)
                    b.set("object", .text("obj\(b.idx)"))
                }
                try isDeferred ? reader.writeDeferred(b, to: writer) : writer.write(b.record)
            }
            try writer.flush()
        }
        group.wait()
        if pipeRead >= 0 { close(pipeRead) }
        let output = outputEnd == .file ? [UInt8](FileManager.default.contents(atPath: dir + "/out") ?? Data()) : collected.withLock { $0 }
        return (output, deferred)
    }

    @Test(arguments: End.allCases, End.allCases)
    func passesDataOnUnchanged(from input: End, to output: End) throws {
        let (lines, _) = DeferredDataTests.stream()
        let text = Array((lines.joined(separator: "\n") + "\n").utf8)
        let (out, deferred) = try DeferredDataTests.run(text, from: input, to: output)
        #expect(deferred == [true, true])
        #expect(out == text)
    }

    @Test(arguments: End.allCases, End.allCases)
    func dropsDataAndKeepsTheFieldsAfterIt(from input: End, to output: End) throws {
        let (lines, _) = DeferredDataTests.stream()
        let text = Array((lines.joined(separator: "\n") + "\n").utf8)
        let (out, _) = try DeferredDataTests.run(text, from: input, to: output, drop: [1])
        let digest = String(repeating: "ab", count: 32)
        let expected = [lines[0], lines[1],
                        #"{"type":"block","v":1,"idx":1,"size":300000,"sha256":"\#(digest)","object":"obj1","note":[1,{"a":"b"}]}"#,
                        lines[3]].joined(separator: "\n") + "\n"
        #expect(String(decoding: out, as: UTF8.self) == expected)
    }

    /// A record whose `data` is not within the first 16 KiB of its line is read whole.
    @Test func aLongHeadIsReadWhole() throws {
        let (lines, data) = DeferredDataTests.stream()
        let padded = lines[2].replacingOccurrences(of: #""sha256""#, with: #""pad":"\#(String(repeating: "p", count: 20_000))","sha256""#)
        let text = Array(([lines[0], lines[1], padded, lines[3]].joined(separator: "\n") + "\n").utf8)
        let (out, deferred) = try DeferredDataTests.run(text, from: .pipe, to: .pipe)
        #expect(deferred == [true, false])
        #expect(out == text)
        _ = data
    }

    /// Data that is dropped is still read, for its framing: a short one would otherwise take the record
    /// after it along.
    @Test(arguments: End.allCases)
    func droppedDataThatIsShortIsRefused(from input: End) throws {
        let (lines, data) = DeferredDataTests.stream()
        let digest = String(repeating: "ab", count: 32)
        let short = #"{"type":"block","v":1,"idx":1,"size":300000,"sha256":"\#(digest)","data":"\#(data[1].dropLast(40))"}"#
        let text = [lines[0], lines[1], short, #"{"type":"note","v":1,"text":"a record that must not vanish"}"#, lines[3]]
            .joined(separator: "\n") + "\n"
        do {
            _ = try DeferredDataTests.run(Array(text.utf8), from: input, to: .pipe, drop: [1])
            Issue.record("a short dropped string was accepted")
        } catch let e as BenjiError {
            #expect(e.status == .dataError)
            #expect(e.message.contains("is not the 400000 characters"), "\(e.message)")
        }
    }

    @Test(arguments: [
        ("long", "is not the 400000 characters"),
        ("short", "after the 400000 characters of \"data\""),
        ("late", "\"zero\" follows \"data\""),
        ("twice", "duplicate key \"idx\""),
        ("garbage", "malformed record"),
        ("truncated", "truncated input"),
    ])
    func rejectsBadData(_ kind: String, _ message: String) throws {
        let (lines, data) = DeferredDataTests.stream()
        let digest = String(repeating: "ab", count: 32)
        let head = #"{"type":"block","v":1,"idx":1,"size":300000,"sha256":"\#(digest)","data":""#
        var text: String
        switch kind {
        case "long": text = [lines[0], lines[1], head + data[1] + #"AAAA"}"#, lines[3]].joined(separator: "\n") + "\n"
        case "short": text = [lines[0], lines[1], head + data[1].dropLast(4) + #""}"#, lines[3]].joined(separator: "\n") + "\n"
        case "late": text = [lines[0], lines[1], head + data[1] + #"","zero":true}"#, lines[3]].joined(separator: "\n") + "\n"
        case "twice": text = [lines[0], lines[1], head + data[1] + #"","idx":1}"#, lines[3]].joined(separator: "\n") + "\n"
        case "garbage": text = [lines[0], lines[1], head + data[1] + #""}x"#, lines[3]].joined(separator: "\n") + "\n"
        default: text = [lines[0], lines[1], head + data[1].prefix(200_000)].joined(separator: "\n")
        }
        for (input, output) in [(End.pipe, End.pipe), (.file, .file)] {
            do {
                _ = try DeferredDataTests.run(Array(text.utf8), from: input, to: output)
                Issue.record("accepted a bad record (\(kind))")
            } catch let e as BenjiError {
                #expect(e.status == .dataError)
                #expect(e.message.contains(message), "\(kind): \(e.message)")
            }
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
