#!/usr/bin/env bash
# slurm/train.sbatch on a real (local) Slurm cluster: mid-run the batch shell gets USR1 (what
# `--signal=B:USR1@300` sends before the time limit); every rank must finish its step, rank 0
# checkpoint, medanon exit 6, the script requeue the job, and the requeued job resume from the
# checkpoint and finish with weights bit-identical to an uninterrupted 2-rank run.
set -u
medanon=$1; source_dir=$2; scratch=$3
source "$source_dir/tests/mpi/common.sh"
source "$source_dir/tests/mpi/train_common.sh"
source "$source_dir/tests/slurm/cluster.sh"
rm -rf "$scratch"; mkdir -p "$scratch"
slurm_cluster_up "$scratch/cluster" 4 || { echo "FAIL: no Slurm cluster"; exit 1; }
trap slurm_cluster_down EXIT

make_train_corpus "$medanon" "$scratch"
cat >"$scratch/train.toml" <<SPEC
#SBATCH --ntasks=2
#SBATCH --time=00:30:00
corpus="$scratch/corpus"
out="$scratch/slurm-out"
model="mae_vit_tiny_test"
device="auto"
threads=1
epochs=30
warmup-epochs=1
batch-size=4
blr=0.05
seed=3
train-fraction=0.85
validation-fraction=0.05
checkpoint-every=3
log-every=0
SPEC

"${mpirun_cmd[@]}" -np 2 "$medanon" train --config "$scratch/train.toml" --out "$scratch/reference" \
  >"$scratch/reference.log" 2>&1 || { fail "reference run exited $?"; tail "$scratch/reference.log"; }
reference=$(summary_digest "$scratch/reference.log")

cd "$scratch"
id=$(MEDANON_BIN=$medanon bash "$source_dir/slurm/submit.sh" --train "$scratch/train.toml") || fail "submit.sh failed"
log=$scratch/medanon-train-$id.log
wait_for_checkpoint "$scratch/slurm-out" 12 || fail "no checkpoint appeared"
scancel --signal=USR1 --batch "$id" || fail "scancel --signal=USR1 failed"

# The script requeues the job; it is started without Slurm's requeue delay and must complete.
slurm_expect_requeue_cycle "$id" "$log"
grep -q "train: STOPPED" "$log" || fail "the first run did not stop cleanly"
grep -q "no checkpoint in .* starting fresh" "$log" || fail "the first run did not start fresh"
grep -q "resumed from .*checkpoint-" "$log" || fail "the requeued run did not resume"
grep -q "train: complete" "$log" || fail "the resumed run did not complete"
[[ -n $reference && $(summary_digest "$log") == "$reference" ]] || fail "the requeued run's weights differ from an uninterrupted run"
cmp -s "$scratch/reference/model.pth" "$scratch/slurm-out/model.pth" || fail "model.pth differs from the uninterrupted run's"

echo "train requeue checks: $failures failed"
exit $((failures > 0))
