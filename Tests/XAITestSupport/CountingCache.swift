import Foundation
import XAICore
import XAIMethods

/// An in-memory `IntermediateCache` counting loads, hits and stores.
public final class CountingCache: IntermediateCache, @unchecked Sendable {
    private let lock = NSLock()
    private var store: [String: Tensor] = [:]
    public private(set) var hits = 0
    public private(set) var stores = 0

    public init() {}

    public var keys: [String] { lock.lock(); defer { lock.unlock() }; return Array(store.keys) }

    public func load(_ key: String) -> Tensor? {
        lock.lock(); defer { lock.unlock() }
        if let t = store[key] { hits += 1; return t }
        return nil
    }

    public func store(_ key: String, _ value: Tensor) {
        lock.lock(); defer { lock.unlock() }
        stores += 1
        store[key] = value
    }

    /// Puts `value` under `key` without counting it as a store (a result left by an earlier run).
    public func plant(_ key: String, _ value: Tensor) {
        lock.lock(); defer { lock.unlock() }
        store[key] = value
    }
}
