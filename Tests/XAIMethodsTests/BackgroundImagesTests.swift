import Foundation
import XCTest
import XAICore
import XAIImaging
@testable import XAIMethods

/// `baselines:` as a folder or glob of background images: what is listed, what is refused, how
/// the parameter is validated, and that samples take the backgrounds in turn.
final class BackgroundImagesTests: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("xai-backgrounds-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for (name, v) in [("b.png", 0.2), ("a.png", 0.6), ("c.jpg.txt", 0.0)] as [(String, Float)] {
            let png = try ImageIO.encodePNG(RGBImage(width: 12, height: 8, color: (v, v, v)))
            try Data(png).write(to: folder.appendingPathComponent(name))
        }
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: folder)
    }

    func paths(_ pattern: String) throws -> [String] {
        try BackgroundImages.paths(pattern, method: GradientSHAP.kind, parameter: "baselines").map {
            URL(fileURLWithPath: $0).lastPathComponent
        }
    }

    func testFolderListsImagesByNameAndGlobsMatchTheLastComponent() throws {
        XCTAssertEqual(try paths(folder.path), ["a.png", "b.png"])
        XCTAssertEqual(try paths(folder.path + "/b*"), ["b.png"])
        XCTAssertEqual(try paths(folder.path + "/*.txt"), ["c.jpg.txt"])
    }

    func testNothingMatchingALinkOrAMissingFolderIsAnErrorNamingTheParameter() throws {
        XCTAssertThrowsError(try paths(folder.path + "/*.gif")) { XCTAssertTrue("\($0)".contains("names no PNG or JPEG"), "\($0)") }
        XCTAssertThrowsError(try paths(folder.path + "/missing/*.png")) { XCTAssertTrue("\($0)".contains("baselines"), "\($0)") }
        try FileManager.default.createSymbolicLink(atPath: folder.appendingPathComponent("d.png").path,
                                                   withDestinationPath: folder.appendingPathComponent("a.png").path)
        XCTAssertThrowsError(try paths(folder.path)) { XCTAssertTrue("\($0)".contains("symbolic link"), "\($0)") }
    }

    func testParameterTakesNamesNumbersAndPathsButNotMisspellings() throws {
        let spec = BaselineDistribution.parameter.spec
        XCTAssertEqual(try spec.normalize(.string("blur")), .string("blur"))
        XCTAssertEqual(try spec.normalize(.int(1)), .double(1))
        XCTAssertEqual(try spec.normalize(.string("backgrounds/*.png")), .string("backgrounds/*.png"))
        XCTAssertThrowsError(try spec.normalize(.string("unifrom"))) { XCTAssertTrue("\($0)".contains("did you mean 'uniform'"), "\($0)") }
        XCTAssertThrowsError(try spec.normalize(.double(2)))
    }

    /// Sample s takes background s mod K, resized and cropped like the input, and normalised.
    func testSamplesTakeTheBackgroundsInTurnCroppedLikeTheInput() throws {
        let (graph, _) = TestModels.linear(size: 8, classes: 3)
        let model = try TestModels.context(graph, targetLayer: nil)
        let input = TestModels.input(TestModels.image(for: graph), target: 1, seed: 5)
        let method = try GradientSHAP(params: TestModels.params(GradientSHAP.descriptor, ["baselines": .string(folder.path)]))
        let sampler = try BaselineDistribution.Sampler(method.distribution, input: input, model: model, stdevs: 0,
                                                       method: GradientSHAP.kind)
        let draws = sampler.draws(0..<5)
        let n = input.input.count
        for s in 0..<5 {
            let pixel: Float = s % 2 == 0 ? 0.6 : 0.2  // a.png, then b.png
            let expected = model.normalize(RGBImage(width: 8, height: 8, color: (pixel, pixel, pixel)).tensor)
            let got = Array(draws.baselines.data[(s * n)..<((s + 1) * n)])
            let d = zip(got, expected.data).map { abs($0 - $1) }.max() ?? 1
            XCTAssertLessThan(d, 1e-2, "sample \(s): max difference \(d)")  // 8-bit PNG rounding
        }
    }
}
