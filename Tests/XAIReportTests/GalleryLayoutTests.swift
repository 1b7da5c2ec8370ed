import XCTest
import XAICore
import XAIManifest
@testable import XAIReport

final class GalleryLayoutTests: XCTestCase {
    /// Two models, top-2 targets, a two-parameter sweep (window x stride).
    func manifest() -> Manifest {
        var results = [Manifest.Result]()
        for model in ["vgg16", "resnet50"] {
            for rank in 1...2 {
                let t = Manifest.Target(index: rank, label: "class \(rank)", probability: 0.5 / Double(rank), rank: rank)
                let stem = "cat/\(model)"
                results.append(Manifest.Result(
                    image: "cat", model: model, method: "gradcam", instance: "gradcam", run: "gradcam", params: ResolvedParams(),
                    sweep: ResolvedParams(), target: t, map: "maps/\(stem)/gradcam#\(rank).npy", mapShape: [4, 4],
                    overlay: "overlays/\(stem)/gradcam#\(rank).png", scale: nil,
                    metrics: ["deletion": .init(value: 0.1 * Double(rank))],
                    key: "", task: "\(stem)/gradcam#\(rank)"))
                for window in [16, 8, 32] {
                    for stride in [8, 4] {
                        let sweep = ResolvedParams(["window": .int(window), "stride": .int(stride)])
                        let run = "occlusion@stride=\(stride),window=\(window)"
                        results.append(Manifest.Result(
                            image: "cat", model: model, method: "occlusion", instance: "occlusion", run: run, params: sweep,
                            sweep: sweep, target: t, map: "maps/\(stem)/\(run)#\(rank).npy", mapShape: [4, 4],
                            overlay: "overlays/\(stem)/\(run)#\(rank).png", scale: nil,
                            metrics: ["deletion": .init(value: Double(window) / 100 + Double(stride) / 1000)],
                            key: "", task: "\(stem)/\(run)#\(rank)"))
                    }
                }
            }
        }
        let image = Manifest.Image(id: "cat", path: "cat.png", sha256: "", width: 10, height: 10,
                                   inputs: ["vgg16": "inputs/cat/vgg16.png", "resnet50": "inputs/cat/resnet50.png"])
        let models = ["vgg16", "resnet50"].map {
            Manifest.Model(name: $0, path: "\($0).onnx", sha256: "", inputSize: [224, 224], targetLayer: nil, classCount: 3)
        }
        return Manifest(name: "m", experiment: .null, models: models, images: [image], predictions: [], results: results, failures: [])
    }

    func testRowsColumnsAndStrips() {
        let m = manifest()
        let layout = GalleryLayout(manifest: m)
        XCTAssertTrue(layout.severalModels)
        XCTAssertEqual(layout.columns.map { "\($0.model)/\($0.instance)" }, ["vgg16/gradcam", "resnet50/gradcam"])
        XCTAssertEqual(layout.sweptColumns.map { "\($0.model)/\($0.instance)" }, ["vgg16/occlusion", "resnet50/occlusion"])
        XCTAssertEqual(layout.rows.count, 2, "one row per explained target")
        XCTAssertEqual(layout.rows.map { $0.targets["vgg16"]?.rank }, [1, 2])
        // The parameter with the most values runs along the strip; one strip per other value.
        let strips = layout.strips(layout.rows[0], layout.sweptColumns[0])
        XCTAssertEqual(strips.map(\.axis), ["window", "window"])
        XCTAssertEqual(strips.map(\.fixed), ["stride=4", "stride=8"])
        XCTAssertEqual(strips[0].results.map { $0.sweep["window"]!.intValue! }, [8, 16, 32])
        // Every overlay appears exactly once in the page.
        let page = Gallery.render(manifest: m)
        for r in m.results {
            let src = "src=\"\(HTML.relativeURL(r.overlay!)!)\""
            XCTAssertEqual(page.components(separatedBy: src).count - 1, 1, r.overlay!)
        }
        XCTAssertTrue(page.contains("cat · target 2"))
        XCTAssertTrue(page.contains("vgg16 explains "))
    }

    func testComparisonOrdersSweepPointsByValue() {
        let t = ComparisonTable(manifest: manifest())
        XCTAssertEqual(t.methods.map(\.run), ["gradcam"] + [4, 8].flatMap { s in [8, 16, 32].map { "occlusion@stride=\(s),window=\($0)" } })
        XCTAssertEqual(t.models, ["vgg16", "resnet50"])
        // Two targets of one image: n = 2 per cell.
        XCTAssertEqual(t.cell(method: "gradcam", model: "vgg16", metric: "deletion")?.interval.count, 2)
        XCTAssertEqual(t.cell(method: "gradcam", model: "vgg16", metric: "deletion")!.interval.mean, 0.15, accuracy: 1e-12)
    }
}
