import Foundation

/// One ONNX node being translated: its attributes with typed, checked access and the
/// error constructors that name the op, the node and the file.
struct NodeContext {
    let proto: Xai_Onnx_NodeProto
    let file: String
    let opset: Int
    /// The node's name, or a stand-in built from its first output when it has none.
    let name: String
    private let attributes: [String: Xai_Onnx_AttributeProto]

    var op: String { proto.opType }
    var inputs: [String] { proto.input }
    var outputs: [String] { proto.output }

    /// Attribute values that come from a file are kept in this range, so that shape
    /// arithmetic on them cannot overflow.
    static let intLimit = 1 << 31

    init(_ proto: Xai_Onnx_NodeProto, index: Int, file: String, opset: Int) {
        self.proto = proto
        self.file = file
        self.opset = opset
        if !proto.name.isEmpty {
            name = proto.name
        } else if let out = proto.output.first, !out.isEmpty {
            name = out
        } else {
            name = "\(proto.opType)#\(index)"
        }
        var attrs = [String: Xai_Onnx_AttributeProto]()
        for a in proto.attribute { attrs[a.name] = a }
        attributes = attrs
    }

    /// Input `i`, or nil when absent or given as "" (an omitted optional input).
    func input(_ i: Int) -> String? {
        i < proto.input.count && !proto.input[i].isEmpty ? proto.input[i] : nil
    }

    func has(_ key: String) -> Bool { attributes[key] != nil }

    var attributeNames: [String] { proto.attribute.map(\.name) }

    // MARK: errors

    func unsupported(_ attribute: String, _ detail: String) -> ONNXError {
        .unsupportedAttribute(op: op, node: name, attribute: attribute, detail: detail, file: file)
    }

    func invalid(_ attribute: String, _ detail: String) -> ONNXError {
        .invalidAttribute(op: op, node: name, attribute: attribute, detail: detail, file: file)
    }

    func shapeError(_ detail: String) -> ONNXError {
        .shapeError(op: op, node: name, detail: detail, file: file)
    }

    // MARK: typed attributes

    func int(_ key: String) throws -> Int? {
        guard let a = attributes[key] else { return nil }
        guard a.type == 2 || (a.type == 0 && a.hasI) else { throw invalid(key, "expected an integer attribute") }
        guard a.i > -Int64(NodeContext.intLimit), a.i < Int64(NodeContext.intLimit) else { throw invalid(key, "value \(a.i) is out of range") }
        return Int(a.i)
    }

    func int(_ key: String, default value: Int) throws -> Int { try int(key) ?? value }

    func float(_ key: String) throws -> Float? {
        guard let a = attributes[key] else { return nil }
        guard a.type == 1 || (a.type == 0 && a.hasF) else { throw invalid(key, "expected a float attribute") }
        return a.f
    }

    func float(_ key: String, default value: Float) throws -> Float { try float(key) ?? value }

    func ints(_ key: String) throws -> [Int]? {
        guard let a = attributes[key] else { return nil }
        guard a.type == 7 || (a.type == 0 && !a.ints.isEmpty) else { throw invalid(key, "expected a list of integers") }
        var out = [Int]()
        out.reserveCapacity(a.ints.count)
        for v in a.ints {
            guard v > -Int64(NodeContext.intLimit), v < Int64(NodeContext.intLimit) else { throw invalid(key, "value \(v) is out of range") }
            out.append(Int(v))
        }
        return out
    }

    /// Integers without the range check, for attributes such as Slice's `ends` where
    /// exporters write INT64_MAX; the caller clamps them.
    func unboundedInts(_ key: String) throws -> [Int]? {
        guard let a = attributes[key] else { return nil }
        guard a.type == 7 || (a.type == 0 && !a.ints.isEmpty) else { throw invalid(key, "expected a list of integers") }
        return a.ints.map { Int($0) }
    }

    func floats(_ key: String) throws -> [Float]? {
        guard let a = attributes[key] else { return nil }
        guard a.type == 6 || (a.type == 0 && !a.floats.isEmpty) else { throw invalid(key, "expected a list of floats") }
        return a.floats
    }

    func string(_ key: String) throws -> String? {
        guard let a = attributes[key] else { return nil }
        guard a.type == 3 || (a.type == 0 && a.hasS) else { throw invalid(key, "expected a string attribute") }
        guard let s = String(data: a.s, encoding: .utf8) else { throw invalid(key, "not UTF-8 text") }
        return s
    }

    func tensor(_ key: String) throws -> Xai_Onnx_TensorProto? {
        guard let a = attributes[key] else { return nil }
        guard a.type == 4 || (a.type == 0 && a.hasT) else { throw invalid(key, "expected a tensor attribute") }
        return a.t
    }

    /// Fails when the node carries an attribute outside `known`, so that no attribute is
    /// silently ignored.
    func allowOnly(_ known: Set<String>) throws {
        for a in proto.attribute where !known.contains(a.name) {
            throw unsupported(a.name, "the importer does not know this attribute of \(op)")
        }
    }
}
