import XCTest
@testable import XAIImaging

final class ResizeTests: XCTestCase {
    func testResizeMatchesPIL() throws {
        let list = Corpus.fixtures["resize"] as? [[String: Any]] ?? []
        XCTAssertEqual(list.count, 12)
        let source = try Corpus.image("resize_src.png")
        for r in list {
            let file = r["file"] as? String ?? "", w = r["width"] as? Int ?? 0, h = r["height"] as? Int ?? 0
            guard let filter = ResizeFilter(rawValue: r["filter"] as? String ?? "") else { return XCTFail("filter") }
            let got = source.resize(to: w, h, filter: filter)
            let want = try Corpus.image(file)
            let d = maxDiff255(got, want)
            print("resize 60x45 -> \(w)x\(h) \(filter): max diff vs PIL \(d) (0...255; PIL rounds to uint8 after each pass)")
            XCTAssertLessThanOrEqual(d, filter == .bilinear || filter == .box ? 1.001 : 1.5, file)
        }
    }

    func testCoefficientsAreNormalisedAndIdentityIsExact() throws {
        for (a, b) in [(60, 23), (45, 17), (7, 97), (256, 224), (375, 256)] {
            let c = Resampler.coefficients(inSize: a, outSize: b, filter: .bilinear)
            for i in 0..<b {
                let s = (0..<c.count[i]).reduce(Float(0)) { $0 + c.weights[i * c.width + $1] }
                XCTAssertEqual(s, 1, accuracy: 1e-5)
                XCTAssertLessThanOrEqual(c.start[i] + c.count[i], a)
            }
        }
        let image = try Corpus.image("small.png")
        XCTAssertEqual(image.resize(to: image.width, image.height), image)
        // Image resizing keeps 8-bit steps between passes (as PIL), so use colours on that grid.
        let rgb: [Float] = [51 / 255, 128 / 255, 179 / 255]
        let constant = RGBImage(width: 31, height: 19, color: (rgb[0], rgb[1], rgb[2]))
        let r = constant.resize(to: 12, 40, filter: .bicubic)
        XCTAssertLessThan(r.pixels.enumerated().map { abs($0.element - rgb[$0.offset / (12 * 40)]) }.max()!, 1e-5)
    }

    func testShorterSideRoundsAndCenterCropFloors() {
        XCTAssertTrue(RGBImage.shorterSideSize(width: 451, height: 300, size: 256) == (385, 256))
        XCTAssertTrue(RGBImage.shorterSideSize(width: 400, height: 600, size: 256) == (256, 384))
        // Offsets: floor((side - crop) / 2): (5 - 2) / 2 = 1.5 -> 1, (7 - 2) / 2 = 2.5 -> 2.
        var image = RGBImage(width: 7, height: 5, color: (0, 0, 0))
        for y in 0..<5 { for x in 0..<7 { image.set(x: x, y: y, (Float(x), Float(y), 0)) } }
        let c = image.centerCrop(2)
        XCTAssertEqual(c[0, 0].0, 2)
        XCTAssertEqual(c[0, 0].1, 1)
        // Larger than the image: centred, black border (torchvision pads).
        let big = image.centerCrop(width: 10, height: 5)
        XCTAssertEqual(big.width, 10)
        XCTAssertEqual(big[1, 4].1, 4, "image column 0 lands at crop column 1")
        XCTAssertEqual(big[0, 4].1, 0, "left border is black")
        XCTAssertEqual(big[2, 0].0, 1)
        XCTAssertEqual(big[7, 4].0, 6)
        XCTAssertEqual(big[8, 4].1, 0, "right border is black")
    }

    /// The windowed resize (RISE's masks) is the crop of the full resize, value for value.
    func testBilinearWindowIsTheCropOfTheFullResize() {
        var map = [Float](repeating: 0, count: 35)
        for i in 0..<35 { map[i] = Float((i * 37) % 11) / 10 }
        let full = MapResize.bilinear(map, h: 5, w: 7, toH: 48, toW: 64)
        for (top, left, height, width) in [(0, 0, 48, 64), (3, 9, 40, 50), (47, 63, 1, 1), (10, 0, 7, 64)] {
            let window = MapResize.bilinearWindow(map, h: 5, w: 7, toH: 48, toW: 64, top: top, left: left,
                                                  height: height, width: width)
            var crop: [Float] = []
            for y in top..<(top + height) { crop += full[(y * 64 + left)..<(y * 64 + left + width)] }
            XCTAssertEqual(window, crop, "window \(top), \(left), \(height)x\(width)")
        }
    }

    /// The pullback is the transpose of the resize: <up(a), b> = <a, pullback(b)> for any a, b,
    /// enlarging and shrinking, edges included.
    func testBilinearPullbackIsTheTransposeOfTheResize() {
        for (h, w, toH, toW) in [(5, 7, 48, 64), (28, 28, 224, 224), (9, 6, 4, 3)] {
            let a = (0..<(h * w)).map { Float(sin(Double($0) * 0.7)) }
            let b = (0..<(toH * toW)).map { Float(cos(Double($0) * 0.3)) }
            let up = MapResize.bilinear(a, h: h, w: w, toH: toH, toW: toW)
            let back = MapResize.bilinearPullback(b, h: h, w: w, toH: toH, toW: toW)
            let lhs = zip(up, b).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
            let rhs = zip(a, back).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
            print("bilinear pullback \(h)x\(w) -> \(toH)x\(toW): <up(a), b> \(lhs), <a, pullback(b)> \(rhs), difference \(abs(lhs - rhs))")
            XCTAssertEqual(lhs, rhs, accuracy: 1e-3 * max(1, abs(lhs)))
        }
    }
}
