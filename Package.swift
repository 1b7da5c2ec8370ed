// swift-tools-version:6.0
import PackageDescription

// Dependencies point one way: xai (CLI) -> Planner/Report/Experiment -> Methods ->
// Engine/ONNX/Imaging -> Core. Only the leaf modules touch C.
let swift5: [SwiftSetting] = [.swiftLanguageMode(.v5), .unsafeFlags(["-Ounchecked"], .when(configuration: .release))]

let package = Package(
    name: "xai",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "xai", targets: ["xai"]),
        .library(name: "XAI", targets: ["XAIPlanner", "XAIReport", "XAIMethods"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
    ],
    targets: [
        // C leaves: system libraries from Debian's -dev packages and one small shim.
        .systemLibrary(name: "COpenBLAS", pkgConfig: "openblas",
                       providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CPNG", pkgConfig: "libpng16", providers: [.apt(["libpng-dev"])]),
        .systemLibrary(name: "CJPEG", pkgConfig: "libjpeg", providers: [.apt(["libjpeg-dev"])]),
        .target(name: "CImageCodec", dependencies: ["CPNG", "CJPEG"]),

        .target(name: "XAICore", swiftSettings: swift5),
        .target(name: "XAIEngine", dependencies: ["XAICore", "COpenBLAS"], swiftSettings: swift5),
        .target(name: "XAIONNX",
                dependencies: ["XAICore", "XAIEngine", .product(name: "SwiftProtobuf", package: "swift-protobuf")],
                exclude: ["onnx_subset.proto"], swiftSettings: swift5),
        .target(name: "XAIImaging", dependencies: ["XAICore", "CImageCodec"], swiftSettings: swift5),
        .target(name: "XAIMethods", dependencies: ["XAICore", "XAIEngine", "XAIImaging", "COpenBLAS"], swiftSettings: swift5),
        .target(name: "XAIMetrics", dependencies: ["XAICore", "XAIEngine", "XAIImaging", "XAIMethods"], swiftSettings: swift5),
        .target(name: "XAIExperiment", dependencies: ["XAICore", "Yams"], swiftSettings: swift5),
        .target(name: "XAIPlanner",
                dependencies: ["XAICore", "XAIEngine", "XAIONNX", "XAIImaging", "XAIMethods", "XAIMetrics", "XAIExperiment",
                               .product(name: "Crypto", package: "swift-crypto")],
                swiftSettings: swift5),
        .target(name: "XAIReport", dependencies: ["XAICore", "XAIImaging", "XAIPlanner"], swiftSettings: swift5),
        .executableTarget(name: "xai",
                          dependencies: ["XAICore", "XAIEngine", "XAIONNX", "XAIImaging", "XAIMethods", "XAIMetrics",
                                         "XAIExperiment", "XAIPlanner", "XAIReport",
                                         .product(name: "ArgumentParser", package: "swift-argument-parser")],
                          swiftSettings: swift5),

        .testTarget(name: "XAICoreTests", dependencies: ["XAICore"], swiftSettings: swift5),
        .testTarget(name: "XAIEngineTests", dependencies: ["XAIEngine"], swiftSettings: swift5),
        .testTarget(name: "XAIONNXTests", dependencies: ["XAIONNX", "XAIEngine"], resources: [.copy("Corpus")], swiftSettings: swift5),
        .testTarget(name: "XAIImagingTests", dependencies: ["XAIImaging"], resources: [.copy("Corpus")], swiftSettings: swift5),
        .testTarget(name: "XAIMethodsTests", dependencies: ["XAIMethods", "XAIONNX"], swiftSettings: swift5),
        .testTarget(name: "XAIMetricsTests", dependencies: ["XAIMetrics"], swiftSettings: swift5),
        .testTarget(name: "XAIExperimentTests", dependencies: ["XAIExperiment", "XAIMetrics"], swiftSettings: swift5),
        .testTarget(name: "XAIPlannerTests", dependencies: ["XAIPlanner"], swiftSettings: swift5),
        .testTarget(name: "XAIReportTests", dependencies: ["XAIReport"], exclude: ["Golden"], swiftSettings: swift5),
        .testTarget(name: "XAICLITests", dependencies: ["xai"], swiftSettings: swift5),
    ]
)
