#!/usr/bin/env bash
# Writes the result files of every bundled scenario, review and sweep (small
# trial counts, seed 1) into DIR, so that two builds can be compared with
# `diff -r`: a refactoring must leave every byte alone.
#
#   bench/golden.sh DIR [BINARY]     # BINARY default: target/release/coordsim
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:?usage: bench/golden.sh DIR [BINARY]}
bin=${2:-target/release/coordsim}
mkdir -p "$out"
out=$(cd "$out" && pwd)
T=20000
for f in scenarios/*.toml; do
  n=$(basename "$f" .toml)
  trials=(--trials $T)
  grep -q '^\[workload\]' "$f" && trials=()
  "$bin" run "$f" "${trials[@]}" --seed 1 --out "$out/run-$n" --format json >"$out/run-$n.stdout" 2>/dev/null \
    || echo "exit $?" >"$out/run-$n.exit"
done
for f in six-step-pipeline support-agent single-call-rag agent-swarm; do
  "$bin" analyze "scenarios/$f.toml" --trials $T --seed 1 --out "$out/analyze-$f" >"$out/analyze-$f.stdout" 2>/dev/null
done
"$bin" compare scenarios/single-call-rag.toml scenarios/agent-swarm.toml \
  scenarios/reviews/swarm-with-gate.toml scenarios/reviews/single-call-rag-gated.toml \
  --tasks-per-month 100000 --trials $T --seed 1 --out "$out/compare-rag" >"$out/compare-rag.stdout" 2>/dev/null
"$bin" compare scenarios/support-agent.toml scenarios/reviews/support-agent-no-gate.toml --no-crn \
  --trials $T --seed 1 --out "$out/compare-nocrn" >"$out/compare-nocrn.stdout" 2>/dev/null
"$bin" report scenarios/support-agent.toml scenarios/reviews/support-agent-no-gate.toml \
  scenarios/reviews/support-agent-stronger-gate.toml --tasks-per-month 10000 --trials $T --seed 1 \
  --out "$out/report-support" >"$out/report-support.stdout" 2>/dev/null
"$bin" sweep scenarios/six-step-pipeline.toml --trials $T --seed 1 --quiet --out "$out/sweep-six" >"$out/sweep-six.stdout"
"$bin" sweep scenarios/support-agent.toml --vary nodes.verify.max_loops=0..3 --trials $T --seed 1 --quiet \
  --no-charts --out "$out/sweep-support" >"$out/sweep-support.stdout"
"$bin" sweep scenarios/chip-layer-load.toml --vary workload.rate=1,2.5 --seed 1 --quiet --no-charts \
  --out "$out/sweep-chip" >"$out/sweep-chip.stdout"
"$bin" sweep scenarios/depth-concurrency.toml --vary depth=1,4 --vary workload.concurrency=4,16 --seed 1 --quiet \
  --no-charts --out "$out/sweep-dc" >"$out/sweep-dc.stdout"
"$bin" run scenarios/six-step-pipeline.toml --trials $T --seed 1 --shard 2/3 --out "$out/shard-six" >/dev/null 2>&1
"$bin" run scenarios/chip-layer-load.toml --seed 1 --shard 1/2 --out "$out/shard-chip" >/dev/null 2>&1
echo "golden results in $out"
