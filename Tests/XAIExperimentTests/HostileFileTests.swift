import Foundation
import XCTest
import XAIMetrics
@testable import XAIExperiment
import XAICore

/// Issue 14: experiment files that wrote outside Outputs/ (item 1), crashed (item 7), hung
/// (item 8), planned without bound (item 5) or printed too much (item 11).
final class HostileFileTests: XCTestCase {
    /// Item 1: a card's `name:` became a path component (`inputs/<image>/<card name>.png`).
    func testNamesThatBecomeFileNamesAreValidatedWhereTheyAreWritten() throws {
        let fx = try Fixture()
        try fx.write("Weights/evil.yaml", "name: ../../../../x\nfile: tiny.onnx\npreprocess: {resize: 40, crop: 32, mean: [0, 0, 0], std: [1, 1, 1]}\n")
        let card = try fx.diagnostics(minimalYAML.replacingOccurrences(of: "model: tiny", with: "model: evil"))
        XCTAssertEqual(card.map(short), ["evil.yaml:1:7: the model card's `name`: '../../../../x' contains '/' at character 3; "
                                         + "a name that becomes a file name must be \(PathComponentError.rule)"])
        let inline = try fx.diagnostics(minimalYAML.replacingOccurrences(of: "model: tiny", with: "models: [{card: tiny, name: \"a\\u0007b\"}]"))
        XCTAssertEqual(inline.map(short), ["exp.yaml:2:29: a model `name`: 'a\\u{7}b' contains '\\u{7}' at character 2; "
                                           + "a name that becomes a file name must be \(PathComponentError.rule)"])
        let instance = try fx.diagnostics(minimalYAML.replacingOccurrences(of: "gradcam: {}", with: "\"../g\": {method: gradcam}"))
        XCTAssertEqual(instance.map(short), ["exp.yaml:5:3: method instance name: '../g' contains '/' at character 3; "
                                             + "a name that becomes a file name must be \(PathComponentError.rule)"])
        let sweep = try fx.diagnostics(minimalYAML + "\nsweep: {gradcam.target_layer: [head, ../../x]}\n")
        XCTAssertEqual(sweep.map(short), ["exp.yaml:6:38: sweep gradcam.target_layer: the value: '../../x' contains '/' at character 3; "
                                          + "a name that becomes a file name must be \(PathComponentError.rule)"])
        // Image stems are made valid, never refused: `...png` has the stem `..`.
        try fx.write("odd/...png", "x")
        try fx.write("odd/-rf.png", "x")
        let e = try fx.load(minimalYAML.replacingOccurrences(of: "[images/a.png]", with: "[odd/...png, odd/-rf.png]"))
        XCTAssertEqual(e.images.map(\.id), ["_..", "_-rf"])
        for id in e.images.map(\.id) { XCTAssertNoThrow(try PathComponent(id)) }
    }

    /// Item 7: `images: a` and `extends: q` crashed in NSString path arithmetic.
    func testOneCharacterPathsGiveErrorsNotCrashes() throws {
        let fx = try Fixture()
        let previous = FileManager.default.currentDirectoryPath
        XCTAssertTrue(FileManager.default.changeCurrentDirectoryPath(fx.root))
        defer { FileManager.default.changeCurrentDirectoryPath(previous) }
        try fx.write("q", "extends: r\nname: q\n")
        try fx.write("r", minimalYAML.replacingOccurrences(of: "[images/a.png]", with: "a"))
        do {
            _ = try ExperimentLoader.load(path: "q", catalogue: .standard)
            XCTFail("missing image accepted")
        } catch let e as ExperimentError {
            XCTAssertEqual(e.diagnostics.map(short), ["r:3:9: image not found: 'a'"])
        }
        try fx.write("a", "x")
        XCTAssertThrowsError(try ExperimentLoader.load(path: "q", catalogue: .standard)) { e in
            XCTAssertEqual((e as? ExperimentError)?.diagnostics.map(short), ["r:3:9: 'a' is not a PNG or JPEG file (expected .png, .jpg or .jpeg)"])
        }
    }

    /// Item 8: a glob through symbolic-link loops listed 2^32 paths.
    func testGlobThroughSymbolicLinkLoopsEnds() throws {
        let fx = try Fixture()
        for (link, target) in [("images/loop", "."), ("images/up", ".."), ("images/sub/back", "..")] {
            try FileManager.default.createSymbolicLink(atPath: fx.path(link), withDestinationPath: target)
        }
        let e = try fx.load(minimalYAML.replacingOccurrences(of: "[images/a.png]", with: "[\"images/**/*.png\"]"))
        // `up` leads to the fixture root, so its other/a.png and masks/a.png are found once each.
        XCTAssertEqual(e.images.map(\.id), ["a", "b", "a-2", "a-3"])
        let all = try Glob.expand(fx.path("images/**/*"))
        XCTAssertEqual(Set(all.map { PathUtil.canonical($0) }).count, all.count, "each file once: \(all)")
    }

    /// Item 8: each file extending the next one twice made 2^levels paths.
    func testExtendsDiamondIsReadOncePerFile() throws {
        let fx = try Fixture()
        let levels = 32
        try fx.write("d\(levels).yaml", minimalYAML)
        for i in 0..<levels { try fx.write("d\(i).yaml", "extends: [d\(i + 1).yaml, d\(i + 1).yaml]\nseed: \(i)\n") }
        let e = try ExperimentLoader.load(path: fx.path("d0.yaml"), catalogue: .standard, baseDirectory: fx.root)
        XCTAssertEqual(e.seed, 0)
        XCTAssertEqual(e.sourceFiles.count, levels + 1)
    }

    /// Item 11: `extends: /etc/passwd` printed the whole file; a multi-document file was "empty".
    func testFilesThatAreNotOneMappingAreNamedAndNotEchoed() throws {
        let fx = try Fixture()
        let lines = (0..<200).map { "user\($0):x:\($0):\($0):secret:/home/u\($0):/bin/sh" }
        try fx.write("passwd", lines.joined(separator: "\n") + "\n")
        let d = try fx.diagnostics("extends: passwd\n" + minimalYAML)
        XCTAssertEqual(d.map(short), ["passwd:1:1: an experiment file must be a YAML mapping of settings (name:, images:, methods:, ...), "
                                      + "got text starting 'user0:x:0:0:secret:/home/u0:/bin/sh user...' (\(lines.joined(separator: " ").count) characters)"])
        let multi = try fx.diagnostics("---\n---\nname: a\n")
        XCTAssertEqual(multi.map(short), ["exp.yaml:3:1: a second YAML document starts here (after `---`); the file must hold one "
                                          + "document: remove the extra `---` line or split the file"])
        try FileManager.default.createSymbolicLink(atPath: fx.path("images/self.png"), withDestinationPath: "self.png")
        let loop = try fx.diagnostics(minimalYAML.replacingOccurrences(of: "[images/a.png]", with: "[images/self.png]"))
        XCTAssertEqual(loop.map(short), ["exp.yaml:3:10: 'images/self.png' is a symbolic link that leads to no file (its target is missing or it loops)"])
        try FileManager.default.createSymbolicLink(atPath: fx.path("images/zero.png"), withDestinationPath: "/dev/zero")
        let zero = try fx.diagnostics(minimalYAML.replacingOccurrences(of: "[images/a.png]", with: "[images/zero.png]"))
        XCTAssertEqual(zero.map(short), ["exp.yaml:3:10: 'images/zero.png' is not a regular file (a device, FIFO or socket); give a PNG or JPEG file"])
        let device = try fx.diagnostics("extends: /dev/zero\n")
        XCTAssertEqual(device.map(short), ["exp.yaml:1:10: /dev/zero: cannot be read (it is a character device such as /dev/zero, "
                                           + "not a regular file); give a regular file you may read"])
    }

    /// Item 5: five `range` axes overflowed the point count; huge plans were allocated before
    /// any check; an out-of-range `range` gave one error per value.
    func testPlanSizesAreCountedWithoutOverflowAndCappedBeforeAllocation() throws {
        let fx = try Fixture()
        let axes = ["kernel_size", "max_dist", "compactness", "scale", "sigma"]
            .map { "lime.\($0): {range: [0.001, 10, 0.001]}" }.joined(separator: ", ")
        let overflow = try fx.diagnostics(minimalYAML.replacingOccurrences(of: "gradcam: {}", with: "lime: {}") + "\nsweep: {\(axes)}\n")
        XCTAssertEqual(overflow.count, 1, overflow.map(short).joined(separator: "\n"))
        XCTAssertTrue(overflow.first?.message.hasPrefix("the sweep of 'lime' has more than \(Int.max) points (kernel_size 9999 x max_dist 9999") ?? false,
                      overflow.first?.message ?? "")

        // 3 images x 1 model x (2 + 5000 runs x (2 + 1 metric)) = 45,006 tasks.
        let body = minimalYAML.replacingOccurrences(of: "[images/a.png]", with: "[images/a.png, images/b.png, other/a.png]")
            .replacingOccurrences(of: "gradcam: {}", with: "occlusion: {}") + "\nmetrics: [deletion]\nsweep: {occlusion.window: {range: [1, 101]}, occlusion.stride: {range: [1, 51]}}\n"
        XCTAssertEqual(try fx.load(body).runs.count, 5000)
        let capped = try fx.diagnostics(body + "max_tasks: 45005\n")
        XCTAssertEqual(capped.map(short), ["exp.yaml:8:12: the experiment would make 45006 tasks (3 image(s) x 1 model(s) x "
                                           + "(2 + 5000 run(s) x top_k 1 x (2 + 1 metric(s))); most runs: 'occlusion' 5000), over the limit "
                                           + "max_tasks: 45005. Sweep fewer values, or raise `max_tasks:` if the machine can take it"])
        XCTAssertEqual(try fx.load(body + "max_tasks: 45006\n").maxTasks, 45006)
        // The default limit holds without `max_tasks:` (1000 instances x 10,000 values crashed).
        let many = (0..<20).map { "o\($0): {method: occlusion}" }.joined(separator: ", ")
        let sweeps = (0..<20).map { "o\($0).window: {range: [1, 3001]}" }.joined(separator: ", ")
        let big = try fx.diagnostics("name: big\nmodel: tiny\nimages: [images/a.png]\nmethods: {\(many)}\nsweep: {\(sweeps)}\n")
        XCTAssertEqual(big.count, 1)
        XCTAssertTrue(big.first?.message.contains("120002 tasks") == true && big.first?.message.contains("max_tasks: 100000") == true, big.first?.message ?? "")

        let outOfRange = try fx.diagnostics(minimalYAML.replacingOccurrences(of: "gradcam: {}", with: "occlusion: {}")
                                            + "\nsweep: {occlusion.window: {range: [4000, 9000]}}\n")
        XCTAssertEqual(outOfRange.count, 1, outOfRange.map(short).joined(separator: "\n"))
        XCTAssertEqual(outOfRange.first?.message, "sweep occlusion.window: 4097 is out of range; expected an integer [1, 4096]")
    }
}
