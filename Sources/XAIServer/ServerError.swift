import Foundation
import Hummingbird

/// What a request did wrong (or what the server cannot do now), with the HTTP status it maps to
/// and a message for the client; the body is `{"error": message}`.
enum ServerError: Error, HTTPResponseError, CustomStringConvertible {
    /// A file path that is not a plain relative path below the outputs folder.
    case badPath(String)
    case notFound(String)
    /// Invalid input: a malformed body, an unknown method, an experiment that does not validate.
    case badRequest(String)
    /// The body is over the upload limit.
    case tooLarge(limit: Int)
    /// A state-changing request from another origin.
    case crossOrigin(String)
    /// A state-changing request whose body is neither JSON nor multipart.
    case unsupportedMediaType(String?)
    /// The explain queue is full.
    case queueFull(capacity: Int)

    var status: HTTPResponse.Status {
        switch self {
        case .badPath, .badRequest: return .badRequest
        case .notFound: return .notFound
        case .tooLarge: return .contentTooLarge
        case .crossOrigin: return .forbidden
        case .unsupportedMediaType: return .unsupportedMediaType
        case .queueFull: return .tooManyRequests
        }
    }

    var description: String {
        switch self {
        case .badPath(let why): return "invalid file path: \(why)"
        case .notFound(let what): return "not found: \(what)"
        case .badRequest(let why): return why
        case .tooLarge(let limit): return "the request body is over the limit of \(limit) bytes; upload a smaller image"
        case .crossOrigin(let origin):
            return "cross-origin request refused (origin \(origin)); state-changing requests must come from the viewer's own page"
        case .unsupportedMediaType(let type):
            return "content type \(type ?? "(none)") refused; send application/json or multipart/form-data"
        case .queueFull(let capacity):
            return "the explain queue is full (\(capacity) jobs); retry when a job has finished"
        }
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        var r = try JSONBody.response(["error": description], status: status)
        if case .queueFull = self { r.headers[.retryAfter] = "2" }
        return r
    }
}
