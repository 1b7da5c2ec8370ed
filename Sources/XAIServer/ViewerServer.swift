import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// `xai serve`: the viewer page, its JSON API and the files of the outputs folder, in one
/// process with no network access of its own. Routes:
/// - `GET /` and `/viewer.js`, `/viewer.css`: the viewer, served from the binary (`/favicon.ico`: none);
/// - `GET /files/<path>`: files below the outputs folder (`ServedPath`, `OutputFiles`);
/// - `GET /api/...` and `POST /api/explain`: see `ViewerServer+API.swift` and the README.
public struct ViewerServer: Sendable {
    public let configuration: ServerConfiguration
    let files: OutputFiles
    let uploads: UploadStore
    let jobs: JobQueue

    /// - Parameter runnerFactory: builds the runner of an explain job's experiment (the CLI's
    ///   engine backend), so jobs run through the same planner, executor and cache as `xai run`.
    public init(configuration: ServerConfiguration, runnerFactory: @escaping RunnerFactory) {
        self.init(configuration: configuration, work: ExperimentJobWork.make(runnerFactory))
    }

    init(configuration: ServerConfiguration, work: @escaping JobWork) {
        self.configuration = configuration
        files = OutputFiles(root: configuration.outputs)
        uploads = UploadStore(outputs: configuration.outputs, maxSide: configuration.maxUploadSide,
                              maxPixels: configuration.maxUploadPixels)
        jobs = JobQueue(capacity: configuration.queueCapacity, keepFinished: configuration.finishedJobsKept, work: work)
    }

    /// Every route, behind the same-origin check.
    public func router() -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        router.add(middleware: SameOriginMiddleware())
        router.add(middleware: SecurityHeadersMiddleware())
        for asset in ViewerAssets.all {
            router.get(RouterPath(asset.path)) { _, _ in asset.response() }
        }
        // Browsers ask for an icon on every page without one (the static galleries, diff.html):
        // "none", rather than a 404 logged as an error in the console of each page served.
        router.get("/favicon.ico") { _, _ in Response(status: .noContent) }
        router.get("/files/**") { _, context in
            let path = try ServedPath(raw: context.parameters.getCatchAll())
            let bytes = try await Self.offPool { try files.read(path) }
            return Response(status: .ok, headers: [.contentType: path.mediaType, .cacheControl: "no-cache"],
                            body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
        }
        addAPI(to: router)
        return router
    }

    /// The application listening where the configuration says.
    public func application() -> some ApplicationProtocol {
        var logger = Logger(label: "xai-serve")
        logger.logLevel = .warning
        return Application(router: router(),
                           configuration: .init(address: .hostname(configuration.host, port: configuration.port),
                                                serverName: "xai"),
                           logger: logger)
    }

    /// Serves until the process is interrupted.
    public func run() async throws {
        try await application().runService()
    }

    /// Runs blocking file or database work on its own thread, off the concurrency pool.
    static func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { done in
            DispatchQueue.global().async { done.resume(with: Result { try body() }) }
        }
    }
}

/// Headers on every answer: no MIME sniffing (an uploaded or served file is never run as a
/// script), no framing by other sites, no referrer leaving the page.
struct SecurityHeadersMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[HTTPField.Name("X-Frame-Options")!] = "SAMEORIGIN"
        response.headers[HTTPField.Name("Referrer-Policy")!] = "no-referrer"
        return response
    }
}
