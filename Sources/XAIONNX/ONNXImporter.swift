import Foundation
import SwiftProtobuf
import XAICore
import XAIEngine

/// Loads ONNX models (as written by `torch.onnx.export` and tf2onnx) into the engine's
/// `Graph`: weights become `Graph.constants` (float32), shape computations are folded at
/// load time, and every supported operator becomes one graph-IR node whose output keeps
/// the ONNX tensor name, so names seen in Netron or `xai layers` address the same tensors.
///
/// The input is an NCHW float32 image batch with a free batch size. A model whose input is
/// NHWC and immediately transposed to NCHW (tf2onnx) is given an NCHW input instead.
/// Supported operators: `ONNXError.supportedOps`; opsets 7 to 21 of the default domain.
public enum ONNXImporter {
    /// Opset versions of the default domain whose operator forms the importer knows.
    public static let supportedOpsets = 7...21
    /// Largest accepted model file: protobuf messages cannot exceed 2 GiB.
    public static let maxFileBytes = 2 << 30

    /// Loads the model at `path`.
    /// - Parameter inputSize: spatial size to use when the model leaves the image height or
    ///   width symbolic; must match when the model fixes it.
    /// - Parameter defaultInputSize: the size for a symbolic height or width when `inputSize` is
    ///   nil; a size the model fixes wins over it (`Graph.inputShape` tells which was taken).
    /// - Throws: `ONNXError` naming the file for a missing, unreadable, malformed, hostile
    ///   or unsupported model.
    public static func load(contentsOf path: String, inputSize: (height: Int, width: Int)? = nil,
                            defaultInputSize: (height: Int, width: Int)? = nil) throws -> Graph {
        let data = try mappedFile(path)
        return try load(data: data, source: path, inputSize: inputSize, defaultInputSize: defaultInputSize,
                        directory: PathUtil.parent(path) ?? ".")
    }

    /// Loads a model from serialized ONNX bytes; `source` names it in errors and becomes
    /// `Graph.source`. Tensors stored outside the model (external data) are read from files in
    /// `directory`, the model's folder; without one they are refused.
    public static func load(data: Data, source: String = "<memory>",
                            inputSize: (height: Int, width: Int)? = nil, defaultInputSize: (height: Int, width: Int)? = nil,
                            directory: String? = nil) throws -> Graph {
        let model = try decodeModel(data, source: source)
        guard model.hasGraph else {
            throw ONNXError.malformed(file: source, detail: "no graph in the model")
        }
        let opset = try defaultOpset(model, source)
        let importer = GraphImporter(graph: model.graph, opset: opset, file: source, inputSize: inputSize,
                                     defaultInputSize: defaultInputSize, directory: directory)
        return try importer.run()
    }

    /// The model file at `path`, mapped: a regular file of at most `maxFileBytes`.
    static func mappedFile(_ path: String) throws -> Data {
        // A regular file only: /dev/zero or a FIFO would otherwise be read until memory runs out.
        do {
            _ = try RegularFile.size(path, maxBytes: maxFileBytes)
        } catch RegularFileError.notFound {
            throw ONNXError.fileNotFound(file: path)
        } catch RegularFileError.unreadable(_, let reason) {
            throw ONNXError.unreadable(file: path, reason: reason)
        } catch RegularFileError.tooLarge(_, let size, let limit) {
            throw ONNXError.unreadable(file: path, reason: "the file has \(size) bytes, over the \(limit)-byte limit for ONNX models")
        }
        do {
            // Mapped, so the weights are not held twice while the protobuf is decoded.
            return try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped)
        } catch {
            throw ONNXError.unreadable(file: path, reason: error.localizedDescription)
        }
    }

    /// The model message in `data`, nested at most 64 deep.
    static func decodeModel(_ data: Data, source: String) throws -> Xai_Onnx_ModelProto {
        do {
            var options = BinaryDecodingOptions()
            options.messageDepthLimit = 64
            return try Xai_Onnx_ModelProto(serializedBytes: data, options: options)
        } catch {
            throw ONNXError.malformed(file: source, detail: describe(error))
        }
    }

    /// Loads a model from serialized ONNX bytes.
    public static func load(bytes: [UInt8], source: String = "<memory>",
                            inputSize: (height: Int, width: Int)? = nil) throws -> Graph {
        try load(data: Data(bytes), source: source, inputSize: inputSize)
    }

    private static func defaultOpset(_ model: Xai_Onnx_ModelProto, _ source: String) throws -> Int {
        // Files with no opset_import predate opset versioning (IR version < 3): opset 1.
        guard let entry = model.opsetImport.first(where: { $0.domain.isEmpty || $0.domain == "ai.onnx" }) else {
            throw ONNXError.unsupportedOpset(domain: "", version: 1, file: source)
        }
        let v = entry.version
        guard v >= Int64(supportedOpsets.lowerBound), v <= Int64(supportedOpsets.upperBound) else {
            throw ONNXError.unsupportedOpset(domain: "", version: Int(clamping: v), file: source)
        }
        return Int(v)
    }

    private static func describe(_ error: Error) -> String {
        guard let e = error as? BinaryDecodingError else { return String(describing: error) }
        switch e {
        case .truncated: return "protobuf data ends early"
        case .malformedProtobuf: return "malformed protobuf data"
        case .invalidUTF8: return "a text field is not UTF-8"
        case .messageDepthLimit: return "messages nested too deeply"
        default: return "protobuf decoding failed: \(e)"
        }
    }
}
