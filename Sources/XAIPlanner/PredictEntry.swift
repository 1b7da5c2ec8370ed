import Foundation
import XAICore
import XAIManifest

/// The cache entry of a predict task: the softmax probabilities as a 1-D .npy; no metadata.
enum PredictEntry {
    static let probabilitiesFile = "probabilities.npy"

    static func write(_ probabilities: [Float], to dir: URL) throws {
        try AtomicFile.write(NPY.encode(Tensor(shape: [probabilities.count], data: probabilities)),
                             to: dir.appendingPathComponent(probabilitiesFile))
    }

    /// The probabilities: a non-empty 1-D array of finite values, else `CacheDamage`.
    static func read(_ e: CachedEntry) throws -> [Float] {
        let p = try e.array(probabilitiesFile, finite: true)
        guard p.rank == 1, p.count > 0 else {
            throw CacheDamage.invalid(file: probabilitiesFile, detail: "shape \(p.shape) is not a list of probabilities")
        }
        return p.data
    }
}
