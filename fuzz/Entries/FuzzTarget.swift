import Foundation

/// One input format that libFuzzer drives (`make fuzz`, fuzz/run.sh). Each case's entry point is the
/// function a fuzz binary calls for every input and the one the test suite replays the seed
/// corpus through, so the two cannot drift apart.
public enum FuzzTarget: String, CaseIterable, Sendable {
    /// The YAML experiment loader (`ExperimentLoader.load`), validating against the standard catalogue.
    case experiment
    /// The ONNX importer (`ONNXImporter.load(data:)`): protobuf decoding, operator table, shape folding.
    case onnx
    /// The PNG decoder (libpng through the C shim) and the conversion to planar float.
    case png
    /// The JPEG decoder (libjpeg through the C shim), EXIF orientation included.
    case jpeg
    /// The `.npy` reader used for cached maps, inputs and probabilities.
    case npy

    /// The folder of seed inputs, relative to the repository root.
    public var corpusDirectory: String { "fuzz/Corpus/\(rawValue)" }
}

/// What one input did.
public enum FuzzOutcome: Equatable, Sendable {
    /// Parsed and accepted.
    case accepted
    /// Refused with the module's own error type, naming the input.
    case rejected
    /// Not this target's format (a PNG target fed a JPEG): not run.
    case skipped
}

/// An input that broke a promise without crashing: a foreign error type, or an error that does
/// not name the file. The fuzz binaries turn it into a crash so that libFuzzer keeps the input.
public struct FuzzViolation: Error, CustomStringConvertible {
    public let target: FuzzTarget
    public let detail: String

    public var description: String { "\(target.rawValue): \(detail)" }
}
