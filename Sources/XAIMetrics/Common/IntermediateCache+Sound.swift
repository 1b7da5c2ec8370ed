import XAICore
import XAIMethods

extension IntermediateCache {
    /// The tensor stored under `key` when it has `shape` and only finite values; anything else
    /// counts as absent and is computed again (cache files are untrusted).
    func load(_ key: String, shape: [Int]) -> Tensor? {
        guard let t = load(key), t.shape == shape, t.data.allSatisfy(\.isFinite) else { return nil }
        return t
    }
}
