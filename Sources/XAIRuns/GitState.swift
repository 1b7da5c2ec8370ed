import Foundation

/// The git revision a run was made from: `git rev-parse HEAD` and whether `git status
/// --porcelain --untracked-files=no` lists changes (like `git describe --dirty`, untracked files
/// such as scratch notes do not count; the experiment's hash covers what the run read).
/// Outside a repository, or without git, both are absent: a run is recorded either way.
public struct GitState: Equatable, Sendable {
    /// The full commit hash of HEAD.
    public var revision: String
    /// Whether tracked files differ from HEAD (staged or not).
    public var dirty: Bool

    public init(revision: String, dirty: Bool) {
        self.revision = revision
        self.dirty = dirty
    }

    /// Seconds a git command may take before it is stopped (a huge repository must not stall a run).
    public static let timeout: TimeInterval = 5

    /// The state of the repository holding `directory`, or nil when there is none.
    public static func probe(in directory: URL) -> GitState? {
        guard let head = git(["rev-parse", "--verify", "HEAD"], in: directory)?
                .trimmingCharacters(in: .whitespacesAndNewlines),
              isCommitHash(head),
              let status = git(["status", "--porcelain", "--untracked-files=no"], in: directory) else { return nil }
        return GitState(revision: head, dirty: !status.isEmpty)
    }

    /// The commit hash `revision` (any form git accepts: `HEAD~1`, a tag, a short hash) names, or nil.
    public static func resolve(_ revision: String, in directory: URL) -> String? {
        // `--end-of-options` keeps a revision starting with `-` from being read as an option.
        guard let out = git(["rev-parse", "--verify", "--quiet", "--end-of-options", revision + "^{commit}"],
                            in: directory)?.trimmingCharacters(in: .whitespacesAndNewlines),
              isCommitHash(out) else { return nil }
        return out
    }

    static func isCommitHash(_ s: String) -> Bool {
        (s.utf8.count == 40 || s.utf8.count == 64) && s.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    }

    /// Runs git and returns its standard output, or nil when git is missing, fails or times out.
    static func git(_ arguments: [String], in directory: URL) -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git"] + arguments
        process.currentDirectoryURL = directory
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        let exited = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in exited.signal() }
        do { try process.run() } catch { return nil }
        // Read on another thread so a full pipe cannot block git while we wait for it.
        let reading = DispatchGroup()
        nonisolated(unsafe) var data = Data()
        DispatchQueue.global().async(group: reading) { data = out.fileHandleForReading.readDataToEndOfFile() }
        if exited.wait(timeout: .now() + timeout) == .timedOut {
            process.terminate()
            _ = exited.wait(timeout: .now() + 1)
            return nil
        }
        guard reading.wait(timeout: .now() + timeout) == .success, process.terminationStatus == 0 else { return nil }
        return String(decoding: data, as: UTF8.self)
    }
}
