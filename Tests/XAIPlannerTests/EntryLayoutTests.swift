import XCTest
import XAICore
import XAIManifest
import XAITestSupport
@testable import XAIPlanner

/// Each task kind's entry layout reads back exactly what it wrote, through a real cache commit.
final class EntryLayoutTests: TemporaryDirectoryTestCase {
    func key(_ kind: TaskKind) -> CacheKey {
        CacheKey(kind: kind.rawValue, params: [:], seed: nil, inputs: [:], dependencies: [], version: 1)
    }

    /// Commits an entry the way the executor does: files from `write`, its metadata into `meta.json`.
    func commit(_ kind: TaskKind, _ store: CacheStore, write: (URL) throws -> (any Encodable)?) throws -> CachedEntry {
        let k = key(kind)
        try store.commit(k) { dir in
            CacheEntryMeta(key: k, kind: kind.rawValue, task: "t", params: [:],
                           info: try write(dir).map { try JSONValue(encoding: $0) })
        }
        return try XCTUnwrap(store.lookup(k))
    }

    func testDecodeEntryKeepsTheImageAndItsOriginalSize() throws {
        let store = try CacheStore(outputs: tmp)
        let image = DecodedImage(originalWidth: 451, originalHeight: 300,
                                 cropped: Tensor(shape: [3, 2, 2], data: (0..<12).map { Float($0) / 12 }),
                                 input: Tensor(shape: [1, 3, 2, 2], data: (0..<12).map { Float($0) - 6 }),
                                 preview: Data([0x89, 0x50]))
        let entry = try commit(.decode, store) { try DecodeEntry.write(image, to: $0) }
        XCTAssertEqual(entry.meta.info, .object(["height": .number(300), "width": .number(451)]))
        let back = try DecodeEntry.read(entry)
        XCTAssertEqual([back.originalWidth, back.originalHeight], [451, 300])
        print("decode entry round trip max difference: cropped \(back.cropped.maxAbsDifference(image.cropped)), "
              + "input \(back.input.maxAbsDifference(image.input))")
        XCTAssertEqual(back.cropped, image.cropped)
        XCTAssertEqual(back.input, image.input)
        XCTAssertEqual(DecodeEntry.picture(entry).fileExtension, "png")

        var unencoded = image
        unencoded.preview = nil
        let other = try commit(.decode, try CacheStore(outputs: tmp.appendingPathComponent("b"))) {
            try DecodeEntry.write(unencoded, to: $0)
        }
        XCTAssertEqual(DecodeEntry.picture(other).path, DecodeEntry.croppedFile)
    }

    func testExplainEntryInAJointSlot() throws {
        let store = try CacheStore(outputs: tmp)
        let legend = [Manifest.LegendEntry(index: 0, color: [1, 0, 0], labels: ["cat"], scores: [0.5])]
        let x = ExplanationData(map: Tensor(shape: [2, 2], data: [1, -2, 3, -4]), signed: true, scalars: ["gap": 0.25],
                                arrays: ["grid": Tensor(shape: [2], data: [5, 6])], pictures: ["concepts": Data([7])],
                                legend: legend)
        let target = Manifest.Target(index: 2, label: "cup", probability: 0.75, rank: 1)
        let entry = try commit(.explain, store) { dir in
            try ExplainEntry.write(x, target: target, to: dir, slot: 1)
            return nil
        }
        XCTAssertNil(entry.meta.info)
        XCTAssertEqual(entry.meta.files.keys.sorted(), ["images/1/arrays/grid.npy", "images/1/explanation.json", "images/1/map.npy",
                                          "images/1/pictures/concepts.png"])
        let (back, backTarget) = try ExplainEntry.read(entry, slot: 1)
        XCTAssertEqual(backTarget, target)
        XCTAssertEqual(back.map, x.map)
        XCTAssertEqual(back.arrays, x.arrays)
        XCTAssertEqual(back.pictures, x.pictures)
        XCTAssertEqual(back.legend, legend)
        XCTAssertEqual(back.scalars, x.scalars)
        XCTAssertThrowsError(try ExplainEntry.read(entry, slot: 0), "slot 0 holds nothing")
    }

    func testMetricPredictAndRenderEntries() throws {
        let store = try CacheStore(outputs: tmp)
        let value = Manifest.MetricValue(value: 0.5, x: [0, 1], y: [1, 0], extra: ["lerf": 0.25])
        XCTAssertEqual(try MetricEntry.read(commit(.metric, store) { try MetricEntry.write(value, to: $0); return nil }),
                       value)
        let p: [Float] = [0.25, 0.75]
        XCTAssertEqual(try PredictEntry.read(commit(.predict, store) { try PredictEntry.write(p, to: $0); return nil }), p)
        let scale = Manifest.Scale(colormap: "jet", lo: 0, hi: 2, signed: false, caption: "clipped")
        let rendered = try commit(.render, store) {
            try RenderEntry.write(RenderedOverlay(png: Data([1, 2]), scale: scale), to: $0)
            return nil
        }
        XCTAssertEqual(try RenderEntry.scale(rendered), scale)
        XCTAssertEqual(try RenderEntry.overlay(rendered), Data([1, 2]))
    }

    /// An entry of the first, unnumbered format (string-valued `info`) counts as absent, and the
    /// next commit under its key replaces it.
    func testEntryOfTheUnnumberedFormatCountsAsAbsent() throws {
        let store = try CacheStore(outputs: tmp)
        let k = key(.decode)
        let dir = store.directory(for: k)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try Data([1]).write(to: dir.appendingPathComponent(DecodeEntry.croppedFile))
        let old = """
        {"files": ["\(DecodeEntry.croppedFile)"], "info": {"height": "300", "width": "451"}, "key": "\(k.hex)",
         "kind": "decode", "params": {}, "seconds": 0.5, "task": "chelsea/decode"}
        """
        try Data(old.utf8).write(to: dir.appendingPathComponent("meta.json"))
        XCTAssertNil(store.lookup(k))
        let image = DecodedImage(originalWidth: 4, originalHeight: 3, cropped: Tensor(shape: [1], data: [0]),
                                 input: Tensor(shape: [1], data: [0]))
        let entry = try commit(.decode, store) { try DecodeEntry.write(image, to: $0) }
        XCTAssertEqual(entry.meta.format, CacheEntryMeta.currentFormat)
        XCTAssertEqual(try DecodeEntry.metadata(entry), DecodeEntry.Metadata(width: 4, height: 3))
    }
}
