import ArgumentParser
import Foundation
import XAIBackend
import XAIPlanner
import XAIRuns

struct GCCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gc",
        abstract: "Remove cache entries and stale output files that none of the given experiment files use.",
        discussion: """
            Keeps every cache entry some given experiment needs; removes the rest. In each given \
            experiment's folder (Outputs/<name>/) it also removes maps, overlays, pictures and inputs \
            the experiment no longer produces (e.g. those of a removed sweep point). The manifest, the \
            gallery pages and anything outside Outputs/ are never touched. The entries of pinned runs \
            (`xai runs pin ID`) and of the newest --keep-last runs of each experiment are kept too. \
            Removed entries are listed by the experiment and task that used them last. Intermediate \
            results shared between tasks (model outputs on LIME's and RISE's masks, the metrics' \
            perturbed pictures) are removed when no run used them since the oldest of those kept \
            runs started (all of them when no run is kept); with no run history they are left alone.
            """)

    @Argument(help: "Every experiment file whose results should be kept.")
    var files: [String]
    @Flag(help: "Only list what would be removed.")
    var dryRun = false
    @Option(help: "Keep the cache entries of this many newest recorded runs of each experiment.")
    var keepLast = 5

    func validate() throws {
        guard keepLast >= 0 else { throw ValidationError("--keep-last must be 0 or more") }
    }

    func run() throws {
        try reportingErrors {
            var keep = Set<CacheKey>()
            var runners = [(ExperimentRunner, ExperimentGraph)]()
            for file in files {
                let options = try ExperimentOptions.parse([file])
                let runner = try options.runner(try options.load())
                let graph = try runner.buildGraph()
                keep.formUnion(graph.graph.keys)
                runners.append((runner, graph))
            }
            guard let cache = runners.first?.0.cache else { throw ValidationError("give at least one experiment file") }
            let history = try RunStore.existing(outputs: cache.root.deletingLastPathComponent())
            let fromRuns = try history?.keysToKeep(keepLast: keepLast).map(CacheKey.init(hex:)) ?? []
            let kept = keep.count
            keep.formUnion(fromRuns)
            let verb = dryRun ? "would remove" : "removed"
            var outputBytes: Int64 = 0, outputCount = 0
            for (runner, graph) in runners {
                for f in try runner.removeStaleOutputs(dryRun: dryRun, graph: graph) {
                    printOut("\(verb) \(runner.folder.appendingPathComponent(f.path).relativePath) (\(Self.size(f.bytes)))")
                    outputBytes += f.bytes
                    outputCount += 1
                }
            }
            // Who used each entry is read before anything is removed.
            let preview = try cache.gc(keeping: keep, dryRun: true)
            let groups = try EntryGroup.make(preview, cache: cache, history: history)
            let report = dryRun ? preview : try cache.gc(keeping: keep, dryRun: false)
            for group in groups {
                let bytes = group.entries.reduce(Int64(0)) { $0 + (report.entryBytes[$1.key] ?? 0) }
                printOut("\(verb) \(group.entries.count) cache entries (\(Self.size(bytes))) of \(group.title):")
                for e in group.entries { printOut("  \(e.task) (\(Self.size(report.entryBytes[e.key] ?? 0)))") }
            }
            for name in report.removedTemporaries { printOut("\(verb) leftover staging folder \(name)") }
            if let history {
                let since = try history.oldestKeptStart(keepLast: keepLast) ?? Date()
                // Outside `cache.gc`'s exclusive lock: an entry removed under a run that started
                // meanwhile only counts as absent there and is computed again.
                let unused = DiskIntermediateCache(cacheRoot: cache.root).removeUnused(since: since, dryRun: dryRun)
                printOut("\(verb) \(unused.files) intermediate results (\(Self.size(unused.bytes))) "
                      + "unused since \(ISO8601DateFormatter().string(from: since))")
            }
            printOut("\(verb) \(outputCount) stale output files (\(Self.size(outputBytes))), "
                  + "\(report.removedEntries.count) cache entries and \(report.removedTemporaries.count) "
                  + "leftover folders (\(Self.size(report.bytes))); kept \(keep.count) entries "
                  + "(\(keep.count - kept) more for pinned and the last \(keepLast) runs)")
            if outputCount > 0 && !dryRun {
                printOut("the galleries still list the removed results until `xai run` writes them again")
            }
        }
    }

    static func size(_ bytes: Int64) -> String {
        bytes < 1024 ? "\(bytes) B" : bytes < 1 << 20 ? String(format: "%.1f KiB", Double(bytes) / 1024)
            : String(format: "%.1f MiB", Double(bytes) / 1_048_576)
    }

    /// The removed entries of one experiment (by the run that used them last), or of none.
    struct EntryGroup {
        var title: String
        var entries: [(key: CacheKey, task: String)]

        /// Groups by experiment, in name order, entries no recorded run used last; tasks in id
        /// order. An entry no run recorded is named by the task its metadata gives.
        static func make(_ report: GCReport, cache: CacheStore, history: RunStore?) throws -> [EntryGroup] {
            let owners = try history?.owners(of: Set(report.removedEntries.map(\.hex))) ?? [:]
            var byTitle: [String: EntryGroup] = [:]
            for key in report.removedEntries {
                let title: String, task: String
                if let owner = owners[key.hex] {
                    title = "experiment \(owner.experiment) (last used by run \(owner.run))"
                    task = owner.task
                } else {
                    title = "no recorded run"
                    task = cache.lookup(key).map { "\($0.meta.kind) \($0.meta.task)" } ?? "entry \(key.prefix())"
                }
                byTitle[title, default: EntryGroup(title: title, entries: [])].entries.append((key, task))
            }
            return byTitle.values
                .map { g in EntryGroup(title: g.title, entries: g.entries.sorted { $0.task < $1.task }) }
                .sorted { ($0.title == "no recorded run" ? 1 : 0, $0.title) < ($1.title == "no recorded run" ? 1 : 0, $1.title) }
        }
    }
}
