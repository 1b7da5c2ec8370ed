import Foundation
import XAICore

/// Tensor bytes kept in files beside the model (ONNX external data: `location`, `offset`,
/// `length`), as PyTorch's default exporter writes them (`model.onnx` + `model.onnx.data`).
///
/// The files are untrusted like the model itself: a location must be a plain file name in the
/// model's folder (no absolute path, no `..`, no sub-folder; `PathComponent`'s rule), a regular
/// file and not a symbolic link, at most `maxFileBytes` long; every offset and length is checked
/// against the file's size before a byte is copied. Each file is mapped once per import.
final class ExternalData {
    /// The folder holding the model; nil for a model given as bytes, whose tensors cannot
    /// refer to files.
    let directory: String?
    /// The model file, for messages.
    let file: String
    private var mapped: [String: Data] = [:]

    /// Largest external data file accepted (a VGG-16 needs 0.55 GB).
    static let maxFileBytes = 8 << 30

    init(directory: String?, file: String) {
        self.directory = directory
        self.file = file
    }

    /// The bytes of tensor `t` (named `name` in messages), read from its file.
    func bytes(of t: Xai_Onnx_TensorProto, name: String) throws -> Data {
        var location: String?
        var offset = 0
        var length: Int?
        func fail(_ detail: String) -> ONNXError {
            .externalData(name: name, location: location ?? "", detail: detail, file: file)
        }
        for entry in t.externalData {
            switch entry.key {
            case "location": location = entry.value
            case "offset", "length":
                guard let v = Int(entry.value), v >= 0 else {
                    throw fail("`\(entry.key)` is '\(TerminalText.sanitize(entry.value))', not a non-negative integer")
                }
                if entry.key == "offset" { offset = v } else { length = v }
            case "checksum":
                throw fail("it carries a checksum, which xai does not verify; re-save the model without one")
            default:
                throw fail("unknown key '\(TerminalText.sanitize(entry.key))' (known: location, offset, length)")
            }
        }
        guard let location else { throw fail("no `location` names the file holding the data") }
        if let problem = PathComponent.problem(location) {
            throw fail("the location must be a file name in the model's folder: "
                + PathComponentError(name: location, problem: problem).description)
        }
        guard let directory else {
            throw fail("the model was given as bytes, so there is no folder to read the file from; load it from its path")
        }
        let data = try file(location, in: directory, fail)
        let count = length ?? max(0, data.count - offset)
        guard offset <= data.count, count <= data.count - offset else {
            throw fail("\(count) bytes from offset \(offset) lie outside the file's \(data.count) bytes")
        }
        return data.subdata(in: offset..<(offset + count))
    }

    /// The mapped contents of `location` in `directory`.
    private func file(_ location: String, in directory: String, _ fail: (String) -> ONNXError) throws -> Data {
        if let d = mapped[location] { return d }
        let path = PathUtil.join(directory, location)
        let size: Int
        do {
            size = try RegularFile.size(path, maxBytes: ExternalData.maxFileBytes, followLinks: false)
        } catch let e as RegularFileError {
            switch e {
            case .notFound: throw fail("'\(path)' does not exist; keep the data file beside the model")
            case let .unreadable(_, reason): throw fail("cannot read '\(path)' (\(reason))")
            case let .tooLarge(_, size, limit): throw fail("'\(path)' has \(size) bytes, over the \(limit)-byte limit")
            }
        }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped)
        } catch {
            throw fail("cannot read '\(path)' (\(error.localizedDescription))")
        }
        guard data.count == size else { throw fail("'\(path)' changed while it was read") }
        mapped[location] = data
        return data
    }
}
