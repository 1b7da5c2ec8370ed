/// Area under a sampled curve.
enum CurveArea {
    /// Trapezoid rule over the points (x[i], y[i]); x must be increasing. With x spanning
    /// 0...1 this is the curve's mean height (the normalised AUC of deletion / insertion).
    static func trapezoid(x: [Double], y: [Double]) -> Double {
        precondition(x.count == y.count, "trapezoid: \(x.count) x values, \(y.count) y values")
        guard x.count > 1 else { return 0 }
        var area = 0.0
        for i in 1..<x.count { area += (x[i] - x[i - 1]) * (y[i] + y[i - 1]) / 2 }
        return area
    }

    /// Arithmetic mean (0 for no values).
    static func mean(_ v: [Double]) -> Double {
        v.isEmpty ? 0 : v.reduce(0, +) / Double(v.count)
    }
}
