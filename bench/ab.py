"""Same-run speed ratio of two coordsim builds, as paired ABBA rounds.

Each round runs A, B, B, A (or B, A, A, B, alternately) on the same model
and takes (B1 + B2) / (A1 + A2): a drift in the shared host's load between
rounds cancels within the round, and the median of many rounds (with its
quartiles) resolves a few percent where medians of separate runs do not.
Times are what each binary prints on stderr (the simulation only).

    python3 bench/ab.py OLD NEW [ROUNDS]      # default 30 rounds per model
    AB_ONLY=M/M/c python3 bench/ab.py ...     # only the models whose name holds it
"""

import os
import re
import statistics
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

MODELS = [
    ("M/M/c world (bench/mmc.toml)", ["run", "bench/mmc.toml", "--threads", "1"]),
    ("six-step, 200k trials, 1 thread",
     ["run", "scenarios/six-step-pipeline.toml", "--trials", "200000", "--threads", "1"]),
    ("support agent, 200k trials",
     ["run", "scenarios/support-agent.toml", "--trials", "200000", "--threads", "1"]),
]


def seconds(binary, args, out):
    p = subprocess.run([binary, *args, "--format", "json", "--out", out, "--force"],
                       cwd=ROOT, capture_output=True, text=True, check=True)
    return float(re.search(r" in ([0-9.]+) s on", p.stderr).group(1))


def main():
    if len(sys.argv) < 3:
        sys.exit("usage: python3 bench/ab.py OLD NEW [ROUNDS]")
    a, b = (os.path.abspath(x) for x in sys.argv[1:3])
    rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 30
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "out")
        only = os.environ.get("AB_ONLY", "")
        for name, args in (m for m in MODELS if only in m[0]):
            ratios, ta, tb = [], [], []
            for i in range(rounds):
                order = (a, b, b, a) if i % 2 == 0 else (b, a, a, b)
                t = {a: 0.0, b: 0.0}
                for x in order:
                    s = seconds(x, args, out)
                    t[x] += s
                    (ta if x == a else tb).append(s)
                ratios.append(t[b] / t[a])
            q1, _, q3 = statistics.quantiles(ratios, n=4)
            print(f"{name:<34} A {statistics.median(ta):.3f} s  B {statistics.median(tb):.3f} s  "
                  f"B/A {statistics.median(ratios):.3f} (quartiles {q1:.3f}-{q3:.3f}, "
                  f"{rounds} rounds)", flush=True)


if __name__ == "__main__":
    main()
