#!/usr/bin/env bash
# Data-parallel training throughput: samples/s of `medanon train` on 1 rank x 1 thread against 2
# ranks x 1 thread, with the same per-rank batch (weak scaling, as when nodes are added), and the
# share of step time each run spent blocked in the gradient allreduce (the communication that
# backward did not hide). Targets: speed-up >= 1.8x, allreduce wait <= 10 %.
# Not a ctest test (timings on shared machines are not pass/fail): prints the numbers and the
# load average, which matters on a shared machine.
#
# usage: tests/bench/bench_train_dp.sh [BUILD_DIR] [MODEL] [BATCH_PER_RANK] [EPOCHS] [BUCKET_MB]
#   MODEL: mae_vit_small_synth (default) or mae_vit_tiny_test
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
build="${1:-$here/../../build}"
model="${2:-mae_vit_small_synth}"
batch="${3:-8}"
epochs="${4:-2}"
bucket="${5:-2}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mpirun_cmd=(mpirun --oversubscribe --bind-to none)
if [[ $(id -u) -eq 0 ]]; then mpirun_cmd+=(--allow-run-as-root); fi

size=256; [[ $model == mae_vit_tiny_test ]] && size=128
"$build/medanon" synth --out "$work/corpus" --count 80 --size $size --seed 9 --dicom-fraction 0 --object-fraction 0 \
  --no-bad-files >/dev/null 2>&1
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
declare -A rate wait share
for ranks in 1 2; do
  start=$(date +%s.%N); cpu_before=$(awk '{print $14 + $15 + $16 + $17}' /proc/$$/stat)
  OMP_NUM_THREADS=1 "${mpirun_cmd[@]}" -np $ranks "$build/medanon" train --corpus "$work/corpus" --out "$work/run$ranks" \
    --model "$model" --device cpu --threads 1 --batch-size "$batch" --epochs "$epochs" --warmup-epochs 1 \
    --train-fraction 0.95 --validation-fraction 0.02 --log-every 0 --bucket-mb "$bucket" >"$work/run$ranks.log" 2>&1
  # CPU time of the whole run (mpirun's children are the ranks) over its wall time: how many of the
  # cores the ranks really got on a shared machine.
  cores=$(awk -v b="$cpu_before" -v s="$start" -v e="$(date +%s.%N)" -v t="$(getconf CLK_TCK)" \
    '{printf "%.2f", ($14 + $15 + $16 + $17 - b) / t / (e - s)}' /proc/$$/stat)
  line=$(grep "^train: complete" "$work/run$ranks.log")
  rate[$ranks]=$(sed -n 's/.* \([0-9.]*\) images\/s.*/\1/p' <<<"$line")
  wait[$ranks]=$(sed -n 's/.*allreduce wait \([0-9.]*\) %.*/\1/p' <<<"$line")
  share[$ranks]=$(sed -n 's/.*CPU \([0-9.]*\) % of wall per rank.*/\1/p' <<<"$line")
  steps=$(sed -n 's/.* epochs, \([0-9]*\) steps.*/\1/p' <<<"$line")
  echo "$ranks rank(s) x 1 thread, $model, batch $batch per rank: ${rate[$ranks]} samples/s over $steps steps," \
    "allreduce wait ${wait[$ranks]} % of step time; each rank had ${share[$ranks]} % of a core during" \
    "its steps (the whole run: $cores cores)"
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
awk -v a="${rate[1]}" -v b="${rate[2]}" -v w="${wait[2]}" -v sa="${share[1]}" -v sb="${share[2]}" 'BEGIN {
  printf "speed-up 2 ranks / 1 rank: %.2fx (target >= 1.8x); allreduce wait on 2 ranks: %.1f %% (target <= 10 %%)\n", b / a, w
  # What the speed-up would be had every rank had its own core: throughput per CPU-second.
  if (sa > 0 && sb > 0) printf "per CPU-second of the ranks: speed-up %.2fx (what 2 free cores would give)\n", (b / (2 * sb)) / (a / sa) * 2 }'
