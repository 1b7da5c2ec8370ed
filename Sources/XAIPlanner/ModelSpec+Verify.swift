import Foundation
import XAIExperiment

extension ModelSpec {
    /// Checks the model file's SHA-256 against the one its card states (if any), so a damaged
    /// or swapped weights file is an error rather than silently different explanations.
    public func verify(sha256 actual: String) throws {
        guard let expected = sha256, expected.lowercased() != actual.lowercased() else { return }
        throw PlannerError.invalidValue(context: path, detail: "its SHA-256 is \(actual) but the model card says \(expected); "
            + "the file is damaged or was replaced: restore it (e.g. `git checkout -- \(path)`) or update the card's sha256")
    }
}
