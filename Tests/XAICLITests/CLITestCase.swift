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
        try run(Self.executable, arguments, in: directory)
    }

    /// Runs `executable` to its end, collecting both outputs.
    func run(_ executable: URL, _ arguments: [String], in directory: URL) throws -> Result {
        let process = Process()
        process.executableURL = executable
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

    /// Grad-CAM and saliency on the three sample images with the embedded model: six explanations.
    static func smallExperiment(name: String) -> String {
        """
        schema: 1
        name: \(name)
        model: efficientnet-lite0
        images: [Experiments/images/chelsea.png, Experiments/images/coffee.png, Experiments/images/rocket.jpg]
        methods:
          gradcam: {}
          saliency: {}
        """
    }

    /// A `scratchRoot()` with `experiment` written to `exp.yaml`.
    func scratch(experiment: String) throws -> URL {
        let dir = try scratchRoot()
        try experiment.write(to: dir.appendingPathComponent("exp.yaml"), atomically: true, encoding: .utf8)
        return dir
    }
}
