#!/usr/bin/env bash
# The real sbatch scripts on a real (local) Slurm cluster: slurm/submit.sh submits a job spec
# whose #SBATCH lines ask for 2 tasks; slurm/anonymize.sbatch runs `medanon anonymize` under
# `srun --mpi=pmix` to completion. The result must equal an `mpirun -np 2` run of the same spec
# (HDF5 contents and output files), every item exactly once. Then the job-array variant with
# 2 tasks: each shard gets its own folder and HDF5 file, and together they hold every item once.
set -u
medanon=$1; source_dir=$2; scratch=$3
source "$source_dir/tests/mpi/common.sh"
source "$source_dir/tests/slurm/cluster.sh"
slurm_test_begin "$scratch" 4

make_input_corpus "$medanon" "$scratch" --count 12 --size 256 --seed 31 --dicom-fraction 0.3 --no-bad-files
head -c 32 /dev/urandom >"$scratch/project.key"; chmod 600 "$scratch/project.key"
cat >"$scratch/job.toml" <<SPEC
# test job spec
#SBATCH --ntasks=2
#SBATCH --time=00:10:00
#SBATCH --gres=gpu:4
input="$scratch/corpus"
out="$scratch/slurm-out"
key="$scratch/project.key"
flush-seconds=0.2
progress-seconds=1
SPEC

# The reference: the same spec under plain mpirun.
reference_run "$scratch" "$scratch/job.toml"

cd "$scratch"  # sbatch's submit dir: the job log lands here
# This cluster has no GPUs: MEDANON_GPUS_PER_NODE=0 drops the spec's --gres (what a CPU site does).
id=$(MEDANON_BIN=$medanon MEDANON_GPUS_PER_NODE=0 bash "$source_dir/slurm/submit.sh" "$scratch/job.toml") \
  || fail "submit.sh failed"
state=$(slurm_wait_job "$id" 300)
log=$scratch/medanon-anonymize-$id.log
[[ $state == COMPLETED ]] || { fail "job $id ended $state"; tail -20 "$log"; }
[[ $(slurm_job_field "$id" NumTasks) == 2 ]] || fail "the spec's --ntasks=2 was not applied"
grep -q "MEDANON ANONYMIZE COMPLETE" "$log" || fail "no summary in the job log"
grep -q "2 task(s)" "$log" || fail "the job did not log its tasks"
$system_python "$source_dir/tests/mpi/h5_digest.py" "$scratch/slurm-out/medanon.h5" "$items" >"$scratch/slurm.digest" \
  || fail "sbatch run HDF5"
cmp -s "$scratch/reference.digest" "$scratch/slurm.digest" || fail "sbatch run differs from mpirun"
diff -r -x .medanon -x medanon.h5 "$scratch/reference" "$scratch/slurm-out" >/dev/null || fail "output files differ"
[[ $($system_python -c "import h5py; print(h5py.File('$scratch/slurm-out/medanon.h5')['/'].attrs['world_size'])") == 2 ]] \
  || fail "the srun job did not run as one 2-rank MPI job"

# The job-array variant: 2 independent tasks of 1 rank each.
id=$(MEDANON_BIN=$medanon MEDANON_GPUS_PER_NODE=0 bash "$source_dir/slurm/submit.sh" --array 2 "$scratch/job.toml" \
  --ntasks=1 --output="$scratch/array-%A_%a.log") || fail "array submit failed"
for task in 0 1; do
  state=$(slurm_wait_job "${id}_$task" 300)
  [[ $state == COMPLETED ]] || { fail "array task $task ended $state"; tail -20 "$scratch/array-${id}_$task.log"; }
done
$system_python - "$scratch/slurm-out" "$items" <<'PY' || fail "array shards"
import sys, h5py
out, items = sys.argv[1], int(sys.argv[2])
seen = []
for k in range(2):
    with h5py.File(f"{out}/shard-{k}-of-2/medanon.h5", "r") as f:
        shard = f["audit"]["item"].tolist()
        assert all(i % 2 == k for i in shard), f"shard {k} holds items of another shard"
        assert f.attrs["items_total"] == len(shard), "items_total is not the shard's size"
        seen += shard
assert sorted(seen) == list(range(items)), f"shards hold {sorted(seen)}"
PY

echo "sbatch checks: $failures failed"
exit $((failures > 0))
