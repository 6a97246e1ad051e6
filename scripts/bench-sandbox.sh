#!/usr/bin/env bash
# What the sandbox costs on a full pass of the prebuilt reference:
# `grader` and `grader --sandbox` run in turn ROUNDS times (default 8), and
# for each the median wall time and the median CPU time of every process
# the run started, counted by a cgroup v1 `cpuacct` group of its own (so a
# helper that outlives the grader by a moment, such as the sandbox's zygote,
# is counted too; /usr/bin/time misses what the grader never reaps).
#
#   scripts/bench-sandbox.sh [ROUNDS]
#
# GRADER=path times another build of the grader on the same workspace (an
# older commit's, say) for a before and after.
#
# Linux, as root, with cgroup v1's cpuacct mounted at /sys/fs/cgroup/cpuacct.
# Quote its figures from a quiet machine: on a loaded one both columns
# move together by far more than the difference.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-8}
acct=/sys/fs/cgroup/cpuacct
[ -w "$acct" ] || { echo "error: needs root and cgroup v1 cpuacct at $acct" >&2; exit 1; }

cargo build --quiet --workspace --bins
grader=${GRADER:-target/debug/grader}
group="$acct/bench-sandbox-$$"
trap 'rmdir "$group" 2>/dev/null || true' EXIT

# One run: prints "WALL_MS CPU_MS"; fails unless the reference got full marks.
run() {
    mkdir "$group"
    local start end
    start=$(date +%s%N)
    sh -c 'echo $$ > "$1/cgroup.procs"; shift; exec "$@"' sh "$group" "$grader" "$@" >/dev/null 2>&1 \
        || { echo "error: $grader $* did not give full marks" >&2; exit 1; }
    end=$(date +%s%N)
    # Whatever the grader started ends with it: wait for the group to empty.
    while [ -s "$group/cgroup.procs" ]; do sleep 0.01; done
    echo "$(((end - start) / 1000000)) $(($(cat "$group/cpuacct.usage") / 1000000))"
    rmdir "$group"
}

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : int((v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }

plain=$(mktemp) boxed=$(mktemp)
trap 'rm -f "$plain" "$boxed"; rmdir "$group" 2>/dev/null || true' EXIT
run >/dev/null && run --sandbox >/dev/null # warm caches
for _ in $(seq "$rounds"); do
    run >>"$plain"
    run --sandbox >>"$boxed"
done
wall0=$(cut -d' ' -f1 "$plain" | median) cpu0=$(cut -d' ' -f2 "$plain" | median)
wall1=$(cut -d' ' -f1 "$boxed" | median) cpu1=$(cut -d' ' -f2 "$boxed" | median)
echo "medians of $rounds rounds, load average $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-10s %8s %10s %6s\n' "" without "--sandbox" cost
printf '%-10s %5s ms %7s ms %+5d%%\n' wall "$wall0" "$wall1" $(((wall1 - wall0) * 100 / wall0))
printf '%-10s %5s ms %7s ms %+5d%%\n' CPU "$cpu0" "$cpu1" $(((cpu1 - cpu0) * 100 / cpu0))
