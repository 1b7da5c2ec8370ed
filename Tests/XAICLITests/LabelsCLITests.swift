import Foundation
import XCTest

/// Issue 14, item 11: `xai predict` printed a labels file's escape sequences raw (they set the
/// terminal's title), and took a 3-line labels file for a 1000-class model.
final class LabelsCLITests: CLITestCase {
    /// A card in a scratch folder for the embedded model with `labels` as its labels file.
    private func card(labels: [String]) throws -> URL {
        let dir = try scratchRoot()
        let real = Self.repositoryRoot.appendingPathComponent("Weights")
        var card = try String(contentsOf: real.appendingPathComponent("efficientnet-lite0.yaml"), encoding: .utf8)
        card = card.replacingOccurrences(of: "file: efficientnet-lite0.onnx", with: "file: Weights/efficientnet-lite0.onnx")
            .replacingOccurrences(of: "labels: imagenet-classes.txt", with: "labels: labels.txt")
        try card.write(to: dir.appendingPathComponent("card.yaml"), atomically: true, encoding: .utf8)
        try labels.joined(separator: "\n").write(to: dir.appendingPathComponent("labels.txt"), atomically: true, encoding: .utf8)
        return dir
    }

    func testControlCharactersInLabelsNeverReachTheTerminal() throws {
        var labels = (0..<1000).map { "class \($0)" }
        labels[967] = "espresso\u{1B}]0;pwned\u{07}\u{1B}[2J"
        let dir = try card(labels: labels)
        let r = try xai(["predict", "--model", "card.yaml", "--top", "1", "Experiments/images/coffee.png"], in: dir)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertFalse(r.stdout.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x07 }, r.stdout)
        XCTAssertTrue(r.stdout.contains("espresso\\u{1B}]0;pwned\\u{7}\\u{1B}[2J (967)"), r.stdout)
    }

    func testLabelsFileMustHaveOneLabelPerClass() throws {
        let dir = try card(labels: ["tench", "goldfish", "shark"])
        let r = try xai(["predict", "--model", "card.yaml", "Experiments/images/coffee.png"], in: dir)
        XCTAssertEqual(r.status, 2, r.stderr)
        XCTAssertTrue(r.stderr.contains("labels.txt:1:1: the labels file has 3 labels but model 'efficientnet-lite0' has 1000 classes"),
                      r.stderr)
        XCTAssertEqual(r.stdout, "")
    }
}
