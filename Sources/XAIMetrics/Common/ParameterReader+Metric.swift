import XAICore

extension ParameterReader {
    /// The reader of a metric's parameters: problems become `MetricError.invalidParameter`. The
    /// planner may pass the metric's own name (`metric`) along with its parameters.
    init(metric d: MetricDescriptor, _ given: ResolvedParams) throws {
        let owner = d.kind.rawValue
        try self.init(owner: owner, specs: d.parameters, given: given, ignoring: ["metric"]) { parameter, detail in
            MetricError.invalidParameter(metric: owner, parameter: parameter, detail: detail)
        }
    }

    /// A fill parameter (`gray | black | white | blur | mean` or a pixel value).
    func fill(_ p: Param<ParamValue>) throws -> Fill {
        let v = try self[p]
        guard let f = Fill(v) else { throw invalid(p.name, "unknown fill '\(v)'") }
        return f
    }
}

/// The `batch` parameter of the metrics that run the model on many pictures.
enum MetricBatch {
    static let parameter = Param<Int>("batch", default: 32, range: .ints(1, 4096), "images per forward pass")
}
