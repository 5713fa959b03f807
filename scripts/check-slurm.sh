#!/usr/bin/env bash
# Runs the Slurm example on a real one-node Slurm cluster (Debian's slurm-wlm: munged,
# slurmctld and slurmd started here, configured in a temporary directory): deploy/slurm/
# submit.sh queues the shard array and the dependent merge; the merged files must be those
# of one unsharded run. Needs root (the daemons), slurm-wlm and redis-server; run by .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."
bin="$(realpath "${TRANSALIGN_BIN:-./target/debug/transalign}")"
work="$(mktemp -d)"
export SLURM_CONF="$work/slurm.conf"
# Stops the daemon whose pid is in file $1 and waits until it has exited: slurmctld saves its
# state into $work/state while it shuts down, so removing $work before it is gone races with
# those writes ("Directory not empty").
stop_daemon() {
  local pid
  [ -f "$1" ] || return 0
  pid=$(cat "$1")
  kill "$pid" 2>/dev/null || return 0
  for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
  for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
}
cleanup() {
  scancel --user="$(id -un)" 2>/dev/null || true
  stop_daemon "$work/slurmd.pid"
  stop_daemon "$work/slurmctld.pid"
  [ -n "${redis_port:-}" ] && redis-cli -p "$redis_port" shutdown nosave >/dev/null 2>&1
  rm -rf "$work"
}
trap cleanup EXIT
fail() {
  echo "slurm check: $*" >&2
  for log in "$work"/slurmctld.log "$work"/slurmd.log "$work"/deploy/*.log; do
    [ -f "$log" ] && { echo "--- $log" >&2; tail -20 "$log" >&2; }
  done
  exit 1
}

# shellcheck source=scripts/slurm-example.sh
. scripts/slurm-example.sh

mkdir -p /run/munge "$work/state" "$work/spool"
chown munge:munge /run/munge 2>/dev/null || true
pgrep -x munged >/dev/null || munged --force
host=$(hostname -s)
memory=$(awk '/MemTotal/ { print int($2 / 1024) - 512 }' /proc/meminfo)
cat >"$SLURM_CONF" <<CONF
ClusterName=transalign-ci
SlurmctldHost=$host
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
JobAcctGatherType=jobacct_gather/none
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/slurmctld.log
SlurmdLogFile=$work/slurmd.log
ReturnToService=2
NodeName=$host CPUs=$(nproc) RealMemory=$memory State=UNKNOWN
PartitionName=ci Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
slurmctld -c || fail "slurmctld did not start"
slurmd || fail "slurmd did not start"
for _ in $(seq 100); do sinfo -h -o %T 2>/dev/null | grep -q idle && break; sleep 0.2; done
sinfo -h -o %T | grep -q idle || fail "the node did not come up"

redis_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
redis-server --bind 127.0.0.1 --port "$redis_port" --save "" --appendonly no --daemonize yes >/dev/null
for _ in $(seq 100); do redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break; sleep 0.1; done

slurm_example_setup "$work" "$redis_port"
(cd "$work/deploy" && ./submit.sh 4) || fail "submit.sh failed"
for _ in $(seq 600); do [ -z "$(squeue -h)" ] && break; sleep 0.5; done
[ -z "$(squeue -h)" ] || fail "jobs still queued after 5 minutes: $(squeue -h)"
[ -f "$work/out/merged/claims.jsonl" ] || fail "the merge job wrote nothing"
for task in 0 1 2 3; do
  [ -f "$work/out/shard-$task/summary.json" ] || fail "array task $task wrote nothing"
done
slurm_example_matches_unsharded "$work" "$redis_port"
echo "slurm check: ok (array of 4 and dependent merge on a one-node cluster = unsharded run)"
