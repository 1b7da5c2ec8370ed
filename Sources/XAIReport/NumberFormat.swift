import Foundation

/// Fixed number formatting for pages and tables: the same value always gives the same text
/// (POSIX `printf` rules, no locale), with about four significant digits.
public enum NumberFormat {
    /// A compact number: `0.1235`, `12.35`, `1235`, `1.235e+06`, `-0.0001235` → `-1.235e-04`.
    public static func short(_ v: Double) -> String {
        guard v.isFinite else { return v.isNaN ? "NaN" : (v > 0 ? "inf" : "-inf") }
        if v == 0 { return "0" }
        let a = abs(v)
        if a >= 1e5 || a < 1e-3 { return String(format: "%.3e", v) }
        let digits = a >= 1000 ? 0 : a >= 100 ? 1 : a >= 10 ? 2 : a >= 1 ? 3 : 4
        return trim(String(format: "%.\(digits)f", v))
    }

    /// `v` with exactly `digits` decimals (for tables whose columns should line up).
    public static func fixed(_ v: Double, _ digits: Int) -> String {
        guard v.isFinite else { return v.isNaN ? "NaN" : (v > 0 ? "inf" : "-inf") }
        let s = String(format: "%.\(max(0, digits))f", v)
        // "-0.000" reads as a sign error.
        return s.hasPrefix("-") && s.dropFirst().allSatisfy({ $0 == "0" || $0 == "." }) ? String(s.dropFirst()) : s
    }

    /// Seconds as `12 ms`, `1.25 s`, `2 min 5 s`.
    public static func duration(_ s: Double) -> String {
        guard s.isFinite, s >= 0 else { return "?" }
        if s < 1 { return "\(Int((s * 1000).rounded())) ms" }
        if s < 60 { return fixed(s, s < 10 ? 2 : 1) + " s" }
        let total = Int(s.rounded())
        return "\(total / 60) min \(total % 60) s"
    }

    /// A probability in 0...1 as a percentage: `71.3%`.
    public static func percent(_ p: Double) -> String {
        fixed(p * 100, 1) + "%"
    }

    /// Coordinates in SVG: two decimals, trailing zeros dropped. Integer arithmetic rather
    /// than `printf`, which is slow on Linux and plots have thousands of coordinates.
    static func coordinate(_ v: Double) -> String {
        guard v.isFinite, abs(v) < 1e12 else { return trim(fixed(v, 2)) }
        let n = Int((v * 100).rounded())
        let m = n.magnitude, whole = m / 100, frac = m % 100
        let sign = n < 0 ? "-" : ""
        if frac == 0 { return sign + String(whole) }
        if frac % 10 == 0 { return sign + String(whole) + "." + String(frac / 10) }
        return sign + String(whole) + (frac < 10 ? ".0" : ".") + String(frac)
    }

    /// Drops trailing zeros after a decimal point (and the point itself).
    static func trim(_ s: String) -> String {
        guard s.contains("."), !s.contains("e") else { return s }
        var t = Substring(s)
        while t.last == "0" { t = t.dropLast() }
        if t.last == "." { t = t.dropLast() }
        return t == "-0" ? "0" : String(t)
    }
}
