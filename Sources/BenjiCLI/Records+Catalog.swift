import BenjiCatalog
import BenjiCore
import BenjiEngine
import BenjiRecords

extension VersionInfo {
    /// The version as a `version` record.
    var record: Record {
        var fields: [(key: String, value: JSONValue)] = [
            ("id", .text(id)), ("date", .text(date)), ("volume", .text(volume)), ("snapshot", .text(snapshot)),
        ]
        fields.append(("size", size.map { .int($0) } ?? .null))
        fields += [
            ("block_size", .int(blockSize)), ("status", .text(status.rawValue)), ("protected", .bool(protected)),
            ("base", base.map { .text($0) } ?? .null), ("source", source.map { .text($0) } ?? .null),
            ("bytes_read", .int(bytesRead)), ("bytes_written", .int(bytesWritten)),
            ("bytes_deduplicated", .int(bytesDeduplicated)), ("bytes_sparse", .int(bytesSparse)),
            ("duration", .number(String(format: "%.3f", duration))),
            ("labels", .object(JSONObject(labels.sorted { $0.key < $1.key }.map { ($0.key, JSONValue.text($0.value)) }))),
        ]
        return Record(type: RecordType.version, fields)
    }
}

extension BadRange {
    var record: Record {
        Record(type: RecordType.badRange, [("offset", .int(offset)), ("length", .int(length)), ("reason", .text(reason))])
    }
}

import Foundation
