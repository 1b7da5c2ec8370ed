import Foundation
import XAIExperiment
import XAIManifest

/// Computes one job's experiment, reporting progress; returns its manifest and its run record.
typealias JobWork = @Sendable (Experiment, JobProgress) async throws -> JobOutcome

/// What a job's work produced: the experiment's manifest, and the id of the run it was recorded
/// as in the run history (nil with `historyError` when it could not be recorded).
struct JobOutcome: Sendable {
    var manifest: Manifest
    var run: String? = nil
    var historyError: String? = nil
}

/// The explain jobs: a bounded queue run one job at a time (each job is engine-bound and the
/// executor already uses every core), snapshots for polling, and event streams for watchers.
///
/// Jobs belong to the queue, not to the request that submitted them or to a watcher: a client
/// that disconnects only ends its own stream, so nothing another client shares (a job, its cache
/// entries, its output folder) is cancelled or left half-written. Memory stays bounded: at most
/// `capacity` unfinished jobs and `keepFinished` finished ones.
actor JobQueue {
    let capacity: Int
    let keepFinished: Int
    private let work: JobWork
    private var jobs: [String: JobSnapshot] = [:]
    private var experiments: [String: Experiment] = [:]
    private var waiting: [String] = []
    private var finished: [String] = []
    private var draining = false
    private var watchers: [String: [UUID: AsyncStream<JobSnapshot>.Continuation]] = [:]

    init(capacity: Int, keepFinished: Int, work: @escaping JobWork) {
        self.capacity = capacity
        self.keepFinished = keepFinished
        self.work = work
    }

    /// Queues `experiment`. - Throws: `ServerError.queueFull` when `capacity` jobs are unfinished.
    func submit(_ experiment: Experiment) throws -> JobSnapshot {
        guard jobs.count - finished.count < capacity else { throw ServerError.queueFull(capacity: capacity) }
        var g = SystemRandomNumberGenerator()
        let id = (0..<2).map { _ in String(format: "%016llx", g.next() as UInt64) }.joined()
        let job = JobSnapshot(id: id, state: .queued, experiment: experiment.name,
                              progress: .init(total: 0, finished: 0, fraction: 0), results: [], run: nil, error: nil)
        jobs[id] = job
        experiments[id] = experiment
        waiting.append(id)
        if !draining {
            draining = true
            Task { await self.drain() }
        }
        return job
    }

    func snapshot(_ id: String) -> JobSnapshot? { jobs[id] }

    /// The job's snapshots from now on: the current one at once, then one per change, ending after
    /// the final one. Nil for an unknown job.
    func watch(_ id: String) -> AsyncStream<JobSnapshot>? {
        guard let job = jobs[id] else { return nil }
        let (stream, continuation) = AsyncStream.makeStream(of: JobSnapshot.self, bufferingPolicy: .bufferingNewest(8))
        continuation.yield(job)
        if job.isFinished {
            continuation.finish()
        } else {
            let token = UUID()
            watchers[id, default: [:]][token] = continuation
            continuation.onTermination = { _ in Task { await self.unwatch(id, token) } }
        }
        return stream
    }

    private func unwatch(_ id: String, _ token: UUID) { watchers[id]?[token] = nil }

    /// Progress from the executor's threads; stale updates (arriving out of order) are dropped.
    func progress(_ id: String, _ p: JobSnapshot.Progress) {
        guard var job = jobs[id], job.state == .running, p.finished >= job.progress.finished else { return }
        job.progress = p
        update(job)
    }

    private func drain() async {
        while !waiting.isEmpty {
            let id = waiting.removeFirst()
            guard var job = jobs[id], let experiment = experiments.removeValue(forKey: id) else { continue }
            job.state = .running
            update(job)
            do {
                let outcome = try await work(experiment, JobProgress { p in Task { await self.progress(id, p) } })
                job = jobs[id] ?? job
                job.results = JobSnapshot.Result.all(in: outcome.manifest)
                job.run = outcome.run
                job.error = outcome.historyError
                job.state = .done
                job.progress.finished = job.progress.total
                job.progress.fraction = 1
            } catch {
                job = jobs[id] ?? job
                job.state = .failed
                job.error = "\(error)"
                job.run = (error as? JobFailure)?.run
            }
            update(job)
            retire(id)
        }
        draining = false
    }

    private func update(_ job: JobSnapshot) {
        jobs[job.id] = job
        for c in (watchers[job.id] ?? [:]).values {
            c.yield(job)
            if job.isFinished { c.finish() }
        }
        if job.isFinished { watchers[job.id] = nil }
    }

    private func retire(_ id: String) {
        finished.append(id)
        while finished.count > keepFinished { jobs[finished.removeFirst()] = nil }
    }
}
