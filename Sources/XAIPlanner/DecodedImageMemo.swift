import Synchronization

/// Decoded images read back from the cache once per run. Every image is the input of hundreds
/// of tasks (about 250 each in compare-methods), and reading one meant reading, hashing
/// (SHA-256) and decoding its two arrays each time: about 1% of that run's CPU time. An entry
/// is content-addressed and its files were checked against their recorded hashes on the first
/// read, so the copy kept here is what the key names. At most `budget` floats are kept, the
/// oldest let go first, so a run over thousands of large images holds a bounded few.
final class DecodedImageMemo: Sendable {
    /// 64 Mi floats (256 MB): compare-methods' 11 images take about 5 Mi.
    static let defaultBudget = 64 << 20
    let budget: Int

    init(budget: Int = DecodedImageMemo.defaultBudget) { self.budget = budget }

    private struct State {
        var images: [CacheKey: DecodedImage] = [:]
        var order: [CacheKey] = []
        var floats = 0
    }
    private let state = Mutex(State())

    /// The decoded image of a decode task's entry, read (and checked) on first use.
    func image(_ entry: CachedEntry) throws -> DecodedImage {
        if let kept = state.withLock({ $0.images[entry.key] }) { return kept }
        let image = try DecodeEntry.read(entry)
        let size = Self.floats(image)
        state.withLock { s in
            guard s.images[entry.key] == nil, size <= budget else { return }
            while s.floats + size > budget, !s.order.isEmpty {
                let old = s.order.removeFirst()
                s.floats -= s.images.removeValue(forKey: old).map(Self.floats) ?? 0
            }
            s.images[entry.key] = image
            s.order.append(entry.key)
            s.floats += size
        }
        return image
    }

    /// The keys of the images kept, oldest first.
    var keptKeys: [CacheKey] { state.withLock { $0.order } }

    /// The floats `image` holds, counted against `budget`.
    private static func floats(_ image: DecodedImage) -> Int { image.cropped.data.count + image.input.data.count }
}
