import XCTest
@testable import XAIImaging

final class DecodeTests: XCTestCase {
    func testSampleImagesMatchPIL() throws {
        let samples = try Corpus.section("samples")
        for name in ["chelsea.png", "coffee.png", "rocket.jpg"] {
            let path = try Corpus.sampleImage(name)
            let image = try ImageIO.read(contentsOf: path)
            guard let ref = samples[name] as? [String: Any] else { return XCTFail("no reference for \(name)") }
            XCTAssertEqual(image.width, ref["width"] as? Int, name)
            XCTAssertEqual(image.height, ref["height"] as? Int, name)
            var worst: Float = 0
            for point in (ref["points"] as? [Any] ?? []).map(ints) {
                let (r, g, b) = image[point[0], point[1]]
                for (got, want) in zip([r, g, b], point[2...]) { worst = max(worst, abs(got * 255 - Float(want))) }
            }
            print("\(name): \(image.width)x\(image.height), max diff vs PIL at sample points \(worst)")
            XCTAssertLessThanOrEqual(worst, 1e-3, name)
        }
    }

    func testPNGVariantsDecodeToExpectedSamples() throws {
        let cases = try Corpus.section("png_variants")
        XCTAssertEqual(cases.count, 9)
        for (name, value) in cases.sorted(by: { $0.key < $1.key }) {
            let c = value as? [String: Any] ?? [:]
            let maxValue = Float(c["max"] as? Int ?? 255)
            let rgb = ints(c["rgb"])
            let image = try Corpus.image(name)
            XCTAssertEqual(image.width, c["width"] as? Int, name)
            XCTAssertEqual(image.height, c["height"] as? Int, name)
            let interleaved = (0..<(image.width * image.height)).flatMap { i -> [Float] in
                let (r, g, b) = image[i % image.width, i / image.width]
                return [r, g, b]
            }
            var worst: Float = 0
            for (got, want) in zip(interleaved, rgb) { worst = max(worst, abs(got - Float(want) / maxValue)) }
            print("\(name): max diff \(worst * maxValue) in 0...\(Int(maxValue)) units")
            XCTAssertEqual(rgb.count, interleaved.count, name)
            XCTAssertLessThan(worst * maxValue, 0.01, name)
        }
    }

    func testAlphaDropAndComposite() throws {
        let cases = try Corpus.section("png_variants")
        for name in ["rgba8.png", "graya8.png", "palette_trns.png"] {
            let c = cases[name] as? [String: Any] ?? [:]
            let rgb = ints(c["rgb"]), alpha = ints(c["alpha"])
            let white = try ImageIO.read(contentsOf: Corpus.path(name), alpha: .composite(over: (1, 1, 1)))
            let dropped = try Corpus.image(name)
            var worst: Float = 0
            for i in 0..<(white.width * white.height) {
                let a = Float(alpha[i]) / 255
                let (r, _, _) = white[i % white.width, i / white.width]
                let want = Float(rgb[3 * i]) / 255 * a + (1 - a)
                worst = max(worst, abs(r - want))
                XCTAssertEqual(dropped[i % white.width, i / white.width].0, Float(rgb[3 * i]) / 255, accuracy: 1e-6)
            }
            print("\(name): composite-over-white max diff \(worst * 255) (0...255)")
            XCTAssertLessThan(worst, 1e-5, name)
        }
    }

    func testJPEGVariantsMatchPIL() throws {
        let refs = try Corpus.section("jpeg")
        XCTAssertEqual(refs.count, 4)
        for (name, ref) in refs.sorted(by: { $0.key < $1.key }) {
            let got = try Corpus.image(name)
            let want = try Corpus.image(ref as? String ?? "")
            let d = maxDiff255(got, want)
            print("\(name): max diff vs PIL \(d) (0...255)")
            // Same libjpeg algorithms: exact, except PIL's own CMYK->RGB rounding.
            XCTAssertLessThanOrEqual(d, name == "cmyk.jpg" ? 2.01 : 0.01, name)
        }
    }

    func testTensorConversionsRoundTrip() throws {
        let image = try Corpus.image("small.png")
        let t = image.tensor
        XCTAssertEqual(t.shape, [1, 3, image.height, image.width])
        XCTAssertEqual(try RGBImage(tensor: t), image)
        XCTAssertEqual(try RGBImage(tensor: t.reshaped([3, image.height, image.width])), image)
        XCTAssertThrowsError(try RGBImage(tensor: t.reshaped([1, 1, 3 * image.height, image.width])))
        let bytes = image.interleavedRGB8()
        XCTAssertEqual(RGBImage(width: image.width, height: image.height, interleavedRGB8: bytes), image)
    }
}
