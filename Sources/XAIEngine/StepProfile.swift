import Foundation
import XAICore

/// Per-step wall and CPU time of forward and backward passes, for finding where a pass loses time
/// (`XAI_STEP_PROFILE=1 xai bench ...`; the table goes to stderr at exit). Wall time against
/// process CPU time tells a step whose work is slow (CPU close to twice the wall on two cores)
/// from one that leaves a core idle (CPU close to the wall: serial code, too few chunks, or
/// dispatch). Steps of micro-batched passes run one micro-batch per core at the same time, so
/// they are rows of their own, marked "per core", charged each worker's wall and its thread's
/// CPU time: their wall adds the cores' times (process CPU time had counted the other core's
/// work too, and put every such step near twice its wall). Off by default: the check is one
/// static flag per step.
final class StepProfile: @unchecked Sendable {
    static let enabled = ProcessInfo.processInfo.environment["XAI_STEP_PROFILE"] == "1"
    static let shared = StepProfile()

    private struct Row {
        var wall = 0.0, cpu = 0.0, calls = 0
    }

    private let lock = NSLock()
    private var rows: [String: Row] = [:]

    private init() {
        if Self.enabled { atexit { StepProfile.shared.report() } }
    }

    /// Runs `body`, charging its times to `label` when profiling is on.
    @inline(__always)
    static func measure<T>(_ label: @autoclosure () -> String, _ body: () throws -> T) rethrows -> T {
        guard enabled else { return try body() }
        let perCore = Parallel.isInsideLoop
        let clock = perCore ? CLOCK_THREAD_CPUTIME_ID : CLOCK_PROCESS_CPUTIME_ID
        let t0 = DispatchTime.now().uptimeNanoseconds, c0 = EngineBenchmark.cpuMilliseconds(clock)
        let result = try body()
        let wall = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6, cpu = EngineBenchmark.cpuMilliseconds(clock) - c0
        shared.add(label() + (perCore ? " (per core)" : ""), wall: wall, cpu: cpu)
        return result
    }

    private func add(_ label: String, wall: Double, cpu: Double) {
        lock.lock()
        defer { lock.unlock() }
        var row = rows[label] ?? Row()
        row.wall += wall
        row.cpu += cpu
        row.calls += 1
        rows[label] = row
    }

    private func report() {
        lock.lock()
        defer { lock.unlock() }
        let totalWall = rows.values.reduce(0) { $0 + $1.wall }
        var out = String(format: "step profile: %.1f ms wall in all\n", totalWall)
        out += "   wall ms      CPU ms   CPU/wall  calls  step\n"
        for (label, r) in rows.sorted(by: { $0.value.wall > $1.value.wall }) {
            out += String(format: "%10.2f  %10.2f  %8.2f  %5d  ", r.wall, r.cpu, r.cpu / max(r.wall, 1e-9), r.calls) + label + "\n"
        }
        FileHandle.standardError.write(Data(out.utf8))
    }
}

extension Step {
    /// "index op [input shape]" for the step profile, the op by its ONNX name: naming it by
    /// `String(describing: op)` reflected the op, about 25 microseconds between two steps, and a
    /// profiled ResNet-50 pass at batch 1 took 9% longer than an unprofiled one, 4% now (bench/ab,
    /// eight pairs each).
    func profileLabel(_ index: Int, _ args: [Tensor]) -> String {
        var kind = op.onnxName
        if let conv { kind += " \(conv.kh)x\(conv.kw)/\(conv.attrs.stride.h) g\(conv.groups) ->\(conv.outChannels)" }
        return "\(index) \(kind) \(args.first?.shape ?? [])"
    }
}
