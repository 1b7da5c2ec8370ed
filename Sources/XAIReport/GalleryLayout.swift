import XAICore
import XAIManifest

/// How the manifest's results are arranged on the page: rows are images (one row per target
/// when several targets are explained), columns are method instances (per model when the
/// experiment compares models). Instances with swept parameters get a sweep strip under each
/// row instead of a column, so every result appears exactly once.
struct GalleryLayout {
    /// A method instance under one model.
    struct Column: Hashable {
        var model: String
        var instance: String
        /// Method kind (`occlusion`) of the instance.
        var method: String
    }

    /// One image and one explained target (slot 0 = the first target of each model).
    struct Row {
        var image: Manifest.Image
        var slot: Int
        var results: [Manifest.Result]
        /// The targets explained in this row, by model name.
        var targets: [String: Manifest.Target]
    }

    /// The results of a swept instance in one row, cut into strips along one parameter.
    struct Strip {
        var column: Column
        /// The parameter that varies along the strip.
        var axis: String
        /// The other swept parameters, fixed within this strip (`stride=8`), or empty.
        var fixed: String
        /// Ordered by the axis value.
        var results: [Manifest.Result]
    }

    var columns: [Column]
    var sweptColumns: [Column]
    /// Every column in the order the manifest first lists it.
    var allColumns: [Column]
    var rows: [Row]
    var severalModels: Bool
    /// The methods' traits and the metrics' directions.
    let catalogue: Catalogue

    init(manifest: Manifest, catalogue: Catalogue) {
        self.catalogue = catalogue
        let results = manifest.results
        severalModels = Set(results.map(\.model)).count > 1 || manifest.models.count > 1
        var order = [Column](), seen = Set<Column>(), swept = Set<Column>()
        for r in results {
            let c = Column(model: r.model, instance: r.instance, method: r.method)
            if seen.insert(c).inserted { order.append(c) }
            if !r.sweep.values.isEmpty { swept.insert(c) }
        }
        allColumns = order
        columns = order.filter { !swept.contains($0) }
        sweptColumns = order.filter { swept.contains($0) }

        // Images listed in the manifest first, then any only the results name.
        var images = manifest.images
        for id in results.map(\.image) where !images.contains(where: { $0.id == id }) {
            images.append(Manifest.Image(id: id, path: id, sha256: "", width: 0, height: 0, inputs: [:]))
        }
        var rows = [Row]()
        for image in images {
            let mine = results.filter { $0.image == image.id }
            // Slot of a result: position of its target's rank among the ranks its model explains.
            var ranks = [String: [Int]]()
            for r in mine where !(ranks[r.model] ?? []).contains(r.target.rank) { ranks[r.model, default: []].append(r.target.rank) }
            for m in ranks.keys { ranks[m]!.sort() }
            let slots = max(1, ranks.values.map(\.count).max() ?? 1)
            for slot in 0..<slots {
                let inRow = mine.filter { ranks[$0.model]?.firstIndex(of: $0.target.rank) == slot }
                var targets = [String: Manifest.Target]()
                for r in inRow where targets[r.model] == nil { targets[r.model] = r.target }
                rows.append(Row(image: image, slot: slot, results: inRow, targets: targets))
            }
        }
        self.rows = rows
    }

    /// Column header text.
    func label(_ c: Column) -> String { c.instance }

    /// The results of `column` in `row` (normally one).
    func results(_ row: Row, _ column: Column) -> [Manifest.Result] {
        row.results.filter { $0.model == column.model && $0.instance == column.instance }
    }

    /// The sweep strips of `column` in `row`: the parameter with the most distinct values runs
    /// along the strip; each combination of the other swept parameters gets its own strip.
    func strips(_ row: Row, _ column: Column) -> [Strip] {
        let rs = results(row, column)
        guard !rs.isEmpty else { return [] }
        let keys = Set(rs.flatMap { $0.sweep.keys }).sorted()
        guard let axis = keys.max(by: { a, b in
            let na = Set(rs.compactMap { $0.sweep[a] }).count, nb = Set(rs.compactMap { $0.sweep[b] }).count
            return na != nb ? na < nb : a > b  // most values wins; ties go to the first name
        }) else { return [] }
        let others = keys.filter { $0 != axis }
        var groups = [String: [Manifest.Result]]()
        for r in rs { groups[r.sweep.canonicalString(keys: others), default: []].append(r) }
        return groups.keys.sorted { GalleryLayout.lessParams($0, $1, groups) }.map { key in
            let ordered = groups[key]!.sorted { a, b in
                let c = GalleryLayout.compare(a.sweep[axis], b.sweep[axis])
                return c != 0 ? c < 0 : a.run < b.run
            }
            return Strip(column: column, axis: axis, fixed: key, results: ordered)
        }
    }

    /// Orders strip groups by their first result's fixed values (numerically where possible).
    private static func lessParams(_ a: String, _ b: String, _ groups: [String: [Manifest.Result]]) -> Bool {
        guard let ra = groups[a]?.first, let rb = groups[b]?.first else { return a < b }
        for k in ra.sweep.keys {
            let c = compare(ra.sweep[k], rb.sweep[k])
            if c != 0 { return c < 0 }
        }
        return a < b
    }

    /// `results` in column order, sweep points of an instance by their swept values.
    func sorted(_ results: [Manifest.Result]) -> [Manifest.Result] {
        let index = Dictionary(allColumns.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        return results.enumerated().sorted { x, y in
            let a = x.element, b = y.element
            let ca = index[Column(model: a.model, instance: a.instance, method: a.method)] ?? Int.max
            let cb = index[Column(model: b.model, instance: b.instance, method: b.method)] ?? Int.max
            if ca != cb { return ca < cb }
            let c = GalleryLayout.compareSweeps(a.sweep, b.sweep)
            return c != 0 ? c < 0 : x.offset < y.offset
        }.map(\.element)
    }

    /// Sweep points compared value by value in key order (numbers numerically).
    static func compareSweeps(_ a: ResolvedParams, _ b: ResolvedParams) -> Int {
        for k in Set(a.keys + b.keys).sorted() {
            let c = compare(a[k], b[k])
            if c != 0 { return c }
        }
        return 0
    }

    /// Numbers numerically, everything else by its text; missing values last.
    static func compare(_ a: ParamValue?, _ b: ParamValue?) -> Int {
        switch (a, b) {
        case (nil, nil): return 0
        case (nil, _): return 1
        case (_, nil): return -1
        case let (x?, y?):
            if let p = x.numberValue, let q = y.numberValue { return p < q ? -1 : p > q ? 1 : 0 }
            if let p = x.listValue?.first?.numberValue, let q = y.listValue?.first?.numberValue, p != q { return p < q ? -1 : 1 }
            return x.description < y.description ? -1 : x.description > y.description ? 1 : 0
        }
    }
}
