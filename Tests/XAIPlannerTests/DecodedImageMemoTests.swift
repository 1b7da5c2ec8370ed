import XCTest
import XAICore
import XAIManifest
import XAITestSupport
@testable import XAIPlanner

/// The run's memo of decoded images: what it returns is what the cache entry holds, and it keeps
/// at most its budget of floats, letting the oldest go first.
final class DecodedImageMemoTests: TemporaryDirectoryTestCase {
    /// A committed decode entry of an image of 2 x 12 floats, told apart by `seed`.
    private func entry(_ store: CacheStore, seed: Float) throws -> (CachedEntry, DecodedImage) {
        let k = CacheKey(kind: TaskKind.decode.rawValue, params: ["seed": "\(seed)"], seed: nil, inputs: [:], dependencies: [], version: 1)
        let image = DecodedImage(originalWidth: 2, originalHeight: 2,
                                 cropped: Tensor(shape: [3, 2, 2], data: (0..<12).map { Float($0) + seed }),
                                 input: Tensor(shape: [1, 3, 2, 2], data: (0..<12).map { Float($0) - seed }))
        try store.commit(k) { dir in
            CacheEntryMeta(key: k, kind: TaskKind.decode.rawValue, task: "t", params: [:],
                           info: try JSONValue(encoding: DecodeEntry.write(image, to: dir)))
        }
        return (try XCTUnwrap(store.lookup(k)), image)
    }

    func testKeepsAtMostItsBudgetOldestOutFirst() throws {
        let store = try CacheStore(outputs: tmp)
        let (a, imageA) = try entry(store, seed: 100)
        let (b, imageB) = try entry(store, seed: 200)
        let (c, _) = try entry(store, seed: 300)
        let memo = DecodedImageMemo(budget: 50)   // two images of 24 floats, not three
        XCTAssertEqual(try memo.image(a).cropped, imageA.cropped)
        XCTAssertEqual(try memo.image(b).input, imageB.input)
        XCTAssertEqual(memo.keptKeys, [a.key, b.key])
        XCTAssertEqual(try memo.image(a).cropped, imageA.cropped, "a kept image is returned again")
        XCTAssertEqual(memo.keptKeys, [a.key, b.key])
        _ = try memo.image(c)
        XCTAssertEqual(memo.keptKeys, [b.key, c.key], "the oldest goes first")
        XCTAssertEqual(try memo.image(a).input, imageA.input, "a let-go image is read from the cache again")
        XCTAssertEqual(memo.keptKeys, [c.key, a.key])

        let small = DecodedImageMemo(budget: 20)
        XCTAssertEqual(try small.image(a).cropped, imageA.cropped)
        XCTAssertEqual(small.keptKeys, [], "an image above the whole budget is returned, not kept")
    }
}
