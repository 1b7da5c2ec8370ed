#!/usr/bin/env bash
# CPU time of an experiment run as one process against the same experiment as N shards started
# at once plus the assemble step, each from an empty cache in its own scratch folder; and the
# cache's size per explanation. Sharding must add no work: the ratio should be close to 1.
#   bench/shards/run.sh [FILE] [N] [XAI]    (defaults: bench/shards/experiment.yaml, 3, .build/release/xai)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
file=$(realpath "${1:-$root/bench/shards/experiment.yaml}")
n=${2:-3}
xai=$(realpath "${3:-$root/.build/release/xai}")
scratch=$(mktemp -d /tmp/xai-bench-shards.XXXXXX)
trap 'rm -rf "$scratch"' EXIT

# Children's user+sys seconds of a command, from bash's `times` (second line: children); the
# command's progress lines ("[3/18] chelsea/gradcam (0.21 s)") go to $scratch/progress-<name>.
cpu() {
    local log=$1
    shift
    ( "$@" >/dev/null 2>"$scratch/progress-$log"; times ) | awk 'NR==2 { split($1, u, /[ms]/); split($2, s, /[ms]/); printf "%.2f", u[1]*60+u[2]+s[1]*60+s[2] }'
}
prepare() {
    mkdir -p "$1"
    ln -s "$root/Weights" "$1/Weights"
    ln -s "$root/Experiments" "$1/Experiments"
    cp "$file" "$1/exp.yaml"
}

prepare "$scratch/single"
start=$(date +%s.%N)
single=$(cd "$scratch/single" && cpu single "$xai" run exp.yaml)
single_wall=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')

prepare "$scratch/sharded"
start=$(date +%s.%N)
shards=$(cd "$scratch/sharded" && cpu sharded sh -c "seq 1 $n | xargs -P $n -I{} '$xai' run exp.yaml --shard {}/$n && '$xai' run exp.yaml --assemble")
sharded_wall=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')

cmp "$scratch/single/Outputs/"*/manifest.json "$scratch/sharded/Outputs/"*/manifest.json
results=$(grep -o '"map"' "$scratch/single/Outputs/"*/manifest.json | wc -l)
cache_kib=$(du -sk "$scratch/single/Outputs/.cache" | cut -f1)
echo "experiment: $file ($results explanations)"
echo "one process:       cpu ${single} s, wall ${single_wall} s"
echo "$n shards+assemble: cpu ${shards} s, wall ${sharded_wall} s"
echo "cpu ratio (shards / one process): $(awk -v a="$shards" -v b="$single" 'BEGIN { printf "%.3f", a / b }')"
echo "cache: ${cache_kib} KiB, $(awk -v a="$cache_kib" -v b="$results" 'BEGIN { printf "%.1f", a / b }') KiB per explanation (maps, overlays, inputs, predictions, metrics)"
echo "manifests byte-identical: yes"
echo "seconds per task of the one-process run, by task (image name dropped), mean over images:"
sed -n 's/^\[[0-9]*\/[0-9]*\] [^/]*\/\(.*\) (\([0-9.]*\) s)$/\1 \2/p' "$scratch/progress-single" \
    | awk '{ sum[$1] += $2; n[$1]++ } END { for (k in sum) printf "  %-40s %8.3f\n", k, sum[k] / n[k] }' | sort
