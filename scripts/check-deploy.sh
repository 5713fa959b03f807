#!/usr/bin/env bash
# Checks the deployment examples (docs/src/cluster.md):
# - deploy/kubernetes/*.yaml against the Kubernetes schemas (kubernetes-validate from PyPI,
#   strict: unknown fields are errors), and the configuration in the ConfigMap with
#   `transalign config check`;
# - deploy/slurm: the array script run once per task with the variables Slurm sets
#   (SLURM_ARRAY_TASK_ID/COUNT/MIN), against a real redis-server on a free port, then the
#   merge script; the merged files must be those of one unsharded run.
# Run by .ci/run; needs redis-server and .venv-deploy (created there).
set -euo pipefail
cd "$(dirname "$0")/.."
bin="$(realpath "${TRANSALIGN_BIN:-./target/debug/transalign}")"
python="${DEPLOY_PYTHON:-.venv-deploy/bin/python}"
work="$(mktemp -d)"
redis_pid=""
cleanup() { [ -n "$redis_pid" ] && kill "$redis_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
fail() { echo "deploy check: $*" >&2; exit 1; }
# shellcheck source=scripts/slurm-example.sh
. scripts/slurm-example.sh

"$(dirname "$python")/kubernetes-validate" --strict --quiet deploy/kubernetes/*.yaml \
  || fail "the Kubernetes manifests do not validate"
"$python" - deploy/kubernetes/config.yaml >"$work/k8s.toml" <<'PY'
import sys, yaml
for doc in yaml.safe_load_all(open(sys.argv[1])):
    if doc and doc.get("kind") == "ConfigMap":
        sys.stdout.write(doc["data"]["config.toml"])
PY
# The corpus volume is not here: the example corpus stands in for /data/corpus.
sed -i "s#/data/corpus#$(pwd)/examples/corpus#" "$work/k8s.toml"
"$bin" --config "$work/k8s.toml" config check >/dev/null || fail "the ConfigMap's config.toml is invalid"
grep -q 'completions: 4' deploy/kubernetes/shards-job.yaml && grep -q -- '--shard-count 4' deploy/kubernetes/shards-job.yaml \
  || fail "the Indexed Job's completions and --shard-count differ"

port=$("$python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
redis-server --bind 127.0.0.1 --port "$port" --save "" --appendonly no >/dev/null &
redis_pid=$!
for _ in $(seq 100); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.1; done
redis-cli -p "$port" ping >/dev/null || fail "redis-server did not start"

# The Slurm example as the array would run it: tasks 1..4 (SLURM_ARRAY_TASK_MIN=1).
slurm_example_setup "$work" "$port"
for task in 1 2 3 4; do
  SLURM_ARRAY_TASK_ID=$task SLURM_ARRAY_TASK_MIN=1 SLURM_ARRAY_TASK_COUNT=4 \
    bash deploy/slurm/transalign.sbatch || fail "array task $task failed"
done
bash deploy/slurm/merge.sbatch || fail "the merge job failed"
slurm_example_matches_unsharded "$work" "$port"
echo "deploy check: ok (manifests valid; Slurm array of 4 merged = unsharded run)"
