import Foundation
import XAICore

/// What the viewer builds its explain form from (`GET /api/methods`): every method with its
/// parameters' defaults, ranges and allowed values, straight from the catalogue, and the model
/// cards in the weights folder.
struct MethodForms: Encodable {
    struct Parameter: Encodable {
        var name: String
        /// int, double, bool, choice, choiceOrNumber, choiceNumberOrPath, intOrPair, intOrWord, intOrString, string,
        /// methodKind or numberList.
        var type: String
        var choices: [String]?
        var min: Double?
        var max: Double?
        var minInclusive: Bool?
        var maxInclusive: Bool?
        var defaultValue: ParamValue
        var doc: String
        var display: Bool
    }

    struct Method: Encodable {
        var name: String
        var family: String
        var summary: String
        var paper: String
        var slow: Bool
        var producesAttributionMap: Bool
        var parameters: [Parameter]
    }

    var methods: [Method]
    var models: [String]

    init(catalogue: Catalogue, weights: String) {
        methods = catalogue.methods.map { m in
            Method(name: m.kind.rawValue, family: m.family.rawValue, summary: m.summary, paper: m.paper, slow: m.slow,
                   producesAttributionMap: m.producesAttributionMap, parameters: m.parameters.map(Self.parameter))
        }
        let cards = (try? FileManager.default.contentsOfDirectory(atPath: weights)) ?? []
        models = cards.filter { $0.hasSuffix(".yaml") }.map { String($0.dropLast(5)) }
            .filter { PathComponent.problem($0) == nil }.sorted()
    }

    static func parameter(_ p: ParameterSpec) -> Parameter {
        var out = Parameter(name: p.name, type: "", choices: nil, min: nil, max: nil, minInclusive: nil, maxInclusive: nil,
                            defaultValue: p.defaultValue, doc: p.doc, display: p.role == .display)
        func range(_ r: NumberRange) {
            out.min = r.min
            out.max = r.max
            out.minInclusive = r.minInclusive
            out.maxInclusive = r.maxInclusive
        }
        switch p.type {
        case .int(let r): out.type = "int"; range(r)
        case .double(let r): out.type = "double"; range(r)
        case .bool: out.type = "bool"
        case .choice(let c): out.type = "choice"; out.choices = c
        case .choiceOrNumber(let c, let r): out.type = "choiceOrNumber"; out.choices = c; range(r)
        case .choiceNumberOrPath(let c, let r): out.type = "choiceNumberOrPath"; out.choices = c; range(r)
        case .intOrPair(let r): out.type = "intOrPair"; range(r)
        case .intOrWord(let c, let r): out.type = "intOrWord"; out.choices = c; range(r)
        case .intOrString(let r): out.type = "intOrString"; range(r)
        case .string: out.type = "string"
        case .methodKind(let c): out.type = "methodKind"; out.choices = c
        case .numberList(let r): out.type = "numberList"; range(r)
        }
        return out
    }
}
