import Foundation
import XCTest
@testable import XAIImaging

final class PreprocessTests: XCTestCase {
    func testCropMatchesPILPipeline() throws {
        for (name, ref) in [("chelsea.png", "chelsea_crop224.png"), ("rocket.jpg", "rocket_crop224.png")] {
            let image = try ImageIO.read(contentsOf: Corpus.sampleImage(name))
            let got = Preprocess.efficientNetLite0.cropped(image)
            let want = try Corpus.image(ref)
            XCTAssertEqual(got.width, 224)
            XCTAssertEqual(got.height, 224)
            let d = maxDiff255(got, want)
            var sum: Float = 0
            for i in 0..<got.pixels.count { sum += abs(got.pixels[i] - want.pixels[i]) * 255 }
            print("\(name): resize 256 + crop 224 vs PIL/torchvision: max diff \(d), mean \(sum / Float(got.pixels.count)) (0...255)")
            // One 8-bit step at most (rounding of a few pixels), and almost everywhere exact.
            XCTAssertLessThanOrEqual(d, 1.001, name)
            XCTAssertLessThan(sum / Float(got.pixels.count), 0.05, name)
        }
    }

    func testApplyNormalisesPerChannel() throws {
        let image = try Corpus.image("small.png")
        let p = try Preprocess(resize: 20, crop: 16, mean: [0.1, 0.2, 0.3], std: [0.5, 0.25, 2])
        let t = p.apply(image)
        XCTAssertEqual(t.shape, [1, 3, 16, 16])
        let c = p.cropped(image)
        for ch in 0..<3 {
            let i = ch * 256 + 37
            XCTAssertEqual(t.data[i], (c.pixels[i] - p.mean[ch]) / p.std[ch], accuracy: 1e-6)
        }
        let back = try p.denormalize(t)
        XCTAssertLessThan(maxDiff255(back, c), 1e-3)
        // Lite0: (255 * pixel - 127) / 128.
        let lite = Preprocess.efficientNetLite0.normalize(RGBImage(width: 1, height: 1, color: (1, 0, 127.0 / 255)))
        XCTAssertEqual(lite.data[0], 1, accuracy: 1e-6)
        XCTAssertEqual(lite.data[1], -127.0 / 128, accuracy: 1e-6)
        XCTAssertEqual(lite.data[2], 0, accuracy: 1e-6)
    }

    func testValidationAndCodable() throws {
        XCTAssertThrowsError(try Preprocess(resize: 0, crop: 0, mean: [0, 0, 0], std: [1, 1, 1]))
        XCTAssertThrowsError(try Preprocess(resize: 200, crop: 224, mean: [0, 0, 0], std: [1, 1, 1]))
        XCTAssertThrowsError(try Preprocess(resize: 256, crop: 224, mean: [0, 0], std: [1, 1, 1]))
        XCTAssertThrowsError(try Preprocess(resize: 256, crop: 224, mean: [0, 0, 0], std: [1, 0, 1])) { error in
            XCTAssertTrue("\(error)".contains("std"))
        }
        let data = try JSONEncoder().encode(Preprocess.imagenet)
        XCTAssertEqual(try JSONDecoder().decode(Preprocess.self, from: data), Preprocess.imagenet)
        let bad = Data(#"{"resize": 256, "crop": 224, "mean": [0.5], "std": [1, 1, 1]}"#.utf8)
        XCTAssertThrowsError(try JSONDecoder().decode(Preprocess.self, from: bad))
    }
}
