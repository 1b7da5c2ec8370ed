import Foundation
import XCTest

/// The layout `make install` makes: PREFIX/bin/xai finds the model cards in
/// PREFIX/share/xai/Weights when run from a folder without `Weights/`.
final class InstallCLITests: CLITestCase {
    func testInstalledBinaryFindsTheInstalledModelCards() throws {
        let prefix = try scratchRoot().appendingPathComponent("prefix")
        let bin = prefix.appendingPathComponent("bin"), share = prefix.appendingPathComponent("share/xai")
        try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: share, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: Self.executable, to: bin.appendingPathComponent("xai"))
        try FileManager.default.createSymbolicLink(at: share.appendingPathComponent("Weights"),
                                                   withDestinationURL: Self.repositoryRoot.appendingPathComponent("Weights"))
        let elsewhere = prefix.appendingPathComponent("project")
        try FileManager.default.createDirectory(at: elsewhere, withIntermediateDirectories: true)
        let chelsea = Self.repositoryRoot.appendingPathComponent("Experiments/images/chelsea.png").path

        let r = try run(bin.appendingPathComponent("xai"), ["predict", "--top", "1", chelsea], in: elsewhere)
        XCTAssertEqual(r.status, 0, r.stdout + r.stderr)
        XCTAssertTrue(r.stdout.contains("(285)") || r.stdout.contains("(281)") || r.stdout.contains("(282)"),
                      r.stdout + r.stderr)
    }

    func testCompletionScriptsAreGenerated() throws {
        for shell in ["bash", "zsh", "fish"] {
            let r = try xai(["--generate-completion-script", shell])
            XCTAssertEqual(r.status, 0, r.stderr)
            XCTAssertTrue(r.stdout.contains("xai"), shell)
            XCTAssertTrue(r.stdout.contains("predict") && r.stdout.contains("metrics"), shell)
        }
    }
}
