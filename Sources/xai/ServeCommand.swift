import ArgumentParser
import Foundation
import XAIBackend
import XAIMetrics
import XAIPlanner
import XAIServer

/// `xai serve`: the interactive viewer over the outputs folder.
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the viewer: browse experiments, runs and diffs, and explain uploaded images.",
        discussion: """
            Listens on 127.0.0.1 only unless --host is given. Explain requests run through the same \
            planner, executor and cache as `xai run`; the JSON API is described in the README.
            """)

    @Option(help: "Port to listen on.")
    var port = 8017
    @Option(help: "Address to bind; anything but loopback exposes the viewer and its uploads to the network.")
    var host = "127.0.0.1"
    @OptionGroup var outputsOptions: OutputsOptions
    @Option(help: "Folder holding the model cards explain requests may name.")
    var weights = "Weights"
    @Option(help: "Explain jobs waiting or running at once; more are refused with 429.")
    var queue = 32
    @Option(help: "Largest upload, in MiB.")
    var maxUploadMib = 16

    func validate() throws {
        guard (1...65535).contains(port) else { throw ValidationError("--port must be in 1...65535") }
        guard queue >= 1 else { throw ValidationError("--queue must be at least 1") }
        guard (1...512).contains(maxUploadMib) else { throw ValidationError("--max-upload-mib must be in 1...512") }
    }

    func run() throws {
        try reportingErrors {
            if !ServerConfiguration.isLoopback(host) {
                printError("warning: listening on \(host): anyone who can reach this address can read every result "
                           + "in \(outputsOptions.outputs) and run explanations on this machine")
            }
            let outputs = outputsOptions.url.standardizedFileURL
            try FileManager.default.createDirectory(at: outputs, withIntermediateDirectories: true)
            let config = ServerConfiguration(host: host, port: port, outputs: outputs, weights: weights,
                                             catalogue: .standard, maxUploadBytes: maxUploadMib << 20,
                                             queueCapacity: queue)
            // One backend for every job: models stay loaded between requests.
            let backend = EngineBackend(intermediates: DiskIntermediateCache(cacheRoot: outputs.appendingPathComponent(".cache")))
            let server = ViewerServer(configuration: config) { experiment in
                try backend.checkTargetLayers(experiment)
                return try ExperimentRunner(experiment: experiment, backend: backend,
                                            folder: outputs.appendingPathComponent(experiment.name))
            }
            printOut("xai viewer on http://\(host.contains(":") ? "[\(host)]" : host):\(port)/ (Ctrl-C stops it)")
            let done = DispatchSemaphore(value: 0)
            let failure = FailureBox()
            Task {
                do { try await server.run() } catch { failure.error = error }
                done.signal()
            }
            done.wait()
            if let error = failure.error { throw error }
        }
    }
}

/// Carries the server's error from its task back to the command's thread.
private final class FailureBox: @unchecked Sendable {
    var error: Error?
}
