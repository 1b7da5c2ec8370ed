import XCTest
import XAICore
@testable import XAIImaging

/// Seeded mutation fuzzing of the PNG and JPEG decoders over the corpus: every mutated
/// input must either decode or throw an `ImageError`; a crash fails the whole run.
final class FuzzTests: XCTestCase {
    func testMutatedCorpusNeverCrashes() throws {
        let seeds = ["small.png", "interlaced.png", "palette_trns.png", "gray16.png", "rgb16.png", "gray1.png",
                     "small.jpg", "progressive.jpg", "gray.jpg", "cmyk.jpg", "exif6.jpg"]
        var rng = SplitMix64(seed: 0xC0FFEE)
        var decoded = 0, rejected = 0
        var kinds: [String: Int] = [:]
        let limits = ImageLimits(maxSide: 4096, maxPixels: 4_000_000)
        for name in seeds {
            let original = try Corpus.bytes(name)
            for _ in 0..<300 {
                var bytes = original
                switch rng.next() % 5 {
                case 0: // flip a few random bits
                    for _ in 0..<(1 + Int(rng.next() % 4)) {
                        let i = Int(rng.next() % UInt64(bytes.count))
                        bytes[i] ^= UInt8(1 << (rng.next() % 8))
                    }
                case 1: // overwrite a byte with an interesting value
                    let i = Int(rng.next() % UInt64(bytes.count))
                    bytes[i] = [0x00, 0xFF, 0x7F, 0x80, 0x01][Int(rng.next() % 5)]
                case 2: // truncate
                    bytes = Array(bytes[0..<Int(rng.next() % UInt64(bytes.count))])
                case 3: // duplicate or delete a span
                    let i = Int(rng.next() % UInt64(bytes.count))
                    let n = min(Int(rng.next() % 64), bytes.count - i)
                    if rng.next() % 2 == 0 { bytes.insert(contentsOf: bytes[i..<(i + n)], at: i) } else { bytes.removeSubrange(i..<(i + n)) }
                default: // damage the header region, where sizes and tables live
                    let i = Int(rng.next() % UInt64(min(bytes.count, 200)))
                    bytes[i] = UInt8(truncatingIfNeeded: rng.next())
                }
                do {
                    let image = try ImageIO.decode(bytes, source: name, limits: limits)
                    XCTAssertEqual(image.pixels.count, 3 * image.width * image.height)
                    decoded += 1
                } catch let e as ImageError {
                    rejected += 1
                    kinds[String("\(e)".split(separator: "(").first ?? ""), default: 0] += 1
                }
            }
        }
        print("fuzz: \(decoded + rejected) mutations, \(decoded) decoded, \(rejected) rejected with ImageError")
        XCTAssertEqual(decoded + rejected, seeds.count * 300)
        XCTAssertGreaterThan(rejected, 0)
        XCTAssertGreaterThan(decoded, 0)
    }
}
