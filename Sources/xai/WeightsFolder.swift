import Foundation

/// Where model cards are looked up: `--weights DIR`, by default `Weights/` in the working
/// directory (the repository), else the cards `make install` put beside the binary
/// (`PREFIX/share/xai/Weights`), so that an installed `xai` finds the embedded models from
/// any folder.
enum WeightsFolder {
    static let defaultName = "Weights"

    static func resolve(_ given: String) -> String {
        guard given == defaultName, !isDirectory(given), let installed = installedCards(), isDirectory(installed) else {
            return given
        }
        return installed
    }

    /// `BIN/../share/xai/Weights` for the running binary at `BIN/xai`.
    private static func installedCards() -> String? {
        guard let exe = Bundle.main.executableURL?.resolvingSymlinksInPath() else { return nil }
        return exe.deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("share/xai/Weights").path
    }

    private static func isDirectory(_ path: String) -> Bool {
        var dir: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &dir) && dir.boolValue
    }
}
