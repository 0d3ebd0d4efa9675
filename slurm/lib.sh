# Shared by the medanon sbatch scripts (sourced inside the batch job): run one srun step so that
# the time-limit warning checkpoints it and requeues the job, which then resumes by itself.
#
# How it works: the scripts ask for `--signal=B:USR1@<seconds>` (the batch shell alone gets
# USR1 that long before the limit) and `--requeue`. The trap forwards USR1 to srun, which hands
# it to every rank; medanon stops claiming work, writes its checkpoint (anonymize: a collective
# HDF5 flush; train: a checkpoint) and exits with code 6, "interrupted". The script then calls
# `scontrol requeue`: the same job id starts again later and medanon resumes from its journals.
#
# Environment: MEDANON_BIN (default: medanon on PATH, else <submit dir>/build/medanon),
# MEDANON_SRUN_MPI (default pmix: Debian's OpenMPI has no PMI2), MEDANON_MAX_REQUEUES (20).

medanon_exit_interrupted=6

medanon_binary() {
  if [[ -n ${MEDANON_BIN:-} ]]; then echo "$MEDANON_BIN"
  elif command -v medanon >/dev/null; then command -v medanon
  else echo "${SLURM_SUBMIT_DIR:-$PWD}/build/medanon"; fi
}

medanon_log() { echo "[$(date -u +%FT%TZ)] ${SLURM_JOB_NAME:-medanon} ${SLURM_JOB_ID:-?}: $*"; }

medanon_usr1_seen=0
medanon_on_usr1() {
  medanon_usr1_seen=1
  medanon_log "time limit near (USR1): asking every rank to checkpoint and stop"
  [[ -n ${medanon_step_pid:-} ]] && kill -USR1 "$medanon_step_pid" 2>/dev/null
}

# medanon_srun_step ARGS...: srun the medanon binary with ARGS on all tasks of the allocation;
# on USR1, checkpoint + requeue. Returns medanon's exit code (0 when requeued).
medanon_srun_step() {
  local binary code
  binary=$(medanon_binary)
  medanon_log "restart count ${SLURM_RESTART_COUNT:-0}; ${SLURM_NTASKS:-1} task(s) on ${SLURM_JOB_NUM_NODES:-1} node(s) (${SLURM_JOB_NODELIST:-}); GPUs: ${SLURM_JOB_GPUS:-${CUDA_VISIBLE_DEVICES:-none}}"
  trap medanon_on_usr1 USR1
  local launch_log attempt
  launch_log=$(mktemp "${TMPDIR:-/tmp}/medanon-srun.XXXXXX")
  for attempt in 1 2 3; do
    srun --mpi="${MEDANON_SRUN_MPI:-pmix}" --kill-on-bad-exit=1 "$binary" "$@" 2> >(tee "$launch_log" >&2) &
    medanon_step_pid=$!
    # `wait` returns early when a trapped signal arrives: wait again until srun has really ended.
    while true; do
      wait "$medanon_step_pid"; code=$?
      kill -0 "$medanon_step_pid" 2>/dev/null || break
    done
    # A step that never launched (a node still cleaning up the previous run of this job id)
    # can end with code 0; medanon never ran, so launch it again.
    grep -q "launch failed" "$launch_log" || break
    medanon_log "the step did not launch (attempt $attempt); trying again in 10 s"
    code=1
    sleep 10
  done
  rm -f "$launch_log"
  trap - USR1
  medanon_log "step ended with exit code $code"
  if [[ $code -eq $medanon_exit_interrupted && $medanon_usr1_seen -eq 1 ]]; then
    if (( ${SLURM_RESTART_COUNT:-0} >= ${MEDANON_MAX_REQUEUES:-20} )); then
      medanon_log "not requeued: already restarted ${SLURM_RESTART_COUNT} times (MEDANON_MAX_REQUEUES)"
      return "$code"
    fi
    medanon_log "checkpoint written; requeueing job $SLURM_JOB_ID (it resumes where it stopped)"
    scontrol requeue "$SLURM_JOB_ID"
    return 0
  fi
  return "$code"
}
