/// Text about to be printed to a terminal. Labels files, YAML values, file names and error
/// details come from users; an escape sequence among them could set the terminal's title,
/// move the cursor or hide the rest of a message, so every line `xai` prints goes through
/// `sanitize` first.
public enum TerminalText {
    /// `text` with every control character replaced by a visible escape (`\u{1B}` for ESC),
    /// keeping newlines and tabs. Replaced: C0 controls, DEL, C1 controls (U+0080 to U+009F,
    /// which some terminals treat like ESC sequences), and the bidirectional overrides and
    /// isolates (U+202A to U+202E, U+2066 to U+2069) that reorder what is shown.
    public static func sanitize(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: isUnsafe) else { return text }
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if isUnsafe(scalar) {
                out.append(contentsOf: "\\u{\(String(scalar.value, radix: 16, uppercase: true))}".unicodeScalars)
            } else {
                out.append(scalar)
            }
        }
        return String(out)
    }

    private static func isUnsafe(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x0A, 0x09: return false
        case 0x00...0x1F, 0x7F...0x9F, 0x202A...0x202E, 0x2066...0x2069: return true
        default: return false
        }
    }
}
