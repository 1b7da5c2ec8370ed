import Foundation
import GRDB

extension RunStore {
    /// The run a command-line reference names:
    /// - a run id, or an unambiguous prefix of one (at least 8 characters: `20261204`);
    /// - an experiment name: its newest run;
    /// - `NAME@REV`: the newest run of NAME made at git revision REV (a hash or a prefix of one,
    ///   or anything `git rev-parse` understands in `repository`, such as `HEAD~1` or a tag).
    public func resolve(_ reference: String, repository: URL? = nil) throws -> RunRecord {
        if let run = try run(id: reference) { return run }
        if RunID.couldBePrefix(reference) {
            let matches = try read { db in
                try RunRecord.filter(Column("id").like(Self.escapeLike(reference) + "%", escape: "\\"))
                    .order(Column("id").desc).limit(5).fetchAll(db)
            }
            if matches.count == 1 { return matches[0] }
            if matches.count > 1 { throw RunsError.ambiguousRun(reference: reference, candidates: matches.map(\.id)) }
        }
        if let at = reference.lastIndex(of: "@") {
            let name = String(reference[..<at]), revision = String(reference[reference.index(after: at)...])
            return try newest(of: name, atRevision: revision, repository: repository, reference: reference)
        }
        guard let run = try runs(experiment: reference, limit: 1).first else {
            throw RunsError.unknownRun(reference: reference,
                                       hint: "give a run id, an experiment name or NAME@GITREV; `xai runs` lists them")
        }
        return run
    }

    private func newest(of name: String, atRevision revision: String, repository: URL?,
                        reference: String) throws -> RunRecord {
        guard !revision.isEmpty else {
            throw RunsError.unknownRun(reference: reference, hint: "write a git revision after '@'")
        }
        let full = repository.flatMap { GitState.resolve(revision, in: $0) }
        let runs = try self.runs(experiment: name)
        let match = runs.first { r in
            guard let rev = r.gitRevision else { return false }
            return full.map { rev == $0 } ?? rev.hasPrefix(revision.lowercased())
        }
        guard let match else {
            let seen = Set(runs.map(\.shortRevision).filter { !$0.isEmpty }).sorted()
            throw RunsError.unknownRun(
                reference: reference,
                hint: runs.isEmpty ? "experiment '\(name)' has no recorded run"
                    : "no run of '\(name)' at that revision (runs exist at \(seen.isEmpty ? "no git revision" : seen.joined(separator: ", ")))")
        }
        return match
    }

    /// `text` for a LIKE pattern with `\` as the escape character.
    static func escapeLike(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%")
            .replacingOccurrences(of: "_", with: "\\_")
    }
}
