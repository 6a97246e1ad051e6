#!/usr/bin/env bash
# How long the grader takes on the prebuilt reference: the median wall time
# of the whole run and of each task, over RUNS runs (default 10).
#
#   scripts/bench-grader.sh [RUNS] [GRADER ARGUMENTS...]
#
# e.g. `scripts/bench-grader.sh 20 --sandbox` times the same runs with every
# program in the sandbox, as submissions are graded.
#
# It builds once first, so cargo's compile time is not counted; what is left
# is cargo's no-op build check plus the checks themselves. Uses hyperfine
# when it is installed, and a plain timing loop otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-10}
shift || true
# Each word of the extra arguments is passed on as is.
extra="$*"

cargo build --quiet --workspace --bins
grader=target/debug/grader
[ -n "${CARGO_TARGET_DIR:-}" ] && grader="$CARGO_TARGET_DIR/debug/grader"

if command -v hyperfine >/dev/null 2>&1; then
    json=$(mktemp)
    trap 'rm -f "$json"' EXIT
    hyperfine --runs "$runs" --warmup 1 --style none --export-json "$json" \
        "$grader $extra" "$grader task01 $extra" "$grader task02 $extra" \
        "$grader task03 $extra" "$grader task04 $extra" "$grader task05 $extra" \
        "$grader task06 $extra"
    printf '%-8s %s\n' "run" "median wall time over $runs runs (hyperfine)"
    # One "median" per command, in the order given above.
    grep -o '"median": *[0-9.e-]*' "$json" | awk -F: -v names="all task01 task02 task03 task04 task05 task06" '
        BEGIN { split(names, name, " ") }
        { printf "%-8s %.0f ms\n", name[NR], $2 * 1000 }'
    exit 0
fi

median_ms() {
    local samples=()
    for _ in $(seq "$runs"); do
        local start end
        start=$(date +%s%N)
        # shellcheck disable=SC2086
        "$grader" "$@" $extra >/dev/null
        end=$(date +%s%N)
        samples+=($(( (end - start) / 1000000 )))
    done
    printf '%s\n' "${samples[@]}" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'
}

printf '%-8s %s\n' "run" "median wall time over $runs runs"
printf '%-8s %s ms\n' "all" "$(median_ms)"
for task in task01 task02 task03 task04 task05 task06; do
    printf '%-8s %s ms\n' "$task" "$(median_ms "$task")"
done
