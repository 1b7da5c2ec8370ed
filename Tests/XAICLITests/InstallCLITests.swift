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

        let process = Process()
        process.executableURL = bin.appendingPathComponent("xai")
        process.arguments = ["predict", "--top", "1", chelsea]
        process.currentDirectoryURL = elsewhere
        let out = Pipe()
        process.standardOutput = out
        process.standardError = out
        try process.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, text)
        XCTAssertTrue(text.contains("(285)") || text.contains("(281)") || text.contains("(282)"), text)
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
