#!/usr/bin/env bash
# Submits N shards as a job array and a merge job that starts only when every
# shard succeeded. RESULTS must be on a file system every node sees.
#   SCENARIO=scenarios/six-step-pipeline.toml RESULTS=$HOME/coordsim/six-step \
#   TRIALS=100000000 SHARDS=8 deploy/slurm/submit.sh
set -euo pipefail
here="$(dirname "$0")"
: "${SCENARIO:?}" "${RESULTS:?}"
SHARDS="${SHARDS:-8}"
mkdir -p "$RESULTS"
export SCENARIO RESULTS SHARDS TRIALS="${TRIALS:-100000000}" SEED="${SEED:-1}"
array=$(sbatch --parsable --array="1-$SHARDS" "$here/shards.sbatch")
sbatch --dependency="afterok:${array%%;*}" "$here/merge.sbatch"
