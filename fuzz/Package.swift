// swift-tools-version:6.0
import PackageDescription

// libFuzzer binaries, one per `FuzzTarget`, apart from the main package so that the sanitizer
// flags never reach `swift build` or `make test` there. Build (from this folder):
//   swift build -c release --sanitize=fuzzer --sanitize=address
// `make fuzz` at the repository root builds and runs them.
let targets = ["experiment", "onnx", "png", "jpeg", "npy"]

let package = Package(
    name: "xai-fuzz",
    platforms: [.macOS(.v13)],
    dependencies: [.package(name: "xai", path: "..")],
    targets: targets.map { name in
        .executableTarget(name: "xai-fuzz-\(name)", dependencies: [.product(name: "XAIFuzzEntries", package: "xai")],
                          path: "Targets/\(name)", swiftSettings: [.swiftLanguageMode(.v5)])
    }
)
