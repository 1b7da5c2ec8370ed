import XAICore

/// Creates the metric for a kind from its parameters (the one `switch` over `MetricKind`).
/// Parameters not given take the catalogue's defaults; unknown or invalid ones throw
/// `MetricError.invalidParameter`.
public enum MetricRegistry {
    public static func make(_ kind: MetricKind, params: ResolvedParams = ResolvedParams()) throws -> any Metric {
        switch kind {
        case .confidenceDrop: return try ConfidenceDrop(params: params)
        case .confidenceIncrease: return try ConfidenceIncrease(params: params)
        case .road: return try ROAD(params: params)
        case .deletion: return try Deletion(params: params)
        case .insertion: return try Insertion(params: params)
        case .localisation: return try Localisation(params: params)
        case .sanityRandomization: return try SanityRandomization(params: params)
        case .faithfulnessCorrelation: return try FaithfulnessCorrelation(params: params)
        case .sparseness: return try Sparseness(params: params)
        case .maxSensitivity: return try MaxSensitivity(params: params)
        case .igCompleteness: return try IGCompleteness(params: params)
        case .shapEfficiency: return try SHAPEfficiency(params: params)
        }
    }
}
