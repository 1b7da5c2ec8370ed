import XCTest
@testable import XAIImaging

final class OverlayTests: XCTestCase {
    func testHeatmapShapeAlphaAndUpsampling() throws {
        let image = try Corpus.image("small.png")
        let map: [Float] = (0..<(7 * 5)).map { Float($0) }
        let r = Overlay.render(map, width: 7, height: 5, on: image, colormap: .jet, alpha: 0.5)
        XCTAssertEqual(r.image.width, image.width)
        XCTAssertEqual(r.image.height, image.height)
        XCTAssertEqual(r.scale.lo, 0)
        XCTAssertEqual(r.scale.hi, 34)
        XCTAssertNil(r.scale.percentile)
        XCTAssertEqual(Overlay.heatmap(map, width: 7, height: 5, on: image, alpha: 0), image)
        let full = Overlay.heatmap(map, width: 7, height: 5, on: image, colormap: .gray, alpha: 1)
        XCTAssertEqual(full[0, 0].0, 0, accuracy: 1e-6, "top-left holds the minimum")
        XCTAssertEqual(full[image.width - 1, image.height - 1].1, 1, accuracy: 1e-6, "bottom-right the maximum")
        let half = Overlay.heatmap(map, width: 7, height: 5, on: image, colormap: .gray, alpha: 0.5)
        XCTAssertEqual(half[0, 0].2, 0.5 * image[0, 0].2, accuracy: 1e-6)
    }

    func testScalingsStateTheirRange() {
        var map = (0..<1000).map { Float($0) / 999 }
        map[999] = 100 // one outlier
        let p = MapScaling.percentile(99.5).scale(map)
        XCTAssertEqual(p.lo, 0)
        XCTAssertLessThan(p.hi, 1.01)
        XCTAssertEqual(p.percentile, 99.5)
        XCTAssertEqual(p.saturatedFraction, 0.005, accuracy: 0.0011)
        XCTAssertTrue(p.caption.contains("99.5"), p.caption)
        let signed: [Float] = [-2, -1, 0, 0.5, 1, 4]
        let s = MapScaling.symmetric(100).scale(signed)
        XCTAssertEqual(s.lo, -4)
        XCTAssertEqual(s.hi, 4)
        XCTAssertEqual(s.position(0), 0.5)
        XCTAssertTrue(s.symmetric)
        XCTAssertEqual(MapScaling.percentile([1, 2, 3, 4], 50), 2.5, "numpy's linear interpolation")
        let flat = MapScaling.minMax.scale([3, 3, 3])
        XCTAssertEqual(flat.position(3), 0)
        XCTAssertEqual(MapScaling.fixed(lo: 1, hi: 0).scale([0.5]).lo, 0)
        XCTAssertEqual(MapScaling.minMax.scale([1, .nan, 3]).hi, 3, "non-finite values ignored")
    }

    func testColorbarRunsLowToHigh() {
        let h = Colorbar.image(colormap: .jet, width: 64, height: 8)
        XCTAssertTrue(h[0, 3] == Colormap.jet.color(0))
        XCTAssertTrue(h[63, 3] == Colormap.jet.color(1))
        let v = Colorbar.image(colormap: .viridis, width: 6, height: 40)
        XCTAssertTrue(v[2, 39] == Colormap.viridis.color(0), "bottom is low")
        XCTAssertTrue(v[2, 0] == Colormap.viridis.color(1), "top is high")
    }

    func testBoundariesAndLabelColours() {
        let w = 6, h = 4
        let labels: [Int32] = (0..<(w * h)).map { Int32(($0 % w) < 3 ? 0 : 1) }
        let base = RGBImage(width: w, height: h, color: (0, 0, 0))
        let drawn = Overlay.drawBoundaries(labels: labels, width: w, height: h, on: base, color: (1, 0, 0))
        for y in 0..<h {
            for x in 0..<w {
                let onEdge = x == 2 || x == 3
                XCTAssertEqual(drawn[x, y].0, onEdge ? 1 : 0, "(\(x), \(y))")
            }
        }
        let colored = Overlay.labelImage(labels: labels, width: w, height: h)
        XCTAssertFalse(colored[0, 0] == colored[5, 0])
        let colours = (0..<50).map { Overlay.labelColor($0) }
        for i in 0..<50 {
            for j in (i + 1)..<50 {
                let (a, b) = (colours[i], colours[j])
                XCTAssertGreaterThan(abs(a.0 - b.0) + abs(a.1 - b.1) + abs(a.2 - b.2), 0.02, "labels \(i), \(j)")
            }
        }
    }
}
