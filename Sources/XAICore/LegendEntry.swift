/// One row of a legend: a concept (or map) index, its colour and the labels it scores highest.
public struct LegendEntry: Sendable, Codable, Equatable {
    public var index: Int
    /// RGB in 0...1.
    public var color: [Float]
    public var labels: [String]
    public var scores: [Double]

    public init(index: Int, color: [Float], labels: [String], scores: [Double]) {
        self.index = index
        self.color = color
        self.labels = labels
        self.scores = scores
    }
}
