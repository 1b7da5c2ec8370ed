import XCTest
import XAICore
@testable import XAIImaging

/// Issue 18, item 3: the whole picture (`crop: none`), letterboxed or stretched, and where the
/// original lands in the input (`Preprocess.placement`).
final class PreprocessWholeImageTests: XCTestCase {
    /// An 8x4 picture whose pixel values are all distinct.
    let picture = RGBImage(width: 8, height: 4, pixels: (0..<96).map { Float($0) / 96 })
    let mean: [Float] = [0.25, 0.5, 0.75]

    func testLetterboxKeepsTheAspectAndPadsWithTheMean() throws {
        let p = try Preprocess(fit: .letterbox, height: 6, width: 6, mean: mean, std: [0.5, 0.5, 0.5])
        XCTAssertEqual(p.placement(originalWidth: 8, originalHeight: 4), Preprocess.Placement(width: 6, height: 3, x: 0, y: 1))
        let out = p.cropped(picture)
        XCTAssertEqual([out.width, out.height], [6, 6])
        let resized = picture.resize(to: 6, 3)
        for c in 0..<3 {
            for y in 0..<6 {
                for x in 0..<6 {
                    let v = out.pixels[c * 36 + y * 6 + x]
                    if y == 0 || y >= 4 {
                        XCTAssertEqual(v, mean[c], "padding row \(y) is the mean colour")
                    } else {
                        XCTAssertEqual(v, resized.pixels[c * 18 + (y - 1) * 6 + x], "picture row \(y)")
                    }
                }
            }
        }
        let input = p.apply(picture)
        XCTAssertEqual(input.shape, [1, 3, 6, 6])
        XCTAssertEqual(Array(input.data[0..<6]), [Float](repeating: 0, count: 6), "padding normalises to exactly 0")
    }

    func testStretchResizesToExactlyTheInput() throws {
        let p = try Preprocess(fit: .stretch, height: 5, width: 3, mean: mean, std: [1, 1, 1])
        XCTAssertEqual(p.placement(originalWidth: 8, originalHeight: 4), Preprocess.Placement(width: 3, height: 5, x: 0, y: 0))
        XCTAssertEqual(p.cropped(picture), picture.resize(to: 3, 5))
        XCTAssertEqual(p.apply(picture).shape, [1, 3, 5, 3])
    }

    /// The centre crop's placement is the resize and offset `cropped` uses.
    func testCentreCropPlacement() throws {
        let p = try Preprocess(resize: 256, crop: 224, mean: mean, std: [1, 1, 1])
        XCTAssertEqual(p.placement(originalWidth: 300, originalHeight: 200), Preprocess.Placement(width: 384, height: 256, x: -80, y: -16))
        XCTAssertEqual([p.height, p.width], [224, 224])
    }

    func testWholeImageValidationAndCodable() throws {
        XCTAssertThrowsError(try Preprocess(fit: .letterbox, height: 0, width: 10, mean: mean, std: [1, 1, 1])) { e in
            XCTAssertEqual("\(e)", "preprocess: the input size 0x10 must have sides from 1 to 4096")
        }
        let p = try Preprocess(fit: .stretch, height: 24, width: 40, mean: mean, std: [1, 1, 1])
        let data = try JSONEncoder().encode(p)
        XCTAssertEqual(try JSONDecoder().decode(Preprocess.self, from: data), p)
        let crop = Preprocess.imagenet
        let keys = try XCTUnwrap(JSONSerialization.jsonObject(with: JSONEncoder().encode(crop)) as? [String: Any]).keys.sorted()
        XCTAssertEqual(keys, ["crop", "mean", "resize", "std"], "a centre crop encodes as before")
    }
}
