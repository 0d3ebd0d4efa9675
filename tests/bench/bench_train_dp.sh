#!/usr/bin/env bash
# Data-parallel training throughput: samples/s of `medanon train` on 1 rank x 1 thread against 2
# ranks x 1 thread, with the same per-rank batch (weak scaling, as when nodes are added), and the
# share of step time each run spent blocked in allreduce (the communication that backward did not
# hide). Targets: speed-up >= 1.8x, allreduce wait <= 10 %.
#
# The machine's own ceiling is measured too: two independent 1-rank trainings at once (no
# communication at all). Their summed rate over one alone is the most any data-parallel scheme
# could reach here; on a virtual machine whose cores share caches, memory bandwidth and a busy
# host, it is below 2x and it moves from minute to minute. So the runs are interleaved, repeated,
# and each ratio is taken between runs of the same round (neighbours in time share the host's
# mood), then the median over the rounds is reported.
# Not a ctest test (timings on shared machines are not pass/fail): prints the numbers and the
# load average.
#
# usage: tests/bench/bench_train_dp.sh [BUILD_DIR] [MODEL] [BATCH_PER_RANK] [EPOCHS] [BUCKET_MB] [ROUNDS]
#   MODEL: mae_vit_small_synth (default) or mae_vit_tiny_test
#   BIND_TO=core (environment): pin the ranks (mpirun --bind-to); then the two independent runs
#   share core 0, so the ceiling line means nothing.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
build="${1:-$here/../../build}"
model="${2:-mae_vit_small_synth}"
batch="${3:-8}"
epochs="${4:-6}"
bucket="${5:-2}"
rounds="${6:-3}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mpirun_cmd=(mpirun --oversubscribe --bind-to "${BIND_TO:-none}")
if [[ $(id -u) -eq 0 ]]; then mpirun_cmd+=(--allow-run-as-root); fi

size=256; [[ $model == mae_vit_tiny_test ]] && size=128
# Enough images for 8 steps per epoch on 2 ranks (95 % of them train).
count=$(( batch * 2 * 8 * 100 / 95 + 2 )); (( count < 80 )) && count=80
"$build/medanon" synth --out "$work/corpus" --count $count --size $size --seed 9 --dicom-fraction 0 --object-fraction 0 \
  --no-bad-files >/dev/null 2>&1

# train RANKS NAME: one run; prints "RATE WAIT_PERCENT CPU_PERCENT STEPS" from its summary line.
train() {
  OMP_NUM_THREADS=1 "${mpirun_cmd[@]}" -np "$1" "$build/medanon" train --corpus "$work/corpus" --out "$work/$2" \
    --model "$model" --device cpu --threads 1 --batch-size "$batch" --epochs "$epochs" --warmup-epochs 1 \
    --train-fraction 0.95 --validation-fraction 0.02 --log-every 0 --bucket-mb "$bucket" >"$work/$2.log" 2>&1
  rm -rf "${work:?}/$2"
  sed -n 's/^train: complete.* epochs, \([0-9]*\) steps.* \([0-9.]*\) images\/s, allreduce wait \([0-9.]*\) %.*CPU \([0-9.]*\) % of wall per rank.*/\2 \3 \4 \1/p' \
    "$work/$2.log"
}

median() { sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores; $model, batch $batch per rank, $epochs epochs, $rounds rounds"
: >"$work/ratios"
for round in $(seq "$rounds"); do
  read -r one one_wait one_cpu one_steps < <(train 1 one)
  read -r two two_wait two_cpu two_steps < <(train 2 two)
  train 1 alone_a >"$work/a" & train 1 alone_b >"$work/b"; wait
  pair=$(cat "$work/a" "$work/b" | awk '{s += $1} END {printf "%.2f", s}')
  echo "round $round: 1 rank $one samples/s ($one_steps steps, ${one_cpu} % of a core);" \
    "2 ranks $two samples/s ($two_steps steps, allreduce wait $two_wait %, ${two_cpu} % of a core each);" \
    "2 independent 1-rank runs at once: $pair samples/s together"
  awk -v a="$one" -v b="$two" -v p="$pair" -v w="$two_wait" 'BEGIN {printf "%f %f %f %f\n", b / a, p / a, b / p, w}' >>"$work/ratios"
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
speedup=$(cut -d' ' -f1 "$work/ratios" | median)
ceiling=$(cut -d' ' -f2 "$work/ratios" | median)
efficiency=$(cut -d' ' -f3 "$work/ratios" | median)
waiting=$(cut -d' ' -f4 "$work/ratios" | median)
awk -v s="$speedup" -v c="$ceiling" -v e="$efficiency" -v w="$waiting" -v r="$rounds" 'BEGIN {
  printf "speed-up 2 ranks / 1 rank: %.2fx (median of %d rounds; target >= 1.8x); allreduce wait on 2 ranks: %.1f %% (target <= 10 %%)\n", s, r, w
  printf "this machine'"'"'s ceiling (2 independent runs / 1 run): %.2fx; data-parallel / independent: %.0f %%\n", c, 100 * e }'
