#!/usr/bin/env bash
# Thread scaling and memory of coordsim on the six-step pipeline:
#   bench/scaling.sh            # 1M trials on 1 and 2 threads (median of 7), RSS at 10^6..10^8
#   REPEATS=3 MAX_EXP=7 bench/scaling.sh
# Wall time is coordsim's own (stderr); CPU time and peak RSS from /usr/bin/time -v
# (apt-get install time) when present. On a shared machine, compare medians and
# look at the load average printed first.
set -euo pipefail
cd "$(dirname "$0")/.."
REPEATS="${REPEATS:-7}"
MAX_EXP="${MAX_EXP:-8}"
cargo build --release --quiet
BIN=target/release/coordsim
SCEN=scenarios/six-step-pipeline.toml
OUT="$(mktemp -d)"
trap 'rm -rf "$OUT"' EXIT
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"

median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

for threads in 1 2; do
  for _ in $(seq "$REPEATS"); do
    "$BIN" run "$SCEN" --trials 1000000 --threads "$threads" --out "$OUT" 2>&1 >/dev/null |
      sed -n 's/.* in \([0-9.]*\) s on.*/\1/p'
  done | median | xargs printf "1M six-step trials, %s thread(s): median wall %s s\n" "$threads"
done

if [ -x /usr/bin/time ]; then
  for exp in $(seq 6 "$MAX_EXP"); do
    n=$((10 ** exp))
    /usr/bin/time -v "$BIN" run "$SCEN" --trials "$n" --out "$OUT" 2>"$OUT/time.txt" >/dev/null
    rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$OUT/time.txt")
    cpu=$(sed -n 's/.*User time (seconds): //p' "$OUT/time.txt")
    wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$OUT/time.txt")
    echo "10^$exp trials: peak RSS $((rss / 1024)) MB, user CPU ${cpu} s, wall ${wall}"
  done
else
  echo "/usr/bin/time not found (apt-get install time): peak RSS not measured"
fi
