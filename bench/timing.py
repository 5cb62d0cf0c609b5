"""One timed coordsim run, for the benchmark scripts (compare.py, ab.py):
the simulation time a run prints on stderr ("... in X s on N threads"),
which leaves out process start-up, and its stdout."""

import re
import subprocess


def timed_run(binary, args, out, cwd=None):
    """Runs `binary args --format json --out out --force`; returns its own
    simulation time in seconds and its stdout (the JSON summary)."""
    p = subprocess.run([binary, *args, "--format", "json", "--out", out, "--force"],
                       cwd=cwd, capture_output=True, text=True, check=True)
    return float(re.search(r" in ([0-9.]+) s on", p.stderr).group(1)), p.stdout
