import ArgumentParser
import XAIBackend

struct LayersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "layers",
        abstract: "List every addressable tensor of a model with its shape (candidates for target_layer).")

    @OptionGroup var modelOptions: ModelOptions

    func run() throws {
        try reportingErrors {
            let model = try LoadedModel(spec: try LoadedModel.spec(reference: modelOptions.model,
                                                                  weightsDirectory: WeightsFolder.resolve(modelOptions.weights)))
            let tensors = model.engine.tensors
            let width = min(48, tensors.map(\.name.count).max() ?? 10)
            printOut("\(model.spec.name): \(tensors.count) tensors (per-image shapes, NCHW without the batch)")
            for t in tensors {
                let name = t.name.padding(toLength: max(width, t.name.count), withPad: " ", startingAt: 0)
                let op = model.engine.opName(of: t.name) ?? "input"
                let mark = t.name == model.spec.targetLayer ? "  <- default target_layer" : ""
                printOut("  \(name)  \(op.padding(toLength: 18, withPad: " ", startingAt: 0)) \(t.shape)\(mark)")
            }
        }
    }
}
