import Foundation
import XAICore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Receives executor events. Methods are called from worker threads.
public protocol ProgressReporter: AnyObject, Sendable {
    func started(total: Int, cached: Int, toRun: Int)
    /// The tasks that will run, with the plan's cost estimates, right after `started`.
    func scheduled(_ tasks: [TaskSpec], costs: TaskCost?)
    func taskStarted(_ task: TaskSpec)
    func taskProgress(_ task: TaskSpec, fraction: Double)
    func taskFinished(_ task: TaskSpec, outcome: TaskOutcome, finished: Int)
    func finished(_ report: ExecutionReport)
}

extension ProgressReporter {
    public func scheduled(_ tasks: [TaskSpec], costs: TaskCost?) {}
}

/// Progress on standard error: a redrawn bar with ETA on a terminal, otherwise one plain
/// line per finished task (no escape codes), suitable for logs and CI.
public final class ConsoleProgress: ProgressReporter, @unchecked Sendable {
    private let lock = NSLock()
    private let write: (String) -> Void
    /// Whether to draw the bar (a terminal) or print lines.
    public let interactive: Bool
    private var total = 0, toRun = 0, ran = 0, failed = 0, finishedCount = 0
    private var running = [String: Double]()  // id -> fraction done
    private var remaining = RemainingTime(tasks: [], costs: nil)
    private let now: () -> Date
    private var startTime = Date()
    private var lastDraw = Date.distantPast

    /// - Parameters:
    ///   - interactive: draw a bar; defaults to whether standard error is a terminal.
    ///   - write: where text goes; defaults to standard error.
    ///   - now: the clock (tests pass their own).
    public init(interactive: Bool? = nil, write: ((String) -> Void)? = nil, now: @escaping () -> Date = Date.init) {
        self.interactive = interactive ?? (isatty(STDERR_FILENO) == 1)
        self.write = write ?? { FileHandle.standardError.write(Data($0.utf8)) }
        self.now = now
    }

    public func started(total: Int, cached: Int, toRun: Int) {
        lock.lock()
        defer { lock.unlock() }
        self.total = total
        self.toRun = toRun
        startTime = now()
        write("\(total) task\(total == 1 ? "" : "s"): \(cached) cached, \(toRun) to run\n")
    }

    public func scheduled(_ tasks: [TaskSpec], costs: TaskCost?) {
        lock.lock()
        defer { lock.unlock() }
        remaining = RemainingTime(tasks: tasks, costs: costs)
    }

    public func taskStarted(_ task: TaskSpec) {
        lock.lock()
        defer { lock.unlock() }
        running[task.id] = 0
        if interactive { draw(force: true) }
    }

    public func taskProgress(_ task: TaskSpec, fraction: Double) {
        lock.lock()
        defer { lock.unlock() }
        running[task.id] = min(1, max(0, fraction))
        remaining.progress(task.id, fraction: fraction)
        if interactive { draw(force: false) }
    }

    public func taskFinished(_ task: TaskSpec, outcome: TaskOutcome, finished: Int) {
        lock.lock()
        defer { lock.unlock() }
        running[task.id] = nil
        finishedCount += 1
        let line: String
        if case let .ran(_, seconds) = outcome {
            remaining.finished(task.id, seconds: seconds)
        } else {
            remaining.finished(task.id, seconds: nil)
        }
        switch outcome {
        case let .ran(_, seconds):
            ran += 1
            line = "[\(ran)/\(toRun)] \(task.id) (\(Self.formatSeconds(seconds)))"
        case let .failed(message):
            ran += 1
            failed += 1
            // The message may quote file contents (labels, names): no escape sequence gets through.
            line = "[\(ran)/\(toRun)] FAILED \(task.id): \(TerminalText.sanitize(message))"
        default:
            line = ""
        }
        if interactive {
            // Failures stay on screen above the bar; successes only advance it.
            if case .failed = outcome { write("\r\u{1B}[2K" + line + "\n") }
            draw(force: true)
        } else if !line.isEmpty {
            write(line + "\n")
        }
    }

    public func finished(_ report: ExecutionReport) {
        lock.lock()
        defer { lock.unlock() }
        if interactive { write("\r\u{1B}[2K") }
        for notice in report.repairNotices { write(notice + "\n") }
        let s = report.summary
        var parts = ["\(s["ran"]?.count ?? 0) ran", "\(s["cached"]?.count ?? 0) cached"]
        for k in ["failed", "skipped", "cancelled"] where (s[k]?.count ?? 0) > 0 { parts.append("\(s[k]!.count) \(k)") }
        write("done in \(Self.formatSeconds(report.seconds)): \(parts.joined(separator: ", "))\n")
    }

    /// Redraws at most ten times a second unless forced.
    private func draw(force: Bool) {
        let now = now()
        guard force || now.timeIntervalSince(lastDraw) > 0.1 else { return }
        lastDraw = now
        let partial = running.values.reduce(0, +)
        // By expected time once a task has taught the costs, by task count before.
        let fraction = remaining.fractionDone() ?? (toRun > 0 ? (Double(ran) + partial) / Double(toRun) : 1)
        let width = 24
        let filled = Int((fraction * Double(width)).rounded(.down))
        let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
        let eta = remaining.secondsLeft(elapsed: now.timeIntervalSince(startTime)).map(Self.formatSeconds) ?? "--"
        let current = running.keys.sorted().first.map { "  \($0)" } ?? ""
        write("\r\u{1B}[2K[\(bar)] \(ran)/\(toRun)  ETA \(eta)\(current)")
    }

    /// `0.42 s`, `12.3 s`, `2m05s`.
    static func formatSeconds(_ s: Double) -> String {
        if !s.isFinite || s < 0 { return "--" }
        if s < 10 { return String(format: "%.2f s", s) }
        if s < 60 { return String(format: "%.1f s", s) }
        let m = Int(s) / 60, r = Int(s) % 60
        return String(format: "%dm%02ds", m, r)
    }
}
