import Foundation
import XAIExperiment
import XAIImaging
import XAIManifest
import XAIMetrics
import XAIONNX

/// Runs one input through a target's entry point. The experiment loader reads files, so the
/// harness writes each input to a private scratch file and resolves its paths against
/// `baseDirectory` (the repository root, where the seed experiments' images and models are).
public final class FuzzHarness {
    public let baseDirectory: String
    private let scratch: URL
    /// The message of the last rejection, for tests that expect a seed to be accepted.
    public private(set) var lastRejection: String?
    /// Source name used in errors; every rejection must mention it.
    static let source = "fuzz-input"

    /// Creates the scratch folder (removed by `close()`).
    public init(baseDirectory: String) throws {
        self.baseDirectory = baseDirectory
        // Memory-backed where Linux offers it: every input is written there once.
        var isFolder: ObjCBool = false
        let shm = FileManager.default.fileExists(atPath: "/dev/shm", isDirectory: &isFolder) && isFolder.boolValue
        scratch = (shm ? URL(fileURLWithPath: "/dev/shm") : FileManager.default.temporaryDirectory)
            .appendingPathComponent("xai-fuzz-\(getpid())-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    }

    public func close() {
        try? FileManager.default.removeItem(at: scratch)
    }

    /// The entry point: decodes `bytes` as `target`'s format. Throws `FuzzViolation` when the
    /// outcome is neither a result nor the module's own error naming the input.
    public func run(_ target: FuzzTarget, _ bytes: [UInt8]) throws -> FuzzOutcome {
        switch target {
        case .experiment: return try experiment(bytes)
        case .onnx:
            return try expect(target, ONNXError.self, names) { _ = try ONNXImporter.load(bytes: bytes, source: Self.source) }
        case .png, .jpeg:
            guard ImageFormat.detect(bytes) == (target == .png ? .png : .jpeg) else { return .skipped }
            // Smaller than the defaults so that one input decodes in milliseconds; the limit checks
            // run the same code whatever the numbers.
            let limits = ImageLimits(maxSide: 4096, maxPixels: 4_000_000)
            return try expect(target, ImageError.self, names) {
                let image = try ImageIO.decode(bytes, source: Self.source, limits: limits)
                guard image.pixels.count == 3 * image.width * image.height else {
                    throw FuzzViolation(target: target, detail: "\(image.width)x\(image.height) image with \(image.pixels.count) samples")
                }
            }
        case .npy:
            return try expect(target, OutputError.self, names) {
                let tensor = try NPY.decode(Data(bytes), path: Self.source)
                guard tensor.data.count == tensor.shape.reduce(1, *) else {
                    throw FuzzViolation(target: target, detail: "shape \(tensor.shape) with \(tensor.data.count) values")
                }
            }
        }
    }

    private func experiment(_ bytes: [UInt8]) throws -> FuzzOutcome {
        let file = scratch.appendingPathComponent("experiment.yaml")
        try Self.overwrite(file.path, with: bytes)
        // Diagnostics may point into an `extends:` base, so each must have a place, not this file's name.
        return try expect(.experiment, ExperimentError.self, { e in
            !e.diagnostics.isEmpty && e.diagnostics.allSatisfy { !$0.file.isEmpty && $0.line >= 1 }
        }) {
            let e = try ExperimentLoader.load(path: file.path, catalogue: .standard, baseDirectory: baseDirectory)
            // Everything xai writes goes under the output folder: it must be one component below Outputs/.
            let expected = URL(fileURLWithPath: baseDirectory).appendingPathComponent("Outputs").appendingPathComponent(e.name).path
            guard URL(fileURLWithPath: e.outputDirectory).standardized.path == expected, !e.name.contains("/") else {
                throw FuzzViolation(target: .experiment, detail: "output folder \(e.outputDirectory) for name \(e.name)")
            }
        }
    }

    /// Writes `bytes` to `path` with plain POSIX calls: `Data.write` syncs the file to disk,
    /// which made the disk, not the loader, the limit (a fifth of the time went to fsync).
    private static func overwrite(_ path: String, with bytes: [UInt8]) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path]) }
        try FileHandle(fileDescriptor: fd, closeOnDealloc: true).write(contentsOf: bytes)
    }

    /// Whether an error's message names the input.
    private func names(_ error: Error) -> Bool { "\(error)".contains(Self.source) }

    /// Runs `body`; an error of type `E` that passes `check` is a rejection.
    private func expect<E: Error>(_ target: FuzzTarget, _: E.Type, _ check: (E) -> Bool,
                                  _ body: () throws -> Void) throws -> FuzzOutcome {
        do {
            try body()
            return .accepted
        } catch let violation as FuzzViolation {
            throw violation
        } catch let error as E {
            lastRejection = "\(error)"
            guard check(error) else {
                throw FuzzViolation(target: target, detail: "error without a place or the input's name: \(error)")
            }
            return .rejected
        } catch {
            throw FuzzViolation(target: target, detail: "\(type(of: error)) instead of \(E.self): \(error)")
        }
    }
}
