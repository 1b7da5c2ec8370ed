import XCTest
@testable import XAIReport

final class SVGPlotTests: XCTestCase {
    func testNiceTicks() {
        let unit = AxisTicks(lo: 0, hi: 1)
        XCTAssertEqual(unit.values.map { unit.label($0) }, ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"])
        let t = AxisTicks(lo: 3, hi: 97)
        XCTAssertEqual(t.step, 20)
        XCTAssertEqual(t.values, [0, 20, 40, 60, 80, 100])
        XCTAssertEqual(t.values.map { t.label($0) }, ["0", "20", "40", "60", "80", "100"])
        let small = AxisTicks(lo: 0.012, hi: 0.048)
        XCTAssertEqual(small.step, 0.01, accuracy: 1e-15)
        XCTAssertEqual(small.values.map { small.label($0) }, ["0.01", "0.02", "0.03", "0.04", "0.05"])
        let neg = AxisTicks(lo: -0.5, hi: 0.5)
        XCTAssertEqual(neg.values.map { neg.label($0) }, ["-0.6", "-0.4", "-0.2", "0.0", "0.2", "0.4", "0.6"])
        // A flat series still gets a usable axis around its value.
        let flat = AxisTicks(lo: 2, hi: 2)
        XCTAssertLessThan(flat.lo, 2)
        XCTAssertGreaterThan(flat.hi, 2)
    }

    func testPathPointsAndAxes() {
        // Plot area: x 48...348 (360 - 12), y 26...200 (240 - 40); axes 0...1 and 0...10.
        let plot = SVGPlot(title: "t", xLabel: "fraction", yLabel: "score",
                           series: [SVGPlot.Series(name: "a", color: "#0072B2", points: [(0, 0), (0.5, 5), (1, 10)])],
                           xRange: 0...1, yRange: 0...10)
        let svg = plot.render()
        XCTAssertTrue(svg.contains("<path d=\"M48 200 L198 113 L348 26\" fill=\"none\" stroke=\"#0072B2\"/>"), svg)
        XCTAssertEqual(svg.components(separatedBy: "class=\"xtick\"").count - 1, 6)
        XCTAssertEqual(svg.components(separatedBy: "class=\"ytick\"").count - 1, 6)
        XCTAssertTrue(svg.contains(">0.0</text>") && svg.contains(">1.0</text>") && svg.contains(">10</text>"))
        XCTAssertTrue(svg.contains("<text class=\"xlabel\" x=\"198\" y=\"234\" text-anchor=\"middle\">fraction</text>"))
        XCTAssertTrue(svg.contains("rotate(-90)\" text-anchor=\"middle\">score</text>"))
        XCTAssertEqual(svg.components(separatedBy: "<circle").count - 1, 3)
        XCTAssertFalse(svg.contains("class=\"legend\""), "one series needs no legend")
        XCTAssertFalse(svg.contains("http"))
    }

    func testLegendAndEscaping() {
        let plot = SVGPlot(title: "<t>", xLabel: "x&y", yLabel: "\"y\"",
                           series: [SVGPlot.Series(name: "<a>", color: "red\"/><x", points: [(0, 1), (1, 2)]),
                                    SVGPlot.Series(name: "b", color: "#D55E00", points: [(0, 2), (1, 1)])])
        let svg = plot.render()
        XCTAssertTrue(svg.contains("class=\"legend\""))
        XCTAssertTrue(svg.contains("&lt;a&gt;"))
        XCTAssertTrue(svg.contains("x&amp;y"))
        XCTAssertTrue(svg.contains("stroke=\"red&quot;/&gt;&lt;x\""))
        XCTAssertFalse(svg.contains("<a>") || svg.contains("<t>") || svg.contains("<x"))
    }

    func testNonFiniteValuesAreSkipped() {
        let plot = SVGPlot(title: "t", xLabel: "x", yLabel: "y",
                           series: [SVGPlot.Series(name: "a", color: "#000", points: [(0, 1), (0.5, .nan), (1, 3)])])
        let svg = plot.render()
        XCTAssertFalse(svg.contains("nan") || svg.contains("NaN"))
        XCTAssertEqual(svg.components(separatedBy: "<circle").count - 1, 2)
    }
}

final class SVGIntervalPlotTests: XCTestCase {
    func testWhiskersDotsAndLegend() {
        let plot = SVGIntervalPlot(title: "deletion ↓", xLabel: "deletion", series: ["vgg16", "<r50>"], rows: [
            (label: "gradcam", marks: [.init(series: 0, mean: 0.2, lower: 0.1, upper: 0.3), .init(series: 1, mean: 0.4, lower: nil, upper: nil)]),
            (label: "ig", marks: [.init(series: 0, mean: 0.5, lower: 0.45, upper: 0.6)]),
        ], width: 386)
        let svg = plot.render()
        // Plot area x 170...370 spans the ticks 0.1...0.6 (step 0.1): 400 px per unit.
        XCTAssertTrue(svg.contains("<line x1=\"170\" y1=\"50\" x2=\"250\" y2=\"50\" stroke=\"#0072B2\" stroke-width=\"2\"/>"), svg)
        XCTAssertTrue(svg.contains("<circle cx=\"210\" cy=\"50\" r=\"3.5\" fill=\"#0072B2\">"))
        XCTAssertTrue(svg.contains("<circle cx=\"290\" cy=\"56\" r=\"3.5\" fill=\"#D55E00\"><title>&lt;r50&gt;: 0.4</title>"))
        XCTAssertEqual(svg.components(separatedBy: "stroke-width=\"2\"").count - 1, 2, "no whisker without an interval")
        XCTAssertEqual(svg.components(separatedBy: "class=\"xtick\"").count - 1, 6)
        XCTAssertFalse(svg.contains("<r50>"))
    }
}
