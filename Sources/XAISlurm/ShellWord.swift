import Foundation

/// Quoting for POSIX sh: every argument a batch script passes on is one word, whatever it holds.
enum ShellWord {
    /// `value` in single quotes (a quote inside becomes `'\''`); plain words stay bare for
    /// readable scripts.
    static func quote(_ value: String) -> String {
        let plain = !value.isEmpty && value.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || "/._-+=:,@%".unicodeScalars.contains($0)
        }
        return plain ? value : "'" + value.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
