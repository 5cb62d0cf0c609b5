"""The two comparison models in SimPy and Ciw, faithful to coordsim's.

Run as `python models.py TOOL MODEL N`, TOOL in {simpy, ciw}, MODEL in
{mmc, pipeline}; prints one JSON line: wall seconds, model events, and the
model's figures. Events are counted the same way for every tool (see
compare.sh): M/M/c, 2 per customer (arrival, service completion), warm-up
included; pipeline, 6 per trial (one per step completion).
"""

import json
import math
import random
import sys
import time

# Imported before any clock starts: a library's import (about 45 ms for
# SimPy) is start-up, as coordsim's process start is, and is not timed.
import ciw
import simpy

LAMBDA, MU, SERVERS = 7.2, 1.0, 8
WARMUP = 20_000
STEPS, P_OK, STEP_MEAN = 6, 0.97, 0.1


def quantile(sorted_values, q):
    """Nearest-rank quantile."""
    i = max(0, math.ceil(q * len(sorted_values)) - 1)
    return sorted_values[i]


def simpy_mmc(customers):
    rng = random.Random(1)
    env = simpy.Environment()
    servers = simpy.Resource(env, capacity=SERVERS)
    waits = []

    def customer(i):
        arrived = env.now
        with servers.request() as req:
            yield req
            if i >= WARMUP:
                waits.append(env.now - arrived)
            yield env.timeout(rng.expovariate(MU))

    def source():
        for i in range(WARMUP + customers):
            env.process(customer(i))
            yield env.timeout(rng.expovariate(LAMBDA))

    env.process(source())
    env.run()
    return {"wq": sum(waits) / len(waits), "measured": len(waits),
            "events": 2 * (WARMUP + customers)}


def simpy_pipeline(trials):
    rng = random.Random(1)
    env = simpy.Environment()
    latencies, correct = [], 0

    def step():
        yield env.timeout(rng.expovariate(1.0 / STEP_MEAN))
        return rng.random() < P_OK

    def trial():
        ok = True
        for _ in range(STEPS):
            ok &= yield env.process(step())
        return ok

    def driver():
        nonlocal correct
        for _ in range(trials):
            start = env.now
            ok = yield env.process(trial())
            latencies.append(env.now - start)
            correct += ok

    env.process(driver())
    env.run()
    latencies.sort()
    return {"success": correct / trials, "p50": quantile(latencies, 0.5),
            "p99": quantile(latencies, 0.99), "events": STEPS * trials}


def ciw_mmc(customers):
    ciw.seed(1)
    network = ciw.create_network(
        arrival_distributions=[ciw.dists.Exponential(rate=LAMBDA)],
        service_distributions=[ciw.dists.Exponential(rate=MU)],
        number_of_servers=[SERVERS],
    )
    sim = ciw.Simulation(network)
    sim.simulate_until_max_customers(WARMUP + customers, method="Finish")
    records = [r for r in sim.get_all_records() if r.record_type == "service"]
    measured = [r.waiting_time for r in records if r.id_number > WARMUP]
    return {"wq": sum(measured) / len(measured), "measured": len(measured),
            "events": 2 * (WARMUP + customers)}


def ciw_pipeline(trials):
    """Six infinite-server nodes in series (no queueing: each customer is an
    independent trial); a customer becomes class 1 ("corrupted") at the end
    of a step with probability 0.03 and stays so."""
    ciw.seed(1)
    clean_to = [[P_OK, 1 - P_OK], [0.0, 1.0]]
    step = ciw.dists.Exponential(rate=1.0 / STEP_MEAN)
    routing = [[1.0 if j == i + 1 else 0.0 for j in range(STEPS)] for i in range(STEPS)]
    network = ciw.create_network(
        arrival_distributions={
            "Class 0": [ciw.dists.Exponential(rate=100.0)] + [None] * (STEPS - 1),
            "Class 1": [None] * STEPS,
        },
        service_distributions={"Class 0": [step] * STEPS, "Class 1": [step] * STEPS},
        routing={"Class 0": routing, "Class 1": routing},
        number_of_servers=[float("inf")] * STEPS,
        class_change_matrices=[{"Class 0": {"Class 0": clean_to[0][0], "Class 1": clean_to[0][1]},
                                "Class 1": {"Class 0": 0.0, "Class 1": 1.0}}] * STEPS,
    )
    sim = ciw.Simulation(network)
    sim.simulate_until_max_customers(trials, method="Finish")
    # Individuals that left hold their final class (after the last step's change).
    done = sim.nodes[-1].all_individuals
    latencies = sorted(i.data_records[-1].exit_date - i.data_records[0].arrival_date
                       for i in done)
    correct = sum(1 for i in done if i.customer_class in (0, "Class 0"))
    n = len(done)
    return {"success": correct / n, "p50": quantile(latencies, 0.5),
            "p99": quantile(latencies, 0.99), "events": STEPS * n, "trials": n}


if __name__ == "__main__":
    tool, model, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    run = {"simpy": {"mmc": simpy_mmc, "pipeline": simpy_pipeline},
           "ciw": {"mmc": ciw_mmc, "pipeline": ciw_pipeline}}[tool][model]
    t0 = time.perf_counter()
    out = run(n)
    out["wall_s"] = time.perf_counter() - t0
    out["n"] = n
    print(json.dumps(out))
