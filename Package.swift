// swift-tools-version:6.0
import PackageDescription

// Dependencies point one way:
//   xai (CLI) -> XAIBackend -> XAIPlanner -> XAIExperiment, XAIManifest -> XAICore
//   xai -> XAIDiff -> XAIRuns (GRDB), XAIReport, XAIPlanner
//   xai -> XAIServer (Hummingbird) -> XAIDiff, XAIRuns, XAIReport, XAIPlanner
//   xai -> XAISlurm (batch scripts; Slurm's clients as child processes; Foundation only)
//   xai -> XAIReport -> XAIManifest, XAIImaging -> XAICore; the report reads method traits and
//   metric directions from a Catalogue value the CLI hands in, so writing HTML links no engine
//   XAIBackend -> XAIMethods, XAIMetrics -> XAIEngine, XAIONNX, XAIImaging -> XAICore
// The planner reaches the engine only through its backend protocol, which the CLI fills in with
// XAIBackend: planning and caching link no engine. Only the leaf modules
// touch C: XAIEngine (OpenBLAS, and its bf16 kernels in CKernels) and XAIImaging (libpng and
// libjpeg through CImageCodec).
//
// -Ounchecked is an unsafe flag, which SwiftPM refuses in a package used as a dependency; so the
// package offers the `xai` executable only, no library product.
let swift5: [SwiftSetting] = [.swiftLanguageMode(.v5), .unsafeFlags(["-Ounchecked"], .when(configuration: .release))]

let package = Package(
    name: "xai",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "xai", targets: ["xai"]),
        // For fuzz/Package.swift only (the libFuzzer binaries, built apart with sanitizers).
        .library(name: "XAIFuzzEntries", targets: ["XAIFuzzEntries"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", exact: "2.28.1"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
    ],
    targets: [
        // C leaves: system libraries from Debian's -dev packages and one small shim.
        .systemLibrary(name: "COpenBLAS", pkgConfig: "openblas",
                       providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CPNG", pkgConfig: "libpng16", providers: [.apt(["libpng-dev"])]),
        .systemLibrary(name: "CJPEG", pkgConfig: "libjpeg", providers: [.apt(["libjpeg-dev"])]),
        .target(name: "CImageCodec", dependencies: ["CPNG", "CJPEG"]),
        // AVX512_BF16 products: each kernel has its own function-level target attribute, so the
        // package keeps baseline flags and the engine calls them only where cpuid allows.
        .target(name: "CKernels"),

        .target(name: "XAICore", swiftSettings: swift5),
        .target(name: "XAIEngine", dependencies: ["XAICore", "COpenBLAS", "CKernels"], swiftSettings: swift5),
        .target(name: "XAIONNX",
                dependencies: ["XAICore", "XAIEngine", .product(name: "SwiftProtobuf", package: "swift-protobuf")],
                exclude: ["onnx_subset.proto"], swiftSettings: swift5),
        .target(name: "XAIImaging", dependencies: ["XAICore", "CImageCodec", "CKernels"], swiftSettings: swift5),
        .target(name: "XAIMethods", dependencies: ["XAICore", "XAIEngine", "XAIImaging"], swiftSettings: swift5),
        .target(name: "XAIMetrics", dependencies: ["XAICore", "XAIEngine", "XAIImaging", "XAIMethods"], swiftSettings: swift5),
        .target(name: "XAIExperiment", dependencies: ["XAICore", "Yams"], swiftSettings: swift5),
        .target(name: "XAIManifest", dependencies: ["XAICore"], swiftSettings: swift5),
        .target(name: "XAIPlanner",
                dependencies: ["XAICore", "XAIExperiment", "XAIManifest", .product(name: "Crypto", package: "swift-crypto")],
                swiftSettings: swift5),
        .target(name: "XAIBackend",
                dependencies: ["XAICore", "XAIEngine", "XAIONNX", "XAIImaging", "XAIMethods", "XAIMetrics", "XAIExperiment",
                               "XAIManifest", "XAIPlanner"],
                swiftSettings: swift5),
        .target(name: "XAIReport", dependencies: ["XAICore", "XAIImaging", "XAIManifest"], swiftSettings: swift5),
        // Run history: one SQLite database under Outputs/ (the only module that links GRDB).
        .target(name: "XAIRuns",
                dependencies: ["XAICore", "XAIManifest", "XAIPlanner", .product(name: "GRDB", package: "GRDB.swift")],
                swiftSettings: swift5),
        // `xai diff`: two runs' maps and metrics compared; reads maps from the cache, writes a page.
        .target(name: "XAIDiff", dependencies: ["XAICore", "XAIImaging", "XAIManifest", "XAIPlanner", "XAIRuns", "XAIReport"],
                swiftSettings: swift5),
        // `xai serve`: the viewer and its JSON API over Outputs/ (the only module that links Hummingbird).
        // Explain jobs run through the planner with a backend the CLI hands in, so it links no engine.
        .target(name: "XAIServer",
                dependencies: ["XAICore", "XAIExperiment", "XAIManifest", "XAIPlanner", "XAIRuns", "XAIDiff", "XAIReport", "XAIImaging",
                               .product(name: "Hummingbird", package: "hummingbird"),
                               .product(name: "HTTPTypes", package: "swift-http-types")],
                swiftSettings: swift5),
        // `xai slurm`: batch scripts and Slurm's client programs (sbatch, squeue, scontrol) as child processes.
        .target(name: "XAISlurm", swiftSettings: swift5),
        .executableTarget(name: "xai",
                          dependencies: ["XAICore", "XAIEngine", "XAIImaging", "XAIMethods", "XAIMetrics", "XAIExperiment",
                                         "XAIManifest", "XAIPlanner", "XAIBackend", "XAIReport", "XAIRuns", "XAIDiff", "XAIServer", "XAISlurm",
                                         .product(name: "ArgumentParser", package: "swift-argument-parser")],
                          swiftSettings: swift5),

        // Fuzzing entry points: compiled here so `make test` replays the seed corpora through them.
        .target(name: "XAIFuzzEntries", dependencies: ["XAIExperiment", "XAIMetrics", "XAIONNX", "XAIImaging", "XAIManifest"],
                path: "fuzz/Entries", swiftSettings: swift5),
        .testTarget(name: "XAIFuzzTests", dependencies: ["XAIFuzzEntries"], path: "fuzz/Tests/XAIFuzzTests", swiftSettings: swift5),

        // Shared by the test targets only: temporary folders and experiments over the repository's files.
        // (ONNXModelBuilder: tiny ONNX files from the importer's protobuf types.)
        .target(name: "XAITestSupport", dependencies: ["XAIExperiment", "XAIMetrics", "XAIONNX"], path: "Tests/XAITestSupport",
                swiftSettings: swift5),
        .testTarget(name: "XAICoreTests", dependencies: ["XAICore"], swiftSettings: swift5),
        .testTarget(name: "XAIEngineTests", dependencies: ["XAIEngine"], swiftSettings: swift5),
        .testTarget(name: "XAIONNXTests", dependencies: ["XAIONNX", "XAIEngine", "XAITestSupport"], resources: [.copy("Corpus")],
                    swiftSettings: swift5),
        .testTarget(name: "XAIImagingTests", dependencies: ["XAIImaging", "CKernels"], resources: [.copy("Corpus")], swiftSettings: swift5),
        .testTarget(name: "XAIMethodsTests", dependencies: ["XAIMethods", "XAIONNX", "XAITestSupport"], swiftSettings: swift5),
        .testTarget(name: "XAIMetricsTests", dependencies: ["XAIMetrics", "XAITestSupport"], swiftSettings: swift5),
        .testTarget(name: "XAIExperimentTests", dependencies: ["XAIExperiment", "XAIMetrics"], swiftSettings: swift5),
        .testTarget(name: "XAIManifestTests", dependencies: ["XAIManifest", "XAITestSupport"], swiftSettings: swift5),
        .testTarget(name: "XAIPlannerTests", dependencies: ["XAIPlanner", "XAIMetrics", "XAITestSupport"], swiftSettings: swift5),
        .testTarget(name: "XAIBackendTests", dependencies: ["XAIBackend", "XAIPlanner", "XAITestSupport"], swiftSettings: swift5),
        .testTarget(name: "XAIReportTests", dependencies: ["XAIReport", "XAIMetrics"], exclude: ["Golden"], swiftSettings: swift5),
        .testTarget(name: "XAICLITests", dependencies: ["xai", "XAITestSupport", "Yams"], swiftSettings: swift5),
        .testTarget(name: "XAISlurmTests", dependencies: ["XAISlurm"], swiftSettings: swift5),
        .testTarget(name: "XAIRunsTests", dependencies: ["XAIRuns", "XAIDiff", "XAIPlanner", "XAIExperiment", "XAIMetrics", "XAIImaging",
                                                     "XAIManifest", "XAICore", "XAITestSupport",
                                                     .product(name: "GRDB", package: "GRDB.swift")], swiftSettings: swift5),
        .testTarget(name: "XAIServerTests", dependencies: ["XAIServer", "XAIBackend", "XAIMetrics", "XAIRuns", "XAIPlanner", "XAIReport",
                                                       "XAIExperiment", "XAIManifest", "XAIImaging", "XAICore", "XAITestSupport",
                                                       .product(name: "HummingbirdTesting", package: "hummingbird"),
                                                       .product(name: "HTTPTypes", package: "swift-http-types")],
                    swiftSettings: swift5),
    ]
)
