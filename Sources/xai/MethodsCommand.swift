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
            for line in CatalogueListing.parameterLines(d.parameters) { printOut(line) }
        }
    }
}
