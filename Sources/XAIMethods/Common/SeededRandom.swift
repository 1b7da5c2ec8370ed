import Foundation
import XAICore

/// Deterministic pseudo-random numbers for every random step of a method (noise, masks,
/// initialisations): xoshiro256** seeded through SplitMix64, so a 64-bit seed fully determines
/// the stream on every platform. Not cryptographic.
public struct SeededRandom: RandomNumberGenerator, Sendable {
    private var s0: UInt64, s1: UInt64, s2: UInt64, s3: UInt64
    /// A cached second normal deviate from the last Box-Muller pair.
    private var spareNormal: Double?

    /// A generator whose stream depends only on `seed`.
    public init(seed: UInt64) {
        var sm = SplitMix64(seed: seed)
        s0 = sm.next(); s1 = sm.next(); s2 = sm.next(); s3 = sm.next()
    }

    /// An independent generator for sub-task `stream` of the same seed (e.g. one per sample),
    /// so results do not depend on the order in which sub-tasks draw numbers.
    public init(seed: UInt64, stream: UInt64) {
        self.init(seed: seed ^ (stream &* 0xD1B5_4A32_D192_ED03) &+ 0x632B_E59B_D9B4_E019)
    }

    @inline(__always)
    private static func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    public mutating func next() -> UInt64 {
        let result = SeededRandom.rotl(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3
        s2 ^= t
        s3 = SeededRandom.rotl(s3, 45)
        return result
    }

    /// Uniform in [0, 1) with 53 random bits.
    public mutating func nextDouble() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// Uniform in [0, 1).
    public mutating func nextFloat() -> Float {
        Float(next() >> 40) * 0x1.0p-24
    }

    /// Uniform in [lo, hi).
    public mutating func uniform(_ lo: Double, _ hi: Double) -> Double {
        lo + (hi - lo) * nextDouble()
    }

    /// Uniform integer in 0..<n (n > 0), without modulo bias.
    public mutating func int(below n: Int) -> Int {
        precondition(n > 0, "SeededRandom.int(below:) needs n > 0")
        return Int(next(upperBound: UInt64(n)))
    }

    /// True with probability `p`.
    public mutating func bernoulli(_ p: Double) -> Bool { nextDouble() < p }

    /// A standard normal deviate (Box-Muller; the second value of each pair is kept for the next call).
    public mutating func normal() -> Double {
        if let s = spareNormal {
            spareNormal = nil
            return s
        }
        var u = nextDouble()
        while u <= Double.leastNormalMagnitude { u = nextDouble() }
        let v = nextDouble()
        let r = (-2 * log(u)).squareRoot()
        spareNormal = r * sin(2 * Double.pi * v)
        return r * cos(2 * Double.pi * v)
    }

    /// `count` normal deviates with mean `mean` and standard deviation `std`, as Float.
    public mutating func normals(_ count: Int, mean: Float = 0, std: Float = 1) -> [Float] {
        (0..<count).map { _ in mean + std * Float(normal()) }
    }

    /// `count` uniform values in [lo, hi), as Float.
    public mutating func uniforms(_ count: Int, _ lo: Float = 0, _ hi: Float = 1) -> [Float] {
        (0..<count).map { _ in lo + (hi - lo) * nextFloat() }
    }

    /// A uniformly random permutation of 0..<n (Fisher-Yates).
    public mutating func permutation(_ n: Int) -> [Int] {
        var p = Array(0..<n)
        if n < 2 { return p }
        for i in stride(from: n - 1, to: 0, by: -1) {
            p.swapAt(i, int(below: i + 1))
        }
        return p
    }
}
