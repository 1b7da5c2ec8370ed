import Foundation
import XAICore
import XAIEngine
import XAIImaging
import XAIMethods
import XAIONNX
import XAIMetrics
import XAIExperiment
import XAIManifest
import XAIPlanner

/// The production backend: our engine on ONNX models, the imaging module and the method registry.
public final class EngineBackend: PipelineBackend, @unchecked Sendable {
    private let models = ModelStore()
    private let intermediates: IntermediateCache?

    /// - Parameter intermediates: where methods share results such as model outputs on
    ///   perturbation masks (the runner passes one backed by the cache folder).
    public init(intermediates: IntermediateCache? = nil) {
        self.intermediates = intermediates
    }

    public func model(_ spec: ModelSpec) throws -> LoadedModel { try models.model(spec) }

    public func resolved(model spec: ModelSpec) throws -> ModelSpec {
        var s = spec
        s.preprocess = try model(spec).spec.preprocess
        return s
    }

    public func decode(image: ImageSpec, model spec: ModelSpec) throws -> DecodedImage {
        let picture = try ImageIO.read(contentsOf: image.path)
        let pre = try model(spec).preprocess
        let cropped = pre.cropped(picture)
        return DecodedImage(originalWidth: picture.width, originalHeight: picture.height,
                            cropped: Tensor(shape: [3, cropped.height, cropped.width], data: cropped.pixels),
                            input: pre.normalize(cropped), preview: Data(try ImageIO.encodePNG(cropped)))
    }

    public func classes(model spec: ModelSpec) throws -> ClassLabels { try model(spec).classes }

    public func companionFiles(model spec: ModelSpec) throws -> [String] {
        // A model that does not decode lists nothing: its tasks report it when they load it.
        (try? ONNXImporter.externalDataFiles(contentsOf: spec.path)) ?? []
    }


    public func predict(model spec: ModelSpec, input: Tensor) throws -> [Float] {
        let logits = try model(spec).engine.logits(input)
        return softmax(logits).data
    }

    public func explain(run: MethodRun, model spec: ModelSpec, targetLayer: String?, image: DecodedImage,
                        target: Int, seed: UInt64, contentKey: String,
                        progress: @escaping @Sendable (Double) -> Void) throws -> ExplanationData {
        let context = try self.context(spec, targetLayer: targetLayer, progress: progress)
        let input = try ExplanationInput(image: RGBImage(tensor: image.cropped), input: image.input, target: target,
                                         seed: seed, contentKey: contentKey)
        // A joint run reaching here would be factorised alone; the planner gives it one task over all images.
        if ExperimentGraph.isJoint(run) {
            throw MethodError.invalidParameter(method: run.kind.rawValue, parameter: "joint",
                                               detail: "a joint run explains all images in one task (explainJointly), not one image")
        }
        let explainer = try MethodCatalogue.make(run.kind, params: run.params)
        return try Self.data(explainer.explain(input, model: context), of: run, over: input.image)
    }

    public func explainJointly(run: MethodRun, model spec: ModelSpec, targetLayer: String?, images: [DecodedImage],
                               targets: [Int], seed: UInt64, contentKeys: [String],
                               progress: @escaping @Sendable (Double) -> Void) throws -> [ExplanationData] {
        guard images.count == targets.count, images.count == contentKeys.count else {
            throw PlannerError.invalidValue(context: "joint \(run.id)",
                                            detail: "\(images.count) images, \(targets.count) targets, \(contentKeys.count) content keys")
        }
        let context = try self.context(spec, targetLayer: targetLayer, progress: progress)
        let inputs = try images.indices.map { i in
            try ExplanationInput(image: RGBImage(tensor: images[i].cropped), input: images[i].input, target: targets[i],
                                 seed: seed, contentKey: contentKeys[i])
        }
        guard let explainer = try MethodCatalogue.make(run.kind, params: run.params) as? any JointExplainer else {
            throw MethodError.invalidParameter(method: run.kind.rawValue, parameter: "joint",
                                               detail: "this method cannot explain several images together")
        }
        let results = try explainer.explainJointly(inputs, model: context)
        guard results.count == inputs.count else {
            throw PlannerError.invalidValue(context: "joint \(run.id)",
                                            detail: "the method returned \(results.count) results for \(inputs.count) images")
        }
        return try zip(results, inputs).map { try Self.data($0, of: run, over: $1.image) }
    }

    private func context(_ spec: ModelSpec, targetLayer: String?,
                         progress: (@Sendable (Double) -> Void)?) throws -> ModelContext {
        let m = try model(spec)
        let layer = try targetLayer.map { try m.engine.resolveTensor($0) }
        return ModelContext(engine: m.engine, labels: m.labels, preprocess: m.preprocess, targetLayer: layer,
                            cache: intermediates, progress: progress)
    }

    /// A method's result in the planner's terms: pictures encoded as PNG, superpixel boundaries
    /// drawn over `picture`, the low-resolution map kept as an extra array, the sign from the
    /// method's descriptor.
    static func data(_ e: Explanation, of run: MethodRun, over picture: RGBImage) throws -> ExplanationData {
        var pictures: [String: Data] = [:]
        for (name, img) in e.images { pictures[name] = Data(try ImageIO.encodePNG(img)) }
        if let segments = e.segments {
            pictures["segments"] = Data(try ImageIO.encodePNG(
                Overlay.drawBoundaries(labels: segments, width: picture.width, height: picture.height, on: picture)))
        }
        var arrays = e.arrays
        if let low = e.lowResolution { arrays["low_resolution"] = low }
        return ExplanationData(map: e.map, signed: run.descriptor.mapIsSigned(run.params), scalars: e.scalars, arrays: arrays, pictures: pictures,
                               legend: e.legend)
    }

    public func metric(_ metric: MetricSpec, run: MethodRun, model spec: ModelSpec, image: DecodedImage,
                       explanation: ExplanationData, annotation: Annotation?, target: Int,
                       seed: UInt64) throws -> Manifest.MetricValue {
        let m = try model(spec)
        let picture = try RGBImage(tensor: image.cropped)
        let layer = try spec.targetLayer.map { try m.engine.resolveTensor($0) }
        let context = ModelContext(engine: m.engine, labels: m.labels, preprocess: m.preprocess, targetLayer: layer,
                                   cache: intermediates)
        var boxes: [[Double]] = []
        var mask: [Bool]?
        if let annotation {
            boxes = annotation.boxes.map {
                AnnotationGeometry.box([$0.x0, $0.y0, $0.x1, $0.y1], originalWidth: image.originalWidth,
                                       originalHeight: image.originalHeight, preprocess: m.preprocess)
            }
            if let path = annotation.mask {
                let picture = try ImageIO.read(contentsOf: path)
                let plane = picture.width * picture.height
                mask = AnnotationGeometry.mask((0..<plane).map { picture.pixels[$0] > 0.5 },
                                               originalWidth: picture.width, originalHeight: picture.height,
                                               preprocess: m.preprocess)
            }
        }
        let input = MetricInput(image: picture, input: image.input, map: explanation.map, signed: explanation.signed,
                                target: target, seed: seed, method: run.kind, methodParams: run.params,
                                scalars: explanation.scalars, boxes: boxes, mask: mask, imageID: annotation?.imageID ?? "<image>",
                                mapKey: explanation.cacheName, imageKey: image.cacheName)
        let r = try MetricCatalogue.make(metric.kind, params: metric.params).evaluate(input, model: context)
        return Manifest.MetricValue(value: r.value, x: r.x, y: r.y, extra: r.extra.isEmpty ? nil : r.extra,
                                    curves: r.curves.isEmpty ? nil : r.curves)
    }

    /// Signed maps use a diverging colormap centred on 0; others are clipped at the 99.5th
    /// percentile so that a few extreme gradients do not wash out the picture (stated in the caption).
    public func render(map: Tensor, signed: Bool, image: DecodedImage, run: MethodRun) throws -> RenderedOverlay {
        let picture = try RGBImage(tensor: image.cropped)
        let (h, w) = (map.shape[map.rank - 2], map.shape[map.rank - 1])
        let plane = Self.strongest(map, planeSize: h * w)
        var colormap = Colormap(rawValue: (try? run.params.string("colormap")) ?? "jet") ?? .jet
        if signed && !colormap.isDiverging { colormap = .coolwarm }
        let alpha = Float((try? run.params.double("overlay_alpha")) ?? 0.5)
        let overlay = Overlay.render(plane, width: w, height: h, on: picture, colormap: colormap, alpha: alpha,
                                     scaling: signed ? .symmetric(99.5) : .percentile(99.5))
        return RenderedOverlay(png: Data(try ImageIO.encodePNG(overlay.image)),
                               scale: Manifest.Scale(colormap: colormap.rawValue, lo: Double(overlay.scale.lo),
                                                     hi: Double(overlay.scale.hi), signed: signed,
                                                     caption: overlay.scale.caption))
    }

    /// A multi-map explanation [K, H, W] is drawn as its per-pixel maximum.
    static func strongest(_ map: Tensor, planeSize: Int) -> [Float] {
        guard map.count > planeSize else { return map.data }
        var out = Array(map.data[0..<planeSize])
        for k in 1..<(map.count / planeSize) {
            for i in 0..<planeSize { out[i] = max(out[i], map.data[k * planeSize + i]) }
        }
        return out
    }
}

extension EngineBackend {
    /// Checks, before anything runs, that every target layer the experiment names exists in its
    /// model; reports each at its FILE:LINE:COLUMN with near matches.
    public func checkTargetLayers(_ experiment: Experiment) throws {
        var diagnostics: [ExperimentDiagnostic] = []
        for spec in experiment.models {
            diagnostics += targetLayerProblems(experiment, spec: spec, engine: try model(spec).engine)
        }
        if !diagnostics.isEmpty { throw ExperimentError.invalid(diagnostics) }
    }

    /// The unknown target layers of `experiment` (for `ExperimentLoader.load`'s `check`, so that
    /// they come in one pass with the file's other problems). A model that does not load is
    /// skipped: loading it again reports why.
    public func targetLayerProblems(_ experiment: Experiment) -> [ExperimentDiagnostic] {
        experiment.models.flatMap { spec -> [ExperimentDiagnostic] in
            guard let m = try? model(spec) else { return [] }
            return targetLayerProblems(experiment, spec: spec, engine: m.engine)
        }
    }

    private func targetLayerProblems(_ experiment: Experiment, spec: ModelSpec, engine: Engine) -> [ExperimentDiagnostic] {
        var diagnostics: [ExperimentDiagnostic] = []
        var seen = Set<String>()
        for run in experiment.runs {
            guard let layer = experiment.targetLayer(for: run, model: spec), !layer.isEmpty,
                  seen.insert(layer).inserted else { continue }
            do {
                _ = try engine.resolveTensor(layer)
            } catch {
                let at = experiment.targetLayerLocation(for: run, model: spec)
                diagnostics.append(ExperimentDiagnostic(at, "model '\(spec.name)': \(error)"))
            }
        }
        return diagnostics
    }
}
