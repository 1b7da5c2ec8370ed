import XCTest
import XAICore
import XAIManifest
@testable import XAIReport

final class ComparisonTests: XCTestCase {
    /// Two methods, two models, one image each: exact numbers, no intervals.
    func smallManifest(images: [String] = ["a"]) -> Manifest {
        var results = [Manifest.Result]()
        let t = Manifest.Target(index: 0, label: "x", probability: 1, rank: 1)
        for (i, image) in images.enumerated() {
            for model in ["vgg16", "resnet50"] {
                for (method, drop, del) in [("gradcam", 12.5, 0.25), ("kernel_shap", 30.0, 0.5)] {
                    let shift = model == "vgg16" ? 0 : 1.0
                    results.append(Manifest.Result(
                        image: image, model: model, method: method, instance: method, run: method, params: ResolvedParams(),
                        sweep: ResolvedParams(), target: t, map: "m.npy", mapShape: [2, 2], overlay: nil, scale: nil,
                        metrics: ["confidence_drop": .init(value: drop + shift + Double(i)),
                                  "deletion": .init(value: del + Double(i) / 8)],
                        key: "", task: "\(image)/\(model)/\(method)"))
                }
            }
        }
        let models = ["vgg16", "resnet50"].map {
            Manifest.Model(name: $0, path: "\($0).onnx", sha256: "", inputSize: [224, 224], targetLayer: nil, classCount: 1000)
        }
        return Manifest(name: "cmp", experiment: .null, models: models, images: [], predictions: [], results: results, failures: [])
    }

    func testTableShapeAndBest() {
        let t = ComparisonTable(manifest: smallManifest())
        XCTAssertEqual(t.methods.map(\.run), ["gradcam", "kernel_shap"])
        XCTAssertEqual(t.models, ["vgg16", "resnet50"])
        XCTAssertEqual(t.metrics, ["confidence_drop", "deletion"], "catalogue order")
        XCTAssertEqual(t.cell(method: "kernel_shap", model: "resnet50", metric: "confidence_drop")?.interval.mean, 31)
        XCTAssertEqual(t.best(model: "vgg16", metric: "confidence_drop"), ["gradcam"], "lower drop is better")
        XCTAssertNil(t.cell(method: "gradcam", model: "vgg16", metric: "confidence_drop")?.interval.lower, "one image: no interval")
    }

    func testTiedBestMeansAreAllBold() {
        var m = smallManifest()
        for i in m.results.indices where m.results[i].model == "resnet50" {
            m.results[i].metrics["confidence_drop"] = .init(value: 7)
        }
        let t = ComparisonTable(manifest: m)
        XCTAssertEqual(t.best(model: "resnet50", metric: "confidence_drop"), ["gradcam", "kernel_shap"])
        XCTAssertEqual(t.best(model: "vgg16", metric: "confidence_drop"), ["gradcam"])
        let md = ComparisonReport.markdown(t)
        XCTAssertEqual(md.components(separatedBy: "**7**").count - 1, 2, md)
    }

    func testLocalisationPointingGamesGetTheirOwnColumns() {
        var m = smallManifest(images: ["a", "b"])
        for i in m.results.indices {
            let hit = m.results[i].image == "a" ? 1.0 : 0.0
            m.results[i].metrics["localisation@threshold=0.3"] = .init(
                value: 0.5, extra: ["pointing_game": hit, "energy_pointing_game": 0.75, "selected_fraction": 0.2])
        }
        let t = ComparisonTable(manifest: m)
        XCTAssertEqual(t.metrics, ["confidence_drop", "deletion", "localisation@threshold=0.3",
                                   "localisation/energy_pointing_game@threshold=0.3", "localisation/pointing_game@threshold=0.3"])
        XCTAssertEqual(t.cell(method: "gradcam", model: "vgg16", metric: "localisation/pointing_game@threshold=0.3")?.interval.mean, 0.5)
        XCTAssertEqual(t.cell(method: "gradcam", model: "vgg16", metric: "localisation/energy_pointing_game@threshold=0.3")?.interval.mean, 0.75)
        XCTAssertEqual(MetricInfo(id: "localisation/pointing_game@threshold=0.3").direction, .higherIsBetter)
    }

    func testDirectionFollowsTheOccludedPart() {
        XCTAssertEqual(MetricInfo(id: "confidence_drop").direction, .lowerIsBetter)
        XCTAssertEqual(MetricInfo(id: "confidence_drop@fraction=0.5,mode=keep").direction, .lowerIsBetter)
        XCTAssertEqual(MetricInfo(id: "confidence_drop@fraction=0.5,mode=remove").direction, .higherIsBetter)
        XCTAssertEqual(MetricInfo(id: "confidence_increase@mode=remove").direction, .lowerIsBetter)
        XCTAssertEqual(MetricInfo(id: "deletion@mode=remove").direction, .lowerIsBetter)
    }

    func testCSVWithKnownNumbers() {
        let csv = ComparisonReport.csv(ComparisonTable(manifest: smallManifest()))
        XCTAssertEqual(csv, """
            method,instance,kind,model,metric,n,mean,ci_low,ci_high\r
            gradcam,gradcam,gradcam,vgg16,confidence_drop,1,12.5,,\r
            gradcam,gradcam,gradcam,vgg16,deletion,1,0.25,,\r
            gradcam,gradcam,gradcam,resnet50,confidence_drop,1,13.5,,\r
            gradcam,gradcam,gradcam,resnet50,deletion,1,0.25,,\r
            kernel_shap,kernel_shap,kernel_shap,vgg16,confidence_drop,1,30.0,,\r
            kernel_shap,kernel_shap,kernel_shap,vgg16,deletion,1,0.5,,\r
            kernel_shap,kernel_shap,kernel_shap,resnet50,confidence_drop,1,31.0,,\r
            kernel_shap,kernel_shap,kernel_shap,resnet50,deletion,1,0.5,,\r

            """)
    }

    func testMarkdownWithKnownNumbers() {
        let md = ComparisonReport.markdown(ComparisonTable(manifest: smallManifest()))
        XCTAssertTrue(md.contains("""
            ## confidence_drop ↓

            | method | vgg16 | resnet50 |
            |---|---:|---:|
            | gradcam | **12.5** | **13.5** |
            | kernel_shap | 30 | 31 |
            """), md)
        XCTAssertTrue(md.contains("| gradcam | **0.25** | **0.25** |"), md)
    }

    func testSingleModelMarkdownWithIntervals() {
        var m = smallManifest(images: ["a", "b", "c"])
        m.results.removeAll { $0.model == "resnet50" }
        m.models.removeLast()
        let t = ComparisonTable(manifest: m)
        let md = ComparisonReport.markdown(t)
        XCTAssertTrue(md.contains("| method | confidence_drop ↓ | deletion ↓ |"), md)
        // gradcam drops 12.5, 13.5, 14.5: mean 13.5, interval inside [12.5, 14.5].
        let c = t.cell(method: "gradcam", model: "vgg16", metric: "confidence_drop")!
        XCTAssertEqual(c.interval.mean, 13.5)
        XCTAssertEqual(c.interval.count, 3)
        XCTAssertGreaterThanOrEqual(c.interval.lower!, 12.5)
        XCTAssertLessThanOrEqual(c.interval.upper!, 14.5)
        XCTAssertTrue(md.contains("| gradcam | **13.5** [\(NumberFormat.short(c.interval.lower!)), \(NumberFormat.short(c.interval.upper!))] |"), md)
        XCTAssertTrue(md.contains("1000 resamples, seed 0"))
    }

    func testEscapingInExports() {
        XCTAssertEqual(ComparisonReport.md("a|b<c>"), "a\\|b&lt;c&gt;")
        XCTAssertEqual(ComparisonReport.csvField("a,\"b\""), "\"a,\"\"b\"\"\"")
        XCTAssertEqual(ComparisonReport.csvField("=cmd()"), "'=cmd()")
        XCTAssertEqual(ComparisonReport.csvField("-0.5"), "-0.5")
    }

    func testBootstrapIsDeterministicAndSeeded() {
        let v = [0.1, 0.4, 0.35, 0.8, 0.05, 0.6, 0.2]
        let a = Bootstrap.meanInterval(v, seed: 7), b = Bootstrap.meanInterval(v, seed: 7)
        XCTAssertEqual(a, b)
        let c = Bootstrap.meanInterval(v, seed: 8)
        XCTAssertNotEqual(a.lower, c.lower)
        XCTAssertEqual(a.mean, v.reduce(0, +) / 7, accuracy: 1e-15)
        XCTAssertLessThan(a.lower!, a.mean)
        XCTAssertGreaterThan(a.upper!, a.mean)
        print("bootstrap 95% interval of mean \(a.mean): [\(a.lower!), \(a.upper!)] (seed 7) vs [\(c.lower!), \(c.upper!)] (seed 8)")
        // Whole tables are reproducible too.
        let m = smallManifest(images: ["a", "b", "c", "d"])
        XCTAssertEqual(ComparisonTable(manifest: m), ComparisonTable(manifest: m))
        XCTAssertEqual(ComparisonReport.csv(ComparisonTable(manifest: m, seed: 3)), ComparisonReport.csv(ComparisonTable(manifest: m, seed: 3)))
    }

    func testBootstrapKnownCases() {
        // Constant values: every resample has the same mean.
        let k = Bootstrap.meanInterval([2, 2, 2, 2])
        XCTAssertEqual(k.lower, 2)
        XCTAssertEqual(k.upper, 2)
        // Two values 0 and 1: resample means are 0, 0.5, 1 with probabilities 1/4, 1/2, 1/4,
        // so the 2.5th and 97.5th percentiles of 1000 resamples are 0 and 1.
        let two = Bootstrap.meanInterval([0, 1])
        XCTAssertEqual(two.mean, 0.5)
        XCTAssertEqual(two.lower, 0)
        XCTAssertEqual(two.upper, 1)
        // Normal-theory check on a larger sample: the interval is close to mean ± 1.96 s / sqrt(n).
        let xs = (0..<200).map { Double(($0 * 37) % 101) / 100 }
        let n = Double(xs.count), mean = xs.reduce(0, +) / n
        let sd = (xs.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / (n - 1)).squareRoot()
        let ci = Bootstrap.meanInterval(xs)
        let half = 1.96 * sd / n.squareRoot()
        let diff = max(abs(ci.lower! - (mean - half)), abs(ci.upper! - (mean + half)))
        print("bootstrap vs normal interval: max bound difference \(diff) (half width \(half))")
        XCTAssertLessThan(diff, 0.25 * half)
        // Single value and empty input.
        XCTAssertNil(Bootstrap.meanInterval([3]).lower)
        XCTAssertEqual(Bootstrap.meanInterval([]).count, 0)
    }
}
