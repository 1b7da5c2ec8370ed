import Foundation
import Hummingbird
import HummingbirdTesting
import XAICore
import XAIManifest
import XAIPlanner
import XAIRuns
import XCTest
@testable import XAIServer

/// Explain jobs in the run history, pinning runs from the viewer, and explaining an image that
/// an experiment already holds (by its id, never by a path).
final class ServerHistoryTests: ServerTestCase {
    static let saliency = #""methods": {"saliency": {"method": "saliency"}}"#

    func testExplainJobsAreRecordedAndPinnedRunsKeepTheirResults() async throws {
        let (body, headers) = Self.explainBody(image: try Self.chelsea, request: "{\(Self.saliency)}")
        try await application(engineServer()).test(.router) { client in
            func submit() async throws -> JobSnapshot {
                let id = try await client.execute(uri: "/api/explain", method: .post, headers: headers, body: body) { r in
                    XCTAssertEqual(r.status, .accepted, String(buffer: r.body))
                    return try self.decode([String: String].self, r)["job"] ?? ""
                }
                let job = try await self.waitForJob(client, id)
                XCTAssertEqual(job.state, .done, job.error ?? "")
                XCTAssertNil(job.error)
                return job
            }
            let first = try await submit(), second = try await submit()
            let store = try XCTUnwrap(try RunStore.existing(outputs: self.outputs), "no run history written")
            // `xai runs` lists what the store lists: both jobs, newest first, as runs of the upload's experiment.
            let runs = try store.runs(experiment: first.experiment)
            XCTAssertEqual(runs.map(\.id), [try XCTUnwrap(second.run), try XCTUnwrap(first.run)])
            let a = runs[1], b = runs[0]
            XCTAssertEqual(a.exitStatus, 0)
            XCTAssertTrue(a.file.hasSuffix("uploads/requests/\(first.experiment).json"), a.file)
            XCTAssertEqual(a.experimentHash, b.experimentHash)
            XCTAssertEqual(a.cachedCount, 0, "the first job computed everything")
            XCTAssertEqual(b.cachedCount, b.taskCount, "the second job took everything from the cache")
            let tasks = try store.tasks(of: a.id)
            XCTAssertEqual(tasks.count, a.taskCount)
            let explain = try XCTUnwrap(tasks.first { $0.kind == "explain" }, "\(tasks.map(\.task))")
            let key = try XCTUnwrap(explain.key)
            XCTAssertEqual(try store.tasks(of: b.id).map(\.key), tasks.map(\.key), "both runs used the same cache entries")
            XCTAssertEqual(try store.manifest(of: a).results.map(\.key), [key])

            // Pinned from the viewer, the run's results are what `xai gc` keeps with no last runs kept.
            XCTAssertEqual(try store.keysToKeep(keepLast: 0), [])
            let pinned = try await client.execute(uri: "/api/runs/\(a.id)/pin", method: .post,
                                                  headers: [.contentType: "application/json"],
                                                  body: ByteBuffer(string: #"{"pinned": true}"#)) { r -> RunRecord in
                XCTAssertEqual(r.status, .ok, String(buffer: r.body))
                return try self.decode(RunRecord.self, r)
            }
            XCTAssertTrue(pinned.pinned)
            XCTAssertEqual(try store.run(id: a.id)?.pinned, true)
            XCTAssertEqual(try store.run(id: b.id)?.pinned, false)
            XCTAssertEqual(try store.keysToKeep(keepLast: 0), Set(tasks.compactMap(\.key)))
            try await client.execute(uri: "/api/runs/\(a.id)/pin", method: .post, headers: [.contentType: "application/json"],
                                     body: ByteBuffer(string: #"{"pinned": false}"#)) { XCTAssertEqual($0.status, .ok) }
            XCTAssertEqual(try store.keysToKeep(keepLast: 0), [])
        }
    }

    func testPinRequestsAreChecked() async throws {
        let id = try recordManifest("pinned", images: [])
        let json: HTTPFields = [.contentType: "application/json"]
        try await application(engineServer()).test(.router) { client in
            for (uri, headers, body, status) in [
                ("/api/runs/\(id)/pin", [.contentType: "text/plain"] as HTTPFields, #"{"pinned": true}"#, HTTPResponse.Status.unsupportedMediaType),
                ("/api/runs/\(id)/pin", json, #"{"pinned": "yes"}"#, .badRequest),
                ("/api/runs/\(id)/pin", json, #"{"pinned": true, "id": "x"}"#, .badRequest),
                ("/api/runs/\(id)/pin", json, String(repeating: " ", count: 2000), .contentTooLarge),
                ("/api/runs/20990101-000000-0000/pin", json, #"{"pinned": true}"#, .notFound),
                ("/api/runs/pinned/pin", json, #"{"pinned": true}"#, .notFound),
            ] {
                try await client.execute(uri: uri, method: .post, headers: headers, body: ByteBuffer(string: body)) { r in
                    XCTAssertEqual(r.status, status, "\(uri) \(body.prefix(40)): \(String(buffer: r.body))")
                }
            }
            var crossSite = json
            crossSite[.origin] = "http://evil.example"
            try await client.execute(uri: "/api/runs/\(id)/pin", method: .post, headers: crossSite,
                                     body: ByteBuffer(string: #"{"pinned": true}"#)) { XCTAssertEqual($0.status, .forbidden) }
        }
        XCTAssertEqual(try RunStore(outputs: outputs).run(id: id)?.pinned, false, "no refused request pinned the run")
    }

    func testAFailedJobNamesTheRunItWasRecordedAs() async throws {
        let queue = JobQueue(capacity: 1, keepFinished: 1) { _, _ in
            throw JobFailure(messages: ["chelsea/gradcam: out of memory"], run: "20261204-000000-0000")
        }
        let job = try await queue.submit(try loadWithRepositoryFiles("""
            schema: 1
            name: failing
            images: [Experiments/images/chelsea.png]
            methods: {gradcam: {}}
            """))
        var last: JobSnapshot?
        let watched = await queue.watch(job.id)
        for await s in try XCTUnwrap(watched) { last = s }
        XCTAssertEqual(last?.state, .failed)
        XCTAssertEqual(last?.run, "20261204-000000-0000")
        XCTAssertEqual(last?.error, "1 task(s) failed: chelsea/gradcam: out of memory")
    }

    func testAnImageOfAnExperimentIsExplainedWithoutAnUpload() async throws {
        let (id, result) = try recordRun("held", "images: [Experiments/images/chelsea.png, Experiments/images/coffee.png]\n"
                                             + "methods: {saliency: {}}\n")
        let held = try XCTUnwrap(result.manifest.results.first { $0.image == "chelsea" })
        let request = #"{"image": {"experiment": "held", "id": "chelsea"}, \#(Self.saliency)}"#
        try await application(engineServer()).test(.router) { client in
            let jobID = try await client.execute(uri: "/api/explain", method: .post, headers: [.contentType: "application/json"],
                                                 body: ByteBuffer(string: request)) { r in
                XCTAssertEqual(r.status, .accepted, String(buffer: r.body))
                return try self.decode([String: String].self, r)["job"] ?? ""
            }
            let job = try await self.waitForJob(client, jobID)
            XCTAssertEqual(job.state, .done, job.error ?? "")
            // The original file, not the experiment's 224 px crop: the same map as the experiment's own run.
            let result = try XCTUnwrap(job.results.first)
            XCTAssertEqual(result.target, held.target)
            let map = try await client.execute(uri: result.map, method: .get) { Array($0.body.readableBytesView) }
            let original = try RegularFile.read(self.outputs.appendingPathComponent("held").appendingPathComponent(held.map).path,
                                                maxBytes: 1 << 20)
            XCTAssertEqual(map, original, "the map of chelsea differs from the one run \(id) computed")
            let sha = ContentHash.sha256(Data(try Self.chelsea))
            XCTAssertTrue(FileManager.default.fileExists(atPath: self.outputs.appendingPathComponent("uploads/\(sha).png").path))
        }
    }

    func testOnlyAnExperimentsOwnImagesCanBeNamed() async throws {
        // The experiment reads a copy of chelsea, so the test can change it after the run.
        let images = tmp.appendingPathComponent("own")
        try FileManager.default.createDirectory(at: images, withIntermediateDirectories: true)
        let cat = images.appendingPathComponent("cat.png")
        try Data(try Self.chelsea).write(to: cat)
        try recordManifest("held", images: [Manifest.Image(id: "cat", path: cat.path, sha256: ContentHash.sha256(Data(try Self.chelsea)),
                                                           width: 451, height: 300, inputs: [:])])
        func refused(_ image: String, _ expected: String, line: UInt = #line) async throws {
            let body = #"{"image": \#(image), \#(Self.saliency)}"#
            try await application(engineServer()).test(.router) { client in
                try await client.execute(uri: "/api/explain", method: .post, headers: [.contentType: "application/json"],
                                         body: ByteBuffer(string: body)) { r in
                    XCTAssertEqual(r.status, .badRequest, image, line: line)
                    XCTAssertTrue(String(buffer: r.body).contains(expected), "\(image): \(String(buffer: r.body))", line: line)
                }
            }
        }
        try await refused(#""/etc/passwd""#, "no paths")
        try await refused(#"{"experiment": "held", "path": "/etc/passwd"}"#, "no paths")
        try await refused(#"{"experiment": "held", "id": "../../../etc/passwd"}"#, "image id")
        try await refused(#"{"experiment": "..", "id": "cat"}"#, "experiment")
        try await refused(#"{"experiment": "held", "id": "dog"}"#, "its images: cat")
        try await refused(#"{"experiment": "nosuch", "id": "cat"}"#, "no recorded run")
        try await refused(#"{"experiment": "held", "id": 3}"#, "no paths")
        // A JSON request must name an image; a form must not name one beside its file.
        try await application(engineServer()).test(.router) { client in
            try await client.execute(uri: "/api/explain", method: .post, headers: [.contentType: "application/json"],
                                     body: ByteBuffer(string: "{\(Self.saliency)}")) { r in
                XCTAssertEqual(r.status, .badRequest)
                XCTAssertTrue(String(buffer: r.body).contains("multipart"), String(buffer: r.body))
            }
            let (body, headers) = Self.explainBody(image: try Self.chelsea,
                                                   request: #"{"image": {"experiment": "held", "id": "cat"}, \#(Self.saliency)}"#)
            try await client.execute(uri: "/api/explain", method: .post, headers: headers, body: body) { r in
                XCTAssertEqual(r.status, .badRequest)
                XCTAssertTrue(String(buffer: r.body).contains("send one"), String(buffer: r.body))
            }
        }
        // The file the run read is no longer the picture it explained.
        try Data(try RegularFile.read(Self.repositoryRoot.appendingPathComponent("Experiments/images/coffee.png").path,
                                      maxBytes: 1 << 24)).write(to: cat)
        try await refused(#"{"experiment": "held", "id": "cat"}"#, "changed since run")
        try FileManager.default.removeItem(at: cat)
        try await refused(#"{"experiment": "held", "id": "cat"}"#, "cannot be read again")
        XCTAssertFalse(FileManager.default.fileExists(atPath: outputs.appendingPathComponent("uploads/requests").path),
                       "a refused request prepared an experiment")
    }
}
