/// A YAML text in which earlier occurrences of duplicate keys are set aside, so that one parse
/// finds every other problem of the file: the parser refuses a mapping with a repeated key,
/// so a marker is put before the earlier key (making the keys distinct) and `YAMLNode.convert`
/// drops entries whose key carries it. Positions in the marked text map back to the file's.
struct DuplicateKeys {
    /// Starts every set-aside key; not a key anyone writes in an experiment.
    static let marker = "__xai_set_aside_"
    /// At most this many keys are set aside in one file (each costs a parse).
    static let limit = 64

    /// The text as the parser sees it.
    private(set) var text: String
    /// Markers inserted so far: where (1-based line and column of the marked text at the time)
    /// and how many characters (Unicode scalars, as libyaml counts columns).
    private var insertions: [(line: Int, column: Int, length: Int)] = []

    init(text: String) {
        self.text = text
    }

    func isSetAside(_ key: String) -> Bool { key.hasPrefix(Self.marker) }

    /// Marks the key that starts at `line`:`column` of `text` (inside its quotes if quoted);
    /// false when there is no such position or the limit is reached.
    mutating func setAside(line: Int, column: Int) -> Bool {
        guard insertions.count < Self.limit else { return false }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { Array($0.unicodeScalars) }
        guard line >= 1, line <= lines.count, column >= 1, column <= lines[line - 1].count else { return false }
        var at = column - 1
        if lines[line - 1][at] == "\"" || lines[line - 1][at] == "'" { at += 1 }
        let marker = Array("\(Self.marker)\(insertions.count)_".unicodeScalars)
        lines[line - 1].insert(contentsOf: marker, at: at)
        text = lines.map { row in
            var s = String.UnicodeScalarView()
            s.append(contentsOf: row)
            return String(s)
        }.joined(separator: "\n")
        insertions.append((line, at + 1, marker.count))
        return true
    }

    /// Where `line`:`column` of the marked text was in the file.
    func original(line: Int, column: Int) -> (line: Int, column: Int) {
        var c = column
        for i in insertions.reversed() where i.line == line && c > i.column { c -= i.length }
        return (line, c)
    }
}
