import Foundation
@testable import XAIONNX

/// Builds small ONNX models in memory with the importer's own protobuf types, so the tests
/// need no Python or model files. Internal (it speaks the importer's internal protobuf types):
/// test targets reach it with `@testable import XAITestSupport`.
struct ONNXModelBuilder {
    enum Attr {
        case int(String, Int)
        case float(String, Float)
        case ints(String, [Int])
        case floats(String, [Float])
        case string(String, String)
        case tensor(String, Xai_Onnx_TensorProto)
    }

    /// A graph-input dimension: a number, or a symbolic name.
    enum InputDim: ExpressibleByIntegerLiteral, ExpressibleByStringLiteral {
        case value(Int)
        case param(String)
        init(integerLiteral v: Int) { self = .value(v) }
        init(stringLiteral s: String) { self = .param(s) }
    }

    var model = Xai_Onnx_ModelProto()
    private var nodeCount = 0

    init(opset: Int = 13) {
        model.irVersion = 7
        model.producerName = "xai-tests"
        var o = Xai_Onnx_OperatorSetIdProto()
        o.domain = ""
        o.version = Int64(opset)
        model.opsetImport = [o]
        model.graph.name = "test"
    }

    mutating func input(_ name: String, _ dims: [InputDim], elemType: Int32 = 1) {
        var v = Xai_Onnx_ValueInfoProto()
        v.name = name
        var t = Xai_Onnx_TypeProto.Tensor()
        t.elemType = elemType
        t.shape.dim = dims.map { d in
            var x = Xai_Onnx_TensorShapeProto.Dimension()
            switch d {
            case let .value(n): x.dimValue = Int64(n)
            case let .param(s): x.dimParam = s
            }
            return x
        }
        v.type.tensorType = t
        model.graph.input.append(v)
    }

    mutating func output(_ name: String) {
        var v = Xai_Onnx_ValueInfoProto()
        v.name = name
        model.graph.output.append(v)
    }

    static func floatTensor(_ name: String, _ shape: [Int], _ values: [Float], raw: Bool = true) -> Xai_Onnx_TensorProto {
        var t = Xai_Onnx_TensorProto()
        t.name = name
        t.dims = shape.map { Int64($0) }
        t.dataType = 1
        if raw {
            var bytes = Data(capacity: values.count * 4)
            for v in values { withUnsafeBytes(of: v.bitPattern.littleEndian) { bytes.append(contentsOf: $0) } }
            t.rawData = bytes
        } else {
            t.floatData = values
        }
        return t
    }

    static func int64Tensor(_ name: String, _ shape: [Int], _ values: [Int], raw: Bool = false) -> Xai_Onnx_TensorProto {
        var t = Xai_Onnx_TensorProto()
        t.name = name
        t.dims = shape.map { Int64($0) }
        t.dataType = 7
        if raw {
            var bytes = Data(capacity: values.count * 8)
            for v in values { withUnsafeBytes(of: Int64(v).littleEndian) { bytes.append(contentsOf: $0) } }
            t.rawData = bytes
        } else {
            t.int64Data = values.map { Int64($0) }
        }
        return t
    }

    /// Adds a float initializer; `values` defaults to a deterministic ramp.
    mutating func weight(_ name: String, _ shape: [Int], _ values: [Float]? = nil, raw: Bool = true) {
        let n = shape.reduce(1, *)
        let v = values ?? (0..<n).map { i -> Float in
            let k = (i * 7919) % 23
            return Float(k) / 23 - 0.5
        }
        model.graph.initializer.append(Self.floatTensor(name, shape, v, raw: raw))
    }

    mutating func ints(_ name: String, _ values: [Int], shape: [Int]? = nil, raw: Bool = false) {
        model.graph.initializer.append(Self.int64Tensor(name, shape ?? [values.count], values, raw: raw))
    }

    mutating func node(_ op: String, _ inputs: [String], _ outputs: [String], name: String? = nil, _ attrs: [Attr] = []) {
        var n = Xai_Onnx_NodeProto()
        n.opType = op
        n.input = inputs
        n.output = outputs
        n.name = name ?? "\(op)_\(nodeCount)"
        nodeCount += 1
        n.attribute = attrs.map { a in
            var p = Xai_Onnx_AttributeProto()
            switch a {
            case let .int(k, v): p.name = k; p.type = 2; p.i = Int64(v)
            case let .float(k, v): p.name = k; p.type = 1; p.f = v
            case let .ints(k, v): p.name = k; p.type = 7; p.ints = v.map { Int64($0) }
            case let .floats(k, v): p.name = k; p.type = 6; p.floats = v
            case let .string(k, v): p.name = k; p.type = 3; p.s = Data(v.utf8)
            case let .tensor(k, v): p.name = k; p.type = 4; p.t = v
            }
            return p
        }
        model.graph.node.append(n)
    }

    func serialized() throws -> Data { try model.serializedData() }
}
