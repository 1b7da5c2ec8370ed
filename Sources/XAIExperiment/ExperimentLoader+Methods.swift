import XAICore

/// A method instance as read, with the parameters the file gave (normalised).
struct ParsedInstance {
    var instance: MethodInstance
    var given: [String: ParamValue]
    var location: SourceLocation
}

// `methods:` — a mapping `INSTANCE: {params}` (or a list of names / single-key mappings).
// An instance named after a method kind is that method; any other name needs `method: KIND`.
extension ExperimentBuilder {
    func readMethods() -> [ParsedInstance] {
        guard let n = node("methods") else {
            sink.error(fileStart, "`methods:` is required, e.g. methods: {gradcam: {}, occlusion: {window: 16}}")
            return []
        }
        var pairs: [(name: String, at: SourceLocation, body: YAMLNode)] = []
        if let entries = n.entries {
            pairs = entries.map { ($0.key, $0.keyLocation, $0.value) }
        } else if let items = n.items {
            for i in items {
                if let s = i.text {
                    pairs.append((s, i.location, YAMLNode(value: .mapping([]), location: i.location)))
                } else if let e = i.entries, e.count == 1 {
                    pairs.append((e[0].key, e[0].keyLocation, e[0].value))
                } else {
                    sink.error(i.location, "each entry of `methods` must be a method name or `NAME: {parameters}`")
                }
            }
        } else if !n.isNull {
            sink.error(n.location, "`methods` must be a mapping of instance names to parameters, got \(n.kindDescription)")
        }
        if pairs.isEmpty, n.entries != nil || n.items != nil || n.isNull {
            sink.error(n.location, "`methods` is empty; list at least one method")
        }
        var out: [ParsedInstance] = []
        var names = Set<String>()
        for p in pairs {
            guard names.insert(p.name).inserted else {
                sink.error(p.at, "method instance '\(p.name)' is listed twice")
                continue
            }
            if let inst = readInstance(name: p.name, at: p.at, body: p.body) { out.append(inst) }
        }
        return out
    }

    private func readInstance(name: String, at: SourceLocation, body: YAMLNode) -> ParsedInstance? {
        let kinds = catalogue.methods.map(\.kind.rawValue)
        guard sink.checkedName(name, "method instance name", at: at) != nil else { return nil }
        // `--set methods.NAME.PARAM=...` and sweep keys `NAME.PARAM` split at the first dot.
        guard !name.contains(".") else {
            sink.error(at, "method instance name '\(name)' must not contain '.' (it separates the instance from the parameter in sweep keys and --set)")
            return nil
        }
        guard let entries = sink.mapping(body, "the parameters of '\(name)'") else { return nil }
        var kind: MethodDescriptor?
        if let m = entries.first(where: { $0.key == "method" }) {
            if let s = sink.string(m.value, "`method`") {
                kind = catalogue.method(named: s)
                if kind == nil { sink.error(m.value.location, "unknown method '\(s)'" + didYouMean(s, kinds)) }
            }
        } else {
            kind = catalogue.method(named: name)
            if kind == nil {
                sink.error(at, "unknown method '\(name)'" + didYouMean(name, kinds)
                           + "; a named instance needs `method: KIND` (one of: \(kinds.joined(separator: ", ")))")
            }
        }
        guard let kind else { return nil }
        locations["methods.\(name)"] = at

        // A wrapper's (smoothgrad's) parameter set depends on its base method.
        var base = kind.wrapping?.defaultBase
        if let w = kind.wrapping, let b = entries.first(where: { $0.key == w.parameter.name })?.value.text,
           let k = w.base(named: b) {
            base = k
        }
        let specs = kind.parameters(wrapping: base)
        var given: [String: ParamValue] = [:]
        for e in entries where e.key != "method" {
            guard let spec = specs.first(where: { $0.name == e.key }) else {
                let extra = base.map { " (with base \($0.kind.rawValue))" } ?? ""
                sink.error(e.keyLocation, "unknown parameter '\(e.key)' for \(kind.kind.rawValue)\(extra)"
                           + didYouMean(e.key, specs.map(\.name)) + " (parameters: \(specs.map(\.name).joined(separator: ", ")))")
                continue
            }
            locations["methods.\(name).\(e.key)"] = e.value.location
            if let v = normalize(e.value, spec, what: "\(name).\(e.key)") { given[e.key] = v }
        }
        applyDefaultPrecision(specs, to: &given, at: "methods.\(name)")
        let params = ResolvedParams(specs: specs, given: given)
        let instance = MethodInstance(name: name, descriptor: kind, params: params, explicitParams: given.keys.sorted(), sweptParams: [])
        return ParsedInstance(instance: instance, given: given, location: at)
    }

    /// The top-level `precision:` (e.g. `precision: bf16` for a whole evaluation) as the
    /// `precision` of every method and metric that takes one and does not set its own; a sweep
    /// of it still wins. Checked against the first such parameter, reported once.
    func applyDefaultPrecision(_ specs: [ParameterSpec], to given: inout [String: ParamValue], at key: String) {
        guard given[Self.precisionKey] == nil, let node = node(Self.precisionKey),
              let spec = specs.first(where: { $0.name == Self.precisionKey }) else { return }
        if !defaultPrecision.checked {
            defaultPrecision = (true, normalize(node, spec, what: "precision"))
        }
        guard let value = defaultPrecision.value else { return }
        given[Self.precisionKey] = value
        locations["\(key).\(Self.precisionKey)"] = node.location
    }

    static let precisionKey = "precision"

    /// A YAML value checked against `spec`; reports and returns nil when it does not fit.
    func normalize(_ node: YAMLNode, _ spec: ParameterSpec, what: String) -> ParamValue? {
        guard let raw = node.paramValue else {
            sink.error(node.location, "\(what): expected \(spec.typeDescription), got \(node.kindDescription)")
            return nil
        }
        return normalize(raw, spec, what: what, at: node.location)
    }

    func normalize(_ raw: ParamValue, _ spec: ParameterSpec, what: String, at loc: SourceLocation) -> ParamValue? {
        do {
            return try spec.normalize(raw)
        } catch let e as ParameterError {
            sink.error(loc, "\(what): \(e.message)")
        } catch {
            sink.error(loc, "\(what): \(error)")
        }
        return nil
    }
}
