import XAICore
/// How the CAM family scales its map (the `normalize` parameter).
public enum MapNormalization: String, ParamChoice {
    /// (m - min) / (max - min): the map spans [0, 1] (a constant map becomes all 0).
    case minmax
    /// m / max|m|: keeps 0 at 0 and the sign of every value (all 0 when the map is 0).
    case max
    /// The raw values.
    case none

    public func apply(_ map: [Float]) -> [Float] {
        switch self {
        case .none:
            return map
        case .minmax:
            guard let lo = map.min(), let hi = map.max(), hi > lo else { return [Float](repeating: 0, count: map.count) }
            let s = 1 / (hi - lo)
            return map.map { ($0 - lo) * s }
        case .max:
            let peak = map.reduce(Float(0)) { Swift.max($0, abs($1)) }
            guard peak > 0 else { return [Float](repeating: 0, count: map.count) }
            return map.map { $0 / peak }
        }
    }
}
