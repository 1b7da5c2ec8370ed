import Foundation
import XCTest
import XAICore
@testable import XAIImaging
import CKernels

final class SegmentationTests: XCTestCase {
    /// The sample image as the model sees it: shorter side 256, centre crop 224.
    private func sample(_ name: String) throws -> RGBImage {
        let path = try Corpus.sampleImage(name)
        guard let image = try? ImageIO.read(contentsOf: path) else { throw XCTSkip("cannot read \(path)") }
        return image.resizeShorterSide(256).centerCrop(224)
    }

    /// Fails unless labels are dense 0..<count, cover every pixel and each label is 4-connected.
    private func assertValid(_ s: Segmentation, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(s.labels.count, s.width * s.height, file: file, line: line)
        let sizes = s.sizes
        XCTAssertEqual(sizes.count, s.count, file: file, line: line)
        XCTAssertFalse(sizes.contains(0), "unused label", file: file, line: line)
        XCTAssertTrue(s.labels.allSatisfy { $0 >= 0 && Int($0) < s.count }, file: file, line: line)
        // One flood fill per label must reach all its pixels.
        var seen = [Bool](repeating: false, count: s.labels.count)
        var filled = 0
        for start in s.labels.indices where !seen[start] {
            let l = s.labels[start]
            var stack = [start]
            seen[start] = true
            var reached = 0
            while let p = stack.popLast() {
                reached += 1
                let x = p % s.width
                for q in [x > 0 ? p - 1 : -1, x + 1 < s.width ? p + 1 : -1, p - s.width, p + s.width]
                where q >= 0 && q < s.labels.count && !seen[q] && s.labels[q] == l {
                    seen[q] = true
                    stack.append(q)
                }
            }
            XCTAssertEqual(reached, sizes[Int(l)], "label \(l) is not 4-connected", file: file, line: line)
            filled += 1
        }
        XCTAssertEqual(filled, s.count, file: file, line: line)
    }

    func testGridCellsAreExactRectangles() {
        let s = SegmentationAlgorithm.grid(cells: 4).segment(RGBImage(width: 10, height: 8, color: (0, 0, 0)))
        assertValid(s)
        XCTAssertEqual(s.count, 16)
        XCTAssertEqual(s.labels[0], 0)
        XCTAssertEqual(s.labels[9], 3)      // top-right pixel
        XCTAssertEqual(s.labels[79], 15)    // bottom-right pixel
        XCTAssertEqual(s.sizes.reduce(0, +), 80)
        // More cells than pixels: every pixel its own segment.
        let tiny = SegmentationAlgorithm.grid(cells: 8).segment(RGBImage(width: 3, height: 2, color: (0, 0, 0)))
        XCTAssertEqual(tiny.count, 6)
    }

    func testRelabellingSplitsDisconnectedLabelsAndMergesSmallPieces() {
        // Label 1 occurs in two separate places, label 0 too (the bottom-right corner); label 2 is
        // a single pixel.
        let labels: [Int32] = [
            1, 1, 0, 0, 1,
            1, 1, 0, 0, 1,
            0, 0, 0, 2, 0,
        ]
        let split = Segmentation(width: 5, height: 3, labels: labels)
        assertValid(split)
        XCTAssertEqual(split.count, 5)
        XCTAssertEqual(split.labels, [0, 0, 1, 1, 2, 0, 0, 1, 1, 2, 1, 1, 1, 3, 4])
        let merged = Segmentation(width: 5, height: 3, labels: labels, minSize: 3)
        assertValid(merged)
        // The 2-pixel column and both single pixels join the big region of label 0.
        XCTAssertEqual(merged.count, 2)
        XCTAssertTrue(merged.sizes.allSatisfy { $0 >= 3 })
    }

    func testCIELABMatchesReferenceValues() {
        // Reference values of scikit-image's rgb2lab.
        let img = RGBImage(width: 3, height: 1, pixels: [1, 1, 0.5, 1, 0, 0.5, 1, 0, 0.5])
        let lab = CIELAB.convert(img)
        let expected: [[Float]] = [[100, 0, 0], [53.2408, 80.0925, 67.2032], [53.3889, 0, 0]]
        var maxDiff: Float = 0
        for (i, e) in expected.enumerated() {
            for c in 0..<3 { maxDiff = max(maxDiff, abs(lab[c * 3 + i] - e[c])) }
        }
        print("CIELAB max difference \(maxDiff)")
        XCTAssertLessThan(maxDiff, 0.01)
    }

    func testSuperpixelsDoNotCrossAStrongEdge() {
        // Left half dark blue, right half orange, with mild texture.
        let w = 64, h = 48
        var img = RGBImage(width: w, height: h, color: (0, 0, 0))
        for y in 0..<h {
            for x in 0..<w {
                let t = Float((x * 7 + y * 13) % 11) / 200
                img.set(x: x, y: y, x < 32 ? (0.1 + t, 0.1, 0.6) : (0.9, 0.5 + t, 0.1))
            }
        }
        let algorithms: [SegmentationAlgorithm] = [
            .quickshift(kernelSize: 4, maxDist: 200, ratio: 0.2), .slic(segments: 12, compactness: 10),
            .felzenszwalb(scale: 100, sigma: 0.5, minSize: 50),
        ]
        for a in algorithms {
            let s = a.segment(img)
            assertValid(s)
            for y in 0..<h {
                XCTAssertNotEqual(s.labels[y * w + 31], s.labels[y * w + 32], "\(a) crosses the edge at row \(y)")
            }
        }
    }

    func testSampleImagesGiveConnectedSegmentsInTheExpectedRange() throws {
        let cases: [(SegmentationAlgorithm, ClosedRange<Int>)] = [
            (.quickshift(kernelSize: 4, maxDist: 200, ratio: 0.2), 15...400),
            (.slic(segments: 100, compactness: 10), 50...150),
            (.felzenszwalb(scale: 100, sigma: 0.5, minSize: 50), 10...600),
            (.grid(cells: 8), 64...64),
        ]
        for name in ["chelsea.png", "coffee.png", "rocket.jpg"] {
            let image = try sample(name)
            for (a, range) in cases {
                let start = Date()
                let s = a.segment(image)
                let ms = Date().timeIntervalSince(start) * 1000
                print("\(name) \(a): \(s.count) segments, smallest \(s.sizes.min() ?? 0) px, \(String(format: "%.0f", ms)) ms")
                assertValid(s)
                XCTAssertTrue(range.contains(s.count), "\(a) on \(name): \(s.count) segments, expected \(range)")
            }
        }
    }

    /// Quick shift's tie-breaking noise comes from a fixed seed: the labels are a function of the
    /// image and the parameters, equal on every call (LIME's test checks two experiment seeds).
    func testQuickshiftIsAFunctionOfTheImageAndParameters() throws {
        let image = try sample("chelsea.png").resize(to: 96, 96)
        let a = SegmentationAlgorithm.quickshift(kernelSize: 4, maxDist: 200, ratio: 0.2)
        XCTAssertEqual(a.segment(image), a.segment(image))
    }

    func testParametersAreReadFromTheCatalogue() throws {
        let defaults = ResolvedParams(specs: ParameterSpec.segmentation, given: [:])
        XCTAssertEqual(try SegmentationAlgorithm(params: defaults), .quickshift(kernelSize: 4, maxDist: 200, ratio: 0.2))
        var p = defaults
        p["segmentation"] = .string("slic")
        XCTAssertEqual(try SegmentationAlgorithm(params: p), .slic(segments: 100, compactness: 10))
        XCTAssertEqual(try SegmentationAlgorithm(params: p).description, "slic(n_segments=100,compactness=10.0)")
        p["segmentation"] = .string("felzenszwalb")
        XCTAssertEqual(try SegmentationAlgorithm(params: p), .felzenszwalb(scale: 100, sigma: 0.5, minSize: 50))
        p["segmentation"] = .string("grid")
        XCTAssertEqual(try SegmentationAlgorithm(params: p), .grid(cells: 8))
        p["segmentation"] = .string("watershed")
        XCTAssertThrowsError(try SegmentationAlgorithm(params: p)) { error in
            XCTAssertTrue("\(error)".contains("watershed"))
        }
    }

    func testQuickshiftExpMatchesExp() {
        var worst: Float = 0
        for i in 0...20000 {
            let x = -Float(i) * 0.004
            let e = Foundation.exp(Double(x))
            worst = max(worst, Float(abs(Double(xai_quickshift_exp(x)) - e) / e))
        }
        print("quick shift's exp: worst relative error on [-80, 0]: \(worst)")
        XCTAssertLessThan(worst, 1e-6)
        XCTAssertEqual(xai_quickshift_exp(-100), 0)
        XCTAssertEqual(xai_quickshift_exp(0), 1)
    }
}
