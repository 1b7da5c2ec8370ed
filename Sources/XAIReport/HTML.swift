/// Escaping for the two places untrusted text lands in a page: element content and quoted
/// attribute values. Every label, path and parameter in the gallery goes through one of these,
/// so a file named `<script>.png` shows as text and cannot close an attribute.
public enum HTML {
    /// `s` safe as element content or as a double- or single-quoted attribute value:
    /// `&`, `<`, `>`, `"` and `'` become character references.
    public static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for ch in s.unicodeScalars {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default:
                // Control characters other than tab/newline would make the document invalid.
                if ch.value < 0x20 && ch != "\n" && ch != "\t" || ch.value == 0x7F {
                    out += "&#xFFFD;"
                } else {
                    out.unicodeScalars.append(ch)
                }
            }
        }
        return out
    }

    /// A relative path (`overlays/chelsea/gradcam.png`) as a URL reference for `src`/`href`:
    /// each segment percent-encoded (everything but letters, digits and `-._~`), so `#`, `?`,
    /// `%`, spaces and `:` cannot change what the browser loads. Returns nil for paths that
    /// would leave the gallery's folder (absolute, `..`, empty segments), which the gallery then
    /// shows as text instead of loading.
    public static func relativeURL(_ path: String) -> String? {
        guard !path.isEmpty, !path.hasPrefix("/"), !path.contains("\\") else { return nil }
        let segments = path.split(separator: "/", omittingEmptySubsequences: false)
        guard segments.allSatisfy({ !$0.isEmpty && $0 != ".." && $0 != "." }) else { return nil }
        return segments.map { percentEncode(String($0)) }.joined(separator: "/")
    }

    /// Percent-encodes every byte of `s`'s UTF-8 except the unreserved characters of RFC 3986.
    public static func percentEncode(_ s: String) -> String {
        var out = ""
        for b in s.utf8 {
            let c = Character(Unicode.Scalar(b))
            if b < 0x80 && (c.isLetter || c.isNumber || "-._~".contains(c)) {
                out.append(c)
            } else {
                out += "%" + hex2(b)
            }
        }
        return out
    }

    /// ASCII letters, digits, `-` and `_`.
    static func isPlainNameCharacter(_ u: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(u) || ("A"..."Z").contains(u) || ("0"..."9").contains(u) || u == "-" || u == "_"
    }

    static func hex2(_ b: UInt8) -> String {
        let digits = Array("0123456789ABCDEF")
        return String([digits[Int(b >> 4)], digits[Int(b & 15)]])
    }
}

/// A small HTML writer: tags are opened and closed in order, attribute values and text are
/// always escaped, and only `raw` (used for our own CSS and SVG) inserts markup verbatim.
struct HTMLBuilder {
    private(set) var output = ""

    /// Attribute list; nil values are left out, so optional attributes read naturally.
    typealias Attributes = KeyValuePairs<String, String?>

    mutating func open(_ tag: String, _ attributes: Attributes = [:]) {
        output += "<" + tag + Self.render(attributes) + ">"
    }

    mutating func close(_ tag: String) {
        output += "</" + tag + ">"
    }

    /// `<tag attrs>escaped text</tag>`.
    mutating func element(_ tag: String, _ attributes: Attributes = [:], text: String) {
        open(tag, attributes)
        self.text(text)
        close(tag)
    }

    /// A void element (`img`, `meta`, `br`).
    mutating func void(_ tag: String, _ attributes: Attributes = [:]) {
        output += "<" + tag + Self.render(attributes) + ">"
    }

    mutating func text(_ s: String) {
        output += HTML.escape(s)
    }

    /// Trusted markup produced by this module (stylesheet, SVG plots).
    mutating func raw(_ s: String) {
        output += s
    }

    mutating func newline() {
        output += "\n"
    }

    /// Wraps `body` in `<tag attrs>...</tag>`.
    mutating func wrap(_ tag: String, _ attributes: Attributes = [:], _ body: (inout HTMLBuilder) -> Void) {
        open(tag, attributes)
        body(&self)
        close(tag)
    }

    static func render(_ attributes: Attributes) -> String {
        var s = ""
        for (k, v) in attributes {
            guard let v else { continue }
            s += " " + k + "=\"" + HTML.escape(v) + "\""
        }
        return s
    }
}
