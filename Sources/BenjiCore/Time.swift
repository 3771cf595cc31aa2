import Foundation

/// RFC 3339 UTC timestamps, the only time format of records and the catalog.
public enum Timestamp {
    /// Formats seconds since the epoch as `2026-11-27T07:00:00Z` (or with fractional seconds if `fractional`).
    public static func format(_ date: Date, fractional: Bool = false) -> String {
        var t = time_t(date.timeIntervalSince1970.rounded(.down))
        var tmv = tm()
        gmtime_r(&t, &tmv)
        let base = String(format: "%04d-%02d-%02dT%02d:%02d:%02d",
                          Int(tmv.tm_year) + 1900, Int(tmv.tm_mon) + 1, Int(tmv.tm_mday),
                          Int(tmv.tm_hour), Int(tmv.tm_min), Int(tmv.tm_sec))
        if fractional {
            let micros = Int((date.timeIntervalSince1970 - Double(t)) * 1_000_000)
            return base + String(format: ".%06dZ", micros)
        }
        return base + "Z"
    }

    /// Parses `YYYY-MM-DDTHH:MM:SS[.ffffff]Z`; nil for anything else.
    public static func parse(_ text: String) -> Date? {
        let u = Array(text.utf8)
        guard u.count >= 20, u.last == UInt8(ascii: "Z") else { return nil }
        func num(_ a: Int, _ b: Int) -> Int? {
            var v = 0
            for i in a..<b {
                guard u[i] >= 48 && u[i] <= 57 else { return nil }
                v = v * 10 + Int(u[i] - 48)
            }
            return v
        }
        guard u[4] == 45, u[7] == 45, u[10] == 84, u[13] == 58, u[16] == 58,
              let y = num(0, 4), let mo = num(5, 7), let d = num(8, 10),
              let h = num(11, 13), let mi = num(14, 16), let s = num(17, 19) else { return nil }
        var fraction = 0.0
        if u.count > 20 {
            guard u[19] == 46, u.count > 21, let f = num(20, u.count - 1) else { return nil }
            fraction = Double(f) / pow(10, Double(u.count - 21))
        } else if u[19] != UInt8(ascii: "Z") {
            return nil
        }
        var tmv = tm()
        tmv.tm_year = Int32(y - 1900); tmv.tm_mon = Int32(mo - 1); tmv.tm_mday = Int32(d)
        tmv.tm_hour = Int32(h); tmv.tm_min = Int32(mi); tmv.tm_sec = Int32(s)
        let t = timegm(&tmv)
        return Date(timeIntervalSince1970: Double(t) + fraction)
    }
}

/// Human-readable byte counts for tables (`4.0 GiB`); records always carry plain integers.
public func formatBytes(_ bytes: Int64) -> String {
    let units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"]
    var value = Double(bytes)
    var unit = 0
    while abs(value) >= 1024 && unit < units.count - 1 { value /= 1024; unit += 1 }
    return unit == 0 ? "\(bytes) B" : String(format: "%.1f %@", value, units[unit])
}
