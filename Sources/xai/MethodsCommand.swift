import ArgumentParser
import XAICore
import XAIMethods

struct MethodsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "methods",
        abstract: "List the explanation methods with their parameters, defaults and accepted values.")

    @Argument(help: "Show only this method.")
    var method: String?

    func run() throws {
        let shown = try CatalogueListing.select(method, from: MethodCatalogue.descriptors,
                                                named: \.kind.rawValue, what: "method")
        for d in shown {
            printOut("\(d.kind.rawValue): \(d.summary)")
            printOut("    \(d.paper)")
            printOut("    traits: " + Self.traits(d).joined(separator: ", "))
            for line in CatalogueListing.parameterLines(d.parameters) { printOut(line) }
        }
    }

    /// The descriptor's traits in words, signedness as it is with the default parameters.
    static func traits(_ d: MethodDescriptor) -> [String] {
        let defaults = ResolvedParams(specs: d.parameters, given: [:])
        var t = [d.family.rawValue]
        switch d.mapSign {
        case .signed: t.append("signed map")
        case .unsigned: t.append(d.producesAttributionMap ? "unsigned map" : "synthesised picture")
        case .when: t.append((d.mapIsSigned(defaults) ? "signed" : "unsigned") + " map with the defaults (depends on parameters)")
        }
        if d.needsTargetLayer { t.append("reads the target layer") }
        if !d.usesTarget { t.append("class-independent") }
        if let j = d.jointParameter { t.append("explains all images together with \(j): true") }
        if let w = d.wrapping { t.append("wraps " + w.bases.map(\.kind.rawValue).joined(separator: " | ")) }
        if d.slow { t.append("slow") }
        return t
    }
}
