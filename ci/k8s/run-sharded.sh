#!/bin/sh
# One sharded run on the current kubectl context: a fresh run id and a start time ahead, the shard
# job, then (once every shard completed) the merge job; prints the merged summary and exits 0 only
# when the merged run passed. The run directories stay on the matchbench-runs volume.
#   ci/k8s/run-sharded.sh [lead seconds, default 120]
# Assumes the image is built and pushed (ci/k8s/Dockerfile), pvc.yaml applied and the engine's
# Service `engine` running (e.g. engine.yaml).
set -eu
here=$(dirname "$0")
lead_s=${1:-120}
run_id=run-$(date -u +%Y%m%dT%H%M%SZ)
start_at=$(( $(date +%s) * 1000 + lead_s * 1000 ))
kubectl delete job matchbench-shards matchbench-merge --ignore-not-found
kubectl create configmap matchbench-run --from-literal=runId="$run_id" --from-literal=startAt="$start_at" \
  --dry-run=client -o yaml | kubectl apply -f -
kubectl apply -f "$here/shard-job.yaml"
kubectl wait --for=condition=complete job/matchbench-shards --timeout=2h
kubectl apply -f "$here/merge-job.yaml"
# The merge job's exit code is the verdict (0 passed, 4 thresholds, 3 invariants): wait for either end.
kubectl wait --for=jsonpath='{.status.conditions[0].status}'=True job/matchbench-merge --timeout=10m || true
kubectl logs job/matchbench-merge
pod=$(kubectl get pods -l job-name=matchbench-merge -o jsonpath='{.items[0].metadata.name}')
echo "merged run directory: /runs/$run_id/merged on the matchbench-runs volume (pod $pod)"
test "$(kubectl get job matchbench-merge -o jsonpath='{.status.succeeded}')" = "1"
