import XCTest
@testable import XAIImaging

final class OrientationTests: XCTestCase {
    func testAllEightEXIFOrientationsMatchPILTranspose() throws {
        let refs = try Corpus.section("exif")
        XCTAssertEqual(refs.count, 8)
        for o in 1...8 {
            let r = refs["exif\(o).jpg"] as? [String: Any] ?? [:]
            let got = try Corpus.image("exif\(o).jpg")
            let want = try Corpus.image(r["ref"] as? String ?? "")
            XCTAssertEqual(got.width, want.width, "orientation \(o)")
            XCTAssertEqual(got.height, want.height, "orientation \(o)")
            XCTAssertEqual(got.width, o >= 5 ? 16 : 24, "orientation \(o) must \(o >= 5 ? "" : "not ")swap sides")
            let d = maxDiff255(got, want)
            print("EXIF orientation \(o): \(got.width)x\(got.height), max diff vs PIL exif_transpose \(d)")
            XCTAssertLessThanOrEqual(d, 0.01, "orientation \(o)")
        }
    }

    func testOrientationSixMovesBottomLeftToTopLeft() throws {
        let stored = try Corpus.image("exif1.jpg")
        let rotated = try Corpus.image("exif6.jpg")
        let a = stored[0, stored.height - 1], b = rotated[0, 0]
        XCTAssertEqual(a.0, b.0, accuracy: 1e-6)
        XCTAssertEqual(a.2, b.2, accuracy: 1e-6)
    }

    func testMalformedEXIFIsIgnoredNotFatal() throws {
        let original = try Corpus.bytes("exif6.jpg")
        guard let at = find(Array("Exif".utf8) + [0, 0], in: original) else { return XCTFail("no EXIF block") }
        let tiff = at + 6
        // Byte order invalid; IFD offset far beyond the segment; tag type not SHORT/LONG;
        // entry count running past the segment with no orientation entry.
        let patches: [[(Int, [UInt8])]] = [
            [(tiff, [0x41, 0x41])],
            [(tiff + 4, [0xFF, 0xFF, 0xFF, 0x7F])],
            [(tiff + 12, [0x07, 0x07])],
            [(tiff + 8, [0xFF, 0xFF]), (tiff + 10, [0x99, 0x99])],
        ]
        for patch in patches {
            var bytes = original
            for (offset, values) in patch { for (k, v) in values.enumerated() { bytes[offset + k] = v } }
            let image = try ImageIO.decode(bytes, source: "patched.jpg")
            XCTAssertEqual(image.width, 24, "a broken EXIF block falls back to orientation 1")
        }
    }

    func testOrientationTransformsCompose() throws {
        let image = try Corpus.image("small.png")
        // 6 (90 cw) four times, 3 twice, 2 twice, 5 twice: identity.
        var r = image
        for _ in 0..<4 { r = r.applyingEXIFOrientation(6) }
        XCTAssertEqual(r, image)
        XCTAssertEqual(image.applyingEXIFOrientation(3).applyingEXIFOrientation(3), image)
        XCTAssertEqual(image.applyingEXIFOrientation(2).applyingEXIFOrientation(2), image)
        XCTAssertEqual(image.applyingEXIFOrientation(5).applyingEXIFOrientation(5), image)
        XCTAssertEqual(image.applyingEXIFOrientation(6).applyingEXIFOrientation(8), image)
        XCTAssertEqual(image.applyingEXIFOrientation(9), image)
    }

    private func find(_ needle: [UInt8], in hay: [UInt8]) -> Int? {
        guard hay.count >= needle.count else { return nil }
        for i in 0...(hay.count - needle.count) where Array(hay[i..<(i + needle.count)]) == needle { return i }
        return nil
    }
}
