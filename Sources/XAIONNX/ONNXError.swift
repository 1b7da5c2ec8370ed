import XAICore

/// Problems with an ONNX file: it cannot be read, it is malformed or hostile, or it uses
/// something the importer does not support. Every case names the file so that a user
/// juggling several models knows which one to fix.
public enum ONNXError: Error, CustomStringConvertible, Equatable {
    /// The path does not exist.
    case fileNotFound(file: String)
    /// The path exists but could not be read (permissions, a directory, I/O error).
    case unreadable(file: String, reason: String)
    /// The bytes are not a valid ONNX protobuf (truncated, corrupt, not ONNX at all).
    case malformed(file: String, detail: String)
    /// The model imports no supported version of the default operator set.
    case unsupportedOpset(domain: String, version: Int, file: String)
    /// A node uses an operator the importer cannot translate.
    case unsupportedOp(op: String, node: String, file: String)
    /// A node uses an attribute value (or input form) the importer cannot translate.
    case unsupportedAttribute(op: String, node: String, attribute: String, detail: String, file: String)
    /// An attribute or constant operand is missing or has an invalid value.
    case invalidAttribute(op: String, node: String, attribute: String, detail: String, file: String)
    /// A node reads a tensor that no initializer, graph input or earlier node defines.
    case missingTensor(name: String, node: String, file: String)
    /// A stored tensor is inconsistent or hostile (bad dimensions, data size mismatch).
    case invalidTensor(name: String, detail: String, file: String)
    /// A stored tensor uses an element type the importer does not read.
    case unsupportedDataType(name: String, dataType: Int, file: String)
    /// A tensor's data in a separate file (ONNX external data) cannot be read: `detail` says why.
    case externalData(name: String, location: String, detail: String, file: String)
    /// The graph's inputs do not describe one image batch (count, rank, type or size).
    case badInput(detail: String, file: String)
    /// Shapes that do not fit together, or that the importer cannot determine at load time.
    case shapeError(op: String, node: String, detail: String, file: String)
    /// The graph's outputs are missing or not computed from the input.
    case badOutput(name: String, detail: String, file: String)

    /// ONNX operators the importer translates (constant-only ones are folded at load time).
    public static let supportedOps: [String] = GraphImporter.operators.keys.sorted {
        $0.lowercased() < $1.lowercased()
    }

    public var description: String {
        switch self {
        case let .fileNotFound(file):
            return "\(file): no such file; check the model path"
        case let .unreadable(file, reason):
            return "\(file): cannot read the model file (\(reason))"
        case let .malformed(file, detail):
            return "\(file): not a valid ONNX model (\(detail)); the file may be truncated or corrupt, re-export or re-download it"
        case let .unsupportedOpset(domain, version, file):
            let name = domain.isEmpty ? "ai.onnx" : domain
            return "\(file): operator set \(name) version \(version) is not supported; "
                + "re-export with opset 7 to 21 (opset 11 to 17 are tested)"
        case let .unsupportedOp(op, node, file):
            return "\(file): unsupported operator \(op) in node '\(node)'; supported operators: "
                + ONNXError.supportedOps.joined(separator: ", ")
        case let .unsupportedAttribute(op, node, attribute, detail, file):
            return "\(file): node '\(node)' (\(op)): attribute '\(attribute)' is not supported: \(detail)"
        case let .invalidAttribute(op, node, attribute, detail, file):
            return "\(file): node '\(node)' (\(op)): invalid '\(attribute)': \(detail)"
        case let .missingTensor(name, node, file):
            return "\(file): node '\(node)' reads tensor '\(name)', which no initializer, input or earlier node defines"
        case let .invalidTensor(name, detail, file):
            return "\(file): stored tensor '\(name)' is invalid: \(detail)"
        case let .unsupportedDataType(name, dataType, file):
            return "\(file): tensor '\(name)' has ONNX data type \(dataType) (\(ONNXDataType.name(dataType))), "
                + "which is not supported; use float32, float64, float16, int64 or int32"
        case let .externalData(name, location, detail, file):
            let from = location.isEmpty ? "" : " from '\(TerminalText.sanitize(location))'"
            return "\(file): tensor '\(name)' keeps its data in an external file; reading it\(from) failed: \(detail)"
        case let .badInput(detail, file):
            return "\(file): \(detail)"
        case let .shapeError(op, node, detail, file):
            return "\(file): node '\(node)' (\(op)): \(detail)"
        case let .badOutput(name, detail, file):
            return "\(file): graph output '\(name)': \(detail)"
        }
    }
}

/// ONNX TensorProto.DataType codes the importer knows by name.
enum ONNXDataType {
    static let float = 1, uint8 = 2, int8 = 3, uint16 = 4, int16 = 5, int32 = 6, int64 = 7
    static let string = 8, bool = 9, float16 = 10, double = 11, uint32 = 12, uint64 = 13
    static let bfloat16 = 16

    static func name(_ code: Int) -> String {
        switch code {
        case float: return "float32"
        case uint8: return "uint8"
        case int8: return "int8"
        case uint16: return "uint16"
        case int16: return "int16"
        case int32: return "int32"
        case int64: return "int64"
        case string: return "string"
        case bool: return "bool"
        case float16: return "float16"
        case double: return "float64"
        case uint32: return "uint32"
        case uint64: return "uint64"
        case 14: return "complex64"
        case 15: return "complex128"
        case bfloat16: return "bfloat16"
        default: return "unknown"
        }
    }

    static func isFloatingPoint(_ code: Int) -> Bool {
        code == float || code == double || code == float16 || code == bfloat16
    }

    static func isInteger(_ code: Int) -> Bool {
        [uint8, int8, uint16, int16, int32, int64, bool, uint32, uint64].contains(code)
    }
}
