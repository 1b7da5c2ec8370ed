import XAIImaging
import XAIManifest

/// Colour bars under overlays: the colormap as a CSS gradient (one class per colormap used,
/// defined once in the page's stylesheet) with the actual value range and scaling note.
enum ColorBar {
    /// Stops per gradient; the colormaps are piecewise linear with at most ~50 anchors, and
    /// 17 evenly spaced stops are indistinguishable at colour-bar size.
    static let stops = 17

    /// CSS class for a colormap name from the manifest (unknown names share a gray bar).
    static func cssClass(_ name: String) -> String {
        Colormap(rawValue: name) != nil ? "cm-\(name)" : "cm-unknown"
    }

    /// Stylesheet rules for the colormaps in `names` (sorted, so the page is deterministic).
    static func css(for names: Set<String>) -> String {
        var s = ""
        for name in names.sorted() {
            guard let cm = Colormap(rawValue: name) else { continue }
            s += ".\(cssClass(name)) { background: \(gradient(cm)); }\n"
        }
        if names.contains(where: { Colormap(rawValue: $0) == nil }) {
            s += ".cm-unknown { background: \(gradient(.gray)); }\n"
        }
        return s
    }

    static func gradient(_ cm: Colormap) -> String {
        let parts = (0..<stops).map { i -> String in
            let t = Float(i) / Float(stops - 1)
            let (r, g, b) = cm.color(t)
            return "\(hex(r, g, b)) \(NumberFormat.trim(NumberFormat.fixed(Double(t) * 100, 2)))%"
        }
        return "linear-gradient(to right, " + parts.joined(separator: ", ") + ")"
    }

    /// `#rrggbb` from components in 0...1.
    static func hex(_ r: Float, _ g: Float, _ b: Float) -> String {
        func byte(_ v: Float) -> UInt8 { UInt8(max(0, min(255, (v * 255).rounded()))) }
        return "#" + HTML.hex2(byte(r)).lowercased() + HTML.hex2(byte(g)).lowercased() + HTML.hex2(byte(b)).lowercased()
    }

    /// The bar for `scale`: gradient, lo (and 0 for signed maps) and hi, and the caption
    /// (which names the percentile the range was clipped at).
    static func write(_ h: inout HTMLBuilder, _ scale: Manifest.Scale) {
        let title = "\(scale.colormap) colormap" + (scale.signed ? ", diverging, centred on 0" : "")
        h.open("div", ["class": "cbar", "title": title])
        h.open("div", ["class": "cbar-grad " + cssClass(scale.colormap)])
        h.close("div")
        h.open("div", ["class": "cbar-ticks"])
        h.element("span", text: NumberFormat.short(scale.lo))
        if scale.signed || (scale.lo < 0 && scale.hi > 0) {
            // Only claim 0 sits in the middle when the range is symmetric about it.
            if abs(scale.lo + scale.hi) <= 1e-9 * max(abs(scale.lo), abs(scale.hi), 1) { h.element("span", text: "0") }
        }
        h.element("span", text: NumberFormat.short(scale.hi))
        h.close("div")
        if !scale.caption.isEmpty { h.element("div", ["class": "cbar-cap"], text: scale.caption) }
        h.close("div")
    }
}
