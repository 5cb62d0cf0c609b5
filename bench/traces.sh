#!/usr/bin/env bash
# Reading a large OTLP JSON file: throughput and peak memory of `coordsim fit`.
#   bench/traces.sh                 # 1 GB, and a quarter of it for the memory comparison
#   SIZE_MB=200 bench/traces.sh
# The file is made here, in a temporary folder that is removed at the end:
# 20,000 support-agent tasks written by `run --traces` (about 100 MB of
# OTLP lines), concatenated until SIZE_MB. Peak RSS comes from
# /usr/bin/time -v (apt-get install time); it should be the same at both sizes.
set -euo pipefail
cd "$(dirname "$0")/.."
SIZE_MB="${SIZE_MB:-1024}"
cargo build --release --quiet
BIN=target/release/coordsim
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
"$BIN" run scenarios/support-agent.toml --trials 20000 --traces 20000 --out "$WORK/run" -q >/dev/null
CHUNK="$WORK/run/traces.otlp.jsonl"
chunk_mb=$(( $(stat -c %s "$CHUNK") / 1048576 ))
make_file() { # $1 = target MB, $2 = path
  : > "$2"
  local have=0
  while [ "$have" -lt "$1" ]; do cat "$CHUNK" >> "$2"; have=$((have + chunk_mb)); done
}
for mb in $((SIZE_MB / 4)) "$SIZE_MB"; do
  file="$WORK/traces-$mb.otlp.jsonl"
  make_file "$mb" "$file"
  bytes=$(stat -c %s "$file")
  start=$(date +%s.%N)
  if [ -x /usr/bin/time ]; then
    /usr/bin/time -v "$BIN" fit "$file" --structure scenarios/support-agent.toml \
      -o "$WORK/fitted-$mb.toml" >/dev/null 2>"$WORK/time-$mb"
    rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$WORK/time-$mb")
  else
    "$BIN" fit "$file" --structure scenarios/support-agent.toml -o "$WORK/fitted-$mb.toml" >/dev/null
    rss="?"
  fi
  end=$(date +%s.%N)
  awk -v b="$bytes" -v s="$start" -v e="$end" -v r="$rss" 'BEGIN {
    printf "%.0f MB of OTLP JSON: %.1f s, %.1f MB/s, peak RSS %s kB\n", b / 1048576, e - s, b / 1048576 / (e - s), r }'
  rm -f "$file"
done
