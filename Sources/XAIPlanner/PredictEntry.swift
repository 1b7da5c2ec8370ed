import Foundation
import XAICore
import XAIManifest

/// The cache entry of a predict task: the softmax probabilities as a 1-D .npy; no metadata.
enum PredictEntry {
    static let probabilitiesFile = "probabilities.npy"

    static func write(_ probabilities: [Float], to dir: URL) throws {
        try NPY.encode(Tensor(shape: [probabilities.count], data: probabilities))
            .write(to: dir.appendingPathComponent(probabilitiesFile))
    }

    static func read(_ e: CachedEntry) throws -> [Float] {
        try NPY.read(e.url(probabilitiesFile)).data
    }
}
