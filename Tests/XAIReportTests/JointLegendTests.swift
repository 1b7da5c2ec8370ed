import Foundation
import XCTest
import XAICore
import XAIManifest
@testable import XAIReport

/// A joint DFF run: the same concepts in every image, so the gallery shows one legend for them.
final class JointLegendTests: XCTestCase {
    func jointManifest() -> Manifest {
        var m = Fixture.manifest()
        let shared = m.results.first { $0.method == "dff" }!.legend
        for i in m.results.indices where m.results[i].method == "dff" {
            m.results[i].params = ResolvedParams(["concepts": .int(2), "iterations": .int(200), "joint": .bool(true)])
            m.results[i].task = "*/dff"
            m.results[i].key = "k-dff-joint"
            m.results[i].legend = shared
        }
        return m
    }

    func occurrences(_ needle: String, in hay: String) -> Int { hay.components(separatedBy: needle).count - 1 }

    func testJointResultsShareOneLegend() {
        let m = jointManifest()
        let page = Gallery.render(manifest: m)
        XCTAssertEqual(occurrences("<ul class=\"legend\">", in: page), 1, "one legend for both images")
        XCTAssertEqual(occurrences("id=\"joint-__dff\"", in: page), 1)
        XCTAssertEqual(occurrences("href=\"index.html#joint-__dff\"", in: page), 2, "each image's cell links to it")
        XCTAssertEqual(occurrences("<section id=\"joint\"", in: page), 1)
        // The legend lists every concept once, escaped, with its colour.
        XCTAssertEqual(occurrences("tabby &quot;cat&quot; 0.75", in: page), 1)
        XCTAssertEqual(occurrences("title=\"concept 0\"", in: page), 1)
        XCTAssertEqual(occurrences("title=\"concept 1\"", in: page), 1)
        XCTAssertTrue(page.contains("images: chelsea, &lt;script&gt;"), "the images factorised together are named")

        // Without joint: a legend per cell and no shared section.
        let plain = Gallery.render(manifest: Fixture.manifest())
        XCTAssertEqual(occurrences("<ul class=\"legend\">", in: plain), 2)
        XCTAssertFalse(plain.contains("id=\"joint\""))
    }

    func testGroupsFollowTheJointTask() {
        var m = jointManifest()
        // A second sweep point of the joint instance is its own task with its own legend.
        var other = m.results.filter { $0.method == "dff" }
        for i in other.indices {
            other[i].run = "dff@concepts=3"
            other[i].task = "*/dff@concepts=3"
            other[i].legend = [Manifest.LegendEntry(index: 0, color: [0, 1, 0], labels: ["x"], scores: [1])]
        }
        m.results += other
        let groups = Gallery.jointGroups(m)
        XCTAssertEqual(groups.map(\.task), ["*/dff", "*/dff@concepts=3"])
        XCTAssertEqual(groups.map(\.images.count), [2, 2])
        XCTAssertEqual(occurrences("<ul class=\"legend\">", in: Gallery.render(manifest: m)), 2)
    }
}
