#!/usr/bin/env bash
# Submits a medanon job spec (jobs/*.toml): its #SBATCH lines become sbatch options, so one
# file says both what to run and on what.
#   slurm/submit.sh [--array N] [--train | --adapt] JOBSPEC.toml [sbatch options...]
# --array N   use the job-array variant with N tasks (anonymize only)
# --train     submit slurm/train.sbatch (the spec is a `medanon train` config)
# --adapt     submit slurm/adapt.sbatch (the spec is a `medanon adapt` config)
# MEDANON_GPUS_PER_NODE=G   adds --gres=gpu:G (overrides the spec's --gres); 0 removes it, for
#                           clusters without GPUs. MEDANON_BIN: the medanon binary to run.
# Prints the job id.
set -euo pipefail
home=$(cd "$(dirname "$0")/.." && pwd)
script=$home/slurm/anonymize.sbatch
array=""
while [[ $# -gt 0 ]]; do
  case $1 in
    --array) array=$2; script=$home/slurm/anonymize-array.sbatch; shift 2 ;;
    --train) script=$home/slurm/train.sbatch; shift ;;
    --adapt) script=$home/slurm/adapt.sbatch; shift ;;
    *) break ;;
  esac
done
spec=${1:?usage: slurm/submit.sh [--array N] [--train | --adapt] JOBSPEC.toml [sbatch options]}
shift
[[ -f $spec ]] || { echo "no job spec $spec" >&2; exit 2; }
options=()
while read -r line; do
  for word in ${line#\#SBATCH}; do
    [[ -n ${MEDANON_GPUS_PER_NODE:-} && $word == --gres=gpu* ]] && continue
    options+=("$word")
  done
done < <(grep -E '^#SBATCH[[:space:]]' "$spec")
if [[ -n ${MEDANON_GPUS_PER_NODE:-} && ${MEDANON_GPUS_PER_NODE} != 0 ]]; then options+=("--gres=gpu:$MEDANON_GPUS_PER_NODE"); fi
[[ -n $array ]] && options+=("--array=0-$((array - 1))")
MEDANON_HOME=$home exec sbatch --parsable --export=ALL,MEDANON_HOME=$home "${options[@]}" "$@" "$script" "$spec"
