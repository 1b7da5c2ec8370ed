import Foundation
import Hummingbird
import XAICore
import XAIDiff
import XAIExperiment
import XAIManifest
import XAIPlanner
import XAIRuns

extension ViewerServer {
    func addAPI(to router: Router<BasicRequestContext>) {
        let index = ExperimentIndex(files: files)
        let outputs = configuration.outputs
        router.get("/api/experiments") { _, _ in
            try JSONBody.response(try await Self.offPool { try index.entries() })
        }
        router.get("/api/experiments/{name}") { _, context in
            let name = try context.parameters.require("name")
            return JSONBody.raw(try await Self.offPool { try index.manifestBytes(name) })
        }
        router.get("/api/experiments/{name}/runs") { _, context in
            let name = try context.parameters.require("name")
            let runs = try await Self.offPool { try RunStore.existing(outputs: outputs)?.runs(experiment: name) ?? [] }
            return try JSONBody.response(runs)
        }
        router.post("/api/runs/{id}/pin") { request, context in
            let id = try context.parameters.require("id")
            let pin = try await PinRequest(request)
            return try JSONBody.response(try await Self.offPool { try pin.apply(to: id, outputs: outputs) })
        }
        router.get("/api/methods") { _, _ in
            try JSONBody.response(MethodForms(catalogue: configuration.catalogue, weights: configuration.weights))
        }
        router.get("/api/diff") { request, _ in
            guard let a = request.uri.queryParameters.get("a"), let b = request.uri.queryParameters.get("b") else {
                throw ServerError.badRequest("give two runs: /api/diff?a=RUN&b=RUN (ids, experiment names or NAME@GITREV)")
            }
            return try JSONBody.response(try await Self.offPool { try DiffAnswer.make(a: a, b: b, outputs: outputs) })
        }
        router.post("/api/explain") { request, context in
            try await explain(request)
        }
        router.get("/api/jobs/{id}") { _, context in
            let id = try context.parameters.require("id")
            guard let job = await jobs.snapshot(id) else { throw ServerError.notFound("job \(id)") }
            return try JSONBody.response(job)
        }
        router.get("/api/jobs/{id}/events") { _, context in
            let id = try context.parameters.require("id")
            guard let stream = await jobs.watch(id) else { throw ServerError.notFound("job \(id)") }
            return JobEvents.response(stream)
        }
    }

    /// `POST /api/explain`: multipart `image` + `request`, or a JSON request naming an image of an
    /// experiment (`ExperimentImage`); validates everything before queueing. Either way the image is
    /// stored content-addressed under `uploads/`, so both run as the same experiment and share the cache.
    func explain(_ request: Request) async throws -> Response {
        let limit = configuration.maxUploadBytes
        let body = try await request.collectBody(upTo: limit)
        let type = request.headers[.contentType] ?? ""
        let explain: ExplainRequest, upload: [UInt8]?
        if type.lowercased().hasPrefix("application/json") {
            explain = try ExplainRequest(json: Array(buffer: body))
            guard explain.image != nil else {
                throw ServerError.badRequest(#"a JSON request explains an experiment's image: add "image": {"experiment": NAME, "id": IMAGE_ID}, "#
                                             + "or send multipart/form-data with an 'image' file")
            }
            upload = nil
        } else if type.lowercased().hasPrefix("multipart/form-data") {
            let form = try MultipartForm(body: Array(buffer: body), contentType: type)
            guard let image = form.part("image"), !image.body.isEmpty else {
                throw ServerError.badRequest("the form has no 'image' file")
            }
            guard let json = form.part("request") else { throw ServerError.badRequest("the form has no 'request' part") }
            explain = try ExplainRequest(json: json.body)
            guard explain.image == nil else {
                throw ServerError.badRequest("the request both uploads an image and names an experiment's image; send one")
            }
            upload = image.body
        } else {
            throw ServerError.unsupportedMediaType(request.headers[.contentType])
        }
        let outputs = configuration.outputs
        let experiment = try await Self.offPool { [self] in
            guard let bytes = try upload ?? explain.image?.bytes(outputs: outputs, maxBytes: limit) else {
                throw ServerError.badRequest("the request has no image")
            }
            return try prepare(explain, image: try uploads.store(bytes))
        }
        let job = try await jobs.submit(experiment)
        return try JSONBody.response(["job": job.id], status: .accepted)
    }

    /// The request as an experiment, validated by the loader (its messages become 400s).
    private func prepare(_ explain: ExplainRequest, image: String) throws -> Experiment {
        let (name, json) = try explain.document(image: image)
        let folder = configuration.outputs.appendingPathComponent("uploads").appendingPathComponent("requests")
        try OutputTree(root: configuration.outputs).makeFolder(folder)
        let file = folder.appendingPathComponent("\(name).json")
        try AtomicFile.write(json, to: file)
        let experiment: Experiment
        do {
            experiment = try ExperimentLoader.load(path: file.path, catalogue: configuration.catalogue,
                                                   weightsDirectory: configuration.weights, outputsRoot: configuration.outputs.path)
        } catch let error as ExperimentError {
            throw ServerError.badRequest(error.description)
        }
        try Self.refuseServerPaths(experiment)
        return experiment
    }

    /// A parameter that may name a folder (gradient_shap's `baselines:`) takes only its words and
    /// numbers from a web client: a request must not make the server read its own folders.
    static func refuseServerPaths(_ experiment: Experiment) throws {
        for run in experiment.runs {
            for spec in run.descriptor.parameters {
                guard case let .choiceNumberOrPath(words, _) = spec.type,
                      let value = run.params[spec.name]?.stringValue, !words.contains(value) else { continue }
                throw ServerError.badRequest("methods.\(run.instance).\(spec.name): '\(value)' would name a folder on the "
                                             + "server; the viewer takes \(words.joined(separator: " | ")) or a number")
            }
        }
    }
}
