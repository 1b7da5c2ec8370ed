import Foundation

/// What a libFuzzer binary's `LLVMFuzzerTestOneInput` calls. A violation becomes a crash, which
/// is how libFuzzer learns to keep the input (it writes it to `crash-*`).
public enum FuzzDriver {
    /// Inputs resolve paths against the folder the binary runs in (`make fuzz` runs at the repository root).
    nonisolated(unsafe) private static var harness: FuzzHarness?

    public static func testOneInput(_ target: FuzzTarget, _ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
        let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: count)) } ?? []
        do {
            if harness == nil { harness = try FuzzHarness(baseDirectory: FileManager.default.currentDirectoryPath) }
            _ = try harness!.run(target, bytes)
        } catch {
            fatalError("fuzz violation: \(error)")
        }
        return 0
    }
}
