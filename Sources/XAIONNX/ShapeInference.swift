import XAIEngine

/// A shape rule was violated; the importer wraps the message with op, node and file.
struct ShapeProblem: Error {
    let message: String
    init(_ message: String) { self.message = message }
}

/// Output shapes of the graph IR's operators over symbolic shapes (batch left open), by the
/// engine's own rules (`Op.outputShape`). The importer needs them to fold `Shape` nodes,
/// resolve auto_pad and rewrite Squeeze/Unsqueeze on run-time tensors.
enum ShapeInference {
    static func output(of op: Op, inputs: [[Dim]]) throws -> [Dim] {
        do {
            return try op.outputShape(inputs)
        } catch let issue as ShapeIssue {
            throw ShapeProblem(issue.detail)
        }
    }
}
