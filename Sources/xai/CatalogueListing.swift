import ArgumentParser
import XAICore

/// What `xai methods` and `xai metrics` print: one entry per method or metric with its
/// parameters, their defaults and the values each accepts, all read from the catalogue.
enum CatalogueListing {
    /// The entries called `name`, or all of them; an unknown name is an error with the closest
    /// known one, since these names are mostly typed from memory.
    static func select<T>(_ name: String?, from all: [T], named: (T) -> String, what: String) throws -> [T] {
        guard let name else { return all }
        if let hit = all.first(where: { named($0) == name }) { return [hit] }
        let names = all.map(named)
        let hint = EditDistance.suggestion(for: name, among: names).map { "did you mean '\($0)'? " } ?? ""
        throw ValidationError("unknown \(what) '\(name)'; \(hint)known: \(names.joined(separator: ", "))")
    }

    /// One line per parameter: `name = default  [accepted values]  description`.
    static func parameterLines(_ specs: [ParameterSpec]) -> [String] {
        specs.map { "    \($0.name) = \($0.defaultValue)  [\($0.typeDescription)]  \($0.doc)" }
    }
}
