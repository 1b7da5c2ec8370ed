import Dispatch
import XAICore
import XAIEngine

/// bf16 against fp32 for `xai bench --bf16-pairs`: one method, parameters and image, run in
/// alternating fp32 / bf16 pairs so that load from other processes on a shared machine falls
/// on both alike; wall and process CPU seconds of every run, and the Pearson correlation of
/// the two maps.
public enum PrecisionComparison {
    public struct Runs: Sendable {
        public var wall: [Double] = []
        public var cpu: [Double] = []
        public var medianWall: Double { MethodBenchmark.median(wall) }
        public var medianCPU: Double { MethodBenchmark.median(cpu) }
    }

    public struct Result: Sendable {
        public var fp32 = Runs()
        public var bf16 = Runs()
        /// Pearson r of the fp32 and bf16 maps.
        public var pearson = 0.0
        /// Whether bf16 ran (false: this CPU fell back to fp32).
        public var bf16Ran = false
    }

    /// `pairs` alternating runs of `kind` with `params` (its `precision` replaced).
    public static func run(_ kind: MethodKind, params: ResolvedParams, input: ExplanationInput, model: ModelContext,
                           pairs: Int) throws -> Result {
        func method(_ p: Precision) throws -> Explainer {
            var values = params.values
            values[PrecisionOption.parameter.name] = .string(p.rawValue)
            return try MethodCatalogue.make(kind, params: ResolvedParams(values))
        }
        let fp32 = try method(.fp32), bf16 = try method(.bf16)
        var result = Result()
        func timed(_ m: Explainer, into runs: inout Runs) throws -> Explanation {
            let t0 = DispatchTime.now().uptimeNanoseconds, c0 = EngineBenchmark.processCPUms()
            let e = try m.explain(input, model: model)
            runs.wall.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
            runs.cpu.append((EngineBenchmark.processCPUms() - c0) / 1e3)
            return e
        }
        for _ in 0..<max(1, pairs) {
            let a = try timed(fp32, into: &result.fp32), b = try timed(bf16, into: &result.bf16)
            result.pearson = RankCorrelation.pearson(a.map.data.map(Double.init), b.map.data.map(Double.init))
            result.bf16Ran = b.scalars[PrecisionOption.scalar] == 1
        }
        return result
    }
}
