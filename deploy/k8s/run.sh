#!/usr/bin/env bash
# Runs the sharded job, waits for every index to complete, then merges.
# The image coordsim:latest must be reachable by the cluster (deploy/Dockerfile).
set -euo pipefail
cd "$(dirname "$0")"
kubectl apply -f volume.yaml
kubectl delete job coordsim-shards coordsim-merge --ignore-not-found
kubectl apply -f shards-job.yaml
kubectl wait --for=condition=complete job/coordsim-shards --timeout=24h
kubectl apply -f merge-job.yaml
kubectl wait --for=condition=complete job/coordsim-merge --timeout=1h
kubectl logs job/coordsim-merge
