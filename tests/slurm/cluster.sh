# A throw-away Slurm cluster on localhost for the tests (sourced, not run): munged, slurmctld and
# slurmd, all private to one folder (own munge socket, own ports, own state), no systemd, no
# cgroups, no accounting. It stops only the daemons it started.
#
#   source tests/slurm/cluster.sh
#   slurm_cluster_up "$scratch/cluster" 4      # folder, CPUs of the one node
#   trap slurm_cluster_down EXIT
#   sbatch ...; slurm_wait_job $id 300; slurm_job_field $id JobState
#
# Facts this relies on (Debian 12, Slurm 22.05): SlurmUser=root, proctrack/linuxproc, task/none,
# select/cons_tres, MpiDefault=pmix, accounting_storage/none (so no sacct: scontrol show job);
# munged runs as the munge user; slurmd -D/-N and slurmctld -D started with setsid.

slurm_cluster_dir=""
slurm_cluster_pids=()

slurm_log() { echo "[slurm-cluster] $*" >&2; }

# Installs slurm-wlm and munge when missing (CI machines start without them).
slurm_ensure_installed() {
  command -v slurmctld >/dev/null && command -v munged >/dev/null && command -v sbatch >/dev/null && return 0
  slurm_log "installing slurm-wlm and munge"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q slurm-wlm munge >/dev/null
}

# A free TCP port (the kernel's choice), so concurrent clusters and a site's own Slurm never clash.
slurm_free_port() {
  /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

slurm_cluster_up() {
  local dir=$1 cpus=${2:-4}
  slurm_ensure_installed || return 1
  rm -rf "$dir"; mkdir -p "$dir"/{etc,state,spool,log,munge}
  dir=$(cd "$dir" && pwd)
  slurm_cluster_dir=$dir
  # munge: the key must belong to munge and be private; the socket lives in our folder
  cp /etc/munge/munge.key "$dir/munge/munge.key" 2>/dev/null || dd if=/dev/urandom of="$dir/munge/munge.key" bs=1 count=128 2>/dev/null
  chown -R munge:munge "$dir/munge"; chmod 700 "$dir/munge"; chmod 400 "$dir/munge/munge.key"
  # munged checks that every folder above its socket is not world-writable... by others than root
  chmod 755 "$dir"
  setsid su -s /bin/sh munge -c "/usr/sbin/munged --force --key-file=$dir/munge/munge.key --socket=$dir/munge/munge.socket \
    --pid-file=$dir/munge/munged.pid --log-file=$dir/munge/munged.log --seed-file=$dir/munge/munged.seed" </dev/null
  local i
  for i in $(seq 50); do [[ -S $dir/munge/munge.socket ]] && break; sleep 0.1; done
  [[ -S $dir/munge/munge.socket ]] || { slurm_log "munged did not start"; cat "$dir/munge/munged.log" >&2; return 1; }
  slurm_cluster_pids+=("$(cat "$dir/munge/munged.pid")")

  local host ctld_port slurmd_port
  host=$(hostname -s)
  ctld_port=$(slurm_free_port); slurmd_port=$(slurm_free_port)
  while [[ $slurmd_port == "$ctld_port" ]]; do slurmd_port=$(slurm_free_port); done
  cat >"$dir/etc/slurm.conf" <<EOF
ClusterName=medanontest
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
SlurmdUser=root
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$dir/munge/munge.socket
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SlurmdParameters=config_overrides
MpiDefault=pmix
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/backfill
ReturnToService=2
KillWait=10
MinJobAge=3600
JobRequeue=1
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=2048 State=UNKNOWN
PartitionName=test Nodes=$host Default=YES MaxTime=INFINITE State=UP OverSubscribe=NO
EOF
  export SLURM_CONF=$dir/etc/slurm.conf
  setsid /usr/sbin/slurmctld -D -i -f "$SLURM_CONF" </dev/null >"$dir/log/slurmctld.out" 2>&1 &
  slurm_cluster_pids+=($!)
  setsid /usr/sbin/slurmd -D -f "$SLURM_CONF" -N "$host" </dev/null >"$dir/log/slurmd.out" 2>&1 &
  slurm_cluster_pids+=($!)
  for i in $(seq 100); do
    if scontrol show node "$host" 2>/dev/null | grep -q -E "State=(IDLE|MIXED|ALLOCATED)"; then
      slurm_log "up in $dir (node $host, $cpus CPUs, ports $ctld_port/$slurmd_port)"
      return 0
    fi
    sleep 0.2
  done
  slurm_log "the cluster did not come up"
  tail -20 "$dir/log/slurmctld.log" "$dir/log/slurmd.log" "$dir/log/"*.out >&2
  return 1
}

slurm_cluster_down() {
  [[ -n $slurm_cluster_dir ]] || return 0
  scancel --full --signal=KILL --user=root --quiet 2>/dev/null || true
  local pid
  for pid in "${slurm_cluster_pids[@]}"; do kill "$pid" 2>/dev/null; done
  sleep 0.5
  for pid in "${slurm_cluster_pids[@]}"; do kill -9 "$pid" 2>/dev/null; done
  slurm_cluster_pids=()
  slurm_cluster_dir=""
}

# One field of `scontrol show job` (accounting is off, so sacct has nothing).
slurm_job_field() {
  scontrol -o show job "$1" 2>/dev/null | tr ' ' '\n' | sed -n "s/^$2=//p" | head -1
}

# Waits until the job has ended (any final state); prints that state. Returns 1 on timeout.
slurm_wait_job() {
  local id=$1 timeout=${2:-300} state t=0
  while ((t < timeout * 5)); do
    state=$(slurm_job_field "$id" JobState)
    case $state in
      COMPLETED | FAILED | CANCELLED | TIMEOUT | NODE_FAIL | OUT_OF_MEMORY | BOOT_FAIL | DEADLINE)
        echo "$state"; return 0 ;;
    esac
    sleep 0.2; t=$((t + 1))
  done
  echo "${state:-UNKNOWN}"
  return 1
}

# The start of every Slurm test script: a clean scratch folder with a cluster of `cpus` CPUs in
# it, torn down when the script exits (exits the script when the cluster cannot start).
slurm_test_begin() {
  local scratch=$1 cpus=${2:-4}
  rm -rf "$scratch"; mkdir -p "$scratch"
  slurm_cluster_up "$scratch/cluster" "$cpus" || { echo "FAIL: no Slurm cluster"; exit 1; }
  trap slurm_cluster_down EXIT
}

# slurm_restart_requeued JOBID: waits until the job's script has requeued it (PENDING, one
# restart), then starts it now instead of after Slurm's requeue delay, but only once the old
# run is gone: its slurmstepd has exited (else the new step cannot bind its PMIx socket), the
# node is idle, and 3 s have passed (slurmd refuses a credential of the same job id created in
# the same second as the old one's revocation: "Job credential revoked"). Returns 1 when the job
# was not requeued.
slurm_restart_requeued() {
  local id=$1 requeued=0
  for _ in $(seq 600); do
    if [[ $(slurm_job_field "$id" Restarts) == 1 && $(slurm_job_field "$id" JobState) == PENDING ]]; then
      requeued=1; break
    fi
    sleep 0.1
  done
  ((requeued)) || return 1
  for _ in $(seq 200); do pgrep -f "slurmstepd: \[$id\." >/dev/null || break; sleep 0.1; done
  for _ in $(seq 300); do scontrol -o show node | grep -q "State=IDLE " && break; sleep 0.1; done
  sleep 3
  scontrol update JobId="$id" StartTime=now
}

# slurm_expect_requeue_cycle JOBID LOG: after USR1 reached the batch shell, the job must have
# requeued itself, been restarted (slurm_restart_requeued) and completed, and its log must show
# the requeue and SLURM_RESTART_COUNT 1. Reports through `fail` (tests/mpi/common.sh).
slurm_expect_requeue_cycle() {
  local id=$1 log=$2 state
  slurm_restart_requeued "$id" || { fail "job $id was not requeued"; tail -20 "$log"; }
  state=$(slurm_wait_job "$id" 600)
  [[ $state == COMPLETED ]] || { fail "job $id ended $state"; tail -30 "$log"; }
  grep -q "requeueing job $id" "$log" || fail "the job log does not show the requeue"
  grep -q "restart count 1" "$log" || fail "the requeued run did not log SLURM_RESTART_COUNT"
}
