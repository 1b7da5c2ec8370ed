/// `--set KEY=VALUE` overrides, applied to the merged document before validation.
///
/// VALUE is read as YAML (`32`, `0.5`, `true`, `blur`, `[8, 16]`, `{steps: 8}`). KEY is a dotted
/// path: a top-level setting (`seed`, `name`, `model`, `target`, ...), `sweep.INSTANCE.PARAM`,
/// or `INSTANCE.PARAM` / `methods.INSTANCE.PARAM` for a method parameter. Setting a parameter
/// that the sweep varies replaces the sweep of that parameter with the single value (a zipped
/// parameter cannot be overridden alone). Problems are reported as `--set:N:COLUMN`, N being
/// the override's position on the command line.
enum Overrides {
    static func apply(_ overrides: [String], to root: inout YAMLNode, sink: DiagnosticSink) {
        for (i, raw) in overrides.enumerated() {
            let line = i + 1
            func loc(_ col: Int) -> SourceLocation { SourceLocation(file: "--set", line: line, column: col) }
            guard let eq = raw.firstIndex(of: "=") else {
                sink.error(loc(1), "an override must look like KEY=VALUE (e.g. integrated_gradients.steps=32), got '\(raw)'")
                continue
            }
            let key = String(raw[..<eq])
            let valueText = String(raw[raw.index(after: eq)...])
            let valueColumn = key.count + 2
            let parts = key.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            guard !key.isEmpty, parts.allSatisfy({ !$0.isEmpty }) else {
                sink.error(loc(1), "bad override key '\(key)': expected a dotted path such as seed or occlusion.window")
                continue
            }
            let local = DiagnosticSink()
            var value = YAMLNode(value: .scalar("", plain: true), location: loc(valueColumn))
            if var parsed = YAMLNode.parse(valueText, file: "--set", sink: local) {
                parsed.relocate(line: line, columnOffset: valueColumn - 1)
                value = parsed
            }
            for d in local.items {
                sink.error(loc(valueColumn + d.column - 1), d.message)
            }
            if !local.isEmpty { continue }

            var path = parts
            if parts[0] == "sweep", parts.count > 1 {
                path = ["sweep", parts.dropFirst().joined(separator: ".")]
            } else if !ExperimentKeys.topLevel.contains(parts[0]) {
                let instances = root["methods"]?.entries?.map(\.key) ?? []
                guard instances.contains(parts[0]) else {
                    sink.error(loc(1), "unknown setting '\(parts[0])': not a top-level key nor a method instance of this experiment"
                               + didYouMean(parts[0], ExperimentKeys.topLevel + instances))
                    continue
                }
                path = ["methods"] + parts
            }
            if path.count == 3, path[0] == "methods" {
                let sweepKey = path[1] + "." + path[2]
                if var sweep = root["sweep"], var entries = sweep.entries {
                    if let zip = sweep["zip"], zipGroups(zip).contains(where: { $0.entries?.contains { $0.key == sweepKey } ?? false }) {
                        sink.error(loc(1), "'\(sweepKey)' is zipped with other parameters in `sweep.zip`; change the zip lists instead")
                        continue
                    }
                    entries.removeAll { $0.key == sweepKey }
                    sweep.value = .mapping(entries)
                    root.set(path: ["sweep"], to: sweep, at: sweep.location)
                }
            }
            if let problem = root.set(path: path, to: value, at: loc(1)) {
                sink.error(loc(1), problem)
            }
        }
    }

    static func zipGroups(_ zip: YAMLNode) -> [YAMLNode] {
        if zip.entries != nil { return [zip] }
        return zip.items ?? []
    }
}

extension YAMLNode {
    /// Moves every location to `line`, shifting columns (for values parsed from `--set`).
    mutating func relocate(line: Int, columnOffset: Int) {
        location = SourceLocation(file: "--set", line: line, column: location.column + columnOffset)
        switch value {
        case .scalar: break
        case .sequence(var items):
            for i in items.indices { items[i].relocate(line: line, columnOffset: columnOffset) }
            value = .sequence(items)
        case .mapping(var entries):
            for i in entries.indices {
                entries[i].keyLocation = SourceLocation(file: "--set", line: line, column: entries[i].keyLocation.column + columnOffset)
                entries[i].value.relocate(line: line, columnOffset: columnOffset)
            }
            value = .mapping(entries)
        }
    }

    /// Sets the value at a path of mapping keys, creating mappings on the way (null values are
    /// replaced by mappings). Returns a problem description when a step is not a mapping.
    @discardableResult
    mutating func set(path: [String], to newValue: YAMLNode, at loc: SourceLocation) -> String? {
        guard let first = path.first else {
            self = newValue
            return nil
        }
        if isNull { value = .mapping([]) }
        guard var entries = entries else {
            return "cannot set '\(path.joined(separator: "."))': the value it belongs to is \(kindDescription), not a mapping"
        }
        if let i = entries.firstIndex(where: { $0.key == first }) {
            var child = entries[i].value
            if let problem = child.set(path: Array(path.dropFirst()), to: newValue, at: loc) { return problem }
            entries[i].value = child
        } else {
            var child = YAMLNode(value: .mapping([]), location: loc)
            if let problem = child.set(path: Array(path.dropFirst()), to: newValue, at: loc) { return problem }
            entries.append(Entry(key: first, keyLocation: loc, value: child))
        }
        value = .mapping(entries)
        return nil
    }
}
