#!/usr/bin/env bash
# A private single-node Slurm cluster on this machine, for tests:
#   scripts/slurm-local.sh start DIR   munged + slurmctld + slurmd with everything (config, key, sockets,
#                                      spool, logs, pid files) under DIR; prints "export SLURM_CONF=DIR/slurm.conf"
#   scripts/slurm-local.sh stop DIR    stops exactly the daemons that `start DIR` started (by their pid files)
# Needs Debian's slurm-wlm and munge (scripts/install-deps.sh) and root (slurmd runs jobs as their user).
# Exit status 77 = Slurm cannot start here (not installed, not root): callers may skip.
set -euo pipefail
cmd="${1:-}"
dir="${2:-}"
[ -n "$cmd" ] && [ -n "$dir" ] || { echo "usage: $0 start|stop DIR" >&2; exit 2; }

stop_pidfile() {
  local f="$1"
  [ -f "$f" ] || return 0
  local pid
  pid="$(cat "$f" 2>/dev/null || true)"
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$f"
}

if [ "$cmd" = stop ]; then
  stop_pidfile "$dir/slurmd.pid"
  stop_pidfile "$dir/slurmctld.pid"
  stop_pidfile "$dir/munged.pid"
  exit 0
fi
[ "$cmd" = start ] || { echo "usage: $0 start|stop DIR" >&2; exit 2; }

for tool in munged mungekey slurmctld slurmd sbatch sinfo; do
  command -v "$tool" >/dev/null 2>&1 || [ -x "/usr/sbin/$tool" ] || { echo "slurm-local: $tool not installed (apt-get install slurm-wlm munge)" >&2; exit 77; }
done
[ "$(id -u)" -eq 0 ] || { echo "slurm-local: needs root (slurmd)" >&2; exit 77; }
export PATH="$PATH:/usr/sbin"

mkdir -p "$dir"
dir="$(cd "$dir" && pwd)"
mkdir -p "$dir/state" "$dir/spool" "$dir/munge"
chmod 700 "$dir/munge"
host="$(hostname -s)"
cpus="$(nproc)"
# Ports away from the defaults (6817/6818) so a system Slurm is not disturbed.
ctld_port=$((17000 + RANDOM % 2000))
d_port=$((ctld_port + 1))

# munge: a private key, socket and daemon.
mungekey --create --keyfile="$dir/munge/munge.key" --force >/dev/null 2>&1 || { echo "slurm-local: mungekey failed" >&2; exit 77; }
chmod 400 "$dir/munge/munge.key"
munged --force --socket="$dir/munge/munge.sock" --key-file="$dir/munge/munge.key" \
  --log-file="$dir/munge/munged.log" --pid-file="$dir/munged.pid" --seed-file="$dir/munge/munged.seed" \
  || { echo "slurm-local: munged did not start (see $dir/munge/munged.log)" >&2; exit 77; }

cat > "$dir/slurm.conf" <<CONF
ClusterName=potacc-test
SlurmctldHost=$host
SlurmctldPort=$ctld_port
SlurmdPort=$d_port
SlurmUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$dir/munge/munge.sock
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
MpiDefault=none
ReturnToService=2
SlurmdTimeout=60
InactiveLimit=0
MinJobAge=300
KillWait=5
Waittime=0
NodeName=$host CPUs=$cpus State=UNKNOWN
PartitionName=local Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF="$dir/slurm.conf"
slurmctld -f "$SLURM_CONF" || { echo "slurm-local: slurmctld did not start (see $dir/slurmctld.log)" >&2; "$0" stop "$dir"; exit 77; }
slurmd -f "$SLURM_CONF" || { echo "slurm-local: slurmd did not start (see $dir/slurmd.log)" >&2; "$0" stop "$dir"; exit 77; }
# Wait (bounded) until the node accepts jobs.
for _ in $(seq 60); do
  state="$(sinfo -h -N -o '%T' 2>/dev/null | head -1 || true)"
  case "$state" in idle*|mixed*|allocated*) echo "export SLURM_CONF=$SLURM_CONF"; exit 0 ;; esac
  sleep 0.5
done
echo "slurm-local: the node did not become idle (state '${state:-?}'; see $dir/slurmctld.log, $dir/slurmd.log)" >&2
"$0" stop "$dir"
exit 77
