import Foundation
import XAICore
import XAIEngine

/// The `precision` parameter of the methods and metrics whose output is a score of perturbed
/// inputs (occlusion, LIME, KernelSHAP, RISE, Score-CAM; deletion, insertion, ROAD, AOPC): their
/// forward passes may run the engine's group-1 convolutions in bf16 (float32 sums), which changes
/// scores by about 1e-2 relative and maps hardly at all, for about 1.3x the speed. Gradient
/// methods keep fp32.
public enum PrecisionOption {
    public static let parameter = Param<Precision>(
        "precision", default: .fp32,
        "forward passes' convolution arithmetic: fp32, or bf16 (bfloat16 operands, float32 sums; needs AVX512_BF16, "
            + "else fp32 with a note); the value bf16 (a scalar of a method, an extra of a metric) records which ran")

    /// The name of the scalar that records, when bf16 was asked for, whether it ran (1) or
    /// the CPU fell back to fp32 (0).
    public static let scalar = "bf16"

    /// `model` computing in `requested` where the CPU can (`engine.precision` says what runs);
    /// a fallback is said once per process through `FallbackNotice`.
    public static func context(_ requested: Precision, _ model: ModelContext) -> ModelContext {
        guard requested != model.engine.precision else { return model }
        let engine = model.engine.computing(in: requested)
        if engine.precision != requested { FallbackNotice.shared.say(Precision.fallbackMessage) }
        return ModelContext(engine: engine, labels: model.labels, preprocess: model.preprocess,
                            targetLayer: model.targetLayer, cache: model.cache, progress: model.progress)
    }

    /// Runs `body` with `model` computing in `requested` where the CPU can, and records the
    /// precision that ran (a bf16 request only, so fp32 results keep their scalars).
    static func run(_ requested: Precision, _ model: ModelContext,
                    _ body: (ModelContext) throws -> Explanation) rethrows -> Explanation {
        guard requested != .fp32 else { return try body(model) }
        let context = context(requested, model)
        var explanation = try body(context)
        explanation.scalars[scalar] = context.engine.precision == .bf16 ? 1 : 0
        return explanation
    }
}

/// A message said at most once per process (standard error, unless a test replaces `sink`).
final class FallbackNotice: @unchecked Sendable {
    static let shared = FallbackNotice()
    private let lock = NSLock()
    private var said = false
    /// Where the message goes.
    var sink: @Sendable (String) -> Void = { FileHandle.standardError.write(Data(("note: " + $0 + "\n").utf8)) }

    func say(_ message: String) {
        lock.lock()
        let first = !said
        said = true
        let sink = self.sink
        lock.unlock()
        if first { sink(message) }
    }

    /// Forgets that the message was said (tests).
    func reset() {
        lock.lock()
        said = false
        lock.unlock()
    }
}
