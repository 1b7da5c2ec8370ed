import Foundation
import XCTest
import XAICore
import XAIImaging
import XAIMethods
@testable import XAIMetrics

final class ROADTests: XCTestCase {
    typealias F = MetricFixtures

    func testConstantImageComesBackUnchangedAndKeptPixelsAreUntouched() throws {
        let constant = RGBImage(width: 12, height: 9, color: (0.3, 0.6, 0.9))
        var rng = SeededRandom(seed: 5)
        let removed = (0..<108).map { _ in rng.bernoulli(0.7) }
        var noiseRNG = SeededRandom(seed: 1)
        let out = try NoisyLinearImputation(noise: 0).impute(constant, removed: removed, rng: &noiseRNG)
        let d = maxDifference(out, constant.pixels)
        print("constant image after imputing \(removed.filter { $0 }.count) of 108 pixels: max difference \(d)")
        XCTAssertLessThan(d, 1e-5)

        let image = F.randomImage(size: 10, seed: 8)
        let holes = (0..<100).map { $0 % 3 == 0 || ($0 / 10 >= 4 && $0 / 10 < 8) }
        let filled = try NoisyLinearImputation(noise: 0.05).impute(image, removed: holes, rng: &noiseRNG)
        for c in 0..<3 {
            for i in 0..<100 where !holes[i] { XCTAssertEqual(filled[c * 100 + i], image.pixels[c * 100 + i]) }
        }
    }

    func testEachRemovedPixelIsTheWeightedMeanOfItsNeighbours() throws {
        let image = F.randomImage(size: 9, seed: 4)
        // Two touching removed pixels plus one at the border, solved together.
        var removed = [Bool](repeating: false, count: 81)
        for i in [4 * 9 + 4, 4 * 9 + 5, 0 * 9 + 3] { removed[i] = true }
        var rng = SeededRandom(seed: 1)
        let out = try NoisyLinearImputation(noise: 0).impute(image, removed: removed, rng: &rng)
        var worst: Double = 0
        for c in 0..<3 {
            for i in 0..<81 where removed[i] {
                let (x, y) = (i % 9, i / 9)
                var s = 0.0, wsum = 0.0
                for (dx, dy, w) in NoisyLinearImputation.neighbours {
                    let (nx, ny) = (x + dx, y + dy)
                    guard nx >= 0, nx < 9, ny >= 0, ny < 9 else { continue }
                    s += w * Double(out[c * 81 + ny * 9 + nx])
                    wsum += w
                }
                worst = max(worst, abs(s / wsum - Double(out[c * 81 + i])))
            }
        }
        print("neighbour-mean equations: max residual \(worst)")
        XCTAssertLessThan(worst, 1e-5)
    }

    func testLargeHoleConverges() throws {
        let image = F.randomImage(size: 64, seed: 2)
        let removed = (0..<4096).map { $0 % 64 > 3 } // all but a 4-column strip
        var rng = SeededRandom(seed: 1)
        let out = try NoisyLinearImputation(noise: 0).impute(image, removed: removed, rng: &rng)
        XCTAssertTrue(out.allSatisfy(\.isFinite))
    }

    func testNoiseIsSeeded() throws {
        let image = F.randomImage(size: 8, seed: 2)
        let removed = (0..<64).map { $0 % 2 == 0 }
        var a = SeededRandom(seed: 7), b = SeededRandom(seed: 7), c = SeededRandom(seed: 8)
        let imp = NoisyLinearImputation(noise: 0.01)
        let x = try imp.impute(image, removed: removed, rng: &a)
        let y = try imp.impute(image, removed: removed, rng: &b)
        let z = try imp.impute(image, removed: removed, rng: &c)
        XCTAssertEqual(x, y)
        XCTAssertNotEqual(x, z)
        var d = SeededRandom(seed: 7)
        let clean = try NoisyLinearImputation(noise: 0).impute(image, removed: removed, rng: &d)
        let diff = maxDifference(x, clean)
        print("noise 0.01: max deviation from the noiseless imputation \(diff)")
        XCTAssertGreaterThan(diff, 0)
        XCTAssertLessThan(diff, 0.06)
    }

    func testPerfectMapScoresHigherThanRandomAndIsDeterministic() throws {
        let model = try F.context(F.regionModel(weight: 3))
        let image = F.regionImage()
        let metric = try F.metric(ROAD.self, ["fractions": .list([.double(0.1), .double(0.3), .double(0.5)]), "batch": .int(4)])
        let perfect = try metric.evaluate(F.input(image, map: F.perfectMap), model: model)
        let random = try metric.evaluate(F.input(image, map: F.randomMap(seed: 1)), model: model)
        print("ROAD perfect \(perfect.value) (MoRF \(perfect.y!), LeRF \(perfect.curves["lerf"]!)), random \(random.value)")
        XCTAssertEqual(perfect.x, [0.1, 0.3, 0.5])
        XCTAssertEqual(perfect.curves["lerf"]?.count, 3)
        XCTAssertGreaterThan(perfect.value, random.value + 0.05)
        // LeRF never touches the region at 10% / 30% / 50% (its 36 pixels rank first): unchanged probability.
        for p in perfect.curves["lerf"]! { XCTAssertEqual(p, perfect.extra["original_probability"]!, accuracy: 1e-5) }
        let again = try metric.evaluate(F.input(image, map: F.perfectMap), model: model)
        XCTAssertEqual(again, perfect)
        let otherSeed = try metric.evaluate(F.input(image, map: F.randomMap(seed: 1), seed: 43), model: model)
        XCTAssertNotEqual(otherSeed.y, random.y)
    }

    /// `PixelLaplacian.apply` skips empty slots through its compact rows and runs the three
    /// channels as one vector: the products of the eight-slot definition per channel, summed in
    /// the same order, to the bit.
    func testLaplacianApplyEqualsTheSlotDefinitionExactly() {
        var rng = SeededRandom(seed: 9)
        let m = 500
        var nbr = [Int32](repeating: -1, count: 8 * m), nbrW = [Double](repeating: 0, count: 8 * m)
        for k in 0..<(8 * m) where rng.bernoulli(0.6) {
            nbr[k] = Int32(rng.int(below: m))
            nbrW[k] = rng.nextDouble()
        }
        let diag = (0..<m).map { _ in 1 + rng.nextDouble() }
        let a = PixelLaplacian(diag: diag, nbr: nbr, nbrW: nbrW)
        let v = (0..<(3 * m)).map { _ in rng.nextDouble() - 0.5 }
        let rows = (0..<m).map { PixelLaplacian.Row(v[3 * $0], v[3 * $0 + 1], v[3 * $0 + 2], 0) }
        var result = [PixelLaplacian.Row](repeating: .zero, count: m)
        rows.withUnsafeBufferPointer { v in result.withUnsafeMutableBufferPointer { a.apply(v.baseAddress!, $0.baseAddress!) } }
        XCTAssertEqual(result.map { $0[3] }, [Double](repeating: 0, count: m))
        let out = result.flatMap { [$0[0], $0[1], $0[2]] }
        var expected = [Double](repeating: 0, count: 3 * m)
        for u in 0..<m {
            for c in 0..<3 {
                var s = diag[u] * v[3 * u + c]
                for k in (8 * u)..<(8 * u + 8) where nbr[k] >= 0 { s -= nbrW[k] * v[3 * Int(nbr[k]) + c] }
                expected[3 * u + c] = s
            }
        }
        XCTAssertEqual(out, expected)
    }
}

/// The multigrid preconditioner against Jacobi on a photo at model resolution: the same
/// solution (within the solver's tolerance), the iterations and the time of each in the same run.
final class ImputationStartTests: XCTestCase {
    func testMultigridGivesTheSameImputationAsJacobiInFewerIterations() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Experiments/images/chelsea.png")
        let photo = try ImageIO.read(contentsOf: url.path)
        let image = try Preprocess(resize: 256, crop: 224, mean: [0, 0, 0], std: [1, 1, 1]).cropped(photo)
        let n = image.width * image.height
        // A smooth blob as the attribution map: removal sets of growing size around it, as ROAD's
        // MoRF curve makes them.
        let order = (0..<n).sorted { a, b in
            func d(_ i: Int) -> Double { let x = Double(i % 224) - 120, y = Double(i / 224) - 100; return x * x + 0.6 * y * y }
            return d(a) != d(b) ? d(a) < d(b) : a < b
        }
        let fast = NoisyLinearImputation(noise: 0)
        var slow = NoisyLinearImputation(noise: 0)
        slow.useMultigrid = false
        var times = (fast: 0.0, slow: 0.0), worst: Float = 0
        for fraction in [0.1, 0.5, 0.9] {
            var removed = [Bool](repeating: false, count: n)
            for i in order.prefix(Int(fraction * Double(n))) { removed[i] = true }
            var t = Date()
            let a = try fast.fill(image.pixels, removed: removed, width: image.width, height: image.height)
            times.fast += Date().timeIntervalSince(t)
            t = Date()
            let b = try slow.fill(image.pixels, removed: removed, width: image.width, height: image.height)
            times.slow += Date().timeIntervalSince(t)
            print("fraction \(fraction): multigrid \(a.iterations) iterations, Jacobi \(b.iterations)")
            XCTAssertLessThan(a.iterations * 4, b.iterations, "fraction \(fraction)")
            worst = max(worst, maxDifference(a.values, b.values))
        }
        print(String(format: "ROAD imputation at 224 x 224 (fractions 0.1, 0.5, 0.9): multigrid %.3f s, Jacobi %.3f s (ratio %.2f); max pixel difference %g",
                     times.fast, times.slow, times.fast / times.slow, worst))
        XCTAssertLessThan(worst, 2e-3)
    }
}
