import Foundation
import XAICore
import XAIExperiment
import XAIPlanner

/// Everything `xai serve` is started with: where it listens, what it serves, and the limits that
/// keep one client from exhausting the process.
public struct ServerConfiguration: Sendable {
    /// The address to bind; loopback unless the user asks otherwise.
    public var host: String
    public var port: Int
    /// The outputs folder (`Outputs/`): the only tree files are served from, and where uploads,
    /// explain jobs' folders, the cache and the run history live.
    public var outputs: URL
    /// Folder holding the model cards an explain request may name.
    public var weights: String
    /// The methods and metrics this program implements (forms are generated from it).
    public var catalogue: Catalogue
    /// Largest accepted request body (an upload with its request), in bytes; larger is a 413.
    public var maxUploadBytes: Int
    /// Largest accepted uploaded image, in pixels (and per side); larger is a 400.
    public var maxUploadPixels: Int
    public var maxUploadSide: Int
    /// Explain jobs waiting or running at once; one more is a 429.
    public var queueCapacity: Int
    /// Finished jobs kept for `GET /api/jobs/{id}`; older ones are forgotten first.
    public var finishedJobsKept: Int

    public init(host: String = "127.0.0.1", port: Int = 8017, outputs: URL, weights: String = "Weights",
                catalogue: Catalogue, maxUploadBytes: Int = 16 << 20, maxUploadPixels: Int = 25_000_000,
                maxUploadSide: Int = 8192, queueCapacity: Int = 32, finishedJobsKept: Int = 200) {
        self.host = host
        self.port = port
        self.outputs = outputs
        self.weights = weights
        self.catalogue = catalogue
        self.maxUploadBytes = maxUploadBytes
        self.maxUploadPixels = maxUploadPixels
        self.maxUploadSide = maxUploadSide
        self.queueCapacity = queueCapacity
        self.finishedJobsKept = finishedJobsKept
    }

    /// Whether `host` only accepts connections from this machine.
    public static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }
}

/// Builds the runner of an explain job's experiment: the CLI hands in one over the engine
/// backend (`XAIBackend`), so this module plans and caches without linking the engine.
public typealias RunnerFactory = @Sendable (Experiment) throws -> ExperimentRunner
