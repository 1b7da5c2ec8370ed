import Foundation

/// The readable ids of an experiment's tasks; every id is built here.
///
/// Ids read `IMAGE/RUN` (`chelsea/occlusion@stride=8,window=16`), with the model inserted
/// (`IMAGE/MODEL/RUN`) when the experiment compares several, and `#2`, `#3` appended for the
/// lower ranks of `top_k`. An image's shared tasks are `IMAGE/decode` and `IMAGE/predict`; an
/// explanation's overlay and metrics append `/overlay` and `/METRIC` to its id. A joint
/// explanation over all images is `*/RUN` (`*/MODEL/RUN`): image ids never contain `*`, so it
/// cannot collide with a per-image task. Ids serve messages, `--only` and the plan state; no
/// cache key contains one.
struct TaskID {
    /// `IMAGE` or `IMAGE/MODEL`: the start of every id of one image under one model.
    let stage: String

    init(image: String, model: String, severalModels: Bool) {
        stage = severalModels ? "\(image)/\(model)" : image
    }

    var decode: String { stage + "/decode" }
    var predict: String { stage + "/predict" }

    /// The id of the per-image explanation of `run` for target `rank`.
    func explanation(run: String, rank: Int) -> String { "\(stage)/\(run)\(Self.rankSuffix(rank))" }

    /// The overlay of the explanation with id `explanation`.
    static func overlay(of explanation: String) -> String { explanation + "/overlay" }

    /// Metric `metric` (its id in the experiment) of the explanation with id `explanation`.
    static func metric(_ metric: String, of explanation: String) -> String { "\(explanation)/\(metric)" }

    /// The joint explanation of `run` over all images under `model`.
    static func joint(model: String, run: String, rank: Int, severalModels: Bool) -> String {
        "*/" + (severalModels ? "\(model)/" : "") + run + rankSuffix(rank)
    }

    private static func rankSuffix(_ rank: Int) -> String { rank > 1 ? "#\(rank)" : "" }
}
