import Foundation
import XCTest
@testable import XAIImaging

/// Paths and reference data shared by the imaging tests.
enum Corpus {
    static let directory: String = {
        if let url = Bundle.module.url(forResource: "Corpus", withExtension: nil) { return url.path }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Corpus").path
    }()

    static func path(_ name: String) -> String { directory + "/" + name }

    static func bytes(_ name: String) throws -> [UInt8] { try ImageIO.readBytes(path(name)) }

    static func image(_ name: String) throws -> RGBImage { try ImageIO.read(contentsOf: path(name)) }

    /// fixtures.json written by tools/make_imaging_fixtures.py.
    static let fixtures: [String: Any] = {
        guard let data = FileManager.default.contents(atPath: path("fixtures.json")),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return [:] }
        return object
    }()

    static func section(_ key: String) throws -> [String: Any] {
        guard let s = fixtures[key] as? [String: Any] else {
            throw XCTSkip("fixtures.json has no section \(key); run tools/make_imaging_fixtures.py")
        }
        return s
    }

    /// The sample images committed with the experiments (Experiments/images).
    static func sampleImage(_ name: String) throws -> String {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let path = root.appendingPathComponent("Experiments/images/\(name)").path
        guard FileManager.default.fileExists(atPath: path) else {
            throw XCTSkip("sample image \(path) not present")
        }
        return path
    }
}

/// Largest difference between two images in 0...255 units.
func maxDiff255(_ a: RGBImage, _ b: RGBImage) -> Float {
    precondition(a.width == b.width && a.height == b.height, "\(a.width)x\(a.height) vs \(b.width)x\(b.height)")
    var m: Float = 0
    for i in 0..<a.pixels.count { m = max(m, abs(a.pixels[i] - b.pixels[i]) * 255) }
    return m
}

func floats(_ any: Any?) -> [Float] {
    (any as? [Any] ?? []).compactMap { ($0 as? NSNumber)?.floatValue }
}

func ints(_ any: Any?) -> [Int] {
    (any as? [Any] ?? []).compactMap { ($0 as? NSNumber)?.intValue }
}
