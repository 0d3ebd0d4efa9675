#!/bin/bash
# Benchmark (not a CTest test): throughput of the pixel stages 1-7 (read + validate, gate,
# border enhancement, learned text detector on the border bands, stroke triage + Tesseract on
# candidates, PHI matching and the line policy, redaction, PNG encoding of the result) on
# 2048-row 16-bit synth radiographs, one core, for the learned detector at several band scales
# against the pipeline without it (the previous version's detectors) in the same run, and the
# baseline of Tesseract on each whole image. Recall of each setting is printed beside its
# speed: the trade-off docs/pixel-text.md reports.
#
#   [ROUNDS=3] bash tests/bench/pixel_throughput.sh [medanon binary] [scratch dir] [images]
set -euo pipefail
medanon=${1:-build/medanon}
scratch=${2:-/tmp/medanon-pixel-bench}
count=${3:-24}
corpus=$scratch/corpus-2048

if [ ! -f "$corpus/ground_truth.json" ]; then
  # Seed 2048 is used for nothing else: no tuning happened on it. 16-bit only, PNG and DICOM.
  "$medanon" synth --out "$corpus" --count "$count" --size 2048 --seed 2048 --eight-bit-fraction 0 \
    --dicom-fraction 0.3 --no-bad-files --overwrite > /dev/null
fi

# One core: the job runs one rank per core, so images/s per core is what a rank does alone.
core=(taskset -c 0)
command -v taskset > /dev/null || core=()

summary="^evaluate text|^  (CPU time|Tesseract calls|border PHI|non-text|technical text|central PHI|learned text)"
rounds=${ROUNDS:-3}
# Settings interleaved over rounds: this VM's speed swings by tens of percent from one minute to
# the next, so one run per setting compares moods, not settings. The full summary is printed for
# the first round.
settings=("--text-detector-band-rows 384" "--text-detector-band-rows 256" "--text-detector-band-rows 192" "--text-detector false")
declare -A per_image
for round in $(seq "$rounds"); do
  for setting in "${settings[@]}"; do
    # shellcheck disable=SC2086
    out=$(OMP_THREAD_LIMIT=1 OPENCV_FOR_THREADS_NUM=1 "${core[@]}" "$medanon" evaluate text --corpus "$corpus" $setting | grep -E "$summary")
    if [[ $round == 1 ]]; then echo "== pixel stages 1-7, $setting, one core (round 1)"; echo "$out"; fi
    per_image[$setting]+="$(sed -n 's/^  CPU time per image.*: \([0-9.]*\) s .*/\1/p' <<<"$out") "
  done
done
echo "== CPU time per image over $rounds rounds (median, then every round), one core"
for setting in "${settings[@]}"; do
  tr ' ' '\n' <<<"${per_image[$setting]}" | grep . | sort -g | awk -v l="$setting" -v all="${per_image[$setting]}" \
    '{v[NR] = $1} END {m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2;
      printf "%-32s median %.3f s = %.2f images/s per core (rounds: %s)\n", l, m, 1 / m, all}'
done
echo "== baseline: Tesseract on the whole image (then the same matching and redaction), one core"
OMP_THREAD_LIMIT=1 "${core[@]}" "$medanon" evaluate text --corpus "$corpus" --whole-image-ocr --limit 6 |
  grep -E "$summary"
