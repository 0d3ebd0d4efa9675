# Shared by the `medanon train` MPI tests (sourced after common.sh): a small corpus and the
# options of a short tiny-model run whose steps take milliseconds.

# make_train_corpus MEDANON DIR: DIR/corpus with 64 images (42 training negatives with the
# options below: 5 steps per epoch on 2 ranks, 3 on 3 ranks).
make_train_corpus() {
  "$1" synth --out "$2/corpus" --count 64 --size 128 --seed 5 --dicom-fraction 0 --object-fraction 0.1 \
    --no-bad-files >"$2/synth.log" 2>&1 || fail "synth"
}

# tiny_train_options CORPUS OUT: a CPU, 1-thread tiny-model run (global batch = 4 x ranks).
tiny_train_options() {
  echo train --corpus "$1" --out "$2" --model mae_vit_tiny_test --device cpu --threads 1 --batch-size 4 \
    --warmup-epochs 1 --blr 0.05 --log-every 0 --seed 3 \
    --train-fraction 0.85 --validation-fraction 0.05
}

# The "weights digest" of a run's summary line (empty when the run printed none).
summary_digest() { sed -n 's/.*weights digest \([0-9a-f]*\).*/\1/p' "$1" | tail -1; }
summary_steps() { sed -n 's/.* epochs, \([0-9]*\) steps.*/\1/p' "$1" | tail -1; }

# rank_pids LAUNCHER OUT: the pids of the ranks of the run writing OUT (not mpirun itself).
rank_pids() {
  local pid
  for pid in $(pgrep -f -- "--out $2 " | sort -n); do [[ $pid != "$1" ]] && echo "$pid"; done
}

# wait_for_checkpoint OUT STEP: until a checkpoint of at least STEP steps exists (90 s at most:
# under a loaded machine, e.g. ctest -j2 beside other MPI tests, 20 s was seen to be too short).
wait_for_checkpoint() {
  local file n
  for _ in $(seq 1800); do
    for file in "$1"/checkpoint-*.pth; do
      [[ -e $file ]] || continue
      n=${file##*checkpoint-}; n=$((10#${n%.pth}))
      ((n >= $2)) && return 0
    done
    sleep 0.05
  done
  return 1
}
