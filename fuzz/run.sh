#!/bin/sh
# Builds the libFuzzer binaries (fuzz/Package.swift, sanitizers on) and runs each for SECONDS
# seconds (default 60) over its seed corpus in fuzz/Corpus/<target> plus a working corpus kept in
# fuzz/.build/corpus/<target> between runs. An input that crashes, breaks a FuzzHarness promise,
# runs over 10 s or allocates over 1 GB stops the run and is saved as
# fuzz/.build/artifacts/<target>-crash-* (or -timeout-*, -oom-*): add it to fuzz/Corpus/<target>/
# as regression-<what>.<ext> with a test, and fix it. Usage: fuzz/run.sh [SECONDS] [TARGET...]
set -eu
cd "$(dirname "$0")/.."
SWIFT=${SWIFT:-swift}
seconds=${1:-60}
[ $# -gt 0 ] && shift
targets=${*:-experiment onnx png jpeg npy}
(cd fuzz && $SWIFT build -c release --sanitize=fuzzer --sanitize=address)
mkdir -p fuzz/.build/artifacts
status=0
for t in $targets; do
  mkdir -p "fuzz/.build/corpus/$t"
  log="fuzz/.build/artifacts/$t.log"
  echo "fuzz: $t for ${seconds}s (log: $log)"
  # detect_leaks=0: the Swift runtime's lazily filled metadata caches look like per-input leaks;
  # memory growth is still bounded by rss_limit_mb. malloc_context_size=0: AddressSanitizer still
  # checks every access but records no allocation stacks (twice the speed; replay a crash input
  # with ASAN_OPTIONS= set empty to get them).
  if ASAN_OPTIONS=${ASAN_OPTIONS-malloc_context_size=0} "fuzz/.build/release/xai-fuzz-$t" -max_total_time="$seconds" -rss_limit_mb=1024 -malloc_limit_mb=1024 \
       -timeout=10 -detect_leaks=0 -print_final_stats=1 -artifact_prefix="fuzz/.build/artifacts/$t-" \
       "fuzz/.build/corpus/$t" "fuzz/Corpus/$t" >"$log" 2>&1; then
    grep -E "stat::number_of_executed_units|stat::peak_rss_mb" "$log" | sed "s/^/  $t /"
  else
    status=1
    echo "fuzz: $t FAILED; the end of $log:"
    tail -n 30 "$log"
  fi
done
exit $status
