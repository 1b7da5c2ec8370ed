/// Reads the parameters of one method or metric. On creation it checks each given value against
/// the declarations and fills the defaults of those not given, so a method or metric created in
/// code (tests, benchmarks) behaves exactly like one loaded from an experiment; a name that is
/// not declared is an error, never silently ignored. Every problem becomes the owner's error
/// (`MethodError` or `MetricError`) naming the parameter, built by `error`.
public struct ParameterReader {
    /// The method or metric name, for messages.
    public let owner: String
    /// Every declared parameter, normalised, defaults filled in.
    public private(set) var params: ResolvedParams
    private let error: (_ parameter: String, _ detail: String) -> Error

    /// - Parameters:
    ///   - ignoring: names that may be given without being declared (the planner passes a
    ///     metric's own name along with its parameters).
    public init(owner: String, specs: [ParameterSpec], given: ResolvedParams, ignoring: Set<String> = [],
                error: @escaping (_ parameter: String, _ detail: String) -> Error) throws {
        self.owner = owner
        self.error = error
        var values: [String: ParamValue] = [:]
        for name in given.keys where !ignoring.contains(name) {
            guard let spec = specs.first(where: { $0.name == name }) else {
                let near = EditDistance.suggestion(for: name, among: specs.map(\.name))
                let accepted = specs.isEmpty ? "it takes no parameters" : "accepted: \(specs.map(\.name).joined(separator: ", "))"
                throw error(name, "not a parameter of \(owner)" + (near.map { "; did you mean '\($0)'?" } ?? "") + " (\(accepted))")
            }
            do {
                values[name] = try spec.normalize(given[name]!)
            } catch let e as ParameterError {
                throw error(name, e.message)
            }
        }
        params = ResolvedParams(specs: specs, given: values)
    }

    /// The value of `p`.
    public subscript<T>(_ p: Param<T>) -> T {
        get throws {
            let v: ParamValue
            do {
                v = try params.value(p.name)
            } catch let e as ResolvedParamsError {
                throw error(p.name, e.description)
            }
            guard let t = T(param: v) else {
                throw error(p.name, ResolvedParamsError.wrongType(p.name, expected: "\(T.self)", got: v).description)
            }
            return t
        }
    }

    /// The error for `parameter` with `detail` (for checks beyond the declared type and range).
    public func invalid(_ parameter: String, _ detail: String) -> Error {
        error(parameter, detail)
    }
}
