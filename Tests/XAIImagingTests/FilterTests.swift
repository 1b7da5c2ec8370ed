import XCTest
@testable import XAIImaging

final class FilterTests: XCTestCase {
    func testGaussianBlurMatchesScipy() throws {
        let f = try Corpus.section("blur")
        let w = f["width"] as? Int ?? 0, h = f["height"] as? Int ?? 0
        let input = floats(f["input"])
        let sigmas = f["sigma"] as? [String: Any] ?? [:]
        XCTAssertEqual(sigmas.count, 3)
        for (s, ref) in sigmas {
            let got = GaussianBlur.apply(map: input, width: w, height: h, sigma: Float(s) ?? 0)
            let want = floats(ref)
            let d = zip(got, want).map { abs($0 - $1) }.max() ?? .infinity
            print("blur sigma \(s) on \(w)x\(h): max diff vs scipy.ndimage.gaussian_filter \(d)")
            XCTAssertLessThan(d, 1e-5, "sigma \(s)")
        }
    }

    func testBlurOnImagePreservesConstantsAndMean() throws {
        let constant = RGBImage(width: 9, height: 5, color: (0.3, 0.6, 0.9))
        XCTAssertLessThan(maxDiff255(constant.blurred(sigma: 3), constant), 1e-3)
        let image = try Corpus.image("small.png")
        let b = image.blurred(sigma: 2)
        XCTAssertEqual(b.width, image.width)
        let mean = { (x: RGBImage) in x.pixels.reduce(0, +) / Float(x.pixels.count) }
        XCTAssertEqual(mean(b), mean(image), accuracy: 0.02)
        XCTAssertLessThan(variance(b.pixels), variance(image.pixels))
        XCTAssertEqual(image.blurred(sigma: 0), image)
    }

    func testMapResizeMatchesAlignCornersFalse() throws {
        let f = try Corpus.section("mapresize")
        let got = MapResize.bilinear(floats(f["input"]), h: f["h"] as? Int ?? 0, w: f["w"] as? Int ?? 0,
                                     toH: f["toH"] as? Int ?? 0, toW: f["toW"] as? Int ?? 0)
        let want = floats(f["output"])
        XCTAssertEqual(got.count, want.count)
        let d = zip(got, want).map { abs($0 - $1) }.max() ?? .infinity
        print("MapResize 7x6 -> 40x50: max diff vs PIL float bilinear (= align_corners=False) \(d)")
        XCTAssertLessThan(d, 1e-5)
        // Hand check: 2x2 -> 4x4, first row [a, 0.75a + 0.25b, 0.25a + 0.75b, b].
        let r = MapResize.bilinear([0, 4, 8, 12], h: 2, w: 2, toH: 4, toW: 4)
        XCTAssertEqual(Array(r[0..<4]), [0, 1, 3, 4])
        XCTAssertEqual(Array(r[4..<8]), [2, 3, 5, 6])
    }

    private func variance(_ v: [Float]) -> Float {
        let m = v.reduce(0, +) / Float(v.count)
        return v.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Float(v.count)
    }
}
