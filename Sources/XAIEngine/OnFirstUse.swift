import Foundation

/// A value made the first time it is asked for, once, even when several threads ask together:
/// the forms of a plan's filters that only some passes need (bf16 panels, Winograd sets, W^T
/// for the input gradient), so that the others never spend their memory.
final class OnFirstUse<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value?

    /// The value, made by `make` on the first call.
    func get(_ make: () -> Value) -> Value {
        lock.lock()
        defer { lock.unlock() }
        if let value { return value }
        let made = make()
        value = made
        return made
    }
}
