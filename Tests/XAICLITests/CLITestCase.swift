import Foundation
import XCTest

/// Runs the built `xai` binary from the repository root, as a user would.
class CLITestCase: XCTestCase {
    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The `xai` executable next to the test bundle (same build configuration).
    static var executable: URL {
        var dir = Bundle(for: CLITestCase.self).bundleURL
        while !FileManager.default.fileExists(atPath: dir.appendingPathComponent("xai").path) && dir.path != "/" {
            dir = dir.deletingLastPathComponent()
        }
        return dir.appendingPathComponent("xai")
    }

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    func xai(_ arguments: [String], in directory: URL = CLITestCase.repositoryRoot) throws -> Result {
        let process = Process()
        process.executableURL = Self.executable
        process.arguments = arguments
        process.currentDirectoryURL = directory
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Read before waiting so a full pipe cannot block the child.
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: String(decoding: o, as: UTF8.self),
                      stderr: String(decoding: e, as: UTF8.self))
    }

    /// A scratch directory holding symlinks to the repository's Weights and Experiments, so runs
    /// write their Outputs/ there and never into the checkout.
    func scratchRoot() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("xai-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        for name in ["Weights", "Experiments"] {
            try FileManager.default.createSymbolicLink(at: dir.appendingPathComponent(name),
                                                       withDestinationURL: Self.repositoryRoot.appendingPathComponent(name))
        }
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        return dir
    }
}
