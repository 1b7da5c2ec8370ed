import Foundation
import XCTest
@testable import XAIImaging

final class ErrorTests: XCTestCase {
    private func decodeError(_ bytes: [UInt8], _ source: String = "x.img", limits: ImageLimits = .default) -> ImageError? {
        do {
            _ = try ImageIO.decode(bytes, source: source, limits: limits)
            return nil
        } catch let e as ImageError {
            XCTAssertTrue(e.description.contains(source), "message names the source: \(e)")
            return e
        } catch {
            XCTFail("unexpected \(error)")
            return nil
        }
    }

    func testMissingDirectoryEmptyAndNonImageFiles() throws {
        XCTAssertThrowsError(try ImageIO.read(contentsOf: "/no/such/cat.png")) { e in
            XCTAssertEqual(e as? ImageError, .fileNotFound(path: "/no/such/cat.png"))
            XCTAssertTrue("\(e)".contains("/no/such/cat.png"))
        }
        XCTAssertThrowsError(try ImageIO.read(contentsOf: Corpus.directory)) { e in
            guard case ImageError.unreadable(let p, _) = e else { return XCTFail("\(e)") }
            XCTAssertEqual(p, Corpus.directory)
        }
        guard case .notAnImage = decodeError([]) else { return XCTFail("empty") }
        guard case .notAnImage = decodeError(Array("hello, this is text\n".utf8), "notes.png") else { return XCTFail("text") }
        guard case .unsupportedFormat(_, "GIF") = decodeError(Array("GIF89a....".utf8), "anim.gif") else { return XCTFail("gif") }
        // A PNG renamed .jpg is still decoded: format comes from the bytes.
        XCTAssertNoThrow(try ImageIO.decode(Corpus.bytes("small.png"), source: "misnamed.jpg"))
    }

    func testTruncatedFiles() throws {
        for name in ["small.png", "small.jpg", "progressive.jpg", "interlaced.png"] {
            let bytes = try Corpus.bytes(name)
            for cut in [4, 20, bytes.count / 3, bytes.count / 2, bytes.count - 20] {
                let e = decodeError(Array(bytes[0..<cut]), name)
                guard case .truncated = e else {
                    return XCTFail("\(name) cut at \(cut)/\(bytes.count): \(String(describing: e))")
                }
            }
        }
    }

    func testEveryCutBeforeTheTrailerIsReportedTruncated() throws {
        // trailer: JPEG EOI (2 bytes), PNG IEND chunk (12 bytes); cutting inside it loses no pixel.
        for (name, trailer) in [("small.jpg", 2), ("progressive.jpg", 0), ("small.png", 12), ("interlaced.png", 12)] {
            let bytes = try Corpus.bytes(name)
            var wrong: [Int] = []
            for cut in 1..<(bytes.count - trailer) {
                do {
                    _ = try ImageIO.decode(Array(bytes[0..<cut]), source: name)
                    wrong.append(cut)
                } catch ImageError.truncated {
                } catch {
                    wrong.append(cut)
                }
            }
            XCTAssertEqual(wrong, [], "\(name): cuts not reported as truncated")
        }
    }

    func testMissingTrailerStillDecodes() throws {
        // Every pixel is present; only the end marker (JPEG EOI, PNG IEND chunk) is missing.
        let jpeg = try Corpus.bytes("small.jpg")
        XCTAssertEqual(try ImageIO.decode(Array(jpeg.dropLast(2)), source: "no-eoi.jpg"), try Corpus.image("small.jpg"))
        let png = try Corpus.bytes("small.png")
        XCTAssertEqual(try ImageIO.decode(Array(png.dropLast(12)), source: "no-iend.png"), try Corpus.image("small.png"))
    }

    func testCorruptData() throws {
        var png = try Corpus.bytes("small.png")
        for i in 40..<min(png.count - 20, 400) { png[i] ^= 0x5A } // inside IDAT: checksum / zlib errors
        guard case .corrupt(_, let detail) = decodeError(png, "broken.png") else { return XCTFail("png") }
        print("corrupt PNG: \(detail)")
        var jpeg = try Corpus.bytes("small.jpg")
        guard let sof = (2..<(jpeg.count - 9)).first(where: { jpeg[$0] == 0xFF && jpeg[$0 + 1] == 0xC0 }) else {
            return XCTFail("no SOF0")
        }
        jpeg[sof + 4] = 5 // sample precision 5 bits: invalid
        guard case .corrupt(_, let jdetail) = decodeError(jpeg, "broken.jpg") else { return XCTFail("jpeg") }
        print("corrupt JPEG: \(jdetail)")
    }

    func testOversizedHeadersAreRejectedBeforeAllocation() throws {
        // PNG: 100000 x 100000 declared in IHDR (checked before libpng allocates rows).
        var png = try Corpus.bytes("small.png")
        png.replaceSubrange(16..<24, with: [0, 1, 0x86, 0xA0, 0, 1, 0x86, 0xA0])
        guard case .tooLarge(_, let detail) = decodeError(png, "huge.png") else { return XCTFail("png") }
        XCTAssertTrue(detail.contains("100000x100000"), detail)
        // JPEG: 60000 x 60000 in the SOF marker.
        var jpeg = try Corpus.bytes("small.jpg")
        guard let sof = (2..<(jpeg.count - 9)).first(where: { jpeg[$0] == 0xFF && (jpeg[$0 + 1] == 0xC0 || jpeg[$0 + 1] == 0xC2) }) else {
            return XCTFail("no SOF")
        }
        jpeg.replaceSubrange((sof + 5)..<(sof + 9), with: [0xEA, 0x60, 0xEA, 0x60])
        guard case .tooLarge = decodeError(jpeg, "huge.jpg") else { return XCTFail("jpeg") }
        // Caller limits apply too.
        let small = ImageLimits(maxSide: 16384, maxPixels: 100)
        guard case .tooLarge = decodeError(try Corpus.bytes("small.jpg"), "limited.jpg", limits: small) else {
            return XCTFail("limits")
        }
    }

    func testDescriptionsTellWhatToDo() {
        let e = ImageError.truncated(source: "a.png", detail: "x")
        XCTAssertTrue(e.description.hasPrefix("a.png:"))
        XCTAssertTrue(ImageError.notAnImage(source: "b", detail: "y").description.contains("PNG or JPEG"))
    }
}
