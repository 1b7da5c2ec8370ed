import ArgumentParser
import XAICore
import XAIMetrics

/// `xai metrics`: the evaluation metrics an experiment's `metrics:` list can name.
struct MetricsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "metrics",
        abstract: "List the evaluation metrics with their parameters, defaults, accepted values and which way is better.")

    @Argument(help: "Show only this metric.")
    var metric: String?

    func run() throws {
        let shown = try CatalogueListing.select(metric, from: MetricCatalogue.descriptors,
                                                named: \.kind.rawValue, what: "metric")
        for d in shown {
            printOut("\(d.kind.rawValue): \(d.summary)")
            printOut("    \(d.paper)")
            printOut("    better: \(Self.better(d))"
                     + (d.needsAnnotations ? "; needs `annotations:` in the experiment" : "")
                     + (d.onlyFor.map { "; only for " + $0.map(\.rawValue).joined(separator: ", ") } ?? ""))
            for line in CatalogueListing.parameterLines(d.parameters) { printOut(line) }
        }
    }

    /// The better direction at the defaults, and whether a parameter can turn it.
    private static func better(_ d: MetricDescriptor) -> String {
        let atDefaults = d.direction(ResolvedParams())
        let text: String
        switch atDefaults {
        case .higherIsBetter: text = "higher"
        case .lowerIsBetter: text = "lower"
        case .neither: text = "neither way (a property, not a score)"
        }
        return text + (d.parameters.isEmpty ? "" : " (at the defaults)")
    }
}
