import XAICore

/// Reads a method's parameters, turning every problem into `MethodError.invalidParameter`
/// naming the parameter. On creation it checks each given value against the catalogue
/// (`MethodKind.parameters`) and fills the defaults of parameters not given, so a method
/// created in code (tests, benchmarks) behaves exactly like one loaded from an experiment;
/// a name the method does not declare is an error, never silently ignored.
struct ParamReader {
    let kind: MethodKind
    private(set) var params: ResolvedParams

    init(_ kind: MethodKind, _ given: ResolvedParams) throws {
        self.kind = kind
        // Smoothgrad's accepted names depend on `base`, which may itself be left to its default.
        let specs = ResolvedParams.specs(for: kind, params: ResolvedParams(specs: kind.parameters, given: given.values))
        var values: [String: ParamValue] = [:]
        for name in given.keys {
            guard let spec = specs.first(where: { $0.name == name }) else {
                let near = EditDistance.suggestion(for: name, among: specs.map(\.name))
                throw MethodError.invalidParameter(method: kind.rawValue, parameter: name,
                                                   detail: "not a parameter of \(kind.rawValue)" + (near.map { "; did you mean '\($0)'?" } ?? "")
                                                       + " (accepted: \(specs.map(\.name).joined(separator: ", ")))")
            }
            do {
                values[name] = try spec.normalize(given[name]!)
            } catch let e as ParameterError {
                throw MethodError.invalidParameter(method: kind.rawValue, parameter: name, detail: e.message)
            }
        }
        self.params = ResolvedParams(specs: specs, given: values)
    }

    private func read<T>(_ name: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let e as ResolvedParamsError {
            throw MethodError.invalidParameter(method: kind.rawValue, parameter: name, detail: e.description)
        }
    }

    func int(_ name: String) throws -> Int { try read(name) { try params.int(name) } }
    func double(_ name: String) throws -> Double { try read(name) { try params.double(name) } }
    func bool(_ name: String) throws -> Bool { try read(name) { try params.bool(name) } }
    func string(_ name: String) throws -> String { try read(name) { try params.string(name) } }
    func value(_ name: String) throws -> ParamValue { try read(name) { try params.value(name) } }
    func methodKind(_ name: String) throws -> MethodKind { try read(name) { try params.methodKind(name) } }

    /// A word parameter as an enum case.
    func choice<E: RawRepresentable>(_ name: String, as type: E.Type) throws -> E where E.RawValue == String {
        let s = try string(name)
        guard let e = E(rawValue: s) else { throw invalid(name, "unknown value '\(s)'") }
        return e
    }

    /// The error for `name` with `detail`.
    func invalid(_ name: String, _ detail: String) -> MethodError {
        .invalidParameter(method: kind.rawValue, parameter: name, detail: detail)
    }
}
