import XCTest
import XAITestSupport
@testable import XAIPlanner

/// Builds the graph of a tiny experiment: images x methods, with decode and predict shared.
func sampleGraph(images: [String: String] = ["chelsea": "aa", "coffee": "bb"], model: String = "mm",
                 occlusionWindows: [Int] = [16], gradcamVersion: Int = 1, seed: UInt64 = 0) throws -> TaskGraph {
    var g = TaskGraph()
    for (name, hash) in images.sorted(by: { $0.key < $1.key }) {
        let dec = try g.add(id: "\(name)/decode", kind: .decode, params: ["resize": "224"], inputs: ["image": hash],
                            labels: ["image": name])
        let pred = try g.add(id: "\(name)/predict", kind: .predict, inputs: ["model": model], dependencies: [dec],
                             resource: .engine, labels: ["image": name])
        try g.add(id: "\(name)/gradcam", kind: .explain, params: ["layer": "head"], seed: seed, inputs: ["model": model],
                  dependencies: [dec, pred], version: gradcamVersion, resource: .engine,
                  labels: ["image": name, "method": "gradcam"])
        for w in occlusionWindows {
            let p = ["window": "\(w)", "stride": "8"]
            try g.add(id: "\(name)/occlusion@\(Params.canonical(p))", kind: .explain, params: p, seed: seed,
                      inputs: ["model": model], dependencies: [dec, pred], resource: .engine,
                      labels: ["image": name, "method": "occlusion"])
        }
    }
    return g
}

final class TaskGraphTests: TemporaryDirectoryTestCase {
    func testIdenticalTasksAreMerged() throws {
        var g = try sampleGraph(occlusionWindows: [16, 24, 16])
        XCTAssertEqual(g.countsByKind, [.decode: 2, .predict: 2, .explain: 6])
        // A second instance with the same parameters under another name is the same work.
        let id = try g.add(id: "chelsea/occlusion-copy", kind: .explain, params: ["window": "16", "stride": "8"],
                           seed: 0, inputs: ["model": "mm"], dependencies: ["chelsea/decode", "chelsea/predict"],
                           resource: .engine)
        XCTAssertEqual(id, "chelsea/occlusion@stride=8,window=16")
        XCTAssertEqual(g.resolve("chelsea/occlusion-copy"), id)
        XCTAssertEqual(g.count, 10)
    }

    func testSameIdForDifferentWorkIsAnError() throws {
        var g = try sampleGraph()
        XCTAssertThrowsError(try g.add(id: "chelsea/gradcam", kind: .explain, params: ["layer": "other"])) {
            XCTAssertEqual($0 as? PlannerError, .taskIDCollision(id: "chelsea/gradcam"))
        }
        XCTAssertThrowsError(try g.add(id: "x", kind: .render, dependencies: ["nope"])) {
            XCTAssertEqual($0 as? PlannerError, .unknownDependency(task: "x", dependency: "nope"))
        }
    }

    func testTopologicalOrderIsDeterministicAndRespectsDependencies() throws {
        let g = try sampleGraph(occlusionWindows: [8, 16])
        let order = g.topologicalOrder().map(\.id)
        XCTAssertEqual(order, try sampleGraph(occlusionWindows: [8, 16]).topologicalOrder().map(\.id))
        var seen = Set<String>()
        for id in order {
            for d in g[id]!.dependencies { XCTAssertTrue(seen.contains(d), "\(d) before \(id)") }
            seen.insert(id)
        }
        XCTAssertEqual(order.prefix(2), ["chelsea/decode", "coffee/decode"])
        XCTAssertEqual(g.transitiveDependents(of: "coffee/decode"),
                       ["coffee/gradcam", "coffee/occlusion@stride=8,window=16", "coffee/occlusion@stride=8,window=8",
                        "coffee/predict"])
    }

    func testChangingOneSweepValueChangesOnlyItsTask() throws {
        let a = try sampleGraph(occlusionWindows: [16, 24]), b = try sampleGraph(occlusionWindows: [16, 32])
        let changed = a.keys.symmetricDifference(b.keys)
        XCTAssertEqual(changed.count, 4, "window 24 -> 32 for two images: two keys out, two in")
        // Renaming an image (same bytes) keeps every key.
        let renamed = try sampleGraph(images: ["cat": "aa", "coffee": "bb"])
        XCTAssertEqual(renamed.keys, try sampleGraph().keys)
        // A new model changes every task that reads it, not the decodes.
        let newModel = try sampleGraph(model: "m2")
        XCTAssertEqual(newModel.keys.intersection(try sampleGraph().keys).count, 2)
    }
}

final class PlanTests: TemporaryDirectoryTestCase {
    func commitAll(_ g: TaskGraph, _ store: CacheStore) throws {
        for t in g.tasks.values {
            try store.commit(t.key, files: [:], meta: CacheEntryMeta(key: t.key, kind: t.kind.rawValue, task: t.id, params: t.params))
        }
    }

    func reasons(_ p: Plan) -> [String: PlanReason] {
        Dictionary(uniqueKeysWithValues: p.items.map { ($0.task.id, $0.reason) })
    }

    func testReasons() throws {
        let store = try CacheStore(outputs: tmp)
        let g1 = try sampleGraph(occlusionWindows: [16])
        let fresh = Plan(name: "exp", graph: g1, cache: store, previous: nil)
        XCTAssertTrue(fresh.items.allSatisfy { $0.reason == .new })
        try commitAll(g1, store)
        let state = PlanState(graph: g1)
        try state.save(to: tmp)
        XCTAssertEqual(PlanState.load(from: tmp), state)

        XCTAssertTrue(Plan(name: "exp", graph: g1, cache: store, previous: state).items.allSatisfy { $0.reason == .cached })

        // A changed image: its decode says why, dependents say an input task changed.
        let g2 = try sampleGraph(images: ["chelsea": "a2", "coffee": "bb"], gradcamVersion: 2)
        let r = reasons(Plan(name: "exp", graph: g2, cache: store, previous: state))
        XCTAssertEqual(r["chelsea/decode"], .inputsChanged(["image"]))
        XCTAssertEqual(r["chelsea/predict"], .dependencyChanged)
        XCTAssertEqual(r["coffee/decode"], .cached)
        XCTAssertEqual(r["coffee/gradcam"], .implementationChanged(from: 1, to: 2))
        XCTAssertEqual(r["coffee/gradcam"]?.text, "method implementation changed (version 1 -> 2)")

        // New model; new parameters (a sweep value and the seed).
        let g3 = try sampleGraph(model: "m2")
        XCTAssertEqual(reasons(Plan(name: "exp", graph: g3, cache: store, previous: state))["coffee/predict"],
                       .inputsChanged(["model"]))
        var g4 = try sampleGraph(seed: 7)
        try g4.add(id: "coffee/gradcam2", kind: .explain, params: ["layer": "stem"], seed: 7, inputs: ["model": "mm"],
                   dependencies: ["coffee/decode", "coffee/predict"])
        let r4 = reasons(Plan(name: "exp", graph: g4, cache: store, previous: state))
        XCTAssertEqual(r4["coffee/gradcam"], .parametersChanged("seed 0 -> 7"))
        XCTAssertEqual(r4["coffee/gradcam2"], .new)
        var edited = state
        edited.tasks["coffee/gradcam"]!.params = ["layer": "stem"]
        edited.tasks["coffee/gradcam"]!.key = CacheKey(hex: String(repeating: "0", count: 64))
        XCTAssertEqual(reasons(Plan(name: "exp", graph: g1, cache: try CacheStore(root: tmp.appendingPathComponent("c2")),
                                    previous: edited))["coffee/gradcam"],
                       .parametersChanged("layer stem -> head"))

        // Entry removed by gc, force, only.
        try store.remove(g1["coffee/gradcam"]!.key)
        XCTAssertEqual(reasons(Plan(name: "exp", graph: g1, cache: store, previous: state))["coffee/gradcam"], .cacheMissing)
        let forced = Plan(name: "exp", graph: g1, cache: store, previous: state, force: true,
                          only: { $0.labels["method"] == "occlusion" })
        let rf = reasons(forced)
        XCTAssertEqual(rf["chelsea/occlusion@stride=8,window=16"], .forced)
        XCTAssertEqual(rf["chelsea/decode"], .cached, "dependencies of selected tasks are not forced")
        XCTAssertEqual(rf["coffee/gradcam"], .filteredOut)
        XCTAssertEqual(rf["chelsea/gradcam"], .cached)
    }

    func testRenderingsAreDeterministicAndComplete() throws {
        let store = try CacheStore(outputs: tmp)
        let g = try sampleGraph(occlusionWindows: [8, 16])
        try store.commit(g["chelsea/decode"]!.key, files: [:], meta: CacheEntryMeta(key: g["chelsea/decode"]!.key, kind: "decode", task: "chelsea/decode", params: [:]))
        let p1 = Plan(name: "exp", graph: g, cache: store, previous: nil)
        let p2 = Plan(name: "exp", graph: try sampleGraph(occlusionWindows: [8, 16]), cache: store, previous: nil)
        for f in PlanFormat.allCases { XCTAssertEqual(p1.render(f), p2.render(f), "\(f)") }

        let text = p1.renderText()
        XCTAssertTrue(text.hasPrefix("plan exp: 10 tasks, 1 cached, 9 to run\n"), text)
        XCTAssertTrue(text.contains("\nexplain (6): 0 cached, 6 to run\n"), text)
        XCTAssertTrue(text.contains("  cached  chelsea/decode\n"), text)
        XCTAssertTrue(text.contains("  run     coffee/occlusion@stride=8,window=8  (new)\n"), text)
        XCTAssertLessThan(text.range(of: "decode (2)")!.lowerBound, text.range(of: "explain (6)")!.lowerBound)

        let json = try JSONSerialization.jsonObject(with: Data(p1.renderJSON().utf8)) as! [String: Any]
        XCTAssertEqual((json["tasks"] as! [Any]).count, 10)
        XCTAssertEqual(((json["counts"] as! [String: Any])["decode"] as! [String: Int])["cached"], 1)

        let dot = p1.renderDOT()
        XCTAssertTrue(dot.hasPrefix("digraph \"plan exp\" {"))
        XCTAssertTrue(dot.contains("\"chelsea/decode\" -> \"chelsea/predict\";"))
        XCTAssertEqual(dot.components(separatedBy: " -> ").count - 1, 2 + 6 * 2)

        let mermaid = p1.renderMermaid()
        XCTAssertTrue(mermaid.hasPrefix("flowchart LR\n"))
        XCTAssertEqual(mermaid.components(separatedBy: " --> ").count - 1, 14)
        XCTAssertTrue(mermaid.contains(":::cached"))
    }
}
