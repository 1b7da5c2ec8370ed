import XAICore

/// Names of the settings an experiment file may hold.
enum ExperimentKeys {
    static let topLevel = ["schema", "name", "model", "models", "target_layer", "images", "target", "top_k", "seed",
                           "max_tasks", "precision", "methods", "sweep", "metrics", "annotations"]
    static let inlineModel = ["name", "card", "path", "sha256", "labels", "preprocess", "target_layer"]
    static let preprocess = ["resize", "crop", "fit", "mean", "std"]
    static let card = ["name", "file", "sha256", "labels", "input", "preprocess", "target_layer", "source", "license",
                       "description"]
    static let cardInput = ["size", "channels"]
    static let annotation = ["boxes", "mask"]
}

/// Typed reads of YAML nodes that report a diagnostic (and return nil) on a wrong type or range.
extension DiagnosticSink {
    /// Reports every key of `node` (a mapping) not in `allowed`, with a did-you-mean.
    /// Returns the entries, or nil (reported) when `node` is not a mapping.
    @discardableResult
    func mapping(_ node: YAMLNode, _ what: String, allowed: [String]? = nil) -> [YAMLNode.Entry]? {
        if node.isNull { return [] }
        guard let entries = node.entries else {
            error(node.location, "\(what) must be a mapping (key: value), got \(node.kindDescription)")
            return nil
        }
        if let allowed {
            for e in entries where !allowed.contains(e.key) {
                error(e.keyLocation, "unknown key '\(e.key)' in \(what)" + didYouMean(e.key, allowed)
                      + " (allowed: \(allowed.joined(separator: ", ")))")
            }
        }
        return entries
    }

    /// A name that becomes a file name (see `PathComponent`); reported at `node` when invalid.
    func name(_ node: YAMLNode, _ what: String) -> String? {
        guard let s = string(node, what) else { return nil }
        return checkedName(s, what, at: node.location)
    }

    /// `name` when it is a valid `PathComponent`, else nil, reported at `location`.
    func checkedName(_ name: String, _ what: String, at location: SourceLocation) -> String? {
        do {
            return try PathComponent(name).string
        } catch {
            self.error(location, "\(what): \(error)")
            return nil
        }
    }

    func string(_ node: YAMLNode, _ what: String) -> String? {
        guard case .scalar(let s, _) = node.value, !node.isNull else {
            error(node.location, "\(what) must be a text value, got \(node.kindDescription)")
            return nil
        }
        return s
    }

    func int(_ node: YAMLNode, _ what: String, min: Int? = nil, max: Int? = nil) -> Int? {
        guard let v = node.paramValue, case .int(let i) = v else {
            error(node.location, "\(what) must be an integer, got \(node.kindDescription)")
            return nil
        }
        if let min, i < min {
            error(node.location, "\(what) must be at least \(min), got \(i)")
            return nil
        }
        if let max, i > max {
            error(node.location, "\(what) must be at most \(max), got \(i)")
            return nil
        }
        return i
    }

    func double(_ node: YAMLNode, _ what: String, range: NumberRange = .any) -> Double? {
        guard let d = node.paramValue?.numberValue else {
            error(node.location, "\(what) must be a number, got \(node.kindDescription)")
            return nil
        }
        guard range.contains(d) else {
            error(node.location, "\(what) must be a number \(range), got \(d)")
            return nil
        }
        return d
    }

    /// A list of numbers; `count` checks the length.
    func doubles(_ node: YAMLNode, _ what: String, count: Int? = nil, range: NumberRange = .any) -> [Double]? {
        guard let items = node.items else {
            error(node.location, "\(what) must be a list of numbers, got \(node.kindDescription)")
            return nil
        }
        if let count, items.count != count {
            error(node.location, "\(what) must have \(count) numbers, got \(items.count)")
            return nil
        }
        var out: [Double] = []
        for i in items {
            guard let d = double(i, what, range: range) else { return nil }
            out.append(d)
        }
        return out
    }

    /// One integer n (as [n, n]) or a pair [h, w] of positive integers.
    func sizePair(_ node: YAMLNode, _ what: String) -> [Int]? {
        if let items = node.items {
            guard items.count == 2 else {
                error(node.location, "\(what) must be an integer or a pair [height, width], got \(items.count) values")
                return nil
            }
            guard let h = int(items[0], what, min: 1, max: 16384), let w = int(items[1], what, min: 1, max: 16384) else { return nil }
            return [h, w]
        }
        guard let n = int(node, what, min: 1, max: 16384) else { return nil }
        return [n, n]
    }

    func bool(_ node: YAMLNode, _ what: String) -> Bool? {
        guard let v = node.paramValue, case .bool(let b) = v else {
            error(node.location, "\(what) must be true or false, got \(node.kindDescription)")
            return nil
        }
        return b
    }
}
