"""Runs the two comparison models in coordsim, SimPy and Ciw and prints the
table (called by compare.sh, which sets up the virtual environment).

Events are counted alike for every tool, as events of the model rather than
of the tool's machinery: M/M/c, 2 per customer (arrival, service completion),
warm-up included; six-step pipeline, 6 per trial (one per step completion).
events/s = those events / wall time of the simulation (process start-up,
interpreter start and the Python library's import excluded; coordsim's own
time from its stderr line).
"""

import json
import math
import os
import statistics
import subprocess
import sys
import tempfile

from timing import timed_run

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
BIN = os.path.join(ROOT, "target", "release", "coordsim")
REPEATS = int(os.environ.get("REPEATS", "5"))
PY_REPEATS = int(os.environ.get("PY_REPEATS", "1"))
MMC_ROUNDS = int(os.environ.get("MMC_ROUNDS", "7"))
MMC_CUSTOMERS = int(os.environ.get("MMC_CUSTOMERS", "200000"))
PIPE_TRIALS = 1_000_000
PIPE_SIMPY = int(os.environ.get("PIPE_SIMPY", "200000"))
PIPE_CIW = int(os.environ.get("PIPE_CIW", "50000"))


def erlang_c_wq(lam, mu, c):
    a, rho = lam / mu, lam / (c * mu)
    top = a**c / math.factorial(c) / (1 - rho)
    p_wait = top / (sum(a**k / math.factorial(k) for k in range(c)) + top)
    return p_wait / (c * mu - lam)


def coordsim_once(args, threads, out):
    """One coordsim run: its own simulation time (from its stderr line) and
    its JSON summary as printed."""
    return timed_run(BIN, ["run", *args, "--threads", str(threads)], out)


def coordsim(args, threads):
    """Median over REPEATS of coordsim's own simulation time, and the last summary."""
    times, summary = [], None
    with tempfile.TemporaryDirectory() as out:
        for _ in range(REPEATS):
            seconds, summary = coordsim_once(args, threads, out)
            times.append(seconds)
    return statistics.median(times), json.loads(summary)


def python_once(tool, model, n):
    p = subprocess.run([sys.executable, os.path.join(HERE, "models.py"), tool, model, str(n)],
                       capture_output=True, text=True, check=True)
    return json.loads(p.stdout)


def python_tool(tool, model, n):
    """The run of median wall time among PY_REPEATS runs."""
    runs = [python_once(tool, model, n) for _ in range(PY_REPEATS)]
    runs.sort(key=lambda r: r["wall_s"])
    return runs[len(runs) // 2]


def row(name, wall, events, note, base_eps):
    eps = events / wall
    ratio = "" if base_eps is None else f"{eps / base_eps:8.1f}x"
    return f"  {name:<22} {wall:10.3f} {eps / 1e6:12.3f} {ratio:>9}   {note}"


def main():
    print(f"load average now: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores "
          f"(timings are medians of {REPEATS} coordsim runs, {PY_REPEATS} Python run(s))")
    head = f"  {'tool':<22} {'wall (s)':>10} {'M events/s':>12} {'vs SimPy':>9}   figures"

    # (1) M/M/c
    wq_theory = erlang_c_wq(7.2, 1.0, 8)
    print(f"\n(1) M/M/c, c = 8, λ = 7.2, μ = 1 (ρ = 0.9): {MMC_CUSTOMERS} customers after "
          f"20000 warm-up; events = 2 per customer incl. warm-up = {2 * (MMC_CUSTOMERS + 20000)}")
    print(f"    Erlang C: Wq = {wq_theory:.4f} s (one replication's estimate varies by a few % "
          "at ρ = 0.9: successive waits are strongly correlated)")
    print(head)
    simpy = python_tool("simpy", "mmc", MMC_CUSTOMERS)
    base = simpy["events"] / simpy["wall_s"]
    print(row("SimPy",
              simpy["wall_s"], simpy["events"], f"Wq {simpy['wq']:.4f}", base))
    ciw = python_tool("ciw", "mmc", MMC_CUSTOMERS)
    print(row("Ciw", ciw["wall_s"], ciw["events"], f"Wq {ciw['wq']:.4f}", base))
    args = [os.path.join(HERE, "mmc.toml"), "--set", f"workload.tasks={MMC_CUSTOMERS}"]
    wall, s = coordsim(args, 1)
    pool = s["load"]["pools"][0]
    print(row("coordsim (1 thread)", wall, 2 * (MMC_CUSTOMERS + 20000),
              f"Wq {pool['mean_wait_s']['mean']:.4f} (own event count "
              f"{s['load']['events']})", base))
    mmc_rounds(args, simpy["wall_s"], wall)

    # One replication's Wq is noisy at ρ = 0.9 (9 seeds of one replication: 0.846 to 0.932);
    # 40 independent replications give a 95% interval.
    p = subprocess.run([BIN, "run", *args, "--set", "workload.replications=40", "--format", "json",
                        "--out", tempfile.mkdtemp()], capture_output=True, text=True, check=True)
    wq = json.loads(p.stdout)["load"]["pools"][0]["mean_wait_s"]
    lo, hi = wq["ci95"]
    inside = "inside" if lo <= wq_theory <= hi else "OUTSIDE"
    print(f"    coordsim, 40 independent replications: Wq {wq['mean']:.4f}, 95% CI "
          f"[{lo:.4f}, {hi:.4f}]: Erlang C {wq_theory:.4f} is {inside}")

    # (2) six-step pipeline
    print(f"\n(2) six-step pipeline, p = 0.97, Exponential(0.1 s) steps, {PIPE_TRIALS} trials; "
          "events = 6 per trial")
    print(f"    theory: success 0.97^6 = {0.97**6:.6f}, latency Gamma(6, 0.1): p50 0.567, p99 1.311")
    print(f"    SimPy ran {PIPE_SIMPY} and Ciw {PIPE_CIW} trials: their wall time is scaled "
          "to 1M trials (events/s as measured)")
    print(head)
    simpy = python_tool("simpy", "pipeline", PIPE_SIMPY)
    base = simpy["events"] / simpy["wall_s"]
    fig = lambda r: f"success {r['success']:.4f}  p50 {r['p50']:.3f}  p99 {r['p99']:.3f}"
    scale = PIPE_TRIALS / PIPE_SIMPY
    print(row("SimPy (scaled)", simpy["wall_s"] * scale, simpy["events"] * scale, fig(simpy), base))
    ciw = python_tool("ciw", "pipeline", PIPE_CIW)
    scale = PIPE_TRIALS / ciw["trials"]
    print(row("Ciw (scaled)", ciw["wall_s"] * scale, ciw["events"] * scale, fig(ciw), base))
    pipe = [os.path.join(ROOT, "scenarios", "six-step-pipeline.toml"), "--trials", str(PIPE_TRIALS)]
    for threads in (1, 2):
        wall, s = coordsim(pipe, threads)
        lat = s["latency_s"]
        figures = {"success": s["success"]["rate"], "p50": lat["p50"], "p99": lat["p99"]}
        print(row(f"coordsim ({threads} thread{'s' if threads > 1 else ''})", wall,
                  6 * PIPE_TRIALS, fig(figures), base))

    replications_on_two_threads()
    precision_and_rare()


def coordsim_block(args, runs, out):
    """The summed simulation time of `runs` one-thread coordsim runs."""
    return sum(coordsim_once(args, 1, out)[0] for _ in range(runs))


def mmc_rounds(args, simpy_wall, coordsim_wall):
    """The M/M/c speed ratio in paired rounds, as bench/ab.py pairs two builds.

    A is one SimPy run; B is a block of coordsim runs whose summed simulation
    time is about one SimPy run's (sized from the section's first figures).
    Each round runs A B B A or B A A B, alternately, and gives coordsim's
    events/s over SimPy's, each from its two parts' summed times: both tools
    run in the same seconds of the host, in the same order on average. The
    shared host's speed drifts by up to 2x within a minute (SimPy's run took
    2.5 to 4.4 s and coordsim's 25 to 45 ms in one quarter hour), so a SimPy
    run of 3 s beside a tenth of a second of coordsim runs, as the single
    figures are, is a ratio of two different hosts. Prints the median of the
    rounds and its quartiles (the middle half of the rounds), and each round."""
    if MMC_ROUNDS < 1:
        return
    events = 2 * (MMC_CUSTOMERS + 20000)
    block = max(1, round(simpy_wall / coordsim_wall))
    ratios = []
    with tempfile.TemporaryDirectory() as out:
        for i in range(MMC_ROUNDS):
            a_wall = b_wall = 0.0
            for part in ("ABBA" if i % 2 == 0 else "BAAB"):
                if part == "A":
                    a_wall += python_once("simpy", "mmc", MMC_CUSTOMERS)["wall_s"]
                else:
                    b_wall += coordsim_block(args, block, out)
            ratios.append((2 * block * events / b_wall) / (2 * events / a_wall))
    median = statistics.median(ratios)
    q1, _, q3 = statistics.quantiles(ratios, n=4) if len(ratios) > 1 else (median,) * 3
    shown = ", ".join(f"{r:.0f}x" for r in ratios)
    print(f"    paired rounds (ABBA: one SimPy run against {block} coordsim runs of about the "
          f"same time, 1 thread), {MMC_ROUNDS} rounds: median {median:.0f}x SimPy "
          f"(quartiles {q1:.0f}x-{q3:.0f}x; rounds: {shown})")


def replications_on_two_threads():
    """(3) a loaded run of several replications on 1 and 2 threads: the
    ratio of medians, with the runs alternated so that load changes hit both."""
    reps = 8
    args = [os.path.join(HERE, "mmc.toml"), "--set", f"workload.replications={reps}"]
    print(f"\n(3) M/M/c, {reps} replications of 200000 customers, on 1 and 2 threads "
          f"(alternated, medians of {REPEATS})")
    times = {1: [], 2: []}
    summaries = {}
    with tempfile.TemporaryDirectory() as out:
        for _ in range(REPEATS):
            for threads in (1, 2):
                seconds, summaries[threads] = coordsim_once(args, threads, out)
                times[threads].append(seconds)
    one, two = statistics.median(times[1]), statistics.median(times[2])
    same = "bit-identical" if summaries[1] == summaries[2] else "DIFFERENT"
    print(f"    1 thread {one:.3f} s, 2 threads {two:.3f} s: {one / two:.2f}x; "
          f"summaries on 1 and 2 threads: {same}")


def precision_and_rare():
    """(4) --precision against --trials N for the N it used; (5) importance
    sampling against crude Monte Carlo at the same precision (same-run ratios)."""
    six = os.path.join(ROOT, "scenarios", "six-step-pipeline.toml")
    print("\n(4) --precision on the six-step pipeline: the batches' cost, as a ratio to "
          "--trials N for the N used (2 threads)")
    for spec in ("success=0.0005", "p99=0.5%"):
        wall, s = coordsim([six, "--precision", spec], 2)
        n = s["precision"]["trials"]
        fixed, _ = coordsim([six, "--trials", str(n)], 2)
        r = s["precision"]
        print(f"    --precision {spec:<15} {n:>9} trials  {wall:7.3f} s  vs --trials {n}: "
              f"{fixed:7.3f} s  ratio {wall / fixed:5.2f}   {r['figure']} {r['value']:.6g} "
              f"± {r['half_width']:.3g} ({r['interval']})")

    rare = os.path.join(ROOT, "scenarios", "rare-silent-gates.toml")
    n = 200_000
    print(f"\n(5) rare-silent-gates (P(silent) = 1e-7): importance sampling (--rare, {n} trials) "
          "against crude Monte Carlo at the same relative half-width (2 threads)")
    wall_is, s = coordsim([rare, "--rare", "--trials", str(n)], 2)
    silent = next(o for o in s["outcomes"] if o["outcome"] == "silent")
    rel = 1.96 * silent["std_error"] / silent["rate"]
    wall_crude, crude = coordsim([rare, "--trials", str(n)], 2)
    p = 1e-7
    needed = (1.96 / rel) ** 2 * (1 - p) / p
    crude_time = wall_crude / n * needed
    print(f"    --rare:  silent {silent['rate']:.4e} [{silent['ci95'][0]:.4e}, "
          f"{silent['ci95'][1]:.4e}] (±{100 * rel:.1f}%), ESS of hits "
          f"{silent['hits_ess']:.0f}, in {wall_is:.3f} s")
    print(f"    crude:   silent count {crude['silent_failure']['count']} of {n} in "
          f"{wall_crude:.3f} s; ±{100 * rel:.1f}% needs {needed:.3g} trials: "
          f"{crude_time:.0f} s at this speed")
    print(f"    ratio (crude time / importance-sampling time at the same precision): "
          f"{crude_time / wall_is:.3g}")


if __name__ == "__main__":
    main()
