#!/usr/bin/env bash
# Regenerates Sources/XAIONNX/Generated/onnx_subset.pb.swift from
# Sources/XAIONNX/onnx_subset.proto. Run from anywhere; commit the result.
#
# Needs protoc (Debian: apt-get install protobuf-compiler) and protoc-gen-swift built
# from the same swift-protobuf release the package depends on (1.39.0). Set
# PROTOC_GEN_SWIFT=/path/to/protoc-gen-swift or put it on PATH.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
src_dir="$root/Sources/XAIONNX"
out_dir="$src_dir/Generated"

if ! command -v protoc >/dev/null 2>&1; then
    echo "error: protoc not found; install it with: apt-get install protobuf-compiler" >&2
    exit 1
fi

plugin="${PROTOC_GEN_SWIFT:-}"
if [[ -z "$plugin" ]]; then
    plugin="$(command -v protoc-gen-swift || true)"
fi
if [[ -z "$plugin" || ! -x "$plugin" ]]; then
    cat >&2 <<'MSG'
error: protoc-gen-swift not found. Build it from swift-protobuf 1.39.0 and point
PROTOC_GEN_SWIFT at it (or put it on PATH):
    git clone --branch 1.39.0 --depth 1 https://github.com/apple/swift-protobuf /tmp/swift-protobuf
    (cd /tmp/swift-protobuf && swift build -c release --product protoc-gen-swift)
    PROTOC_GEN_SWIFT=/tmp/swift-protobuf/.build/release/protoc-gen-swift tools/gen-proto.sh
MSG
    exit 1
fi

mkdir -p "$out_dir"
protoc --plugin=protoc-gen-swift="$plugin" \
    --proto_path="$src_dir" \
    --swift_out="$out_dir" \
    --swift_opt=Visibility=Internal \
    "$src_dir/onnx_subset.proto"
echo "wrote $out_dir/onnx_subset.pb.swift"
