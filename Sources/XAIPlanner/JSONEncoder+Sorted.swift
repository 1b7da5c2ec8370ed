import Foundation

extension JSONEncoder {
    /// Sorted keys, no escaped slashes: stable bytes for files that are compared or hashed.
    static var sorted: JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return e
    }
}
