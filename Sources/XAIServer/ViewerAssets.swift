import Hummingbird

/// The viewer's page, style and script, compiled into the binary: `xai serve` needs no files
/// beside it and loads nothing from the network. The page builds every text node with
/// `textContent` (never `innerHTML`), so names, labels and messages from manifests and uploads
/// are always shown as text.
struct ViewerAsset: Sendable {
    let path: String
    let mediaType: String
    let body: String

    func response() -> Response {
        Response(status: .ok,
                 headers: [.contentType: mediaType, .cacheControl: "no-cache",
                           .contentSecurityPolicy: ViewerAssets.contentSecurityPolicy],
                 body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
    }
}

enum ViewerAssets {
    /// Only this origin, for everything: no inline script, no other host.
    static let contentSecurityPolicy = "default-src 'self'; img-src 'self' blob: data:; script-src 'self'; "
        + "style-src 'self'; connect-src 'self'; frame-ancestors 'self'; form-action 'self'; base-uri 'none'"

    static let all = [
        ViewerAsset(path: "/", mediaType: "text/html; charset=utf-8", body: ViewerPage.html),
        ViewerAsset(path: "/viewer.css", mediaType: "text/css; charset=utf-8", body: ViewerPage.css),
        ViewerAsset(path: "/viewer.js", mediaType: "text/javascript; charset=utf-8", body: ViewerScript.source),
    ]
}
