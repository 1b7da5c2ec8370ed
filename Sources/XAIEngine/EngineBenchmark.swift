import Dispatch
import Foundation
import XAICore

/// Wall-clock timings of forward and forward+backward passes (release builds only are
/// meaningful). Used by `xai bench`.
public enum EngineBenchmark {
    public struct Result: Sendable, CustomStringConvertible {
        public let label: String
        public let batch: Int
        /// Median milliseconds per image over the timed repetitions.
        public let msPerImage: Double
        public let repetitions: Int
        /// Median process CPU milliseconds (all threads) per image: the work itself, which a
        /// busy machine inflates far less than wall time.
        public let cpuMsPerImage: Double

        public var description: String {
            "\(label) batch \(batch): \(String(format: "%.2f", msPerImage)) ms/img wall, "
                + "\(String(format: "%.2f", cpuMsPerImage)) ms/img CPU (median of \(repetitions))"
        }
    }

    /// Median ms per image of `body` (which processes `batch` images) after one warm-up run,
    /// repeating until about `budgetSeconds` have passed (at least 3 runs).
    public static func time(_ label: String, batch: Int, budgetSeconds: Double = 3,
                            _ body: () throws -> Void) rethrows -> Result {
        try body()
        var samples: [Double] = [], cpu: [Double] = []
        let start = DispatchTime.now().uptimeNanoseconds
        repeat {
            let t0 = DispatchTime.now().uptimeNanoseconds, c0 = processCPUms()
            try body()
            samples.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6)
            cpu.append(processCPUms() - c0)
        } while samples.count < 3 || Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 < budgetSeconds
        samples.sort()
        cpu.sort()
        let result = Result(label: label, batch: batch, msPerImage: samples[samples.count / 2] / Double(batch),
                            repetitions: samples.count, cpuMsPerImage: cpu[cpu.count / 2] / Double(batch))
        // XAI_BENCH_VERBOSE=1: wall and CPU time per measurement on stderr, to tell engine
        // changes from load by other processes on a shared machine.
        if ProcessInfo.processInfo.environment["XAI_BENCH_VERBOSE"] == "1" {
            FileHandle.standardError.write(Data((result.description + "\n").utf8))
        }
        return result
    }

    /// CPU time of the whole process (all threads), in milliseconds.
    public static func processCPUms() -> Double { cpuMilliseconds(CLOCK_PROCESS_CPUTIME_ID) }

    /// Milliseconds of `clock` (a CPU-time clock: the process's or the calling thread's).
    static func cpuMilliseconds(_ clock: clockid_t) -> Double {
        var ts = timespec()
        clock_gettime(clock, &ts)
        return Double(ts.tv_sec) * 1e3 + Double(ts.tv_nsec) / 1e6
    }

    /// Forward at `forwardBatches` and forward+backward (gradient of one logit per image
    /// w.r.t. the input) at `backwardBatches`, on `gradients(of:logitSeeds:)`: the call the
    /// gradient methods make (TargetScore), which splits a batch into micro-batches (Engine+MicroBatch).
    public static func run(engine: Engine, name: String, forwardBatches: [Int] = [1, 32], backwardBatches: [Int] = [1, 16],
                           budgetSeconds: Double = 3) throws -> [Result] {
        var results: [Result] = []
        var rng = SeededGenerator(seed: 99)
        let item = engine.graph.inputShape
        for n in forwardBatches {
            let x = rng.tensor([n] + item, scale: 1)
            results.append(try time("\(name) forward", batch: n, budgetSeconds: budgetSeconds) { _ = try engine.logits(x) })
        }
        for n in backwardBatches {
            let x = rng.tensor([n] + item, scale: 1)
            let classes = engine.classCount
            var seed = Tensor(zeros: [n, classes])
            for i in 0..<n { seed.data[i * classes + (i * 37) % classes] = 1 }
            results.append(try time("\(name) forward+backward", batch: n, budgetSeconds: budgetSeconds) {
                _ = try engine.gradients(of: x, logitSeeds: seed, wrt: [engine.graph.input])
            })
        }
        return results
    }
}
