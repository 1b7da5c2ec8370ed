import Foundation
import Hummingbird
import XAIManifest
import XAIRuns

/// `POST /api/runs/{id}/pin` with `{"pinned": true|false}`: pins or unpins a recorded run as
/// `xai runs pin|unpin ID` does (`xai gc` keeps the results of pinned runs). Only an exact run
/// id is accepted, not the references of the command line, so a click acts on the run it shows.
struct PinRequest: Sendable {
    var pinned: Bool

    /// Largest body read: the object is a few bytes.
    static let maxBytes = 1024

    init(_ request: Request) async throws {
        guard request.headers[.contentType]?.lowercased().hasPrefix("application/json") == true else {
            throw ServerError.unsupportedMediaType(request.headers[.contentType])
        }
        let body = try await request.collectBody(upTo: Self.maxBytes)
        guard case let .object(o)? = try? JSONDecoder().decode(JSONValue.self, from: Data(Array(buffer: body))),
              o.count == 1, case let .bool(pinned)? = o["pinned"] else {
            throw ServerError.badRequest(#"the body must be {"pinned": true} or {"pinned": false}"#)
        }
        self.pinned = pinned
    }

    /// Pins or unpins run `id` in the history of `outputs`; returns the run as stored afterwards.
    func apply(to id: String, outputs: URL) throws -> RunRecord {
        guard RunID.isWellFormed(id), let store = try RunStore.existing(outputs: outputs),
              try store.run(id: id) != nil else {
            throw ServerError.notFound("run \(id)")
        }
        try store.setPinned(pinned, id: id)
        guard let run = try store.run(id: id) else { throw ServerError.notFound("run \(id)") }
        return run
    }
}
