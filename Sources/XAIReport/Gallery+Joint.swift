import XAICore
import XAIManifest

extension Gallery {
    /// A group of results computed by one joint task (DFF with `joint: true`): the same concepts,
    /// colours and legend in every image, so the gallery shows that legend once.
    struct JointGroup {
        /// The joint task's id, shared by every result of the group.
        var task: String
        var run: String
        var model: String
        var images: [String]
        var legend: [Manifest.LegendEntry]
    }

    /// Whether `r` came from a joint task.
    static func isJoint(_ r: Manifest.Result) -> Bool { r.params["joint"]?.boolValue == true }

    /// Joint groups in manifest order (first appearance of each task).
    static func jointGroups(_ m: Manifest) -> [JointGroup] {
        var groups = [JointGroup]()
        for r in m.results where isJoint(r) {
            if let i = groups.firstIndex(where: { $0.task == r.task }) {
                if !groups[i].images.contains(r.image) { groups[i].images.append(r.image) }
            } else {
                groups.append(JointGroup(task: r.task, run: r.run, model: r.model, images: [r.image], legend: r.legend))
            }
        }
        return groups
    }

    /// The id of a joint group's legend on the page.
    static func jointAnchor(_ task: String) -> String { "joint-" + anchor(task) }

    /// In a joint result's cell: a link to the shared legend instead of a copy of it.
    static func jointLegendLink(_ h: inout HTMLBuilder, _ r: Manifest.Result) {
        h.open("div", ["class": "muted small"])
        h.text("concepts shared by all images: ")
        // The legends sit on the first page; a cell may be on a later one.
        h.element("a", ["href": indexFile + "#" + jointAnchor(r.task)], text: "legend")
        h.close("div")
    }

    /// One legend per joint task, listing the images it factorised together.
    static func jointLegends(_ h: inout HTMLBuilder, _ groups: [JointGroup], severalModels: Bool) {
        h.open("section", ["id": "joint", "class": "card"])
        h.element("h2", text: "Shared concepts")
        h.element("p", ["class": "muted"],
                  text: "Each of these was factorised over all images at once: a concept has the same colour in every image.")
        for g in groups {
            h.open("div", ["class": "joint", "id": jointAnchor(g.task)])
            h.open("h3")
            h.text(g.run)
            if severalModels { h.element("span", ["class": "model"], text: " · \(g.model)") }
            h.close("h3")
            h.element("div", ["class": "muted small"], text: "images: " + g.images.joined(separator: ", "))
            legend(&h, g.legend)
            h.close("div")
            h.newline()
        }
        h.close("section")
        h.newline()
    }
}
