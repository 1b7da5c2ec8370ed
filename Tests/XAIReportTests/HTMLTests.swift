import XCTest
@testable import XAIReport

final class HTMLTests: XCTestCase {
    func testEscape() {
        XCTAssertEqual(HTML.escape("<script>alert('x') & \"y\"</script>"),
                       "&lt;script&gt;alert(&#39;x&#39;) &amp; &quot;y&quot;&lt;/script&gt;")
        XCTAssertEqual(HTML.escape("café ∑ 🙂"), "café ∑ 🙂")
        XCTAssertEqual(HTML.escape("a\u{0}b"), "a&#xFFFD;b")
    }

    func testRelativeURL() {
        XCTAssertEqual(HTML.relativeURL("overlays/chelsea/gradcam.png"), "overlays/chelsea/gradcam.png")
        XCTAssertEqual(HTML.relativeURL("overlays/my cat #1/ig@steps=16.png"), "overlays/my%20cat%20%231/ig%40steps%3D16.png")
        XCTAssertEqual(HTML.relativeURL("a/café.png"), "a/caf%C3%A9.png")
        XCTAssertEqual(HTML.relativeURL("a/100%.png"), "a/100%25.png")
        XCTAssertNil(HTML.relativeURL("../x.png"))
        XCTAssertNil(HTML.relativeURL("a/../../x.png"))
        XCTAssertNil(HTML.relativeURL("/etc/passwd"))
        XCTAssertNil(HTML.relativeURL("a//b.png"))
        XCTAssertNil(HTML.relativeURL(""))
    }

    func testBuilderEscapesAttributesAndText() {
        var h = HTMLBuilder()
        h.element("a", ["href": "x\"y", "title": nil], text: "<b>")
        XCTAssertEqual(h.output, "<a href=\"x&quot;y\">&lt;b&gt;</a>")
    }

    func testNumberFormat() {
        XCTAssertEqual(NumberFormat.short(0.123456), "0.1235")
        XCTAssertEqual(NumberFormat.short(12.5), "12.5")
        XCTAssertEqual(NumberFormat.short(1234.4), "1234")
        XCTAssertEqual(NumberFormat.short(0.0001234), "1.234e-04")
        XCTAssertEqual(NumberFormat.short(0), "0")
        XCTAssertEqual(NumberFormat.short(-0.5), "-0.5")
        XCTAssertEqual(NumberFormat.fixed(-0.0001, 2), "0.00")
        XCTAssertEqual(NumberFormat.percent(0.71349), "71.3%")
        XCTAssertEqual(NumberFormat.duration(0.0125), "13 ms")
        XCTAssertEqual(NumberFormat.duration(2.5), "2.50 s")
        XCTAssertEqual(NumberFormat.duration(125), "2 min 5 s")
        XCTAssertEqual(NumberFormat.coordinate(113.0), "113")
        XCTAssertEqual(NumberFormat.coordinate(79.666), "79.67")
        XCTAssertEqual(NumberFormat.coordinate(36.4), "36.4")
        XCTAssertEqual(NumberFormat.coordinate(-0.05), "-0.05")
        XCTAssertEqual(NumberFormat.coordinate(-0.001), "0")
        XCTAssertEqual(NumberFormat.coordinate(2.07), "2.07")
    }
}
