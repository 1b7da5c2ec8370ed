import ArgumentParser
import XAIBackend

struct LayersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "layers",
        abstract: "List every addressable tensor of a model with its shape and module; mark the suggested CAM target.")

    @OptionGroup var modelOptions: ModelOptions

    func run() throws {
        try reportingErrors {
            let model = try LoadedModel(spec: try LoadedModel.spec(reference: modelOptions.model,
                                                                  weightsDirectory: WeightsFolder.resolve(modelOptions.weights)))
            let tensors = model.engine.tensors
            let width = min(48, tensors.map(\.name.count).max() ?? 10)
            let suggested = model.suggestedTargetLayer
            printOut("\(model.spec.name): \(tensors.count) tensors (per-image shapes, NCHW without the batch; "
                + "module: where the exporter recorded it)")
            for t in tensors {
                let name = t.name.padding(toLength: max(width, t.name.count), withPad: " ", startingAt: 0)
                let op = model.engine.opName(of: t.name) ?? "input"
                let shape = "\(t.shape)".padding(toLength: 16, withPad: " ", startingAt: 0)
                var marks: [String] = []
                if t.name == model.spec.targetLayer { marks.append("default target_layer (card)") }
                if t.name == suggested { marks.append("suggested CAM target") }
                let module = model.modulePath(of: t.name) ?? ""
                let line = "  \(name)  \(op.padding(toLength: 18, withPad: " ", startingAt: 0)) \(shape) \(module)"
                printOut(marks.isEmpty ? line : line + "  <- " + marks.joined(separator: ", "))
            }
            if let suggested {
                let module = model.modulePath(of: suggested).map { " (\($0))" } ?? ""
                printOut("suggested target_layer: \(suggested)\(module), the last spatial activation before global pooling; "
                    + "experiments that name no target_layer use \(model.spec.targetLayer == nil ? "it" : "the card's")")
            } else {
                printOut("no suggested target_layer: no spatial activation reaches the output")
            }
        }
    }
}
