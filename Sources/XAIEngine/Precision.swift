import CKernels
import Foundation
import XAICore

/// Arithmetic of a forward pass's heavy products: the group-1 convolutions (1x1 expansions and
/// projections, the stem, the head's 1x1 conv). Normalisation, pooling, elementwise ops and the
/// classifier's Gemm / MatMul stay in float32 either way.
public enum Precision: String, ParamChoice, Sendable {
    /// float32 throughout.
    case fp32
    /// Weights and activations rounded to bfloat16 (8-bit significand) for those products,
    /// accumulated in float32 on AMX tiles where the CPU has them, else with AVX512_BF16's
    /// vdpbf16ps (whose passes also run the depthwise convs in bf16).
    case bf16

    /// Set to 1 to make `bf16Available` false on any CPU (tests of the fallback, or to compare).
    public static let unavailableVariable = "XAI_BF16_UNAVAILABLE"

    /// Whether bf16 products run here: the CPU has AVX512F/BW/VL and AVX512_BF16, the OS saves
    /// zmm state, and `XAI_BF16_UNAVAILABLE` is not 1 (read on every call, so tests can set it).
    public static var bf16Available: Bool {
        cpuHasBF16 && ProcessInfo.processInfo.environment[unavailableVariable] != "1"
    }

    private static let cpuHasBF16 = xai_bf16_supported() != 0

    /// Whether bf16 products can run on AMX tiles (CKernels' amx_kernels.c) rather than
    /// vdpbf16ps: the CPU has AMX-BF16, Linux granted this process tile data, and `XAI_AMX` is
    /// not 0 (read once; `XAI_AMX=0` times the vdpbf16ps kernels on the same CPU). The two round
    /// differently (AMX sums 32 k at a time from zero, then adds the bias), so bf16 results
    /// depend on which ran.
    public static let amxAvailable: Bool = {
        ProcessInfo.processInfo.environment["XAI_AMX"] != "0" && cpuHasBF16 && xai_amx_supported() != 0
    }()

    /// Whether bf16 passes use AMX: `amxAvailable`, unless a test switched it off to run the
    /// vdpbf16ps kernels (between passes only: a pass reads it at each product).
    static var useAMX = amxAvailable

    /// The precision a pass asking for `self` runs in here: bf16 falls back to fp32.
    public var runnable: Precision { self == .bf16 && !Self.bf16Available ? .fp32 : self }

    /// What a user is told when bf16 was asked for and fp32 runs instead.
    public static let fallbackMessage = "precision: bf16 needs a CPU with AVX512_BF16 (vdpbf16ps); this one lacks it "
        + "(or \(unavailableVariable)=1 is set), so those methods and metrics run in fp32 and record bf16: 0"
}
