/// Named colormaps mapping t in 0...1 to RGB (always R, G, B order, values 0...1).
/// Sequential: `jet`, `viridis`, `inferno`, `magma`, `gray`. Diverging (centre = white or
/// light gray at t = 0.5, for signed maps): `coolwarm`, `seismic`, `bwr`.
///
/// The anchor values follow matplotlib's published definitions (jet, seismic and bwr are
/// piecewise linear; viridis, inferno and magma are sampled every 5th entry of their 256-entry
/// tables; coolwarm uses Moreland's 33 anchors). Between anchors the colour is interpolated
/// linearly, where matplotlib picks the nearest of 256 table entries; the two agree within
/// about 1/255 plus that quantisation.
public enum Colormap: String, CaseIterable, Sendable, Codable {
    case jet, viridis, inferno, magma, gray, coolwarm, seismic, bwr

    /// True for maps centred on t = 0.5, meant for signed values scaled symmetrically.
    public var isDiverging: Bool {
        switch self {
        case .coolwarm, .seismic, .bwr: return true
        default: return false
        }
    }

    /// The colour at `t`; t is clamped to 0...1 and NaN maps to t = 0.
    public func color(_ t: Float) -> (Float, Float, Float) {
        let u: Float = t.isNaN ? 0 : Swift.min(Swift.max(t, 0), 1)
        return table.color(u)
    }

    var table: ColormapTable {
        switch self {
        case .jet: return .jet
        case .viridis: return .viridis
        case .inferno: return .inferno
        case .magma: return .magma
        case .gray: return .gray
        case .coolwarm: return .coolwarm
        case .seismic: return .seismic
        case .bwr: return .bwr
        }
    }
}

/// Anchor positions (increasing, first 0, last 1) and their RGB colours; linear in between.
struct ColormapTable: Sendable {
    let positions: [Float]
    /// Three values (r, g, b) per anchor.
    let rgb: [Float]

    init(positions: [Float], rgb: [Float]) {
        precondition(positions.count >= 2 && rgb.count == 3 * positions.count)
        self.positions = positions
        self.rgb = rgb
    }

    func color(_ t: Float) -> (Float, Float, Float) {
        // Last anchor whose position is <= t (tables are short: a scan beats a search).
        var i = 0
        let last = positions.count - 1
        while i < last - 1 && positions[i + 1] <= t { i += 1 }
        let p0 = positions[i], p1 = positions[i + 1]
        let f = p1 > p0 ? Swift.min(Swift.max((t - p0) / (p1 - p0), 0), 1) : 0
        let a = 3 * i, b = 3 * (i + 1)
        return (rgb[a] + (rgb[b] - rgb[a]) * f,
                rgb[a + 1] + (rgb[b + 1] - rgb[a + 1]) * f,
                rgb[a + 2] + (rgb[b + 2] - rgb[a + 2]) * f)
    }

    static let gray = ColormapTable(positions: [0, 1], rgb: [0, 0, 0, 1, 1, 1])

    /// matplotlib's jet: each channel piecewise linear; the union of the channels'
    /// breakpoints with every channel evaluated there gives the same function.
    static let jet = ColormapTable(
        positions: [0, 0.11, 0.125, 0.34, 0.35, 0.375, 0.64, 0.65, 0.66, 0.89, 0.91, 1],
        rgb: [
            0, 0, 0.5,
            0, 0, 1,
            0, 0, 1,
            0, 0.86, 1,
            0, 0.9, 0.9677419,
            0.0806452, 1, 0.8870968,
            0.9354839, 1, 0.0322581,
            0.9677419, 0.962963, 0,
            1, 0.925926, 0,
            1, 0.0740741, 0,
            0.9090909, 0, 0,
            0.5, 0, 0,
        ])

    static let seismic = ColormapTable(positions: [0, 0.25, 0.5, 0.75, 1],
                                       rgb: [0, 0, 0.3, 0, 0, 1, 1, 1, 1, 1, 0, 0, 0.5, 0, 0])

    static let bwr = ColormapTable(positions: [0, 0.5, 1], rgb: [0, 0, 1, 1, 1, 1, 1, 0, 0])
}
