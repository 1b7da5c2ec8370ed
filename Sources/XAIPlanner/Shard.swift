import Foundation

/// One of N parts of a plan (`xai run FILE --shard K/N`): K is 1-based.
public struct Shard: Sendable, Equatable, CustomStringConvertible {
    /// 1...count.
    public let index: Int
    public let count: Int

    /// The most parts a plan is split into: far more than any cluster runs at once for one experiment.
    public static let maxCount = 100_000

    /// - Throws: `ShardError.invalid` unless 1 <= index <= count <= `maxCount`.
    public init(index: Int, count: Int) throws {
        guard count >= 1, count <= Self.maxCount, index >= 1, index <= count else {
            throw ShardError.invalid(text: "\(index)/\(count)")
        }
        self.index = index
        self.count = count
    }

    /// Parses `K/N`, e.g. `2/3`.
    /// - Throws: `ShardError.invalid` for anything else.
    public init(parsing text: String) throws {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, parts.allSatisfy({ !$0.isEmpty && $0.utf8.allSatisfy { (48...57).contains($0) } && $0.count <= 6 }),
              let k = Int(parts[0]), let n = Int(parts[1]) else {
            throw ShardError.invalid(text: text)
        }
        try self.init(index: k, count: n)
    }

    public var description: String { "\(index)/\(count)" }
}

/// A `--shard` value that names no part of a plan.
public enum ShardError: Error, Equatable, CustomStringConvertible {
    case invalid(text: String)

    public var description: String {
        switch self {
        case let .invalid(text):
            return "--shard '\(text)': expected K/N with 1 <= K <= N <= \(Shard.maxCount), e.g. --shard 2/3"
        }
    }
}
