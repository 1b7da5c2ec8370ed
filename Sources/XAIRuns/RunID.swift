import Foundation

/// Run ids: `YYYYMMDD-HHMMSS-xxxx`, the start time in UTC, then four hex digits holding the
/// millisecond (top 10 bits) and 6 random bits. They sort by time as text to the millisecond
/// (two quick runs started in one second are still listed newest first), read well in a table
/// and stay unique when two runs start in one millisecond (but for 1 in 64).
public enum RunID {
    /// A new id for a run started at `date`; `random`'s low 6 bits are used.
    public static func make(at date: Date, random: UInt16 = UInt16.random(in: .min ... .max)) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        func two(_ v: Int?) -> String { String(format: "%02d", v ?? 0) }
        return String(format: "%04d", c.year ?? 0) + two(c.month) + two(c.day) + "-" + two(c.hour) + two(c.minute)
            + two(c.second) + "-" + String(format: "%04x", millisecond(date) << 6 | Int(random & 0x3f))
    }

    /// 0...999, the millisecond of `date` within its second.
    private static func millisecond(_ date: Date) -> Int {
        let t = date.timeIntervalSince1970
        return min(999, max(0, Int(((t - t.rounded(.down)) * 1000).rounded(.down))))
    }

    /// Whether `text` has the form of an id (`20261204-001523-a3f9`), so it is safe in a path.
    public static func isWellFormed(_ text: String) -> Bool {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        return parts.count == 3 && parts.map(\.utf8.count) == [8, 6, 4]
            && parts[0].allSatisfy(\.isASCIIDigit) && parts[1].allSatisfy(\.isASCIIDigit)
            && parts[2].utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    }

    /// Whether `text` could be (a prefix of) an id: digits, `-` and lowercase hex only, so names
    /// of experiments are never mistaken for ids unless they look exactly like one.
    static func couldBePrefix(_ text: String) -> Bool {
        text.utf8.count >= 8 && text.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) || $0 == 45 }
    }
}

private extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
