import Crypto
import Foundation

/// The content address of a task's results: a SHA-256 over a canonical encoding of
/// everything that determines them.
///
/// Included: the task kind, its fully resolved parameters (defaults filled in), the seed, the
/// content hashes of its input files (image bytes, model file), the keys of the tasks it
/// depends on, and the implementation version of the code that computes it. Not included:
/// file names or paths, task ids, parameter order, timestamps. So renaming an image keeps
/// its results, while changing one sweep value changes only the keys that depend on it.
public struct CacheKey: Hashable, Comparable, Codable, Sendable, CustomStringConvertible {
    /// 64 lowercase hex digits.
    public let hex: String

    public init(hex: String) { self.hex = hex }

    /// Bumped when the encoding below changes, which invalidates every cache entry.
    public static let encodingVersion = 1

    /// Computes a key.
    /// - Parameters:
    ///   - kind: task kind (e.g. "explain").
    ///   - params: fully resolved parameters; their order does not matter.
    ///   - seed: the seed for random steps, nil for deterministic tasks.
    ///   - inputs: content hashes of input files by role ("image", "model"); paths never enter.
    ///   - dependencies: keys of the tasks whose outputs this task reads (order does not matter).
    ///   - version: implementation version of the code computing the task.
    public init(kind: String, params: [String: String], seed: UInt64?, inputs: [String: String],
                dependencies: [CacheKey], version: Int) {
        var enc = CanonicalEncoding()
        enc.field("xai-cache-key", String(Self.encodingVersion))
        enc.field("kind", kind)
        enc.map("params", params)
        enc.field("seed", seed.map { String($0) } ?? "none")
        enc.map("inputs", inputs)
        enc.list("dependencies", dependencies.map(\.hex).sorted())
        enc.field("version", String(version))
        hex = ContentHash.hex(SHA256.hash(data: enc.bytes))
    }

    /// The first `n` hex digits, for messages and folder names.
    public func prefix(_ n: Int = 12) -> String { String(hex.prefix(n)) }

    public var description: String { hex }

    public static func < (a: CacheKey, b: CacheKey) -> Bool { a.hex < b.hex }

    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        let s = try c.decode(String.self)
        guard s.count == 64, s.allSatisfy({ $0.isHexDigit && !$0.isUppercase }) else {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "not a SHA-256 hex digest: \(s)")
        }
        hex = s
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(hex)
    }
}

/// An unambiguous byte encoding: every string is written as `<byte count>:<bytes>`, so no
/// choice of names or values can make two different inputs encode alike.
struct CanonicalEncoding {
    private(set) var bytes = Data()

    private mutating func string(_ s: String) {
        let utf8 = Array(s.utf8)
        bytes.append(contentsOf: Array("\(utf8.count):".utf8))
        bytes.append(contentsOf: utf8)
    }

    mutating func field(_ name: String, _ value: String) {
        string(name)
        string(value)
    }

    mutating func list(_ name: String, _ values: [String]) {
        string(name)
        string(String(values.count))
        values.forEach { string($0) }
    }

    /// Entries sorted by key (by Unicode scalars, independent of locale).
    mutating func map(_ name: String, _ values: [String: String]) {
        string(name)
        string(String(values.count))
        for k in values.keys.sorted(by: { $0.unicodeScalars.lexicographicallyPrecedes($1.unicodeScalars) }) {
            string(k)
            string(values[k]!)
        }
    }
}

/// Helpers for fully resolved parameters, kept as `[String: String]`.
public enum Params {
    /// `key=value` pairs sorted by key and joined by commas: the readable canonical form used
    /// in task ids and plan state (`stride=8,window=16`).
    public static func canonical(_ params: [String: String]) -> String {
        params.keys.sorted(by: { $0.unicodeScalars.lexicographicallyPrecedes($1.unicodeScalars) })
            .map { "\($0)=\(params[$0]!)" }.joined(separator: ",")
    }
}
