import Foundation
import XAICore
import XAIManifest
import XAIMethods
import XAIPlanner

/// Intermediate results shared between tasks (e.g. model outputs on 1000 LIME masks), stored as
/// .npy files under `<cache>/intermediate/`. A method's key names only what determines the
/// result, so refitting with another kernel width finds the outputs of the earlier run.
/// Writes are atomic; an unreadable entry counts as absent and is recomputed.
public final class DiskIntermediateCache: IntermediateCache, @unchecked Sendable {
    public let folder: URL

    public init(cacheRoot: URL) {
        folder = cacheRoot.appendingPathComponent("intermediate", isDirectory: true)
    }

    private func url(_ key: String) -> URL {
        folder.appendingPathComponent(ContentHash.sha256(string: key) + ".npy")
    }

    public func load(_ key: String) -> Tensor? {
        try? NPY.read(url(key))
    }

    public func store(_ key: String, _ value: Tensor) {
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try? NPY.write(value, to: url(key))
    }
}
