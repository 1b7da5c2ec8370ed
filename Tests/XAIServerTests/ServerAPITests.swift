import Foundation
import Hummingbird
import HummingbirdTesting
import XAIBackend
import XAICore
import XAIExperiment
import XAIManifest
import XAIMetrics
import XAIPlanner
import XAIRuns
import XCTest
@testable import XAIServer

/// The JSON API over real results: an upload explained by Grad-CAM on the embedded model through
/// the planner and cache, the experiments it lists, recorded runs and their diff.
final class ServerAPITests: ServerTestCase {
    func testExplainAnUploadThroughThePlannerAndCache() async throws {
        let (body, headers) = Self.explainBody(image: try Self.chelsea, request: Self.gradcamRequest)
        try await application(engineServer()).test(.router) { client in
            let start = Date()
            let id = try await client.execute(uri: "/api/explain", method: .post, headers: headers, body: body) { r in
                XCTAssertEqual(r.status, .accepted, String(buffer: r.body))
                return try self.decode([String: String].self, r)["job"] ?? ""
            }
            let job = try await self.waitForJob(client, id)
            #if DEBUG
            let build = "debug"
            #else
            let build = "release"
            #endif
            print("upload to Grad-CAM overlay: \(String(format: "%.2f", Date().timeIntervalSince(start))) s (\(build) build)")
            XCTAssertEqual(job.state, .done, job.error ?? "")
            XCTAssertEqual(job.results.map(\.instance), ["gradcam"])
            let result = try XCTUnwrap(job.results.first)
            XCTAssertEqual(result.target.label, "tiger cat")
            XCTAssertEqual(result.mapShape, [224, 224])
            let overlay = try XCTUnwrap(result.overlay)
            try await client.execute(uri: overlay, method: .get) { r in
                XCTAssertEqual(r.status, .ok)
                XCTAssertEqual(Array(r.body.readableBytesView.prefix(4)), [0x89, 0x50, 0x4E, 0x47])
            }
            try await client.execute(uri: result.map, method: .get) { r in
                XCTAssertEqual(r.status, .ok)
                XCTAssertEqual(r.body.readableBytes, 128 + 224 * 224 * 4, "a float32 [224, 224] .npy")
            }
            // The upload is content-addressed; the experiment it ran as is listed like any other.
            let sha = ContentHash.sha256(Data(try Self.chelsea))
            XCTAssertTrue(FileManager.default.fileExists(atPath: self.outputs.appendingPathComponent("uploads/\(sha).png").path))
            let list = try await client.execute(uri: "/api/experiments", method: .get) { try self.decode([ExperimentIndex.Entry].self, $0) }
            XCTAssertEqual(list.map(\.name), [job.experiment])
            XCTAssertEqual(list.first?.upload, true)
            let manifest = try await client.execute(uri: "/api/experiments/\(job.experiment)", method: .get) {
                try self.decode(Manifest.self, $0)
            }
            XCTAssertEqual(manifest.results.count, 1)
            // The same request again is served from the cache.
            let again = try await client.execute(uri: "/api/explain", method: .post, headers: headers, body: body) { r in
                try self.decode([String: String].self, r)["job"] ?? ""
            }
            let second = try await self.waitForJob(client, again)
            XCTAssertEqual(second.results, job.results)
        }
    }

    func testInvalidRequestsAreRefusedWithTheLoadersMessage() async throws {
        let image = try Self.chelsea
        try await application(engineServer()).test(.router) { client in
            for (request, expected) in [
                (#"{"methods": {"x": {"method": "no_such_method"}}}"#, "no_such_method"),
                (#"{"methods": {"gradcam": {"method": "gradcam", "colormap": "nope"}}}"#, "colormap"),
                (#"{"model": "../etc", "methods": {"gradcam": {}}}"#, "../etc"),
                (#"{"methods": {}}"#, "methods"),
                (#"not json"#, "JSON"),
            ] {
                let (body, headers) = Self.explainBody(image: image, request: request)
                try await client.execute(uri: "/api/explain", method: .post, headers: headers, body: body) { r in
                    XCTAssertEqual(r.status, .badRequest, request)
                    XCTAssertTrue(String(buffer: r.body).contains(expected), "\(request): \(String(buffer: r.body))")
                }
            }
            try await client.execute(uri: "/api/jobs/nonexistent", method: .get) { XCTAssertEqual($0.status, .notFound) }
            try await client.execute(uri: "/api/experiments/..", method: .get) { XCTAssertNotEqual($0.status, .ok) }
        }
    }

    func testMethodFormsComeFromTheCatalogue() async throws {
        try await application(engineServer()).test(.router) { client in
            let forms = try await client.execute(uri: "/api/methods", method: .get) { r -> [String: JSONValue] in
                XCTAssertEqual(r.status, .ok)
                return try self.decode([String: JSONValue].self, r)
            }
            guard case let .array(methods)? = forms["methods"], case let .array(models)? = forms["models"] else {
                return XCTFail("no methods or models")
            }
            XCTAssertEqual(methods.count, Catalogue.standard.methods.count)
            XCTAssertTrue(models.contains(.string("efficientnet-lite0")))
            let ig = methods.first { $0["name"] == .string("integrated_gradients") }
            guard case let .array(params)? = ig?["parameters"] else { return XCTFail("no parameters") }
            let steps = params.first { $0["name"] == .string("steps") }
            XCTAssertEqual(steps?["type"], .string("int"))
            XCTAssertNotNil(steps?["min"])
            XCTAssertNotNil(steps?["defaultValue"])
        }
    }

    func testRunsAndTheirDiff() async throws {
        let yaml = "images: [Experiments/images/chelsea.png]\nmethods: {saliency: {}}\n"
        let a = try recordRun("diffed", yaml).id, b = try recordRun("diffed", yaml, overrides: ["saliency.reduce=l2"]).id
        try await application(engineServer()).test(.router) { client in
            let runs = try await client.execute(uri: "/api/experiments/diffed/runs", method: .get) { try self.decode([RunRecord].self, $0) }
            XCTAssertEqual(Set(runs.map(\.id)), [a, b])
            let answer = try await client.execute(uri: "/api/diff?a=\(a)&b=\(b)", method: .get) { r -> DiffAnswer in
                XCTAssertEqual(r.status, .ok, String(buffer: r.body))
                return try self.decode(DiffAnswer.self, r)
            }
            guard case let .array(pairs)? = answer.diff["pairs"] else { return XCTFail("no pairs") }
            XCTAssertEqual(pairs.count, 1)
            guard case let .number(rho)? = pairs[0]["spearman"] else { return XCTFail("no Spearman correlation") }
            XCTAssertLessThan(rho, 1, "max_abs and l2 reductions differ")
            try await client.execute(uri: answer.html, method: .get) { XCTAssertEqual($0.status, .ok) }
            try await client.execute(uri: "/api/diff?a=\(a)", method: .get) { XCTAssertEqual($0.status, .badRequest) }
            try await client.execute(uri: "/api/diff?a=\(a)&b=nosuchrun", method: .get) { XCTAssertEqual($0.status, .notFound) }
        }
    }

    func testTheViewerIsServedWithAStrictPolicy() async throws {
        try await application(engineServer()).test(.router) { client in
            for uri in ["/", "/viewer.js", "/viewer.css"] {
                try await client.execute(uri: uri, method: .get) { r in
                    XCTAssertEqual(r.status, .ok, uri)
                    XCTAssertEqual(r.headers[.contentSecurityPolicy], ViewerAssets.contentSecurityPolicy)
                    XCTAssertEqual(r.headers[.xContentTypeOptions], "nosniff")
                }
            }
            try await client.execute(uri: "/favicon.ico", method: .get) { XCTAssertEqual($0.status, .noContent) }
        }
    }
}
