"""Checks deploy/: every YAML file parses (yaml.safe_load_all), the
Kubernetes Job is an Indexed Job whose index reaches --shard, and then runs
the containers' and the Slurm scripts' own commands locally (small trial
count, a temporary folder for /results) to check that their merged result
equals a single run's summary.json byte for byte."""

import os
import pathlib
import subprocess
import tempfile

import yaml

REPO = pathlib.Path(__file__).resolve().parent.parent
DEPLOY = REPO / "deploy"
BIN = REPO / "target" / "release" / "coordsim"
TRIALS = "20000"


def load(name):
    return [d for d in yaml.safe_load_all((DEPLOY / "k8s" / name).read_text()) if d]


def container(job):
    c = job["spec"]["template"]["spec"]["containers"][0]
    env = {e["name"]: e["value"] for e in c.get("env", [])}
    return c["command"] + c["args"], env


def sh(cmd, env, results):
    """Runs a container's command locally: /results and /scenarios mapped to local folders."""
    script = cmd[2].replace("/results", str(results)).replace("/scenarios", str(REPO / "scenarios"))
    env = {**os.environ, **env, "PATH": f"{BIN.parent}:{os.environ['PATH']}"}
    env = {k: v.replace("/scenarios", str(REPO / "scenarios")) for k, v in env.items()}
    subprocess.run(["/bin/sh", "-c", script], env=env, check=True, capture_output=True)


def main():
    for path in sorted(DEPLOY.rglob("*.yaml")):
        docs = [d for d in yaml.safe_load_all(path.read_text()) if d]
        print(f"deploy YAML ok: {path.relative_to(REPO)} ({len(docs)} document(s))")
    [shards] = load("shards-job.yaml")
    [merge] = load("merge-job.yaml")
    spec = shards["spec"]
    assert spec["completionMode"] == "Indexed", "the shards job must be an Indexed Job"
    cmd, env = container(shards)
    assert "JOB_COMPLETION_INDEX" in cmd[2] and "--shard" in cmd[2]
    assert int(env["SHARDS"]) == spec["completions"], "SHARDS must equal completions"
    if not BIN.exists():
        print("deploy: coordsim not built, local run of the deploy commands skipped")
        return
    with tempfile.TemporaryDirectory() as tmp:
        tmp = pathlib.Path(tmp)
        env["TRIALS"] = TRIALS
        for index in range(spec["completions"]):
            sh(cmd, {**env, "JOB_COMPLETION_INDEX": str(index)}, tmp / "k8s")
        mcmd, menv = container(merge)
        sh(mcmd, menv, tmp / "k8s")
        run = tmp / "k8s" / env["RUN"]
        scenario = env["SCENARIO"].replace("/scenarios", str(REPO / "scenarios"))
        subprocess.run([str(BIN), "run", scenario, "--trials", TRIALS, "--seed", env["SEED"],
                        "--out", str(tmp / "single")], check=True, capture_output=True)
        single = (tmp / "single" / "summary.json").read_bytes()
        assert (run / "summary.json").read_bytes() == single, "k8s merge differs from a single run"
        print(f"deploy: k8s commands run locally: {spec['completions']} shards merged = single run")

        slurm = DEPLOY / "slurm"
        n = 3
        base = {**os.environ, "PATH": f"{BIN.parent}:{os.environ['PATH']}",
                "SCENARIO": scenario, "RESULTS": str(tmp / "slurm"), "TRIALS": TRIALS,
                "SEED": env["SEED"], "SHARDS": str(n), "SLURM_ARRAY_TASK_COUNT": str(n)}
        (tmp / "slurm").mkdir()
        for k in range(1, n + 1):
            subprocess.run(["bash", str(slurm / "shards.sbatch")], check=True, capture_output=True,
                           env={**base, "SLURM_ARRAY_TASK_ID": str(k)})
        subprocess.run(["bash", str(slurm / "merge.sbatch")], check=True, capture_output=True,
                       env=base)
        assert (tmp / "slurm" / "summary.json").read_bytes() == single, "Slurm merge differs"
        print(f"deploy: Slurm scripts run locally: {n} array tasks merged = single run")


if __name__ == "__main__":
    main()
