import XAIImaging
@testable import XAIMethods
import XAITestSupport

extension EmbeddedModel {
    /// The explanation input of `image()`, for `target` or else the top class.
    static func input(target: Int? = nil) throws -> ExplanationInput {
        let img = image()
        let x = Preprocess.efficientNetLite0.normalize(img)
        var t = target ?? 0
        if target == nil {
            let logits = try context().engine.logits(x)
            t = logits.data.indices.max { logits.data[$0] < logits.data[$1] }!
        }
        return ExplanationInput(image: img, input: x, target: t, seed: 1, contentKey: "embedded")
    }
}
