import Foundation

/// Errors raised by the planner, the cache and the executor. Each names the file or task
/// involved and says what to do about it.
public enum PlannerError: Error, CustomStringConvertible, Equatable {
    /// A file system operation failed.
    case io(path: String, operation: String, detail: String)
    /// Another live process holds the output folder's lock.
    case locked(folder: String, pid: Int32?)
    /// A `.npy` file could not be read or written.
    case npy(path: String, detail: String)
    /// Two different tasks were given the same id.
    case taskIDCollision(id: String)
    /// A task names a dependency that is not in the graph.
    case unknownDependency(task: String, dependency: String)
    /// A cache or state file does not have the expected contents.
    case corrupt(path: String, detail: String)
    /// A value cannot be written into an output (e.g. a non-finite number in JSON).
    case invalidValue(context: String, detail: String)

    public var description: String {
        switch self {
        case let .io(path, op, detail):
            return "\(path): cannot \(op): \(detail)"
        case let .locked(folder, pid):
            let who = pid.map { "process \($0)" } ?? "another process"
            return "\(folder): \(who) is writing this output folder; wait for it to finish "
                + "(or stop it) and run again"
        case let .npy(path, detail):
            return "\(path): invalid .npy file: \(detail)"
        case let .taskIDCollision(id):
            return "task id '\(id)' names two different tasks; give the method instances distinct names"
        case let .unknownDependency(task, dep):
            return "task '\(task)' depends on '\(dep)', which is not in the plan (add dependencies first)"
        case let .corrupt(path, detail):
            return "\(path): \(detail); delete the file (it is rebuilt on the next run)"
        case let .invalidValue(context, detail):
            return "\(context): \(detail)"
        }
    }
}
