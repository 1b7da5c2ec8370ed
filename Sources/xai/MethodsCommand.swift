import ArgumentParser
import XAICore
import XAIMethods

struct MethodsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "methods", abstract: "List the explanation methods and their parameters with defaults.")

    @Argument(help: "Show only this method.")
    var method: String?

    func run() throws {
        let all = MethodCatalogue.descriptors
        let shown = try method.map { name -> [MethodDescriptor] in
            guard let d = all.first(where: { $0.kind.rawValue == name }) else {
                throw ValidationError("unknown method '\(name)'; known: \(all.map(\.kind.rawValue).joined(separator: ", "))")
            }
            return [d]
        } ?? all
        for d in shown {
            printOut("\(d.kind.rawValue): \(d.summary)")
            printOut("    \(d.paper)")
            for p in d.parameters {
                printOut("    \(p.name) = \(p.defaultValue)  \(p.doc)")
            }
        }
    }
}
