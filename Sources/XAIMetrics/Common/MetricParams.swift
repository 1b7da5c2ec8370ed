import XAICore

/// Reads a metric's parameters, turning every problem into `MetricError.invalidParameter`
/// naming the parameter. On creation it checks each given value against the catalogue
/// (`MetricKind.parameters`) and fills the defaults of parameters not given, so a metric made in
/// code behaves exactly like one loaded from an experiment; an undeclared name is an error.
struct MetricParams {
    let kind: MetricKind
    private(set) var params: ResolvedParams

    init(_ kind: MetricKind, _ given: ResolvedParams) throws {
        self.kind = kind
        let specs = kind.parameters
        var values: [String: ParamValue] = [:]
        for name in given.keys {
            // The planner may pass the metric's own name along with its parameters.
            if name == "metric" { continue }
            guard let spec = specs.first(where: { $0.name == name }) else {
                let near = EditDistance.suggestion(for: name, among: specs.map(\.name))
                let accepted = specs.isEmpty ? "it takes no parameters" : "accepted: \(specs.map(\.name).joined(separator: ", "))"
                throw MetricError.invalidParameter(metric: kind.rawValue, parameter: name,
                                                   detail: "not a parameter of \(kind.rawValue)"
                                                       + (near.map { "; did you mean '\($0)'?" } ?? "") + " (\(accepted))")
            }
            do {
                values[name] = try spec.normalize(given[name]!)
            } catch let e as ParameterError {
                throw MetricError.invalidParameter(metric: kind.rawValue, parameter: name, detail: e.message)
            }
        }
        self.params = ResolvedParams(specs: specs, given: values)
    }

    private func read<T>(_ name: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let e as ResolvedParamsError {
            throw MetricError.invalidParameter(metric: kind.rawValue, parameter: name, detail: e.description)
        }
    }

    func int(_ name: String) throws -> Int { try read(name) { try params.int(name) } }
    func double(_ name: String) throws -> Double { try read(name) { try params.double(name) } }
    func string(_ name: String) throws -> String { try read(name) { try params.string(name) } }
    func value(_ name: String) throws -> ParamValue { try read(name) { try params.value(name) } }
    func doubles(_ name: String) throws -> [Double] { try read(name) { try params.doubles(name) } }

    /// A word parameter as an enum case.
    func choice<E: RawRepresentable>(_ name: String, as type: E.Type) throws -> E where E.RawValue == String {
        let s = try string(name)
        guard let e = E(rawValue: s) else { throw invalid(name, "unknown value '\(s)'") }
        return e
    }

    /// A fill parameter (`gray | black | white | blur | mean` or a pixel value).
    func fill(_ name: String) throws -> Fill {
        let v = try value(name)
        guard let f = Fill(v) else { throw invalid(name, "unknown fill '\(v)'") }
        return f
    }

    func invalid(_ name: String, _ detail: String) -> MetricError {
        .invalidParameter(metric: kind.rawValue, parameter: name, detail: detail)
    }
}
