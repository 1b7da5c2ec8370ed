import Foundation
import XAICore
import XAIEngine
import XAIImaging

/// Extremal perturbation (Fong, Patrick, Vedaldi 2019), preservation variant: a smooth mask M
/// (`SmoothMask`: parameters every `mask_step` pixels, Gaussian smoothing of std `smoothness`)
/// keeps the image and replaces the rest with a blurred copy (std `blur_sigma`):
/// x_M = M * x + (1 - M) * blur(x). The mask maximises the target logit of x_M minus
/// lambda * mean((sort(M) - r_a)^2), the paper's area constraint with r_a holding (1 - area) N
/// zeros then area N ones, by projected Adam (step `lr`, parameters kept in [0, 1]) for `steps`
/// steps with gradients from the engine. lambda grows geometrically from 3 to 300 over the run so
/// the mask first finds where to look and then meets the area. No random step is involved.
public struct ExtremalPerturbation: Explainer {
    public static let kind = MethodKind.extremalPerturbation

    let area: Double
    let smoothness: Double
    let steps: Int
    let lr: Double
    let blurSigma: Double
    let maskStep: Int
    static let lambdaStart = 3.0
    static let lambdaEnd = 300.0

    public init(params: ResolvedParams) throws {
        let r = try ParamReader(.extremalPerturbation, params)
        area = try r.double("area")
        smoothness = try r.double("smoothness")
        steps = try r.int("steps")
        lr = try r.double("lr")
        blurSigma = try r.double("blur_sigma")
        maskStep = try r.int("mask_step")
        guard area > 0, area < 1 else { throw r.invalid("area", "must be in (0, 1), got \(area)") }
    }

    public func explain(_ input: ExplanationInput, model: ModelContext) throws -> Explanation {
        let engine = model.engine
        try TargetScore.check(input.target, engine: engine, method: Self.kind)
        let image = input.image
        let (w, h) = (image.width, image.height)
        let n = w * h
        let blurred = GaussianBlur.apply(image, sigma: Float(blurSigma)).pixels
        let std = model.preprocess.std
        // d x_M / d M per pixel and channel, with the normalisation's 1 / std folded in.
        var contrast = [Float](repeating: 0, count: 3 * n)
        for c in 0..<3 {
            let s = 1 / std[c % std.count]
            for i in 0..<n { contrast[c * n + i] = (image.pixels[c * n + i] - blurred[c * n + i]) * s }
        }
        let op = SmoothMask(width: w, height: h, step: maskStep, sigma: smoothness)
        var u = [Float](repeating: 0.5, count: op.gridCount)
        var m1 = [Float](repeating: 0, count: u.count), m2 = [Float](repeating: 0, count: u.count)
        let keep = Int((Double(n) * area).rounded())
        let (beta1, beta2, eps): (Float, Float, Float) = (0.9, 0.999, 1e-8)

        func composite(_ mask: [Float]) -> [Float] {
            var x = [Float](repeating: 0, count: 3 * n)
            for c in 0..<3 {
                for i in 0..<n {
                    let k = c * n + i
                    x[k] = mask[i] * image.pixels[k] + (1 - mask[i]) * blurred[k]
                }
            }
            return x
        }
        func perturbed(_ mask: [Float]) -> Tensor {
            model.normalize(Tensor(shape: [1, 3, h, w], data: composite(mask)))
        }

        for t in 0..<steps {
            let mask = op.apply(u)
            let (_, grads) = try TargetScore.gradients(engine: engine, input: perturbed(mask), target: input.target,
                                                          wrt: [engine.graph.input])
            guard let g = grads[engine.graph.input] else {
                throw MethodError.numeric(method: Self.kind.rawValue, detail: "the engine returned no input gradient")
            }
            let progress = steps > 1 ? Double(t) / Double(steps - 1) : 1
            let lambda = Float(Self.lambdaStart * pow(Self.lambdaEnd / Self.lambdaStart, progress))
            // Gradient of the objective w.r.t. the mask: reward term, then the area term.
            var gm = [Float](repeating: 0, count: n)
            for c in 0..<3 { for i in 0..<n { gm[i] += g.data[c * n + i] * contrast[c * n + i] } }
            let order = (0..<n).sorted { mask[$0] != mask[$1] ? mask[$0] < mask[$1] : $0 < $1 }
            for (rank, i) in order.enumerated() {
                let ref: Float = rank >= n - keep ? 1 : 0
                gm[i] -= lambda * 2 * (mask[i] - ref) / Float(n)
            }
            let gu = op.adjoint(gm)
            let c1 = 1 - pow(beta1, Float(t + 1)), c2 = 1 - pow(beta2, Float(t + 1))
            for k in u.indices {
                m1[k] = beta1 * m1[k] + (1 - beta1) * gu[k]
                m2[k] = beta2 * m2[k] + (1 - beta2) * gu[k] * gu[k]
                u[k] = min(max(u[k] + Float(lr) * (m1[k] / c1) / ((m2[k] / c2).squareRoot() + eps), 0), 1)
            }
            model.progress?(Double(t + 1) / Double(steps))
        }
        let mask = op.apply(u)
        let final = TargetScore.values(try engine.logits(perturbed(mask)), target: input.target)[0]
        let original = TargetScore.values(try engine.logits(input.input), target: input.target)[0]
        return Explanation(
            map: Tensor(shape: [h, w], data: mask), signed: false,
            lowResolution: Tensor(shape: [op.gridH, op.gridW], data: u),
            scalars: ["area": Double(mask.reduce(0, +)) / Double(n), "target_area": area,
                      "preserved_logit": Double(final), "original_logit": Double(original)],
            images: ["perturbed": RGBImage(width: w, height: h, pixels: composite(mask))])
    }
}
