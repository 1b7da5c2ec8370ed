import Foundation
import HTTPTypes
import Hummingbird

/// Guards every state-changing request (anything but GET and HEAD) against cross-site use:
/// another page in the user's browser may POST a form to 127.0.0.1 (a "simple" request that
/// needs no CORS preflight), so
/// - the body must be JSON or multipart (what the viewer sends), never a plain form or text;
/// - an `Origin` header, which browsers send on every cross-origin POST, must name this host;
///   without one, `Sec-Fetch-Site` (sent by current browsers) must not say cross-site.
/// Clients that are not browsers (curl, tests) send neither header and are let through.
struct SameOriginMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if request.method == .get || request.method == .head { return try await next(request, context) }
        try Self.check(method: request.method, headers: request.headers, authority: request.head.authority)
        return try await next(request, context)
    }

    static func check(method: HTTPRequest.Method, headers: HTTPFields, authority: String?) throws {
        let type = headers[.contentType]?.lowercased()
        guard let type, type.hasPrefix("application/json") || type.hasPrefix("multipart/form-data") else {
            throw ServerError.unsupportedMediaType(type)
        }
        if let origin = headers[.origin] {
            guard let authority, origin == "http://\(authority)" else { throw ServerError.crossOrigin(origin) }
        } else if let site = headers[HTTPField.Name("Sec-Fetch-Site")!], site != "same-origin", site != "none" {
            throw ServerError.crossOrigin("unknown, Sec-Fetch-Site: \(site)")
        }
    }
}
