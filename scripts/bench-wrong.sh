#!/usr/bin/env bash
# How long the grader takes to grade a wrong program: every wrong program of
# the gallery (grader/tests/gallery/examples/wrong_*.rs) graded in its task,
# with the reference on the other side, as grader/tests/gallery.rs grades it
# (both commands given, so no cargo runs inside the timing). Prints a table
# (program, seconds, failing checks), the median, the slowest and the five
# slowest, and exits 1 when any takes LIMIT seconds or more (default 3).
# Failing fast matters: students spend most of their time there.
#
#   scripts/bench-wrong.sh [NAME-PATTERN]      e.g. `scripts/bench-wrong.sh t03`
#
# The machine's load counts: rerun a slow one alone before concluding.
set -euo pipefail
command -v jq >/dev/null || { echo 'bench-wrong.sh needs jq' >&2; exit 2; }
cd "$(dirname "$0")/.."
pattern=${1:-}
limit_ms=$(( ${LIMIT:-3} * 1000 ))
cargo build --quiet --workspace --bins
cargo build --quiet -p gallery --examples
target=${CARGO_TARGET_DIR:-target}/debug
grader=$target/grader
rows=$(mktemp)
trap 'rm -f "$rows"' EXIT
printf '%-44s %7s  %s\n' program seconds "failing checks"
for source in grader/tests/gallery/examples/wrong_*"$pattern"*.rs; do
    name=$(basename "$source" .rs)
    task=${name:7:2}
    side=${name:10}
    side=${side%%_*}
    case $side in
        server) other=client ;;
        *) other=server ;;
    esac
    start=$(date +%s%N)
    report=$("$grader" "task$task" "--$side-cmd" "$target/examples/$name" \
        "--$other-cmd" "$target/task$task-$other" --format json 2>/dev/null || true)
    took=$(( ($(date +%s%N) - start) / 1000000 ))
    # The failed checks' ids, without the task's prefix.
    failing=$(printf '%s\n' "$report" |
        jq -r '[.tasks[].checks[] | select(.status == "fail" or .status == "error")
                | .id | sub("^task[0-9]+\\."; "")] | join(" ")')
    printf '%d %s\n' "$took" "$name" >>"$rows"
    printf '%-44s %7.2f  %s\n' "$name" "$(echo "$took / 1000" | bc -l)" "${failing:-(none)}"
done
sort -n "$rows" | awk -v limit="$limit_ms" '
    { t[NR] = $1; n[NR] = $2 }
    END {
        if (NR == 0) { print "no program matched"; exit 1 }
        printf "\nmedian %.2f s, slowest %.2f s, over %d programs\n", t[int((NR + 1) / 2)] / 1000, t[NR] / 1000, NR
        printf "slowest five:"
        for (i = NR; i > NR - 5 && i > 0; i--) printf " %s %.2f s;", n[i], t[i] / 1000
        printf "\n"
        slow = 0
        for (i = 1; i <= NR; i++) if (t[i] >= limit) slow++
        if (slow > 0) { printf "%d took %.0f s or more\n", slow, limit / 1000; exit 1 }
    }'
