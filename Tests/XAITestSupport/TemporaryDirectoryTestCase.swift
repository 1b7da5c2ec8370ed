import Foundation
import XCTest
import XAIMetrics
import XAIExperiment

/// A fresh temporary folder per test, removed afterwards.
open class TemporaryDirectoryTestCase: XCTestCase {
    public var tmp: URL!

    override open func setUpWithError() throws {
        tmp = FileManager.default.temporaryDirectory
            .appendingPathComponent("xai-tests-\(getpid())-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
    }

    override open func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: tmp)
    }

    public static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Writes `yaml` as an experiment file in `tmp`, beside links to the repository's Weights/
    /// and Experiments/ (so it can name the embedded model and the sample images), and loads it.
    public func loadWithRepositoryFiles(_ yaml: String) throws -> Experiment {
        for name in ["Weights", "Experiments"] {
            let link = tmp.appendingPathComponent(name)
            if !FileManager.default.fileExists(atPath: link.path) {
                try FileManager.default.createSymbolicLink(
                    at: link, withDestinationURL: Self.repositoryRoot.appendingPathComponent(name))
            }
        }
        let path = tmp.appendingPathComponent("exp.yaml")
        try yaml.write(to: path, atomically: true, encoding: .utf8)
        return try ExperimentLoader.load(path: path.path, catalogue: .standard, baseDirectory: tmp.path)
    }
}

/// Bytes from a hex string (fixtures generated once with numpy).
public func bytes(hex: String) -> Data {
    var out = Data()
    var it = hex.unicodeScalars.makeIterator()
    while let a = it.next(), let b = it.next() {
        out.append(UInt8(String(a) + String(b), radix: 16)!)
    }
    return out
}

/// The pid of a process that has already exited (for stale-leftover tests).
public func deadPID() throws -> Int32 {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/bin/true")
    try p.run()
    p.waitUntilExit()
    return p.processIdentifier
}
