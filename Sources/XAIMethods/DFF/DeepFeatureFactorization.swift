import XAICore
import XAIEngine
import XAIImaging

/// Deep Feature Factorization (Collins et al. 2018). The target-layer activations of the image
/// (or of all images together with `joint: true`) form a matrix V [pixels, channels]; each
/// channel is shifted by its minimum so V >= 0, and NMF factorises V ~ W H into `concepts`
/// components. W's columns are the concept heatmaps (each scaled so its largest value is 1,
/// H's rows scaled inversely); H's rows, shifted back by the channel minima, are the concept
/// embeddings. Each embedding is placed at every pixel of the target layer and run through the
/// rest of the network (sub-graph target layer -> logits) to name its `top_labels` labels
/// with softmax scores. The map is [K, H, W] (the upsampled heatmaps, `lowResolution` [K, h, w]);
/// `images["concepts"]` colours each pixel by its strongest concept (rainbow hues, HSV
/// brightness = that concept's weight) blended over the image with `overlay_alpha`.
public struct DeepFeatureFactorization: JointExplainer {
    static let concepts = Param<Int>("concepts", default: 4, range: .ints(1, 256), "number of NMF components (concepts)")
    static let iterations = Param<Int>("iterations", default: 200, range: .ints(1, 100_000), "NMF iterations")
    static let solver = Param<NMF.Solver>(
        "solver", default: .mu, "multiplicative updates (mu) or hierarchical alternating least squares (hals)")
    static let joint = Param<Bool>("joint", default: false,
                                   "factorise all images together so a concept has the same colour in every image")
    static let topLabels = Param<Int>("top_labels", default: 3, range: .ints(1, 20), "labels listed per concept in the legend")
    /// Concepts are named by their own top labels, so the result does not depend on the target;
    /// the concept picture is drawn here with `overlay_alpha`.
    public static let descriptor = MethodDescriptor(
        "dff", family: .factorisation,
        summary: "non-negative matrix factorisation of target-layer activations into concepts",
        paper: "Collins, Achanta, Suesstrunk. Deep Feature Factorization for Concept Discovery. ECCV 2018",
        parameters: [TargetLayer.parameter, concepts, iterations, solver, joint, topLabels],
        layerUse: .targetLayer(parameter: TargetLayer.parameter.name), usesTarget: false,
        jointParameter: joint.name, displayParametersUsed: [DisplayParameters.overlayAlpha.name])
    let targetLayer: String
    let concepts: Int
    let iterations: Int
    let solver: NMF.Solver
    let joint: Bool
    let topLabels: Int
    let alpha: Float

    public init(params: ResolvedParams) throws {
        let p = try ParameterReader(method: Self.descriptor, params)
        targetLayer = try p[TargetLayer.parameter]
        concepts = try p[Self.concepts]
        iterations = try p[Self.iterations]
        solver = try p[Self.solver]
        joint = try p[Self.joint]
        topLabels = try p[Self.topLabels]
        alpha = Float(try p[DisplayParameters.overlayAlpha])
    }

    public func explain(_ input: ExplanationInput, model: ModelContext) throws -> Explanation {
        try factorize([input], model: model)[0]
    }

    /// With `joint: true` one factorisation over all images (shared concepts and colours);
    /// otherwise each image is factorised on its own.
    public func explainJointly(_ inputs: [ExplanationInput], model: ModelContext) throws -> [Explanation] {
        guard !inputs.isEmpty else { return [] }
        if joint { return try factorize(inputs, model: model) }
        return try inputs.map { try explain($0, model: model) }
    }

    /// The concept colour of component `j` of `k`: hues spread along the rainbow.
    public static func conceptColor(_ j: Int, of k: Int) -> (Float, Float, Float) {
        Overlay.hsvToRGB(Double(j) / Double(max(k, 1)) * (5.0 / 6.0), 1, 1)
    }

    func factorize(_ inputs: [ExplanationInput], model: ModelContext) throws -> [Explanation] {
        let engine = model.engine
        let layer = try TargetLayer.resolve(targetLayer, model: model, method: Self.kind)
        let (c, p) = (layer.channels, layer.pixels)
        guard concepts <= inputs.count * p else {
            throw MethodError.invalidParameter(method: Self.kind.rawValue, parameter: "concepts",
                                               detail: "\(concepts) concepts need at least as many pixels, but '\(layer.name)' has \(inputs.count * p)")
        }
        // V [images * pixels, channels]: row = one pixel's activation vector.
        var v = [Float](repeating: 0, count: inputs.count * p * c)
        for (i, input) in inputs.enumerated() {
            let acts = try engine.forward(input.input, retain: .outputsAnd([layer.name]))
            guard let a = acts[layer.name] else {
                throw MethodError.numeric(method: Self.kind.rawValue, detail: "no activation for '\(layer.name)'")
            }
            for ch in 0..<c {
                for px in 0..<p { v[(i * p + px) * c + ch] = a.data[ch * p + px] }
            }
            model.progress?(0.2 * Double(i + 1) / Double(inputs.count))
        }
        let rows = inputs.count * p
        var minima = [Float](repeating: .infinity, count: c)
        for r in 0..<rows { for ch in 0..<c { minima[ch] = min(minima[ch], v[r * c + ch]) } }
        for r in 0..<rows { for ch in 0..<c { v[r * c + ch] -= minima[ch] } }

        var f = NMF.factorize(v, rows: rows, cols: c, rank: concepts, iterations: iterations,
                              solver: solver, seed: inputs[0].seed)
        let k = concepts
        for j in 0..<k {
            var peak: Float = 0
            for r in 0..<rows { peak = max(peak, f.w[r * k + j]) }
            guard peak > 0 else { continue }
            for r in 0..<rows { f.w[r * k + j] /= peak }
            for ch in 0..<c { f.h[j * c + ch] *= peak }
        }
        model.progress?(0.8)
        let legend = try conceptLegend(f, minima: minima, layer: layer, model: model)
        let errors = Tensor(shape: [f.errors.count], data: f.errors.map { Float($0) })
        let embeddings = Tensor(shape: [k, c], data: f.h)

        return inputs.enumerated().map { (i, input) in
            let (h, w) = (input.input.shape[2], input.input.shape[3])
            var low = [Float](repeating: 0, count: k * p)
            for j in 0..<k { for px in 0..<p { low[j * p + px] = f.w[(i * p + px) * k + j] } }
            var up = [Float]()
            up.reserveCapacity(k * h * w)
            for j in 0..<k {
                up += MapResize.bilinear(Array(low[(j * p)..<((j + 1) * p)]), h: layer.height, w: layer.width, toH: h, toW: w)
            }
            let picture = ConceptPicture.render(maps: up, concepts: k, width: w, height: h, over: input.image, alpha: alpha)
            return Explanation(map: Tensor(shape: [k, h, w], data: up), lowResolution: Tensor(shape: [k, layer.height, layer.width], data: low),
                               scalars: ["reconstruction_error": f.errors.last ?? 0, "images_factorised": Double(inputs.count)],
                               arrays: ["concept_embeddings": embeddings, "reconstruction_errors": errors],
                               images: ["concepts": picture], legend: legend)
        }
    }

    /// Runs every concept embedding (plus the channel minima) through layer -> logits and lists
    /// the top labels with their softmax scores.
    func conceptLegend(_ f: NMF.Result, minima: [Float], layer: TargetLayer, model: ModelContext) throws -> [LegendEntry] {
        let (k, c, p) = (f.rank, layer.channels, layer.pixels)
        var data = [Float](repeating: 0, count: k * c * p)
        for j in 0..<k {
            for ch in 0..<c {
                let value = f.h[j * c + ch] + minima[ch]
                let off = (j * c + ch) * p
                for px in 0..<p { data[off + px] = value }
            }
        }
        let logits: Tensor
        do {
            logits = try model.engine.forward(replacing: [layer.name: Tensor(shape: [k, c, layer.height, layer.width], data: data)]).output
        } catch let e as EngineError {
            throw MethodError.unsuitableModel(method: Self.kind.rawValue,
                                              detail: "concepts are named by running them from '\(layer.name)' to the logits, which failed: \(e.description). Choose a layer after which the network is a single chain (e.g. the model's target layer)")
        }
        let probabilities = softmax(logits)
        let classes = logits.shape[1]
        return (0..<k).map { j in
            let row = Array(probabilities.data[(j * classes)..<((j + 1) * classes)])
            let top = row.indices.sorted { row[$0] > row[$1] || (row[$0] == row[$1] && $0 < $1) }.prefix(topLabels)
            let color = Self.conceptColor(j, of: k)
            return LegendEntry(index: j, color: [color.0, color.1, color.2],
                               labels: top.map { $0 < model.labels.count ? model.labels[$0] : "class \($0)" },
                               scores: top.map { Double(row[$0]) })
        }
    }
}
