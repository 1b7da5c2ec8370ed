import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Hummingbird
import HummingbirdTesting
import XCTest
@testable import XAIServer

/// A bounded load on loopback: 200 concurrent GETs and 20 explain jobs on the embedded model,
/// against a live server. Every request must succeed and every job must finish; latencies are
/// printed (p50/p99), never asserted.
final class ServerLoadTests: ServerTestCase {
    func testConcurrentGetsAndExplainJobs() async throws {
        let (body, headers) = Self.explainBody(image: try Self.chelsea, request: Self.gradcamRequest)
        try await application(engineServer()).test(.live) { client in
            let port = try XCTUnwrap(client.port)
            let base = "http://127.0.0.1:\(port)"
            // 20 jobs queued at once (the first computes, the others reuse its cache entries).
            var jobs = [String]()
            for _ in 0..<20 {
                var request = URLRequest(url: URL(string: base + "/api/explain")!)
                request.httpMethod = "POST"
                request.setValue(headers[.contentType], forHTTPHeaderField: "Content-Type")
                request.httpBody = Data(buffer: body)
                let (data, response) = try await URLSession.shared.data(for: request)
                XCTAssertEqual((response as? HTTPURLResponse)?.statusCode, 202, String(decoding: data, as: UTF8.self))
                jobs.append(try JSONDecoder().decode([String: String].self, from: data)["job"] ?? "")
            }
            // 200 GETs at once while the jobs run.
            let uris = ["/", "/viewer.js", "/api/experiments", "/api/methods"] + jobs.map { "/api/jobs/\($0)" }
            let latencies = try await withThrowingTaskGroup(of: (Int, Double).self) { group in
                for i in 0..<200 {
                    group.addTask {
                        let start = Date()
                        let (_, response) = try await URLSession.shared.data(from: URL(string: base + uris[i % uris.count])!)
                        return ((response as? HTTPURLResponse)?.statusCode ?? 0, Date().timeIntervalSince(start))
                    }
                }
                var out = [Double]()
                for try await (status, seconds) in group {
                    XCTAssertEqual(status, 200)
                    out.append(seconds)
                }
                return out.sorted()
            }
            XCTAssertEqual(latencies.count, 200)
            print(String(format: "200 concurrent GETs: p50 %.1f ms, p99 %.1f ms", latencies[99] * 1000, latencies[197] * 1000))
            let start = Date()
            for id in jobs {
                let job = try await self.waitForJob(client, id)
                XCTAssertEqual(job.state, .done, job.error ?? "")
                XCTAssertEqual(job.results.count, 1, "job \(id) lost its result")
            }
            print(String(format: "20 explain jobs finished %.1f s after the GETs", Date().timeIntervalSince(start)))
        }
    }
}
