import Foundation
import XAIManifest

/// Errors raised by planning and running tasks. Each names the task or folder involved and says
/// what to do about it; failures reading or writing files are `OutputError`s.
public enum PlannerError: Error, CustomStringConvertible, Equatable {
    /// Another live process holds the output folder's lock.
    case locked(folder: String, pid: Int32?)
    /// A model, method or metric produced NaN or infinite numbers (`what`: "probabilities",
    /// "the attribution map of gradcam", ...); nothing is cached for the task.
    case nonFinite(task: String, model: String, image: String, what: String)
    /// `xai gc` found runs using the cache (`CacheUseLock`).
    case cacheInUse(cache: String)
    /// Two different tasks were given the same id.
    case taskIDCollision(id: String)
    /// A task names a dependency that is not in the graph.
    case unknownDependency(task: String, dependency: String)
    /// A value the experiment or a task produced cannot be used (e.g. a NaN in a map).
    case invalidValue(context: String, detail: String)
    /// A `--only` name that selects no task of the plan.
    case unmatchedSelection(name: String, suggestion: String?)

    public var description: String {
        switch self {
        case let .locked(folder, pid):
            let who = pid.map { "process \($0)" } ?? "another process"
            return "\(folder): \(who) is writing this output folder; wait for it to finish "
                + "(or stop it) and run again"
        case let .nonFinite(task, model, image, what):
            return "\(task): NaN or infinite values in \(what) for image \(image) under model \(model); "
                + "nothing is kept for this task (with --keep-going the other tasks still run)"
        case let .cacheInUse(cache):
            return "\(cache): a run is using the cache, so gc removes nothing now; "
                + "run gc again when the running `xai run` commands have finished"
        case let .unmatchedSelection(name, suggestion):
            return "--only \(name): no method instance, method, run, image, model or metric of the experiment "
                + "has this name" + (suggestion.map { "; did you mean '\($0)'?" } ?? "")
                + " (`xai plan FILE` lists the tasks)"
        case let .taskIDCollision(id):
            return "task id '\(id)' names two different tasks; give the method instances distinct names"
        case let .unknownDependency(task, dep):
            return "task '\(task)' depends on '\(dep)', which is not in the plan (add dependencies first)"
        case let .invalidValue(context, detail):
            return "\(context): \(detail)"
        }
    }
}
