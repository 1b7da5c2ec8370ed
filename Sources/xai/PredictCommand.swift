import ArgumentParser
import Foundation
import XAICore
import XAIEngine
import XAIImaging
import XAIBackend
import XAIExperiment

struct PredictCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict", abstract: "Print the top classes and probabilities for images.")

    @OptionGroup var modelOptions: ModelOptions
    @Option(help: "Resize the shorter side to N pixels before cropping (default: the model card's).")
    var resize: Int?
    @Option(help: "Centre crop size (default: the model card's).")
    var crop: Int?
    @Option(help: "Number of classes to print.")
    var top: Int = 5
    @Flag(help: "Print a JSON array, one object per image.")
    var json = false
    @Argument(help: "Image files (PNG or JPEG).")
    var images: [String]

    func validate() throws {
        guard top >= 1 else { throw ValidationError("--top must be at least 1") }
        guard !images.isEmpty else { throw ValidationError("give at least one image") }
    }

    func run() throws {
        try reportingErrors {
            var spec = try LoadedModel.spec(reference: modelOptions.model, weightsDirectory: WeightsFolder.resolve(modelOptions.weights))
            // Either flag states a centre crop: the model's own input size no longer decides.
            if resize != nil || crop != nil {
                let p = spec.preprocess
                spec.preprocess = PreprocessSpec(resize: resize ?? (p.fit == nil ? p.resize : crop ?? p.crop),
                                                 crop: crop ?? p.crop, mean: p.mean, std: p.std)
            }
            let model = try LoadedModel(spec: spec)
            if let note = ModelNotes.labels(model.classes, model: spec) { printError("note: \(note)") }
            var rows: [[String: Any]] = []
            // An unreadable file does not stop the others; all of them are listed at the end.
            var unreadable: [(path: String, reason: String)] = []
            for path in images {
                let input: Tensor
                do {
                    input = model.preprocess.apply(try ImageIO.read(contentsOf: path))
                } catch {
                    unreadable.append((path, "\(error)"))
                    continue
                }
                let logits = try model.engine.logits(input)
                let probs = softmax(logits).data
                let order = probs.indices.sorted { probs[$0] > probs[$1] }.prefix(top)
                if json {
                    rows.append(["image": path, "top": order.map {
                        ["index": $0, "label": model.label($0), "probability": Double(probs[$0]),
                         "logit": Double(logits.data[$0])] as [String: Any]
                    }])
                } else {
                    printOut(path)
                    for i in order {
                        printOut(String(format: "  %6.2f%%  %@ (%d)", Double(probs[i]) * 100, model.label(i), i))
                    }
                }
            }
            if json {
                let data = try JSONSerialization.data(withJSONObject: rows, options: [.prettyPrinted, .sortedKeys])
                printOut(String(decoding: data, as: UTF8.self))
            }
            if !unreadable.isEmpty {
                printError("\(unreadable.count) of \(images.count) image(s) could not be read:")
                for u in unreadable { printError("  " + (u.reason.contains(u.path) ? u.reason : "\(u.path): \(u.reason)")) }
                throw ExitCode(1)
            }
        }
    }
}
