import Dispatch
import XAICore

/// Timing of explanation methods for `xai bench`: wall-clock seconds of `explain` on one input,
/// after warm-up runs (the first call pays for allocations and OpenBLAS thread start-up).
public enum MethodBenchmark {
    public struct Timing: Sendable {
        public var kind: MethodKind
        public var params: ResolvedParams
        /// Seconds of each measured run.
        public var seconds: [Double]
        public var median: Double { MethodBenchmark.median(seconds) }
        public var best: Double { seconds.min() ?? 0 }
    }

    /// The median of `values` (0 when empty).
    static func median(_ values: [Double]) -> Double {
        let s = values.sorted()
        guard !s.isEmpty else { return 0 }
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }

    /// The methods and settings of the speed targets: integrated gradients with 50 steps
    /// (target < 1.5 s), Grad-CAM and saliency (target < 30 ms), on one 224x224 image.
    public static let standardSuite: [(kind: MethodKind, params: ResolvedParams)] = [
        (IntegratedGradients.kind, ResolvedParams([IntegratedGradients.steps.name: .int(50)])),
        (GradCAM.kind, ResolvedParams()),
        (Saliency.kind, ResolvedParams()),
    ]

    /// Speed targets in seconds for the standard suite, by kind.
    public static let targets: [MethodKind: Double] = [IntegratedGradients.kind: 1.5, GradCAM.kind: 0.030, Saliency.kind: 0.030]

    /// Runs `explain` `warmup` times unmeasured, then `repeats` times measured.
    public static func measure(_ kind: MethodKind, params: ResolvedParams, input: ExplanationInput, model: ModelContext,
                               warmup: Int = 1, repeats: Int = 5) throws -> Timing {
        let method = try MethodCatalogue.make(kind, params: params)
        for _ in 0..<warmup { _ = try method.explain(input, model: model) }
        var seconds: [Double] = []
        for _ in 0..<max(repeats, 1) {
            let start = DispatchTime.now().uptimeNanoseconds
            _ = try method.explain(input, model: model)
            seconds.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        return Timing(kind: kind, params: params, seconds: seconds)
    }

    /// `measure` for every entry of `suite`.
    public static func run(_ suite: [(kind: MethodKind, params: ResolvedParams)] = standardSuite, input: ExplanationInput,
                           model: ModelContext, warmup: Int = 1, repeats: Int = 5) throws -> [Timing] {
        try suite.map { try measure($0.kind, params: $0.params, input: input, model: model, warmup: warmup, repeats: repeats) }
    }
}
