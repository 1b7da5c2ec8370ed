import Foundation
import XAICore
import XAIManifest

/// A small hand-built manifest: 2 images (one named `<script>`) x 3 method instances
/// (Grad-CAM, integrated gradients swept over `steps`, DFF with a legend and pictures), with
/// metrics and curves, and one failed LIME task.
enum Fixture {
    static let evilImage = "<script>alert('x')"

    static func target(_ index: Int, _ label: String, _ p: Double, rank: Int = 1) -> Manifest.Target {
        Manifest.Target(index: index, label: label, probability: p, rank: rank)
    }

    static func manifest() -> Manifest {
        let model = Manifest.Model(name: "tiny", path: "Weights/tiny.onnx", sha256: String(repeating: "ab", count: 32),
                                   inputSize: [32, 32], targetLayer: "head", classCount: 4)
        let images = [
            Manifest.Image(id: "chelsea", path: "Experiments/images/chelsea.png", sha256: String(repeating: "01", count: 32),
                           width: 451, height: 300, inputs: ["tiny": "inputs/chelsea/tiny.png"]),
            Manifest.Image(id: evilImage, path: "Experiments/images/\(evilImage).png", sha256: String(repeating: "02", count: 32),
                           width: 64, height: 48, inputs: ["tiny": "inputs/\(evilImage)/tiny.png"]),
        ]
        let labels = ["tabby \"cat\"", "<b>tiger</b> cat", "coffee & mug", "rocket"]
        let predictions = [
            Manifest.Prediction(image: "chelsea", model: "tiny", top: [
                target(0, labels[0], 0.625), target(1, labels[1], 0.25, rank: 2),
                target(2, labels[2], 0.125, rank: 3)]),
            Manifest.Prediction(image: evilImage, model: "tiny", top: [
                target(3, labels[3], 0.5), target(2, labels[2], 0.375, rank: 2)]),
        ]
        var results = [Manifest.Result]()
        for (i, image) in images.enumerated() {
            let t = predictions[i].top[0]
            let curve = (0...4).map { Double($0) / 4 }
            let base = Double(i) * 0.1
            results.append(Manifest.Result(
                image: image.id, model: "tiny", method: "gradcam", instance: "gradcam", run: "gradcam",
                params: ResolvedParams(["colormap": .string("jet"), "relu": .bool(true)]), sweep: ResolvedParams(),
                target: t, map: "maps/\(image.id)/gradcam.npy", mapShape: [32, 32],
                overlay: "overlays/\(image.id)/gradcam.png",
                scale: Manifest.Scale(colormap: "jet", lo: 0, hi: 0.75 + base, signed: false,
                                      caption: "range 0 ... \(0.75 + base) (min to 99.5th percentile; 0.5% saturated)"),
                metrics: [
                    "deletion": Manifest.MetricValue(value: 0.25 + base, x: curve, y: curve.map { 0.625 * (1 - $0) }),
                    "insertion": Manifest.MetricValue(value: 0.5 - base, x: curve, y: curve.map { 0.125 + 0.5 * $0 }),
                    "confidence_drop": Manifest.MetricValue(value: 20 + 10 * Double(i)),
                ],
                key: "k-gradcam-\(i)", task: "\(image.id)/gradcam"))
            for steps in [64, 16] {  // out of order on purpose: strips sort by value
                results.append(Manifest.Result(
                    image: image.id, model: "tiny", method: "integrated_gradients", instance: "ig",
                    run: "ig@steps=\(steps)",
                    params: ResolvedParams(["baseline": .string("black"), "reduce": .string("signed_sum"), "steps": .int(steps)]),
                    sweep: ResolvedParams(["steps": .int(steps)]),
                    target: t, map: "maps/\(image.id)/ig@steps=\(steps).npy", mapShape: [32, 32],
                    overlay: "overlays/\(image.id)/ig@steps=\(steps).png",
                    scale: Manifest.Scale(colormap: "coolwarm", lo: -0.5, hi: 0.5, signed: true,
                                          caption: "range -0.5 ... 0.5 (symmetric, 99.5th percentile of |value|)"),
                    scalars: ["completeness_gap": 0.5 / Double(steps)],
                    metrics: [
                        "deletion": Manifest.MetricValue(value: 0.375 - Double(steps) / 640 + base),
                        "insertion": Manifest.MetricValue(value: 0.25 + Double(steps) / 640 - base),
                    ],
                    key: "k-ig-\(steps)-\(i)", task: "\(image.id)/ig@steps=\(steps)"))
            }
            results.append(Manifest.Result(
                image: image.id, model: "tiny", method: "dff", instance: "dff", run: "dff",
                params: ResolvedParams(["concepts": .int(2), "iterations": .int(200)]), sweep: ResolvedParams(),
                target: t, map: "maps/\(image.id)/dff.npy", mapShape: [2, 32, 32], overlay: nil, scale: nil,
                pictures: ["combined": "pictures/\(image.id)/dff.combined.png",
                           "concept-0": "pictures/\(image.id)/dff.concept-0.png"],
                legend: [
                    Manifest.LegendEntry(index: 1, color: [0, 0.5, 1], labels: [labels[2], labels[3]], scores: [0.5, 0.25]),
                    Manifest.LegendEntry(index: 0, color: [1, 0, 0], labels: [labels[0], labels[1]], scores: [0.75, 0.2]),
                ],
                key: "k-dff-\(i)", task: "\(image.id)/dff"))
        }
        let failures = [Manifest.Failure(task: "chelsea/lime", kind: "explain", image: "chelsea", model: "tiny", method: "lime",
                                         params: ["samples": "100", "kernel_width": "0.25"],
                                         message: "the attribution map contains NaN or infinite values <here>")]
        let experiment = JSONValue.object(["name": .string("fixture"), "seed": .number(0),
                                           "methods": .array([.string("gradcam"), .string("ig"), .string("dff")])])
        return Manifest(name: "fixture", experiment: experiment, models: [model], images: images,
                        predictions: predictions, results: results, failures: failures)
    }
}
