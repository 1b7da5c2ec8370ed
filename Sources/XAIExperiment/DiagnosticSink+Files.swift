import XAICore

extension DiagnosticSink {
    /// Reports, at `location`, why `path` cannot serve as a `what` ("model file", "labels file"):
    /// missing, or there but a device, FIFO, socket or folder (said as such: `/dev/zero` named as a
    /// model is not "not found"). `shown` is the path as the user wrote it. True when it is a
    /// regular file.
    @discardableResult
    func requireRegularFile(_ path: String, _ what: String, shown: String? = nil, at location: SourceLocation) -> Bool {
        guard let problem = RegularFile.problem(at: path) else { return true }
        let display = shown ?? path
        if case .notFound = problem {
            error(location, "\(what) not found: '\(display)'")
        } else {
            error(location, "\(what) '\(display)' cannot be used: \(problem.reason)")
        }
        return false
    }
}
