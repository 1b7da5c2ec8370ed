import Foundation
import XAIDiff
import XAIManifest
import XAIPlanner
import XAIRuns

/// `GET /api/diff?a=&b=`: `xai diff A B` computed (or read back: a run never changes, so the
/// diff of two runs with the default options is computed once) and where its files are served.
struct DiffAnswer: Codable {
    var a: String
    var b: String
    /// `/files/diffs/<A>..<B>/`: the pictures' paths in `diff` are relative to it.
    var base: String
    var html: String
    var diff: JSONValue

    static func make(a: String, b: String, outputs: URL) throws -> DiffAnswer {
        guard let store = try RunStore.existing(outputs: outputs) else {
            throw ServerError.notFound("run history (no `xai run` has recorded a run in this outputs folder)")
        }
        let ra: RunRecord, rb: RunRecord
        do {
            ra = try store.resolve(a)
            rb = try store.resolve(b)
        } catch let error as RunsError {
            throw ServerError.notFound(error.description)
        }
        for id in [ra.id, rb.id] where !RunID.isWellFormed(id) {
            throw ServerError.badRequest("the run history holds a malformed run id")
        }
        let name = "\(ra.id)..\(rb.id)"
        let folder = outputs.appendingPathComponent("diffs").appendingPathComponent(name)
        let files = OutputFiles(root: outputs)
        let path = try ServedPath(raw: ["diffs", Substring(name), Substring(RunDiff.jsonFile)])
        let json: [UInt8]
        if let stored = try? files.read(path) {
            json = stored
        } else {
            let diff = try RunDiff.compute(DiffSide(record: ra, store: store), DiffSide(record: rb, store: store),
                                           cache: CacheStore(outputs: outputs), options: DiffOptions(), folder: folder)
            try diff.write(to: folder)
            json = Array(try diff.json())
        }
        let base = FileURLs.prefix + "diffs/" + name + "/"
        return DiffAnswer(a: ra.id, b: rb.id, base: base, html: base + RunDiff.htmlFile,
                          diff: try JSONDecoder().decode(JSONValue.self, from: Data(json)))
    }
}
