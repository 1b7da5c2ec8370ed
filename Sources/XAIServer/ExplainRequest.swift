import Foundation
import XAICore
import XAIExperiment
import XAIManifest
import XAIPlanner

/// The `request` part of `POST /api/explain`:
/// `{"model": NAME, "methods": {INSTANCE: {"method": KIND, PARAM: VALUE, ...}}, "target": ...}`,
/// or the whole JSON body with `"image": {"experiment": NAME, "id": IMAGE_ID}` naming an image
/// already in an experiment instead of an uploaded file (`ExperimentImage`). It becomes an
/// ordinary experiment document over the image, validated by the same loader as `xai run`
/// (unknown methods, parameters out of range, unknown labels are 400s with the loader's
/// message), so an upload is planned, executed and cached like any experiment.
struct ExplainRequest {
    var model: String
    var methods: [String: JSONValue]
    var target: JSONValue?
    /// The experiment's image to explain, when the request names one rather than uploading a file.
    var image: ExperimentImage?

    /// Experiments made from requests are named `upload-<hash>`.
    static let namePrefix = "upload-"
    /// A request names at most this many method instances (each a few tasks at most).
    static let maxMethods = 12
    /// Tasks one request may plan, so one upload cannot occupy the queue for hours.
    static let maxTasks = 200

    init(json: [UInt8]) throws {
        let value: JSONValue
        do { value = try JSONDecoder().decode(JSONValue.self, from: Data(json)) } catch {
            throw ServerError.badRequest("the request is not valid JSON: \(error.localizedDescription)")
        }
        guard case let .object(o) = value else { throw ServerError.badRequest("the request must be a JSON object") }
        for key in o.keys where !["model", "methods", "target", "image"].contains(key) {
            throw ServerError.badRequest("unknown request key '\(key)'; the keys are model, methods, target and image")
        }
        switch o["model"] {
        case nil: model = ExperimentLoader.defaultModel
        case let .string(s)?: model = s
        default: throw ServerError.badRequest("'model' must be a model card name")
        }
        if let problem = PathComponent.problem(model) {
            throw ServerError.badRequest(PathComponentError(name: model, problem: problem).description)
        }
        guard case let .object(m)? = o["methods"], !m.isEmpty, m.count <= Self.maxMethods else {
            throw ServerError.badRequest("'methods' must map 1 to \(Self.maxMethods) instance names to their settings")
        }
        for (name, settings) in m {
            if let problem = PathComponent.problem(name) {
                throw ServerError.badRequest("method instance: " + PathComponentError(name: name, problem: problem).description)
            }
            guard case .object = settings else { throw ServerError.badRequest("methods.\(name) must be an object") }
        }
        methods = m
        target = o["target"]
        image = try o["image"].map(ExperimentImage.init(json:))
    }

    /// The experiment document for `image` (an absolute path): named after its own content, so the
    /// same request on the same image reuses one output folder and every cached result.
    func document(image: String) throws -> (name: String, json: Data) {
        var doc: [String: JSONValue] = [
            "schema": .number(Double(ExperimentLoader.currentSchema)), "model": .string(model),
            "images": .array([.string(image)]), "methods": .object(methods), "metrics": .array([]),
            "max_tasks": .number(Double(Self.maxTasks)),
        ]
        if let target { doc["target"] = target }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        let body = try encoder.encode(JSONValue.object(doc))
        let name = Self.namePrefix + ContentHash.sha256(body).prefix(16)
        doc["name"] = .string(name)
        return (name, try encoder.encode(JSONValue.object(doc)))
    }
}
