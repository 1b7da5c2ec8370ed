import Foundation
import XAICore
import XAIManifest
import XAIPlanner
import XAIRuns

/// An image already in an experiment, as an explain request names it instead of uploading it:
/// `"image": {"experiment": NAME, "id": IMAGE_ID}`. A client names only the experiment and the
/// image's id, never a file: the server finds the image in the manifest of the experiment's last
/// recorded run (read from the run history and checked against its hash) and reads the file that
/// run read, accepting its bytes only when their SHA-256 is the one that run recorded. So the
/// request can reach no file but an image the experiment explained, exactly as it was explained.
struct ExperimentImage: Equatable {
    var experiment: String
    var id: String

    /// - Throws: `ServerError.badRequest` for anything but an object of two names.
    init(json: JSONValue) throws {
        guard case let .object(o) = json, Set(o.keys) == ["experiment", "id"],
              case let .string(experiment)? = o["experiment"], case let .string(id)? = o["id"] else {
            throw ServerError.badRequest(#"'image' must be {"experiment": NAME, "id": IMAGE_ID}: an image of an experiment's last run, "#
                                         + "named by its id (no paths)")
        }
        for (what, name) in [("experiment", experiment), ("image id", id)] {
            if let problem = PathComponent.problem(name) {
                throw ServerError.badRequest("image: \(what) " + PathComponentError(name: name, problem: problem).description)
            }
        }
        self.experiment = experiment
        self.id = id
    }

    /// The image's bytes, at most `maxBytes`, as the last recorded run of the experiment read them.
    /// - Throws: `ServerError.badRequest` when there is no such run or image, or the file is gone,
    ///   too large or no longer the one the run explained.
    func bytes(outputs: URL, maxBytes: Int) throws -> [UInt8] {
        guard let store = try RunStore.existing(outputs: outputs),
              let run = try store.runs(experiment: experiment, limit: 1).first else {
            throw ServerError.badRequest("experiment '\(experiment)' has no recorded run to take image '\(id)' from; "
                                         + "run `xai run` on it first")
        }
        let manifest = try store.manifest(of: run)
        guard let image = manifest.images.first(where: { $0.id == id }) else {
            let known = manifest.images.prefix(10).map(\.id).joined(separator: ", ")
            throw ServerError.badRequest("run \(run.id) of '\(experiment)' has no image '\(id)' (its images: \(known)"
                                         + (manifest.images.count > 10 ? ", ..." : "") + ")")
        }
        let bytes: [UInt8]
        do {
            bytes = try RegularFile.read(image.path, maxBytes: maxBytes)
        } catch {
            throw ServerError.badRequest("image '\(id)' of run \(run.id) cannot be read again: \(error)")
        }
        guard ContentHash.sha256(Data(bytes)) == image.sha256 else {
            throw ServerError.badRequest("image '\(id)' changed since run \(run.id) explained it; run `xai run` on "
                                         + "'\(experiment)' again to explain the new picture")
        }
        return bytes
    }
}
