#!/usr/bin/env bash
# Flake hunting: grades the reference RUNS times with two graders at once,
# while a third process keeps both cores busy, and counts the runs that
# were not full marks. The grader is built once first; every run is
# bounded (timeout), and the CPU burner stops with the script.
#
#   scripts/soak.sh [RUNS]        (default 200 per grader: 400 runs in all)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-200}

cargo build --quiet --workspace --bins
grader=${CARGO_TARGET_DIR:-target}/debug/grader
results=$(mktemp -d)

# Keep both cores busy for as long as the graders run.
burn() { while :; do :; done; }
burn & burner1=$!
burn & burner2=$!
trap 'kill $burner1 $burner2 2>/dev/null; rm -rf "$results"' EXIT

soak() {
    local lane=$1 bad=0
    for i in $(seq "$runs"); do
        if ! timeout 120 "$grader" --format json > "$results/$lane-$i.json" 2>/dev/null; then
            bad=$((bad + 1))
            # The report is pretty-printed: flatten it, then name each check
            # that did not pass (its id comes before its status).
            tr -d '\n' < "$results/$lane-$i.json" | tr -s ' ' \
                | grep -o '"id": "[^"]*", "title": "[^"]*", "role": "[^"]*", "status": "\(fail\|error\)"' \
                | grep -o '"id": "[^"]*"' | sed "s/^/run $lane-$i: /" >&2 || true
        fi
    done
    echo "$bad" > "$results/$lane.bad"
}

start=$(date +%s)
soak a & lane_a=$!
soak b & lane_b=$!
wait $lane_a $lane_b
bad=$(( $(cat "$results/a.bad") + $(cat "$results/b.bad") ))
echo "soak: $bad flaky runs out of $((runs * 2)) ($(( $(date +%s) - start )) s, two graders at once, both cores busy)"
[ "$bad" -eq 0 ]
