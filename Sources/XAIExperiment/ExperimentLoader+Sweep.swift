import Foundation
import XAICore

/// One dimension of a sweep: a single `INSTANCE.PARAM: [values]` key, or a `zip:` group whose
/// lists advance together.
public struct SweepAxis: Codable, Sendable, Hashable {
    public var instance: String
    /// One parameter, or several for a `zip:` group.
    public var params: [String]
    /// points[i][j] = value of params[j] at point i, in file order.
    public var points: [[ParamValue]]
    public var location: SourceLocation
}

// `sweep:` — keys `INSTANCE.PARAM` with a list of values or `{range: [start, stop, step]}`
// (Python-style: stop is excluded, step defaults to 1; `{range: [8, 40, 8]}` is 8, 16, 24, 32).
// Several keys of one instance form a grid (the first key varies slowest). `zip:` takes a
// mapping of keys with equal-length lists (or a list of such mappings) that advance together;
// a zip group may only name parameters of one instance. Each instance's runs are the product
// of its axes; instances without sweep keys have one run.
extension ExperimentBuilder {
    static let maxRunsPerInstance = 10_000

    /// The runs of every instance. Counts every instance's points and the experiment's tasks
    /// first, with overflow checks, and makes no run when a count is over its limit.
    func expandSweeps(methods: [ParsedInstance], budget: TaskBudget) -> (runs: [MethodRun], axes: [SweepAxis]) {
        let axes = readSweep(methods: methods)
        var planned: [(instance: ParsedInstance, axes: [SweepAxis], count: Int)] = []
        var total = 0, refused = false
        for m in methods {
            let mine = axes.filter { $0.instance == m.instance.name }
            let product = TaskBudget.product(mine.map(\.points.count))
            guard let count = product, count <= ExperimentBuilder.maxRunsPerInstance else {
                let sizes = mine.map { "\($0.params.joined(separator: "+")) \($0.points.count)" }.joined(separator: " x ")
                sink.error(mine[0].location, "the sweep of '\(m.instance.name)' has \(product.map(String.init) ?? "more than \(Int.max)") points (\(sizes)); "
                           + "at most \(ExperimentBuilder.maxRunsPerInstance) are allowed per method instance")
                refused = true
                continue
            }
            planned.append((m, mine, count))
            total += count  // at most methods x maxRunsPerInstance: no overflow
        }
        guard !refused else { return ([], axes) }
        if let error = budgetError(budget, runs: total, planned: planned.map { ($0.instance.instance.name, $0.count) }) {
            sink.error(node("max_tasks")?.location ?? node("sweep")?.location ?? node("methods")?.location ?? fileStart, error)
            return ([], axes)
        }
        var runs: [MethodRun] = []
        runs.reserveCapacity(total)
        for (m, mine, count) in planned {
            guard !mine.isEmpty else {
                runs.append(MethodRun(id: m.instance.name, instance: m.instance.name, descriptor: m.instance.descriptor,
                                      params: m.instance.params, sweep: ResolvedParams()))
                continue
            }
            // Points are distinct by construction: every axis rejects repeated values.
            for index in 0..<count {
                var point: [String: ParamValue] = [:]
                var rest = index
                for axis in mine.reversed() {
                    let i = rest % axis.points.count
                    rest /= axis.points.count
                    for (j, p) in axis.params.enumerated() { point[p] = axis.points[i][j] }
                }
                guard let run = makeRun(m, point: point, at: mine[0].location) else { break }
                runs.append(run)
            }
        }
        return (runs, axes)
    }

    /// The message when the experiment would have more tasks than `max_tasks`, else nil.
    private func budgetError(_ budget: TaskBudget, runs: Int, planned: [(name: String, count: Int)]) -> String? {
        let tasks = budget.tasks(runs: runs)
        if let tasks, tasks <= budget.limit { return nil }
        let biggest = planned.sorted { $0.count > $1.count }.prefix(3).map { "'\($0.name)' \($0.count)" }
        return "the experiment would make \(tasks.map(String.init) ?? "more than \(Int.max)") tasks "
            + "(\(budget.formula(runs: runs)); most runs: \(biggest.joined(separator: ", "))), "
            + "over the limit max_tasks: \(budget.limit). Sweep fewer values, or raise `max_tasks:` if the machine can take it"
    }

    private func makeRun(_ m: ParsedInstance, point: [String: ParamValue], at loc: SourceLocation) -> MethodRun? {
        let kind = m.instance.descriptor
        var given = m.given
        for (k, v) in point { given[k] = v }
        var base = kind.wrapping?.defaultBase
        if let w = kind.wrapping, let b = given[w.parameter.name]?.stringValue, let k = w.base(named: b) { base = k }
        let specs = kind.parameters(wrapping: base)
        // Only a wrapper's runs can get here: the sweep keys of other methods were checked against their parameters.
        for k in given.keys.sorted() where !specs.contains(where: { $0.name == k }) {
            sink.error(locations["sweep.\(m.instance.name).\(k)"] ?? loc,
                       "'\(k)' is not a parameter of \(kind.kind.rawValue) with base \(base?.kind.rawValue ?? "")")
            return nil
        }
        let sweep = ResolvedParams(point)
        return MethodRun(id: m.instance.name + "@" + sweep.canonicalString, instance: m.instance.name, descriptor: kind,
                         params: ResolvedParams(specs: specs, given: given), sweep: sweep)
    }

    private func readSweep(methods: [ParsedInstance]) -> [SweepAxis] {
        guard let n = node("sweep"), let entries = sink.mapping(n, "`sweep`") else { return [] }
        var axes: [SweepAxis] = []
        var taken: [String: SourceLocation] = [:]
        func claim(_ key: String, at loc: SourceLocation) -> Bool {
            if let first = taken[key] {
                sink.error(loc, "'\(key)' is swept twice (also at line \(first.line))")
                return false
            }
            taken[key] = loc
            return true
        }
        for e in entries {
            if e.key == "zip" {
                let groups: [YAMLNode]
                if e.value.entries != nil { groups = [e.value] } else if let items = e.value.items { groups = items } else {
                    sink.error(e.value.location, "`sweep.zip` must be a mapping of INSTANCE.PARAM: [values] (or a list of such mappings)")
                    continue
                }
                for g in groups {
                    guard let ge = sink.mapping(g, "a `zip` group"), !ge.isEmpty else { continue }
                    var parsed: [(instance: String, param: String, values: [ParamValue], entry: YAMLNode.Entry)] = []
                    for z in ge {
                        guard let (inst, param, values) = readSweepKey(z, methods: methods), claim(z.key, at: z.keyLocation) else { continue }
                        parsed.append((inst, param, values, z))
                    }
                    guard parsed.count == ge.count, let first = parsed.first else { continue }
                    if let other = parsed.first(where: { $0.instance != first.instance }) {
                        sink.error(other.entry.keyLocation, "a `zip` group pairs parameters of one method instance; '\(other.entry.key)' belongs to '\(other.instance)', not '\(first.instance)'")
                        continue
                    }
                    if parsed.contains(where: { $0.values.count != first.values.count }) {
                        let lengths = parsed.map { "\($0.entry.key) has \($0.values.count)" }.joined(separator: ", ")
                        sink.error(g.location, "`zip` lists must have equal lengths: \(lengths)")
                        continue
                    }
                    let points = (0..<first.values.count).map { i in parsed.map { $0.values[i] } }
                    var seen = Set<[ParamValue]>()
                    if let dup = points.first(where: { !seen.insert($0).inserted }) {
                        sink.error(g.location, "`zip` repeats the point \(dup.map(\.description).joined(separator: ", "))")
                        continue
                    }
                    axes.append(SweepAxis(instance: first.instance, params: parsed.map(\.param), points: points, location: g.location))
                }
                continue
            }
            guard let (inst, param, values) = readSweepKey(e, methods: methods), claim(e.key, at: e.keyLocation) else { continue }
            axes.append(SweepAxis(instance: inst, params: [param], points: values.map { [$0] }, location: e.keyLocation))
        }
        return axes
    }

    /// `INSTANCE.PARAM: values`, checked; records `sweep.INSTANCE.PARAM`.
    private func readSweepKey(_ e: YAMLNode.Entry, methods: [ParsedInstance]) -> (String, String, [ParamValue])? {
        let names = methods.map(\.instance.name)
        guard let dot = e.key.firstIndex(of: ".") else {
            sink.error(e.keyLocation, "sweep keys are INSTANCE.PARAM (e.g. occlusion.window), got '\(e.key)'")
            return nil
        }
        let inst = String(e.key[..<dot]), param = String(e.key[e.key.index(after: dot)...])
        guard let m = methods.first(where: { $0.instance.name == inst }) else {
            sink.error(e.keyLocation, "sweep key '\(e.key)': no method instance '\(inst)'" + didYouMean(inst, names))
            return nil
        }
        let kind = m.instance.kind
        let candidates = m.instance.descriptor.possibleParameters
        guard let spec = candidates.first(where: { $0.name == param }) else {
            var namesSeen = Set<String>()
            let paramNames = candidates.map(\.name).filter { namesSeen.insert($0).inserted }
            sink.error(e.keyLocation, "sweep key '\(e.key)': \(kind.rawValue) has no parameter '\(param)'" + didYouMean(param, paramNames))
            return nil
        }
        locations["sweep.\(inst).\(param)"] = e.value.location
        let what = "sweep \(e.key)"
        var raw: [(ParamValue, SourceLocation)] = []
        if let items = e.value.items {
            for i in items {
                guard let v = i.paramValue else {
                    sink.error(i.location, "\(what): expected \(spec.typeDescription), got \(i.kindDescription)")
                    continue
                }
                raw.append((v, i.location))
            }
        } else if let r = e.value.entries, r.count == 1, r[0].key == "range" {
            guard let values = rangeValues(r[0].value, what: what) else { return nil }
            raw = values.map { ($0, r[0].value.location) }
        } else {
            sink.error(e.value.location, "\(what): expected a list of values or {range: [start, stop, step]}, got \(e.value.kindDescription)")
            return nil
        }
        guard !raw.isEmpty else {
            sink.error(e.value.location, "\(what): the list of values is empty")
            return nil
        }
        let before = sink.items.count
        let fromRange = e.value.items == nil
        var values: [ParamValue] = []
        var seen = Set<ParamValue>()  // a range has up to 10,000 values: no quadratic search
        for (v, loc) in raw {
            // A range's values share one location: its first bad value stands for the rest.
            guard let nv = normalize(v, spec, what: what, at: loc) else { if fromRange { break } else { continue } }
            // A sweep point is part of its run's folder name.
            if case .string(let text) = nv, sink.checkedName(text, "\(what): the value", at: loc) == nil { continue }
            guard seen.insert(nv).inserted else {
                sink.error(loc, "\(what): the value \(nv) appears twice")
                continue
            }
            values.append(nv)
        }
        return sink.items.count == before ? (inst, param, values) : nil
    }

    /// The values of `{range: [start, stop]}` or `{range: [start, stop, step]}`, stop excluded.
    private func rangeValues(_ node: YAMLNode, what: String) -> [ParamValue]? {
        guard let items = node.items, items.count == 2 || items.count == 3 else {
            sink.error(node.location, "\(what): `range` takes [start, stop] or [start, stop, step]")
            return nil
        }
        let vals = items.map(\.paramValue)
        guard vals.allSatisfy({ $0?.numberValue != nil }) else {
            sink.error(node.location, "\(what): `range` values must be numbers")
            return nil
        }
        let nums = vals.compactMap { $0 }
        let allInts = nums.allSatisfy { if case .int = $0 { return true } else { return false } }
        let start = nums[0].numberValue ?? 0, stop = nums[1].numberValue ?? 0
        let step = nums.count == 3 ? (nums[2].numberValue ?? 0) : 1
        guard step != 0 else {
            sink.error(items[2].location, "\(what): the range step must not be 0")
            return nil
        }
        let eps = abs(step) * 1e-9
        var out: [ParamValue] = []
        var i = 0
        while true {
            let v = start + Double(i) * step
            if step > 0 ? v >= stop - eps : v <= stop + eps { break }
            if out.count >= ExperimentBuilder.maxRunsPerInstance {
                sink.error(node.location, "\(what): the range has more than \(ExperimentBuilder.maxRunsPerInstance) values")
                return nil
            }
            out.append(allInts ? .int(Int(v)) : .double((v * 1e10).rounded() / 1e10))
            i += 1
        }
        if out.isEmpty {
            sink.error(node.location, "\(what): the range is empty (stop is excluded: [start, stop, step] gives start, start+step, ... below stop)")
            return nil
        }
        return out
    }
}
