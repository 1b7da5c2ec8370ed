/// SplitMix64 (Steele, Lea & Flood 2014): a tiny seeded generator whose sequence is the same on
/// every platform. Used where a stream must be reproducible from a 64-bit seed alone: bootstrap
/// resamples, tie-breaking noise, random test weights and the seeding of `SeededRandom`.
/// Not cryptographic.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    /// The golden-ratio increment added to the state before every output.
    public static let increment: UInt64 = 0x9E37_79B9_7F4A_7C15

    private var state: UInt64

    /// A generator whose first output mixes `seed + increment`.
    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= Self.increment
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1) from the top 53 bits of one output.
    public mutating func nextDouble() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    /// Uniform in 0..<n (n > 0) by rejection and remainder, so without modulo bias. Differs
    /// from the standard library's `next(upperBound:)`, which maps outputs another way.
    public mutating func index(below n: Int) -> Int {
        precondition(n > 0, "SplitMix64.index(below:) needs n > 0")
        let bound = UInt64(n)
        let limit = UInt64.max - UInt64.max % bound
        while true {
            let x = next()
            if x < limit { return Int(x % bound) }
        }
    }

    /// FNV-1a hash of `s`, to derive a seed from a base seed and a name.
    public static func hash(_ s: String) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for b in s.utf8 { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
        return h
    }
}
