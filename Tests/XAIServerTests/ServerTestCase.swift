import Foundation
import Hummingbird
import HummingbirdTesting
import XAIBackend
import XAICore
import XAIImaging
import XAIManifest
import XAIMetrics
import XAIExperiment
import XAIPlanner
import XAIRuns
import XCTest
import XAITestSupport
@testable import XAIServer

/// A server over a fresh outputs folder in `tmp/Outputs`, with helpers for requests.
class ServerTestCase: TemporaryDirectoryTestCase {
    var outputs: URL { tmp.appendingPathComponent("Outputs") }

    override func setUpWithError() throws {
        try super.setUpWithError()
        try FileManager.default.createDirectory(at: outputs, withIntermediateDirectories: true)
    }

    func configuration(_ edit: (inout ServerConfiguration) -> Void = { _ in }) -> ServerConfiguration {
        var c = ServerConfiguration(outputs: outputs,
                                    weights: Self.repositoryRoot.appendingPathComponent("Weights").path,
                                    catalogue: .standard)
        edit(&c)
        return c
    }

    /// The server with the production engine backend, as `xai serve` builds it.
    func engineServer(_ edit: (inout ServerConfiguration) -> Void = { _ in }) -> ViewerServer {
        let backend = EngineBackend(intermediates: DiskIntermediateCache(cacheRoot: outputs.appendingPathComponent(".cache")))
        let outputs = self.outputs
        return ViewerServer(configuration: configuration(edit)) { experiment in
            try backend.checkTargetLayers(experiment)
            return try ExperimentRunner(experiment: experiment, backend: backend,
                                        folder: outputs.appendingPathComponent(experiment.name))
        }
    }

    func application(_ server: ViewerServer) -> some ApplicationProtocol {
        Application(router: server.router())
    }

    static var chelsea: [UInt8] {
        get throws { try RegularFile.read(repositoryRoot.appendingPathComponent("Experiments/images/chelsea.png").path, maxBytes: 1 << 24) }
    }

    /// A multipart body with an `image` file and a `request` JSON part.
    static func explainBody(image: [UInt8], request: String, boundary: String = "xai-test-boundary") -> (ByteBuffer, HTTPFields) {
        var body = [UInt8]()
        func add(_ s: String) { body += Array(s.utf8) }
        add("--\(boundary)\r\nContent-Disposition: form-data; name=\"image\"; filename=\"x.png\"\r\nContent-Type: image/png\r\n\r\n")
        body += image
        add("\r\n--\(boundary)\r\nContent-Disposition: form-data; name=\"request\"\r\nContent-Type: application/json\r\n\r\n")
        add(request)
        add("\r\n--\(boundary)--\r\n")
        return (ByteBuffer(bytes: body), [.contentType: "multipart/form-data; boundary=\(boundary)"])
    }

    static let gradcamRequest = #"{"model": "efficientnet-lite0", "methods": {"gradcam": {"method": "gradcam"}}}"#

    /// Runs the experiment `yaml` (written to `tmp/<name>.yaml`, beside the repository's Weights/
    /// and Experiments/) with `overrides` into `outputs` and records the run as `xai run` does;
    /// returns the run's id and the result.
    @discardableResult
    func recordRun(_ name: String, _ yaml: String, overrides: [String] = []) throws -> (id: String, result: RunResult) {
        _ = try loadWithRepositoryFiles("schema: 1\nname: \(name)\n" + yaml)
        let file = tmp.appendingPathComponent("\(name).yaml")
        try? FileManager.default.removeItem(at: file)
        try FileManager.default.moveItem(at: tmp.appendingPathComponent("exp.yaml"), to: file)
        let experiment = try ExperimentLoader.load(path: file.path, catalogue: .standard, overrides: overrides,
                                                   baseDirectory: tmp.path, outputsRoot: outputs.path)
        let started = Date()
        let result = try ExperimentRunner(experiment: experiment, backend: EngineBackend(),
                                          folder: outputs.appendingPathComponent(name)).run()
        let id = RunID.make(at: started)
        try RunStore(outputs: outputs).record(try RunRecord.make(id: id, result: result, file: file.path, overrides: overrides,
                                                                 startedAt: started, endedAt: Date(), git: nil))
        return (id, result)
    }

    /// Records a run of `name` that wrote `images` and computed nothing: for tests that need only
    /// a run's record and manifest. Returns its id.
    @discardableResult
    func recordManifest(_ name: String, images: [Manifest.Image]) throws -> String {
        let manifest = Manifest(name: name, experiment: .object([:]), models: [], images: images,
                                predictions: [], results: [], failures: [])
        let stored = StoredManifest(json: try manifest.encoded())
        let id = RunID.make(at: Date())
        try RunStore(outputs: outputs).record(NewRun(
            record: RunRecord(id: id, experiment: name, file: "\(name).yaml", startedAt: Date(), endedAt: Date(),
                              exitStatus: 0, git: nil, experimentHash: "", overrides: [], manifestHash: stored.hash,
                              taskCount: 0, cachedCount: 0, failedCount: 0, seconds: 0),
            manifest: stored, tasks: []))
        return id
    }

    func decode<T: Decodable>(_ type: T.Type, _ response: TestResponse) throws -> T {
        try JSONDecoder().decode(T.self, from: Data(buffer: response.body))
    }

    /// Polls `GET /api/jobs/{id}` until the job has finished (bounded: 3000 polls of 0.1 s; a debug build computes Grad-CAM in about 40 s).
    func waitForJob(_ client: some TestClientProtocol, _ id: String) async throws -> JobSnapshot {
        for _ in 0..<3000 {
            let job = try await client.execute(uri: "/api/jobs/\(id)", method: .get) { try self.decode(JobSnapshot.self, $0) }
            if job.isFinished { return job }
            try await Task.sleep(nanoseconds: 100_000_000)
        }
        throw JobTimedOut(id: id)
    }
}

struct JobTimedOut: Error { let id: String }
