import XAICore
import XAIEngine
import XAIMethods
import XAIBackend

extension BenchCommand {
    /// precision bf16 against fp32 (issue 19: LIME and RISE at least 1.7x faster, maps r >= 0.99):
    /// forwards at the bench's batch sizes, the logits' error on the bench image, and the two
    /// methods in `bf16Pairs` alternating pairs (medians; CPU = process CPU time, all threads).
    func precisionRows(_ model: LoadedModel) throws -> [BenchRow] {
        let name = model.spec.name
        let bf16 = model.engine.computing(in: .bf16)
        guard bf16.precision == .bf16 else {
            printError("note: \(Precision.fallbackMessage); no bf16 rows")
            return []
        }
        var rows = try EngineBenchmark.run(engine: bf16, name: name, forwardBatches: forwardBatches.filter { $0 > 0 },
                                           backwardBatches: [], budgetSeconds: budget).map {
            BenchRow(model: name, work: "bf16 forward, batch \($0.batch)", ms: $0.msPerImage, unit: "ms/img",
                     cpuMs: $0.cpuMsPerImage)
        }
        let (x, context) = try benchInput(model)
        let (l32, l16) = (try model.engine.logits(x.input).data, try bf16.logits(x.input).data)
        let error = zip(l32, l16).map { abs($0 - $1) }.max() ?? 0
        let range = (l32.max() ?? 0) - (l32.min() ?? 0)
        rows.append(BenchRow(model: name, work: String(format: "bf16 logit max error (range %.1f)", range), ms: Double(error), unit: ""))
        let cases: [(String, MethodDescriptor, [String: ParamValue])] = [
            ("lime 1000", LIME.descriptor, [LIME.samples.name: .int(1000)]),
            ("rise 4000 masks", RISE.descriptor, [RISE.masks.name: .int(4000)]),
        ]
        for (label, d, given) in cases {
            let r = try PrecisionComparison.run(d.kind, params: ResolvedParams(specs: d.parameters, given: given), input: x,
                                                model: context, pairs: bf16Pairs)
            rows.append(BenchRow(model: name, work: "bf16 \(label): fp32 (A/B)", ms: r.fp32.medianWall * 1000, unit: "ms",
                                 cpuMs: r.fp32.medianCPU * 1000))
            rows.append(BenchRow(model: name, work: "bf16 \(label): bf16 (A/B)", ms: r.bf16.medianWall * 1000, unit: "ms",
                                 cpuMs: r.bf16.medianCPU * 1000))
            rows.append(BenchRow(model: name, work: "bf16 \(label) r=" + String(format: "%.4f", r.pearson) + ": x faster",
                                 ms: r.fp32.medianWall / r.bf16.medianWall, unit: "x", cpuMs: r.fp32.medianCPU / r.bf16.medianCPU))
        }
        return rows
    }
}
