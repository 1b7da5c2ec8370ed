import XCTest
@testable import XAIPlanner

final class CacheKeyTests: XCTestCase {
    let base = (kind: "explain", params: ["window": "16", "stride": "8", "value": "gray"], seed: UInt64(0),
                inputs: ["image": String(repeating: "a", count: 64), "model": String(repeating: "b", count: 64)],
                version: 1)

    func key(kind: String? = nil, params: [String: String]? = nil, seed: UInt64?? = nil,
             inputs: [String: String]? = nil, deps: [CacheKey] = [], version: Int? = nil) -> CacheKey {
        CacheKey(kind: kind ?? base.kind, params: params ?? base.params, seed: seed ?? base.seed,
                 inputs: inputs ?? base.inputs, dependencies: deps, version: version ?? base.version)
    }

    func testDeterministicAndOrderIndependent() {
        let a = key()
        XCTAssertEqual(a.hex.count, 64)
        // Same dictionary built in another order.
        var p = [String: String]()
        for k in ["value", "stride", "window"] { p[k] = base.params[k] }
        XCTAssertEqual(key(params: p), a)
        let d1 = key(kind: "decode"), d2 = key(kind: "predict")
        XCTAssertEqual(key(deps: [d1, d2]), key(deps: [d2, d1]))
        // Pinned (computed independently with Python's hashlib over the documented encoding) so an
        // accidental change of the encoding, which silently invalidates every cache, shows up.
        let pinned = CacheKey(kind: "decode", params: ["resize": "224"], seed: nil, inputs: ["image": "00"],
                              dependencies: [], version: 1)
        XCTAssertEqual(pinned.hex, "5e0ce2699518289572156f3f5580df66778f42556bbf42f5b91587ca3d4d5874")
    }

    func testEverythingThatDeterminesResultsChangesTheKey() {
        let a = key()
        var changed = [CacheKey]()
        changed.append(key(kind: "metric"))
        var p = base.params; p["window"] = "24"; changed.append(key(params: p))
        p = base.params; p["extra"] = "1"; changed.append(key(params: p))
        changed.append(key(seed: .some(1)))
        changed.append(key(seed: .some(nil)))
        var i = base.inputs; i["image"] = String(repeating: "c", count: 64); changed.append(key(inputs: i))
        i = base.inputs; i["model"] = String(repeating: "d", count: 64); changed.append(key(inputs: i))
        changed.append(key(deps: [key(kind: "predict")]))
        changed.append(key(version: 2))
        XCTAssertEqual(Set(changed + [a]).count, changed.count + 1, "every change gives a distinct key")
    }

    func testEncodingIsUnambiguous() {
        // Without length prefixes these two would concatenate alike.
        XCTAssertNotEqual(key(params: ["a": "b=c"]), key(params: ["a=b": "c"]))
        XCTAssertNotEqual(key(params: ["ab": "c"]), key(params: ["a": "bc"]))
        // Swapping the roles of inputs matters.
        XCTAssertNotEqual(key(inputs: ["image": "x", "model": "y"]), key(inputs: ["image": "y", "model": "x"]))
    }

    func testFileNamesDoNotEnterTheKey() throws {
        // A renamed copy of an image has the same content hash, hence the same key.
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("xai-key-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let a = dir.appendingPathComponent("chelsea.png"), b = dir.appendingPathComponent("renamed/cat.png")
        try Data([1, 2, 3, 4]).write(to: a)
        try FileManager.default.createDirectory(at: b.deletingLastPathComponent(), withIntermediateDirectories: true)
        try FileManager.default.moveItem(at: a, to: b)
        let k1 = key(inputs: ["image": ContentHash.sha256(Data([1, 2, 3, 4]))])
        let k2 = key(inputs: ["image": try ContentHash.sha256(file: b)])
        XCTAssertEqual(k1, k2)
    }

    func testCanonicalParams() {
        XCTAssertEqual(Params.canonical(["window": "16", "stride": "8"]), "stride=8,window=16")
        XCTAssertEqual(Params.canonical([:]), "")
    }

    func testCodableRejectsNonDigests() throws {
        let k = key()
        let data = try JSONEncoder().encode([k])
        XCTAssertEqual(try JSONDecoder().decode([CacheKey].self, from: data), [k])
        XCTAssertThrowsError(try JSONDecoder().decode([CacheKey].self, from: Data("[\"../../etc\"]".utf8)))
    }
}
