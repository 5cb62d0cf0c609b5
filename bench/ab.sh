#!/usr/bin/env bash
# Same-run speed ratio of two coordsim builds: runs each on the same models,
# alternating A and B, and prints the median wall time of each and B/A.
# Wall time is what the binary itself prints on stderr (simulation only).
#
#   bench/ab.sh OLD_BINARY NEW_BINARY [REPEATS]      # default 7 repeats
set -euo pipefail
cd "$(dirname "$0")/.."
a=${1:?usage: bench/ab.sh OLD NEW [REPEATS]}
b=${2:?usage: bench/ab.sh OLD NEW [REPEATS]}
n=${3:-7}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
seconds() { grep -oE 'in [0-9.]+ s' | head -1 | grep -oE '[0-9.]+'; }
median() { sort -g | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
run_model() {
  local name=$1; shift
  : >"$tmp/a"; : >"$tmp/b"
  for _ in $(seq "$n"); do
    "$a" "$@" --out "$tmp/out-a" --force 2>&1 >/dev/null | seconds >>"$tmp/a"
    "$b" "$@" --out "$tmp/out-b" --force 2>&1 >/dev/null | seconds >>"$tmp/b"
  done
  local ma mb
  ma=$(median <"$tmp/a"); mb=$(median <"$tmp/b")
  printf '%-34s A %8.3f s   B %8.3f s   B/A %.3f\n' "$name" "$ma" "$mb" "$(echo "$mb / $ma" | bc -l)"
}
run_model "six-step, 1M trials, 1 thread" run scenarios/six-step-pipeline.toml --trials 1000000 --threads 1
run_model "six-step, 1M trials, 2 threads" run scenarios/six-step-pipeline.toml --trials 1000000 --threads 2
run_model "support agent, 1M trials" run scenarios/support-agent.toml --trials 1000000
run_model "M/M/c world (bench/mmc.toml)" run bench/mmc.toml --threads 1
