#!/usr/bin/env bash
# How long the grader takes to grade a wrong program: every wrong program of
# the gallery (grader/tests/gallery/examples/wrong_*.rs) graded in its task,
# with the reference on the other side. Prints each time and the median and
# slowest. Failing fast matters: students spend most of their time there.
#
#   scripts/bench-wrong.sh [GRADER]     (default target/debug/grader)
set -euo pipefail
cd "$(dirname "$0")/.."
grader=${1:-target/debug/grader}
cargo build --quiet --workspace --bins
cargo build --quiet -p gallery --examples
examples=${CARGO_TARGET_DIR:-target}/debug/examples
times=()
for source in grader/tests/gallery/examples/wrong_*.rs; do
    name=$(basename "$source" .rs)
    task=${name:7:2}
    side=${name:10}
    side=${side%%_*}
    start=$(date +%s%N)
    "$grader" "task$task" "--$side-cmd" "$examples/$name" >/dev/null 2>&1 || true
    took=$(( ($(date +%s%N) - start) / 1000000 ))
    times+=("$took")
    printf '%6d ms  %s\n' "$took" "$name"
done
printf '%s\n' "${times[@]}" | sort -n | awk '
    { t[NR] = $1 }
    END { printf "median %d ms, slowest %d ms, over %d programs\n", t[int((NR + 1) / 2)], t[NR], NR }'
