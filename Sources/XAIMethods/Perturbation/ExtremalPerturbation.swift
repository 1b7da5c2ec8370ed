import Foundation
import XAICore
import XAIEngine
import XAIImaging

/// Extremal perturbation (Fong, Patrick, Vedaldi 2019): the smooth mask m of area `area` that
/// matters most to the target logit f, in one of the paper's games (`game`):
/// - preservation: f of the image showing only the masked area (the rest blurred) is highest;
/// - deletion: f of the image with the masked area blurred is lowest;
/// - dual: both, the sum of the two rewards (TorchRay's dual variant).
///
/// - Mask: `SmoothMask`, the paper's smooth max-convolution of parameters placed every
///   `mask_step` pixels, with a bump kernel of radius about `smoothness` pixels (flat up to
///   smoothness / 2). `smoothness` must be at least about 0.65 x `mask_step`, else the mask has
///   holes between grid points; the paper uses 3 x the step.
/// - Perturbation: blur. Where the mask is 1 the input shows, where it is 0 the input blurred
///   with std `blur_sigma`, in between an intermediate blur (`BlurPyramid`, 8 levels).
/// - Objective, maximised: reward - lambda * mean((sort(m) - r_a)^2), reward = f(P(m)) for
///   preservation, -f(P(1 - m)) for deletion, their sum for dual (P: the perturbation), the
///   paper's area constraint as a ranking loss: r_a holds (1 - area) H W zeros then area H W ones,
///   so the loss is zero exactly when the mask is binary with area H W ones. lambda grows
///   geometrically from `lambdaStart` to `lambdaEnd` over the run: the reward first decides
///   where the mask goes, then the constraint fixes how much of it there is.
/// - Optimiser: Adam (step `lr`, moments 0.9 / 0.999) on the grid parameters, projected onto
///   [0, 1] after each step; the parameters start at 0.5. The step size decays along a cosine
///   to `lr` / 10 so the last steps settle instead of oscillating. No random step is involved.
///
/// Scalars: `area` (mean of the mask), `area_binary` (fraction of pixels above 0.5), the
/// requested `target_area`, `area_loss` (the ranking loss at the end), the logits of the
/// original image and of the preserved (`preserved_logit`) and deleted (`deleted_logit`)
/// images that the game plays. The paper's jitter (flipping every other step) is not
/// implemented.
public struct ExtremalPerturbation: Explainer {
    static let area = Param<Double>("area", default: 0.1, range: .openUnit, "fraction of the image the mask keeps")
    static let smoothness = Param<Double>(
        "smoothness", default: 8, range: .nonNegative,
        "radius (pixels) of the smooth max-convolution kernel: flat to half of it, Gaussian beyond; at least 0.65 x mask_step")
    static let steps = Param<Int>("steps", default: 300, range: .ints(1, 100_000), "optimisation steps")
    static let lr = Param<Double>("lr", default: 0.1, range: .positive, "optimiser step size")
    static let blurSigma = Param<Double>("blur_sigma", default: 10, range: .positive, "blur of the perturbed (hidden) image in pixels")
    static let maskStep = Param<Int>("mask_step", default: 7, range: .ints(1, 64), "the mask is optimised on a grid this many pixels apart")
    static let game = Param<Game>(
        "game", default: .preservation,
        "preservation: the masked area alone keeps the target score high; deletion: blurring the masked area drops it; dual: both at once")
    /// 2: smooth mask, growing area weight, blur pyramid; 3: games.
    public static let descriptor = MethodDescriptor(
        "extremal_perturbation", family: .perturbation,
        summary: "optimised smooth mask of fixed area that keeps the target score highest (or, deleted, drops it most)",
        paper: "Fong, Patrick, Vedaldi. Understanding Deep Networks via Extremal Perturbations and Smooth Masks. ICCV 2019",
        version: 3,
        parameters: [area, smoothness, steps, lr, blurSigma, maskStep, game], slow: true)

    enum Game: String, ParamChoice {
        case preservation, deletion, dual

        var preserves: Bool { self != .deletion }
        var deletes: Bool { self != .preservation }
    }

    let area: Double
    let smoothness: Double
    let steps: Int
    let lr: Double
    let blurSigma: Double
    let maskStep: Int
    let game: Game
    static let lambdaStart = 300.0
    static let lambdaEnd = 30_000.0
    static let pyramidLevels = 8

    public init(params: ResolvedParams) throws {
        let r = try ParameterReader(method: Self.descriptor, params)
        area = try r[Self.area]
        smoothness = try r[Self.smoothness]
        steps = try r[Self.steps]
        lr = try r[Self.lr]
        blurSigma = try r[Self.blurSigma]
        maskStep = try r[Self.maskStep]
        game = try r[Self.game]
        guard area > 0, area < 1 else { throw r.invalid(Self.area.name, "must be in (0, 1), got \(area)") }
        let minimum = SmoothMask.minimumSigma(step: maskStep)
        guard smoothness >= minimum else {
            throw r.invalid(Self.smoothness.name, "\(smoothness) leaves holes between mask grid points \(maskStep) pixels apart; use at least \(String(format: "%.2f", minimum)) (or a smaller mask_step)")
        }
    }

    /// lambda at step t of `steps`.
    static func lambda(step t: Int, of steps: Int) -> Double {
        let progress = steps > 1 ? Double(t) / Double(steps - 1) : 1
        return lambdaStart * pow(lambdaEnd / lambdaStart, progress)
    }

    /// The ranking loss mean((sort(m) - r_a)^2) and its gradient w.r.t. m (r_a: `keep` ones at
    /// the top of the order).
    static func areaLoss(_ mask: [Float], keep: Int) -> (loss: Double, gradient: [Float]) {
        let n = mask.count
        let order = (0..<n).sorted { mask[$0] != mask[$1] ? mask[$0] < mask[$1] : $0 < $1 }
        var g = [Float](repeating: 0, count: n)
        var loss = 0.0
        for (rank, i) in order.enumerated() {
            let d = mask[i] - (rank >= n - keep ? 1 : 0)
            loss += Double(d * d)
            g[i] = 2 * d / Float(n)
        }
        return (loss / Double(n), g)
    }

    public func explain(_ input: ExplanationInput, model: ModelContext) throws -> Explanation {
        let engine = model.engine
        try TargetScore.check(input.target, engine: engine, method: Self.kind)
        let image = input.image
        let (w, h) = (image.width, image.height)
        let n = w * h
        let pyramid = BlurPyramid(image: image, maxSigma: blurSigma, levels: Self.pyramidLevels)
        let invStd = (0..<3).map { 1 / model.preprocess.std[$0 % model.preprocess.std.count] }
        let op = SmoothMask(width: w, height: h, step: maskStep, sigma: smoothness)
        var u = [Float](repeating: 0.5, count: op.gridCount)
        var m1 = [Float](repeating: 0, count: u.count), m2 = [Float](repeating: 0, count: u.count)
        let keep = Int((Double(n) * area).rounded())
        let (beta1, beta2, eps): (Float, Float, Float) = (0.9, 0.999, 1e-8)

        func perturbed(_ image: [Float]) -> Tensor {
            model.normalize(Tensor(shape: [1, 3, h, w], data: image))
        }
        /// The images the game scores for `mask`, the preserved one P(m) and / or the deleted
        /// one P(1 - m), each with the slope P' of the perturbation at its argument.
        func played(_ mask: [Float]) -> [(name: String, image: [Float], slope: [Float])] {
            var out: [(name: String, image: [Float], slope: [Float])] = []
            if game.preserves { let p = pyramid.perturb(mask); out.append(("preserved", p.image, p.slope)) }
            if game.deletes { let p = pyramid.perturb(mask.map { 1 - $0 }); out.append(("deleted", p.image, p.slope)) }
            return out
        }

        for t in 0..<steps {
            let (mask, tape) = op.forward(u)
            let images = played(mask)
            // One batch (one image per core for dual). Both rewards have gradient f'(x) * P' w.r.t.
            // m: f(P(m)) directly, and -f(P(1 - m)) through two sign changes.
            let batch = Tensor.concatenate(images.map { perturbed($0.image) })
            let g = try TargetScore.inputGradients(engine: engine, input: batch, target: input.target)
            guard g.count == images.count * 3 * n else {
                throw MethodError.numeric(method: Self.kind.rawValue, detail: "the engine returned no input gradient of \(images.count * 3 * n) values")
            }
            // Ascent direction on the mask: the reward's gradient minus lambda x the area loss's.
            let lambda = Float(Self.lambda(step: t, of: steps))
            var gm = Self.areaLoss(mask, keep: keep).gradient
            for i in 0..<n { gm[i] *= -lambda }
            for (j, played) in images.enumerated() {
                for c in 0..<3 {
                    let gj = j * 3 * n + c * n
                    for i in 0..<n { gm[i] += g.data[gj + i] * invStd[c] * played.slope[c * n + i] }
                }
            }
            let gu = op.pullback(tape, gm)
            let progress = steps > 1 ? Double(t) / Double(steps - 1) : 1
            let stepSize = Float(lr * (0.55 + 0.45 * cos(Double.pi * progress)))
            let c1 = 1 - pow(beta1, Float(t + 1)), c2 = 1 - pow(beta2, Float(t + 1))
            for k in u.indices {
                m1[k] = beta1 * m1[k] + (1 - beta1) * gu[k]
                m2[k] = beta2 * m2[k] + (1 - beta2) * gu[k] * gu[k]
                u[k] = min(max(u[k] + stepSize * (m1[k] / c1) / ((m2[k] / c2).squareRoot() + eps), 0), 1)
            }
            model.progress?(Double(t + 1) / Double(steps))
        }
        let mask = op.apply(u)
        let images = played(mask)
        let finals = TargetScore.values(try engine.logits(Tensor.concatenate(images.map { perturbed($0.image) })),
                                        target: input.target)
        let original = TargetScore.values(try engine.logits(input.input), target: input.target)[0]
        let above = mask.reduce(0) { $0 + ($1 > 0.5 ? 1 : 0) }
        var scalars = ["area": Double(mask.reduce(0, +)) / Double(n), "area_binary": Double(above) / Double(n),
                       "target_area": area, "area_loss": Self.areaLoss(mask, keep: keep).loss,
                       "original_logit": Double(original)]
        var pictures: [String: RGBImage] = [:]
        for (played, final) in zip(images, finals) {
            scalars["\(played.name)_logit"] = Double(final)
            pictures[played.name] = RGBImage(width: w, height: h, pixels: played.image)
        }
        return Explanation(
            map: Tensor(shape: [h, w], data: mask),
            lowResolution: Tensor(shape: [op.gridH, op.gridW], data: u),
            scalars: scalars, images: pictures)
    }
}
