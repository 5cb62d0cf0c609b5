#!/usr/bin/env bash
# Regenerates the generated files under docs/ from the built binary: the
# scenario JSON Schema and the manual pages (tests/first_hour.rs checks that
# they are current).
#
#   bench/regen-docs.sh [BINARY]     # BINARY default: target/release/coordsim
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-target/release/coordsim}
"$bin" schema > docs/scenario.schema.json
"$bin" man > docs/man/coordsim.1
for page in docs/man/coordsim-*.1; do rm "$page"; done
for name in $("$bin" --help | awk '/^Commands:/{on=1;next} on && /^  [a-z]/{print $1} /^$/{if(on)exit}'); do
  [ "$name" = help ] && continue
  "$bin" man "$name" > "docs/man/coordsim-$name.1"
done
