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
import statistics
import sys
import tempfile

from timing import timed_run

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

MODELS = [
    ("M/M/c world (bench/mmc.toml)", ["run", "bench/mmc.toml", "--threads", "1"]),
    ("six-step, 200k trials, 1 thread",
     ["run", "scenarios/six-step-pipeline.toml", "--trials", "200000", "--threads", "1"]),
    ("support agent, 200k trials",
     ["run", "scenarios/support-agent.toml", "--trials", "200000", "--threads", "1"]),
]


def main():
    if len(sys.argv) < 3:
        sys.exit("usage: python3 bench/ab.py OLD NEW [ROUNDS]")
    binaries = [os.path.abspath(x) for x in sys.argv[1:3]]
    rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 30
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "out")
        only = os.environ.get("AB_ONLY", "")
        for name, args in (m for m in MODELS if only in m[0]):
            # By position, not path: a build against itself (A/A) shows the noise.
            ratios, runs = [], ([], [])
            for i in range(rounds):
                order = (0, 1, 1, 0) if i % 2 == 0 else (1, 0, 0, 1)
                t = [0.0, 0.0]
                for x in order:
                    s = timed_run(binaries[x], args, out, cwd=ROOT)[0]
                    t[x] += s
                    runs[x].append(s)
                ratios.append(t[1] / t[0])
            q1, _, q3 = statistics.quantiles(ratios, n=4)
            ta, tb = (statistics.median(r) for r in runs)
            print(f"{name:<34} A {ta:.3f} s  B {tb:.3f} s  "
                  f"B/A {statistics.median(ratios):.3f} (quartiles {q1:.3f}-{q3:.3f}, "
                  f"{rounds} rounds)", flush=True)


if __name__ == "__main__":
    main()
