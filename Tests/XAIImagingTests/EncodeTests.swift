import Foundation
import XCTest
import XAICore
@testable import XAIImaging

final class EncodeTests: XCTestCase {
    func testPNGEncodeDecodeRoundTripIsExact() throws {
        var rng = SplitMix64(seed: 7)
        let w = 37, h = 23
        let bytes = (0..<(3 * w * h)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        let image = RGBImage(width: w, height: h, interleavedRGB8: bytes)
        let png = try ImageIO.encodePNG(image)
        let back = try ImageIO.decode(png, source: "roundtrip")
        XCTAssertEqual(back.interleavedRGB8(), bytes)
        print("round trip \(w)x\(h): max diff \(maxDiff255(back, image)) (0...255), \(png.count) bytes")
    }

    func testGrayAndLabelPNGs() throws {
        let w = 9, h = 4
        let gray = (0..<(w * h)).map { UInt8($0 * 7) }
        let g = try ImageIO.decode(ImageIO.encodeGrayPNG(gray, width: w, height: h), source: "gray")
        XCTAssertEqual(g.interleavedRGB8().enumerated().filter { $0.offset % 3 == 1 }.map { $0.element }, gray)

        let small: [Int32] = (0..<(w * h)).map { Int32($0 % 5) }
        let s = try ImageIO.decode(ImageIO.encodeLabelPNG(small, width: w, height: h), source: "labels8")
        XCTAssertEqual((0..<(w * h)).map { Int32((s.pixels[$0] * 255).rounded()) }, small)

        let big: [Int32] = (0..<(w * h)).map { Int32($0 * 1000) }
        let b = try ImageIO.decode(ImageIO.encodeLabelPNG(big, width: w, height: h), source: "labels16")
        XCTAssertEqual((0..<(w * h)).map { Int32((b.pixels[$0] * 65535).rounded()) }, big, "16-bit labels survive")

        XCTAssertThrowsError(try ImageIO.encodeLabelPNG([-1], width: 1, height: 1))
        XCTAssertThrowsError(try ImageIO.encodeLabelPNG([70000], width: 1, height: 1))
        XCTAssertThrowsError(try ImageIO.encodeGrayPNG([1, 2], width: 3, height: 1))
    }

    func testOutOfRangeSamplesAreClampedWhenEncoding() throws {
        let image = RGBImage(width: 2, height: 1, pixels: [-0.5, 1.5, 0.25, .nan, 1, 0])
        // Planes R = (-0.5, 1.5), G = (0.25, NaN), B = (1, 0); NaN is stored as 0.
        XCTAssertEqual(image.interleavedRGB8(), [0, 64, 255, 255, 0, 0])
        XCTAssertEqual(try ImageIO.decode(ImageIO.encodePNG(image), source: "clamped").interleavedRGB8(),
                       [0, 64, 255, 255, 0, 0])
    }

    func testWritePNGIsAtomicAndOverwrites() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("xai-imaging-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/out.png"
        let a = RGBImage(width: 4, height: 3, color: (1, 0, 0))
        let b = RGBImage(width: 5, height: 2, color: (0, 0, 1))
        try ImageIO.writePNG(a, to: path)
        try ImageIO.writePNG(b, to: path)
        XCTAssertEqual(try ImageIO.read(contentsOf: path), b)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir), ["out.png"], "no temporary files left")
        XCTAssertThrowsError(try ImageIO.writePNG(a, to: dir + "/missing/out.png")) { error in
            guard case ImageError.writeFailed(let p, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(p, dir + "/missing/out.png")
        }
    }
}
