import XAICore
import XAIMethods

/// Every evaluation metric, in listing order (the order of the report's columns). Adding a
/// metric is its file, declaring its `descriptor`, plus one entry here.
public enum MetricCatalogue {
    public static let all: [any Metric.Type] = [
        ConfidenceDrop.self,
        ConfidenceIncrease.self,
        ROAD.self,
        Deletion.self,
        Insertion.self,
        AOPC.self,
        Localisation.self,
        SanityRandomization.self,
        FaithfulnessCorrelation.self,
        Sparseness.self,
        MaxSensitivity.self,
        IGCompleteness.self,
        SHAPEfficiency.self,
    ]

    /// The descriptors of `all`, in the same order.
    public static let descriptors: [MetricDescriptor] = all.map { $0.descriptor }

    /// The descriptor of `kind`, if it is a known metric.
    public static func descriptor(_ kind: MetricKind) -> MetricDescriptor? {
        descriptors.first { $0.kind == kind }
    }

    /// Creates the metric for `kind` from its parameters. Parameters not given take the
    /// descriptor's defaults; unknown or invalid ones throw `MetricError.invalidParameter`.
    public static func make(_ kind: MetricKind, params: ResolvedParams = ResolvedParams()) throws -> any Metric {
        guard let type = all.first(where: { $0.descriptor.kind == kind }) else {
            throw MetricError.unknownMetric(kind.rawValue, known: descriptors.map(\.kind.rawValue))
        }
        return try type.init(params: params)
    }
}

extension Catalogue {
    /// Every method and metric this build implements.
    public static let standard = Catalogue(methods: MethodCatalogue.descriptors, metrics: MetricCatalogue.descriptors)
}
