#!/usr/bin/env bash
# Speed (and correctness) of coordsim against SimPy and Ciw on the same two
# models: an M/M/c queue (Wq against Erlang C) and the six-step pipeline; then
# 8 loaded replications on 1 and 2 threads, the cost of --precision (against
# --trials N for the N it used) and the gain of --rare (importance sampling
# against crude Monte Carlo at the same precision).
# Creates bench/.venv (python3 -m venv; simpy, ciw and PyYAML from PyPI),
# builds coordsim in release mode, checks the deploy/ YAML and prints the table.
#
#   bench/compare.sh                 # defaults: 5 coordsim runs per figure, medians
#   REPEATS=9 PY_REPEATS=3 bench/compare.sh
#   MMC_ROUNDS=9 bench/compare.sh    # M/M/c paired ABBA rounds (SimPy against a time-matched
#                                    # block of coordsim runs): default 7
#   MMC_CUSTOMERS=50000 PIPE_SIMPY=50000 PIPE_CIW=10000 bench/compare.sh   # quicker
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=bench/.venv
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
fi
"$VENV/bin/pip" install --quiet --disable-pip-version-check simpy ciw pyyaml
cargo build --release --quiet

"$VENV/bin/python" bench/lint_deploy.py
"$VENV/bin/python" bench/compare.py
