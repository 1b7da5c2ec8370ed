#!/bin/sh
# Runs an experiment as N shards at once on this machine (xargs -P), then assembles it:
# the manifest and gallery are byte-identical to those of one `xai run FILE`.
#   examples/parallel/shards.sh FILE N [XAI]      e.g. examples/parallel/shards.sh Experiments/quickstart.yaml 4
# With GNU parallel instead of xargs: seq 1 N | parallel -j N xai run FILE --shard {}/N && xai run FILE
# Each shard runs its engine tasks one at a time on every core; N shards share the cores, so pick N
# by memory and cores (one shard per 2-4 cores), not by task count.
set -eu
if [ $# -lt 2 ]; then
    echo "usage: $0 FILE N [XAI]" >&2
    exit 2
fi
file=$1
n=$2
xai=${3:-xai}
# xargs exits non-zero when any shard fails; then nothing is assembled (re-run: finished work is cached).
seq 1 "$n" | xargs -P "$n" -I{} "$xai" run "$file" --shard "{}/$n"
exec "$xai" run "$file" --assemble
