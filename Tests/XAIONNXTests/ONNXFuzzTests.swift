import Foundation
import XCTest
import XAICore
import XAIEngine
@testable import XAIONNX
@testable import XAITestSupport

/// Seeded mutation fuzzing of the importer: byte flips, overwrites with extreme varints,
/// insertions, deletions and truncations of the seed models in Corpus/ must make the
/// importer throw or return a graph, never crash, hang or allocate without bound.
final class ONNXFuzzTests: XCTestCase {
    /// The seed models, built by `CorpusModels` and stored in Corpus/ (regenerate with
    /// `XAI_WRITE_ONNX_CORPUS=Tests/XAIONNXTests/Corpus swift test --filter testWriteCorpus`).
    func corpus() throws -> [(String, Data)] {
        guard let dir = Bundle.module.url(forResource: "Corpus", withExtension: nil) else {
            XCTFail("Corpus resource folder missing")
            return []
        }
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".onnx") }.sorted()
        return try files.map { ($0, try Data(contentsOf: dir.appendingPathComponent($0))) }
    }

    func testCorpusSeedsLoad() throws {
        let seeds = try corpus()
        XCTAssertGreaterThanOrEqual(seeds.count, CorpusModels.all.count)
        for (name, data) in seeds {
            XCTAssertNoThrow(try ONNXImporter.load(data: data, source: name), name)
        }
    }

    func testSeededMutationsNeverCrash() throws {
        var rng = SplitMix64(seed: 0x5EED_0A11)
        let seeds = try corpus()
        XCTAssertFalse(seeds.isEmpty)
        let perSeed = 3000 / max(seeds.count, 1)
        var outcomes = [String: Int]()
        let start = Date()
        for (name, data) in seeds {
            for _ in 0..<perSeed {
                let mutated = Self.mutate(data, &rng)
                do {
                    _ = try ONNXImporter.load(data: mutated, source: name)
                    outcomes["graph", default: 0] += 1
                } catch let e as ONNXError {
                    outcomes[Self.caseName(e), default: 0] += 1
                    XCTAssertTrue(e.description.contains(name), "error without the file name: \(e)")
                } catch {
                    XCTFail("\(name): non-ONNXError \(type(of: error)): \(error)")
                }
            }
        }
        let seconds = Date().timeIntervalSince(start)
        print("fuzz: \(perSeed * seeds.count) mutants in \(String(format: "%.2f", seconds)) s: "
            + outcomes.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        // A hang guard only (a normal run takes about a second): no mutant may make the
        // importer loop or allocate for long.
        XCTAssertLessThan(seconds, 120)
    }

    /// Mutations of the decoded model (dimensions, attribute values, data types, operator
    /// names, wiring) that keep the protobuf valid, so they reach the importer's semantic
    /// checks instead of the decoder's.
    func testSeededStructuredMutationsNeverCrash() throws {
        var rng = SplitMix64(seed: 0xA77_2B17E)
        let seeds = try corpus().map { ($0.0, try Xai_Onnx_ModelProto(serializedBytes: $0.1)) }
        let perSeed = 3000 / max(seeds.count, 1)
        var outcomes = [String: Int]()
        for (name, model) in seeds {
            for _ in 0..<perSeed {
                var m = model
                for _ in 0..<(1 + rng.next() % 3) { Self.mutate(&m, &rng) }
                do {
                    let g = try ONNXImporter.load(data: try m.serializedData(), source: name)
                    outcomes["graph", default: 0] += 1
                    // What the importer accepts, the engine must prepare and run or reject
                    // with an error.
                    do {
                        let engine = try Engine(graph: g)
                        _ = try engine.logits(Tensor(zeros: [2] + g.inputShape))
                        outcomes["graph ran", default: 0] += 1
                    } catch is EngineError {
                        outcomes["graph, engine refused", default: 0] += 1
                    }
                } catch let e as ONNXError {
                    outcomes[Self.caseName(e), default: 0] += 1
                    XCTAssertTrue(e.description.contains(name), "error without the file name: \(e)")
                } catch {
                    XCTFail("\(name): non-ONNXError \(type(of: error)): \(error)")
                }
            }
        }
        print("structured fuzz: \(perSeed * seeds.count) mutants: "
            + outcomes.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
    }

    static let extremes: [Int64] = [-1, 0, 1, 2, 3, 7, -7, 1 << 31, -(1 << 31), 1 << 40, Int64.max, Int64.min]
    static let opNames = ["Conv", "Reshape", "Gather", "Slice", "Pad", "Concat", "Squeeze", "Unsqueeze", "Softmax",
                          "MaxPool", "Gemm", "MatMul", "Transpose", "ConstantOfShape", "Range", "Shape", "Flatten",
                          "ReduceMean", "Clip", "BatchNormalization", "Cast", "Constant", "Einsum"]

    static func mutate(_ m: inout Xai_Onnx_ModelProto, _ rng: inout SplitMix64) {
        func pick<T>(_ a: [T]) -> T? { a.isEmpty ? nil : a[Int(rng.next() % UInt64(a.count))] }
        func index(_ n: Int) -> Int? { n == 0 ? nil : Int(rng.next() % UInt64(n)) }
        let extreme = pick(extremes) ?? 0
        switch rng.next() % 9 {
        case 0:
            guard let t = index(m.graph.initializer.count) else { return }
            if let d = index(m.graph.initializer[t].dims.count) { m.graph.initializer[t].dims[d] = extreme }
            else { m.graph.initializer[t].dims.append(extreme) }
        case 1:
            guard let t = index(m.graph.initializer.count) else { return }
            m.graph.initializer[t].dataType = Int32(truncatingIfNeeded: pick([0, 1, 2, 6, 7, 8, 9, 10, 11, 13, 16, 99]) ?? 0)
        case 2:
            guard let n = index(m.graph.node.count), let a = index(m.graph.node[n].attribute.count) else { return }
            if rng.next() % 2 == 0 {
                m.graph.node[n].attribute[a].i = extreme
            } else if let k = index(m.graph.node[n].attribute[a].ints.count) {
                m.graph.node[n].attribute[a].ints[k] = extreme
            } else {
                m.graph.node[n].attribute[a].ints.append(extreme)
            }
        case 3:
            guard let n = index(m.graph.node.count) else { return }
            m.graph.node[n].opType = pick(opNames) ?? ""
        case 4:
            guard let n = index(m.graph.node.count), let i = index(m.graph.node[n].input.count) else { return }
            let names = m.graph.node.flatMap(\.output) + m.graph.initializer.map(\.name) + ["", "nowhere"]
            m.graph.node[n].input[i] = pick(names) ?? ""
        case 5:
            guard let n = index(m.graph.node.count) else { return }
            if rng.next() % 2 == 0 { m.graph.node.remove(at: n) } else { m.graph.node.swapAt(n, index(m.graph.node.count) ?? n) }
        case 6:
            guard let t = index(m.graph.initializer.count) else { return }
            let raw = m.graph.initializer[t].rawData
            m.graph.initializer[t].rawData = raw.prefix(index(raw.count + 1) ?? 0)
            if let k = index(m.graph.initializer[t].int64Data.count) { m.graph.initializer[t].int64Data[k] = extreme }
        case 7:
            guard let d = index(m.graph.input.first?.type.tensorType.shape.dim.count ?? 0) else { return }
            m.graph.input[0].type.tensorType.shape.dim[d].dimValue = extreme
        default:
            m.opsetImport[0].version = pick([1, 7, 9, 10, 11, 12, 13, 14, 17, 18, 21, 22, Int64.max]) ?? 13
        }
    }

    static func caseName(_ e: ONNXError) -> String {
        String("\(Mirror(reflecting: e).children.first?.label ?? "\(e)")".prefix(30))
    }

    static func mutate(_ data: Data, _ rng: inout SplitMix64) -> Data {
        var bytes = [UInt8](data)
        let rounds = 1 + Int(rng.next() % 4)
        for _ in 0..<rounds where !bytes.isEmpty {
            let at = Int(rng.next() % UInt64(bytes.count))
            switch rng.next() % 7 {
            case 0: bytes[at] ^= UInt8(1 << (rng.next() % 8))
            case 1: bytes[at] = [0x00, 0xFF, 0x7F, 0x80, 0x01][Int(rng.next() % 5)]
            case 2:
                // An extreme varint: a huge length, dimension or count.
                let varint: [UInt8] = rng.next() % 2 == 0
                    ? [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01]
                    : [0x80, 0x80, 0x80, 0x80, 0x08]
                for (k, b) in varint.enumerated() where at + k < bytes.count { bytes[at + k] = b }
            case 3: bytes.insert(contentsOf: (0..<(1 + rng.next() % 8)).map { _ in UInt8(rng.next() & 0xFF) }, at: at)
            case 4: bytes.removeSubrange(at..<min(bytes.count, at + 1 + Int(rng.next() % 16)))
            case 5: bytes.removeSubrange(at...)
            default:
                // Duplicate a chunk (repeated fields, doubled nodes).
                let end = min(bytes.count, at + 1 + Int(rng.next() % 64))
                bytes.insert(contentsOf: bytes[at..<end], at: end)
            }
        }
        return Data(bytes)
    }

    /// The stored corpus is exactly what `CorpusModels` builds, so the fuzz seeds cover the
    /// current builders. With XAI_WRITE_ONNX_CORPUS=<folder> it rewrites the files instead.
    func testWriteCorpus() throws {
        if let dir = ProcessInfo.processInfo.environment["XAI_WRITE_ONNX_CORPUS"] {
            for (name, builder) in CorpusModels.all {
                try builder.serialized().write(to: URL(fileURLWithPath: "\(dir)/\(name).onnx"))
            }
            throw XCTSkip("rewrote \(CorpusModels.all.count) files in \(dir); build again to check them")
        }
        let stored = Dictionary(uniqueKeysWithValues: try corpus())
        for (name, builder) in CorpusModels.all {
            let built = try builder.serialized()
            XCTAssertEqual(stored[name + ".onnx"], built, "Corpus/\(name).onnx differs from CorpusModels (\(built.count) bytes built)")
        }
    }
}

/// Deterministic 64-bit generator for reproducible fuzzing.
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// The seed models: together they touch every supported operator and both data layouts.
enum CorpusModels {
    static var all: [(String, ONNXModelBuilder)] {
        [("convnet", ONNXImportTests.convNet()),
         ("convnet-typed-opset9", ONNXImportTests.convNet(opset: 9, rawWeights: false)),
         ("shape-folding", shapeFolding()),
         ("nhwc-tf2onnx", nhwc()),
         ("layers-opset11", layers(opset: 11)),
         ("layers-opset18", layers(opset: 18))]
    }

    static func shapeFolding() -> ONNXModelBuilder {
        var b = ONNXModelBuilder(opset: 13)
        b.input("x", ["N", 2, 4, 4])
        b.ints("zero", [0], shape: [])
        b.ints("minus1", [-1], shape: [1], raw: true)
        b.ints("axes0", [0])
        b.ints("one", [1]); b.ints("big", [Int(Int64.max)])
        b.node("Relu", ["x"], ["r"])
        b.node("Shape", ["r"], ["s"])
        b.node("Gather", ["s", "zero"], ["n"], [.int("axis", 0)])
        b.node("Unsqueeze", ["n", "axes0"], ["n1"])
        b.node("Slice", ["s", "one", "big", "axes0"], ["chw"])
        b.node("Cast", ["chw"], ["chwf"], [.int("to", 1)])
        b.node("ConstantOfShape", ["one"], ["half"], [.tensor("value", ONNXModelBuilder.floatTensor("", [1], [0.5]))])
        b.node("Range", ["zero", "zero", "one"], ["empty"])
        b.node("Concat", ["n1", "minus1"], ["target"], [.int("axis", 0)])
        b.node("Mul", ["r", "half"], ["rh"])
        b.node("Reshape", ["rh", "target"], ["flat"])
        b.node("Squeeze", ["n1", "axes0"], ["n0"])
        b.output("flat")
        return b
    }

    static func nhwc() -> ONNXModelBuilder {
        var b = ONNXModelBuilder(opset: 13)
        b.input("input_1", ["unk__0", 6, 6, 3])
        b.weight("w", [2, 3, 3, 3])
        b.ints("flat_shape", [-1, 72])
        b.weight("dense", [72, 5])
        b.weight("dense_b", [5])
        b.node("Transpose", ["input_1"], ["input_nchw"], [.ints("perm", [0, 3, 1, 2])])
        b.node("Conv", ["input_nchw", "w"], ["conv"], [.string("auto_pad", "SAME_UPPER")])
        b.node("Relu", ["conv"], ["relu"])
        b.node("Reshape", ["relu", "flat_shape"], ["flat"])
        b.node("MatMul", ["flat", "dense"], ["mm"])
        b.node("Add", ["mm", "dense_b"], ["logits"])
        b.node("Softmax", ["logits"], ["probs"])
        b.output("probs")
        return b
    }

    static func layers(opset: Int) -> ONNXModelBuilder {
        var b = ONNXModelBuilder(opset: opset)
        b.input("x", ["N", 4, 6, 6])
        b.weight("lo", [], [0]); b.weight("hi", [], [6])
        b.ints("pads", [0, 0, 1, 1, 0, 0, 1, 1]); b.ints("axes", [2, 3])
        b.node("LeakyRelu", ["x"], ["a"], [.float("alpha", 0.2)])
        if opset < 11 {
            b.node("Clip", ["a"], ["c"], [.float("min", 0), .float("max", 6)])
            b.node("Pad", ["c"], ["p"], [.ints("pads", [0, 0, 1, 1, 0, 0, 1, 1])])
        } else {
            b.node("Clip", ["a", "lo", "hi"], ["c"])
            b.node("Pad", ["c", "pads"], ["p"])
        }
        b.node("HardSigmoid", ["p"], ["hs"])
        b.node("Sigmoid", ["hs"], ["sg"])
        b.node("Tanh", ["sg"], ["th"])
        b.node("LRN", ["th"], ["l"], [.int("size", 3)])
        b.node("AveragePool", ["l"], ["ap"], [.ints("kernel_shape", [3, 3]), .ints("strides", [2, 2]),
                                             .ints("pads", [1, 1, 1, 1]), .int("count_include_pad", 1)])
        b.node("Dropout", ["ap"], ["d"])
        b.node("Identity", ["d"], ["i"])
        if opset < 18 {
            b.node("ReduceMean", ["i"], ["m"], [.ints("axes", [2, 3]), .int("keepdims", 1)])
        } else {
            b.node("ReduceMean", ["i", "axes"], ["m"])
        }
        b.node("Flatten", ["m"], ["f"])
        b.node("Softmax", ["f"], ["y"])
        b.output("y")
        return b
    }
}
