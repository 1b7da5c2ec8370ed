import XCTest
@testable import XAIImaging

final class ColormapTests: XCTestCase {
    func testColormapsMatchMatplotlib() throws {
        let refs = try Corpus.section("colormaps")
        XCTAssertEqual(Set(refs.keys), Set(Colormap.allCases.map(\.rawValue)))
        for map in Colormap.allCases {
            var worst: Float = 0
            for row in (refs[map.rawValue] as? [Any] ?? []).map(floats) {
                let (r, g, b) = map.color(row[0])
                worst = max(worst, abs(r - row[1]), abs(g - row[2]), abs(b - row[3]))
            }
            print("colormap \(map): max diff vs matplotlib \(worst * 255) (0...255)")
            XCTAssertLessThanOrEqual(worst * 255, 1.0, map.rawValue)
        }
    }

    func testEndpointsAreRGBOrderAndDivergingCentres() {
        let low = Colormap.jet.color(0), high = Colormap.jet.color(1)
        XCTAssertEqual(low.2, 0.5, accuracy: 1e-6, "jet starts dark blue (blue in the last slot: RGB)")
        XCTAssertEqual(low.0, 0)
        XCTAssertEqual(high.0, 0.5, accuracy: 1e-6, "jet ends dark red")
        XCTAssertTrue(Colormap.gray.color(0) == (0, 0, 0))
        XCTAssertTrue(Colormap.gray.color(1) == (1, 1, 1))
        XCTAssertTrue(Colormap.bwr.color(0.5) == (1, 1, 1))
        XCTAssertTrue(Colormap.seismic.color(0.5) == (1, 1, 1))
        let mid = Colormap.coolwarm.color(0.5)
        XCTAssertEqual(mid.0, mid.2, accuracy: 0.02)
        XCTAssertTrue(Colormap.viridis.color(-3) == Colormap.viridis.color(0), "clamped")
        XCTAssertTrue(Colormap.viridis.color(.nan) == Colormap.viridis.color(0))
        XCTAssertEqual(Colormap.allCases.filter(\.isDiverging), [.coolwarm, .seismic, .bwr])
    }
}
