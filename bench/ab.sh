#!/usr/bin/env bash
# Same-run speed ratio of two coordsim builds, as paired ABBA rounds (see
# bench/ab.py): per model, the median of (B1 + B2) / (A1 + A2) over the
# rounds and its quartiles.
#
#   bench/ab.sh OLD_BINARY NEW_BINARY [ROUNDS]      # default 30 rounds per model
#   AB_ONLY=M/M/c bench/ab.sh OLD NEW              # only the models whose name holds it
set -euo pipefail
cd "$(dirname "$0")/.."
exec python3 bench/ab.py "$@"
