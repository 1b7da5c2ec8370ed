import XAICore
import XAIMethods

/// Reads a gap the method computed with the explanation (no model runs).
enum ExplanationGap {
    static func read(_ input: MetricInput, metric: MetricKind, method: MethodKind, scalar: String) throws -> MetricResult {
        guard input.method == method else {
            throw MetricError.notApplicable(metric: metric.rawValue, method: input.method.rawValue,
                                            detail: "only \(method.rawValue) reports '\(scalar)'; remove \(metric.rawValue) from `metrics:` or restrict it to \(method.rawValue)")
        }
        guard let gap = input.scalars[scalar] else {
            throw MetricError.badInput(metric: metric.rawValue,
                                       detail: "the \(method.rawValue) explanation of image '\(input.imageID)' has no '\(scalar)' scalar (has: \(input.scalars.keys.sorted().joined(separator: ", ")))")
        }
        return MetricResult(value: gap)
    }
}

/// Completeness gap of integrated gradients: |sum of attributions - (f(x) - f(baseline))| on the
/// target logit, as the method reported it (`scalars["completeness_gap"]`). Only for
/// `integrated_gradients`.
public struct IGCompleteness: Metric {
    public static let descriptor = MetricDescriptor(
        "ig_completeness", summary: "|sum of attributions - (f(x) - f(baseline))| of integrated gradients",
        paper: IntegratedGradients.descriptor.paper, parameters: [], onlyFor: [IntegratedGradients.kind],
        direction: .lowerIsBetter)

    public init(params: ResolvedParams) throws {
        _ = try ParameterReader(metric: Self.descriptor, params)
    }

    public func evaluate(_ input: MetricInput, model: ModelContext) throws -> MetricResult {
        try ExplanationGap.read(input, metric: Self.kind, method: IntegratedGradients.kind, scalar: "completeness_gap")
    }
}

/// Efficiency gap of KernelSHAP: |sum of Shapley values - (f(x) - f(background))|, as the method
/// reported it (`scalars["efficiency_gap"]`). Only for `kernel_shap`.
public struct SHAPEfficiency: Metric {
    public static let descriptor = MetricDescriptor(
        "shap_efficiency", summary: "|sum of Shapley values - (f(x) - f(background))| of KernelSHAP",
        paper: KernelSHAP.descriptor.paper, parameters: [], onlyFor: [KernelSHAP.kind], direction: .lowerIsBetter)

    public init(params: ResolvedParams) throws {
        _ = try ParameterReader(metric: Self.descriptor, params)
    }

    public func evaluate(_ input: MetricInput, model: ModelContext) throws -> MetricResult {
        try ExplanationGap.read(input, metric: Self.kind, method: KernelSHAP.kind, scalar: "efficiency_gap")
    }
}
