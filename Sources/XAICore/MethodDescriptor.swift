/// Everything the tool knows about one explanation method apart from its code: its name,
/// family, one-line summary, paper, implementation version, parameters and traits. Each method
/// declares its descriptor beside its implementation (`LIME.descriptor` in `LIME.swift`); the
/// methods module lists them, and the loader, planner and CLI read facts only from here.
public struct MethodDescriptor: Sendable, Hashable, CustomStringConvertible {
    /// How a method works, for grouping in listings and the gallery.
    public enum Family: String, CaseIterable, Sendable, Codable {
        case gradient
        case cam
        case perturbation
        case visualisation
        case factorisation
    }

    /// Which layer a method reads besides the input.
    public enum LayerUse: Sendable {
        /// None.
        case none
        /// The model's target layer unless `parameter` names another; the resolved layer is part
        /// of the method's cache key.
        case targetLayer(parameter: String)
        /// A layer named by `parameter` (else the model's target layer), only for runs where
        /// `when` holds.
        case conditional(parameter: String, when: @Sendable (ResolvedParams) -> Bool)
    }

    /// Whether a method's maps carry a sign (evidence for and against the class): signed maps
    /// are drawn with a diverging colour map centred on 0, and the sign reaches the metrics.
    /// Declared here rather than by each result so that listings and the gallery know it before
    /// a run, and so that one run's map cannot contradict another's.
    public enum MapSign: Sendable {
        case unsigned
        case signed
        /// Signed exactly for the parameters where `isSigned` holds (e.g. a `reduce` that keeps the sign).
        case when(@Sendable (ResolvedParams) -> Bool)
    }

    /// A method that runs another one (smoothgrad): `parameter` picks the wrapped method among
    /// `bases`, whose own parameters the wrapper accepts alongside its own.
    public struct Wrapping: Sendable {
        public let parameter: Param<MethodKind>
        public let bases: [MethodDescriptor]

        public init(parameter: Param<MethodKind>, bases: [MethodDescriptor]) {
            self.parameter = parameter
            self.bases = bases
        }

        /// The base named `name`, if it is one of `bases`.
        public func base(named name: String) -> MethodDescriptor? {
            bases.first { $0.kind.rawValue == name }
        }

        /// The base the parameter's default names.
        public var defaultBase: MethodDescriptor? {
            parameter.spec.defaultValue.stringValue.flatMap(base(named:))
        }
    }

    public let kind: MethodKind
    public let family: Family
    /// One line describing the method.
    public let summary: String
    /// The paper the method comes from.
    public let paper: String
    /// Implementation version, part of every cache key of this method's results. Bump it when a
    /// change alters the method's output, so only this method's cached results are recomputed.
    public let version: Int
    /// The method's own parameters, without the display ones.
    public let ownParameters: [ParameterSpec]
    public let layerUse: LayerUse
    /// False for methods whose result does not depend on the explained class: with `top_k` > 1
    /// they run once per image, for the top class.
    public let usesTarget: Bool
    /// False for methods whose output is a synthesised picture rather than an attribution map
    /// over the input (metrics do not apply to them).
    public let producesAttributionMap: Bool
    /// A boolean parameter that, when true, makes a run explain all images at once.
    public let jointParameter: String?
    /// Display parameters the method itself uses (e.g. a picture drawn with `overlay_alpha`
    /// inside the explanation), so they are part of its result's key too.
    public let displayParametersUsed: [String]
    /// A parameter naming a class (an index, a label, or `target` for the experiment's target),
    /// whose labels the loader checks against every model.
    public let classParameter: String?
    /// Takes seconds per image: `xai bench` times it once, without a warm-up run.
    public let slow: Bool
    public let wrapping: Wrapping?
    public let mapSign: MapSign

    public init(_ name: String, family: Family, summary: String, paper: String, version: Int = 1,
                parameters: [any ParameterDeclaration], layerUse: LayerUse = .none, usesTarget: Bool = true,
                producesAttributionMap: Bool = true, jointParameter: String? = nil,
                displayParametersUsed: [String] = [], classParameter: String? = nil, slow: Bool = false,
                wrapping: Wrapping? = nil, mapSign: MapSign = .unsigned) {
        self.kind = MethodKind(name)
        self.family = family
        self.summary = summary
        self.paper = paper
        self.version = version
        self.ownParameters = parameters.map(\.spec)
        self.layerUse = layerUse
        self.usesTarget = usesTarget
        self.producesAttributionMap = producesAttributionMap
        self.jointParameter = jointParameter
        self.displayParametersUsed = displayParametersUsed
        self.classParameter = classParameter
        self.slow = slow
        self.wrapping = wrapping
        self.mapSign = mapSign
    }

    public var description: String { kind.rawValue }

    /// Whether the method reads the model's target layer (its layer parameter, or the model's
    /// when that is empty) in every run; the resolved layer is then part of the cache key.
    public var needsTargetLayer: Bool {
        if case .targetLayer = layerUse { return true }
        return false
    }

    /// The parameter naming the layer a run with `params` reads, or nil when it reads none.
    public func layerParameter(_ params: ResolvedParams) -> String? {
        switch layerUse {
        case .none: return nil
        case .targetLayer(let p): return p
        case .conditional(let p, let when): return when(params) ? p : nil
        }
    }

    /// Whether the map of a run with `params` is signed.
    public func mapIsSigned(_ params: ResolvedParams) -> Bool {
        switch mapSign {
        case .unsigned: return false
        case .signed: return true
        case .when(let isSigned): return isSigned(params)
        }
    }

    /// Whether a run with `params` explains all images at once.
    public func isJoint(_ params: ResolvedParams) -> Bool {
        jointParameter.map { (try? params.bool($0)) == true } ?? false
    }

    // Identity is the name: a catalogue holds one descriptor per name.
    public static func == (a: MethodDescriptor, b: MethodDescriptor) -> Bool { a.kind == b.kind }
    public func hash(into h: inout Hasher) { h.combine(kind) }
}

extension MethodDescriptor {
    /// All parameters, display parameters (`colormap`, `overlay_alpha`) included. For a
    /// wrapping method this lists only its own; see `parameters(wrapping:)`.
    public var parameters: [ParameterSpec] {
        ownParameters + ParameterSpec.display
    }

    /// A wrapping method takes its own parameters plus those of the wrapped `base` (an
    /// experiment may write `smoothgrad: {base: integrated_gradients, steps: 16}`); on a name
    /// clash the wrapper's own declaration wins (`batch`). Other methods: `parameters`.
    public func parameters(wrapping base: MethodDescriptor?) -> [ParameterSpec] {
        guard let base, let w = wrapping, w.bases.contains(base) else { return parameters }
        let names = Set(ownParameters.map(\.name))
        return ownParameters + base.ownParameters.filter { !names.contains($0.name) } + ParameterSpec.display
    }

    /// The declarations that apply to a run with `params` (a wrapper's depend on its base).
    public func parameters(for params: ResolvedParams) -> [ParameterSpec] {
        guard let w = wrapping, let b = w.parameter.value(in: params), let base = w.base(named: b.rawValue) else {
            return parameters
        }
        return parameters(wrapping: base)
    }

    /// Every parameter some run may take (a wrapper's with any base), first declaration of a name first.
    public var possibleParameters: [ParameterSpec] {
        guard let w = wrapping else { return parameters }
        return w.bases.flatMap { parameters(wrapping: $0) }
    }

    /// The declaration of `name`, if the method has one.
    public func parameter(named name: String) -> ParameterSpec? {
        parameters.first { $0.name == name }
    }
}
