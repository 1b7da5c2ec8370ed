import ArgumentParser
import XAICore

struct MethodsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "methods", abstract: "List the explanation methods and their parameters with defaults.")

    @Argument(help: "Show only this method.")
    var method: String?

    func run() throws {
        let kinds = try method.map { name -> [MethodKind] in
            guard let k = MethodKind(rawValue: name) else {
                throw ValidationError("unknown method '\(name)'; known: \(MethodKind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return [k]
        } ?? MethodKind.allCases
        for kind in kinds {
            print("\(kind.rawValue): \(kind.summary)")
            print("    \(kind.paper)")
            for p in kind.parameters {
                print("    \(p.name) = \(p.defaultValue)  \(p.doc)")
            }
        }
    }
}
