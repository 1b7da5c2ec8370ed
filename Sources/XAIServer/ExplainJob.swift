import Foundation
import XAIManifest
import XAIReport

/// What `GET /api/jobs/{id}` and the job's event stream report.
public struct JobSnapshot: Codable, Equatable, Sendable {
    public enum State: String, Codable, Sendable {
        case queued, running, done, failed
    }

    /// Tasks finished of the job's plan, and the running tasks' fraction done.
    public struct Progress: Codable, Equatable, Sendable {
        public var total: Int
        public var finished: Int
        public var fraction: Double
    }

    /// One explanation the job produced; URLs are served by `/files/`.
    public struct Result: Codable, Equatable, Sendable {
        public var instance: String
        public var method: String
        public var run: String
        public var target: Manifest.Target
        public var overlay: String?
        public var map: String
        public var mapShape: [Int]
        public var input: String?
        public var scale: Manifest.Scale?
    }

    public var id: String
    public var state: State
    /// The experiment (output folder) the job runs as.
    public var experiment: String
    public var progress: Progress
    public var results: [Result]
    /// The run the job was recorded as in the run history (`xai runs` lists it), once done.
    public var run: String?
    /// Why the job failed; on a finished job, why it could not be recorded in the run history.
    public var error: String?

    public var isFinished: Bool { state == .done || state == .failed }
}

extension JobSnapshot.Result {
    /// The results of `manifest`, with file paths made into URLs under `/files/<experiment>/`.
    static func all(in manifest: Manifest) -> [JobSnapshot.Result] {
        func url(_ path: String) -> String? { FileURLs.url(experiment: manifest.name, path: path) }
        let inputs = Dictionary(manifest.images.map { ($0.id, $0.inputs) }, uniquingKeysWith: { a, _ in a })
        return manifest.results.map { r in
            JobSnapshot.Result(instance: r.instance, method: r.method, run: r.run, target: r.target,
                               overlay: r.overlay.flatMap(url), map: url(r.map) ?? "", mapShape: r.mapShape,
                               input: inputs[r.image]?[r.model].flatMap(url), scale: r.scale)
        }
    }
}
