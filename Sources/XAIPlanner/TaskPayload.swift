import Foundation
import XAIExperiment

/// What one task of an experiment computes, with the typed facts the code running it reads.
///
/// `ExperimentGraph` derives each task's key parameters from the same facts when it adds the
/// task, so running a task never parses its key's strings back. A joint explain task's payload is
/// its `JointExplanation` (`ExperimentGraph.joints`).
public enum TaskPayload: Sendable, Equatable {
    case decode(DecodeTask)
    case predict(PredictTask)
    case explain(ExplainTask)
    case metric(MetricTask)
    case render(RenderTask)

    public var kind: TaskKind {
        switch self {
        case .decode: return .decode
        case .predict: return .predict
        case .explain: return .explain
        case .metric: return .metric
        case .render: return .render
        }
    }
}

/// Reads one image and prepares it as `model` expects (resize, crop, normalise).
public struct DecodeTask: Sendable, Equatable {
    public var image: ImageSpec
    public var model: ModelSpec

    /// The key parameters: the preprocessing, the only part of the model the result depends on
    /// (so models with equal preprocessing share the task).
    var keyParams: [String: String] {
        let p = model.preprocess
        var params = ["resize": "\(p.resize)", "crop": "\(p.crop)",
                      "mean": p.mean.map { "\($0)" }.joined(separator: ","),
                      "std": p.std.map { "\($0)" }.joined(separator: ",")]
        // Only a whole picture adds keys, so that centre crops keep their cached entries.
        if let fit = p.fit {
            params["fit"] = fit.rawValue
            params["size"] = p.inputSize.map(String.init).joined(separator: "x")
        }
        return params
    }
}

/// One forward pass of `model` over a decoded image.
public struct PredictTask: Sendable, Equatable {
    public var model: ModelSpec
    /// The task whose input it reads.
    public var decodeTask: String
}

/// One method run explaining one image for the class of one target rank.
public struct ExplainTask: Sendable, Equatable {
    public var image: ImageSpec
    public var model: ModelSpec
    public var run: MethodRun
    /// 1 = the top prediction (or the fixed target), 2 = the second with `top_k`, ...
    public var rank: Int
    /// The target layer the task's key names; nil for methods that use none.
    public var targetLayer: String?
    public var decodeTask: String
    public var predictTask: String
    /// Names the (model file, image) pair for intermediate results that methods share.
    public var contentKey: String
}

/// Where an explanation's files are: the entry of its explain task and, when that task is joint,
/// the image's slot in it.
public struct ExplanationSource: Sendable, Equatable {
    public var task: String
    public var slot: Int?

    /// What the tasks reading a joint explanation add to their keys: the slot, so two images with
    /// equal bytes still get their own overlay and metrics.
    var keyParams: [String: String] { slot.map { ["slot": "\($0)"] } ?? [:] }
}

/// One metric of one explanation.
public struct MetricTask: Sendable, Equatable {
    public var metric: MetricSpec
    public var image: ImageSpec
    public var model: ModelSpec
    /// The method run that made the explanation (some metrics rerun the method).
    public var run: MethodRun
    public var explanation: ExplanationSource
    public var decodeTask: String
    /// The image's prediction, whose key names the image as the model sees it.
    public var predictTask: String
}

/// The overlay of one explanation over its cropped image.
public struct RenderTask: Sendable, Equatable {
    /// The run whose display parameters (colormap, alpha) apply.
    public var run: MethodRun
    public var explanation: ExplanationSource
    public var decodeTask: String
}
