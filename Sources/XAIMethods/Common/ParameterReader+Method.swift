import XAICore

extension ParameterReader {
    /// The reader of a method's parameters: problems become `MethodError.invalidParameter`.
    init(method d: MethodDescriptor, _ given: ResolvedParams) throws {
        let owner = d.kind.rawValue
        // A wrapper's accepted names depend on its base, which may itself be left to its default.
        let specs = d.parameters(for: ResolvedParams(specs: d.parameters, given: given.values))
        try self.init(owner: owner, specs: specs, given: given) { parameter, detail in
            MethodError.invalidParameter(method: owner, parameter: parameter, detail: detail)
        }
    }
}
