#!/usr/bin/env bash
# The time-limit path of slurm/anonymize.sbatch on a real (local) Slurm cluster: mid-run the
# batch shell gets USR1 (what `--signal=B:USR1@300` sends before the limit); the ranks must
# checkpoint and stop, the script must requeue the job, and the requeued job must resume and
# finish with every item exactly once and the same result as an uninterrupted run.
set -u
medanon=$1; source_dir=$2; scratch=$3
source "$source_dir/tests/mpi/common.sh"
source "$source_dir/tests/slurm/cluster.sh"
slurm_test_begin "$scratch" 4

make_input_corpus "$medanon" "$scratch" --count 24 --size 900 --seed 41 --dicom-fraction 0.25 --no-bad-files
cat >"$scratch/job.toml" <<SPEC
#SBATCH --ntasks=2
#SBATCH --time=00:30:00
input="$scratch/corpus"
out="$scratch/slurm-out"
insecure-key=true
flush-seconds=0.5
progress-seconds=2
SPEC

# The reference: the same spec under plain mpirun.
reference_run "$scratch" "$scratch/job.toml"

cd "$scratch"
id=$(MEDANON_BIN=$medanon bash "$source_dir/slurm/submit.sh" "$scratch/job.toml") || fail "submit.sh failed"
log=$scratch/medanon-anonymize-$id.log
# Signal once a few items are done (and well before the end).
for _ in $(seq 600); do
  done_items=$(cat "$scratch"/slurm-out/.medanon/rank-*.log 2>/dev/null | wc -l)
  ((done_items >= 3)) && break
  sleep 0.1
done
((done_items < items)) || fail "the run ended before it could be signalled"
scancel --signal=USR1 --batch "$id" || fail "scancel --signal=USR1 failed"

# The script requeues the job; it is started without Slurm's requeue delay and must complete.
slurm_expect_requeue_cycle "$id" "$log"
grep -q "MEDANON ANONYMIZE STOPPED" "$log" || fail "the first run did not stop cleanly"
grep -q "MEDANON ANONYMIZE COMPLETE" "$log" || fail "the resumed run did not complete"
$system_python "$source_dir/tests/mpi/h5_digest.py" "$scratch/slurm-out/medanon.h5" "$items" >"$scratch/slurm.digest" \
  || fail "requeued run HDF5 (exactly once)"
cmp -s "$scratch/reference.digest" "$scratch/slurm.digest" || fail "the requeued run differs from an uninterrupted one"
diff -r -x .medanon -x medanon.h5 "$scratch/reference" "$scratch/slurm-out" >/dev/null || fail "output files differ"
[[ -z $(find "$scratch/slurm-out" -name '*.medanon-tmp.*') ]] || fail "partial files survived"
# Both attempts did real work: the audit's attempt column holds 0 and 1.
attempts=$($system_python -c "import h5py; print(sorted(set(h5py.File('$scratch/slurm-out/medanon.h5')['audit']['attempt'].tolist())))")
[[ $attempts == "[0, 1]" ]] || fail "expected items from attempts 0 and 1, got $attempts"

echo "requeue checks: $failures failed"
exit $((failures > 0))
