#!/usr/bin/env bash
# Issue #15's comparison on the independent corpus (tests/fo_render/render_fo_corpus.py), all
# methods side by side on the same evaluation images, scored by the same `medanon evaluate fo`:
#
#   brightness    a brightness threshold (calibrated on the site's held-apart normals)
#   autoencoder   a small convolutional autoencoder trained on the site's normals for as many
#                 seconds as `adapt`'s fine-tuning took, then the MAE's z-map scoring
#   autoencoder-detail  the same, with infer's full-resolution refinement of masks and map
#   prior         the foreign-object prior alone (models/fo_prior_synth.pth: a U-Net trained on
#                 synth's truth masks, scripts/train_fo_prior.py), which never sees the site
#   shipped       `medanon infer` with models/mae_small_synth.pth and its calibration, as is
#   adapted       `medanon adapt` on the site's normals (fine-tune from the shipped weights,
#                 calibrate on held-apart patients, with the object prior), then `medanon infer`
#                 with its outputs: the MAE fused with the prior (--map-values fused, object_peak)
#   adapted-mae   the same adapted MAE without the prior (--object-prior none: z_peak, masks
#                 refined but not checked against the prior; the previous round's method)
#   adapted-mapN  the same adapted weights with `--map-size N` (the residual at N px against the
#                 upsampled reconstruction, src/mae/fine_map.hpp), calibrated with `infer
#                 --calibrate --map-size N` on the very images adapt calibrated on (FINE_MAP_SIZE,
#                 default 448; 0 leaves it out)
#
# The "site" (images for adaptation and the baselines' training and calibration) and the
# evaluation set are two corpora of the same generator with different seeds: no image, patient
# or seed is shared. The shipped model has never seen this generator.
#
# usage: tests/fo_render/report_fo_transfer.sh [OUT] (environment: BUILD, SIZE, EVAL_COUNT,
#        SITE_COUNT, EVAL_SEED, SITE_SEED, ADAPT_EPOCHS, AE_SECONDS (default: adapt's wall time),
#        JOBS, THREADS, DEVICE (cpu), PRIOR_STEPS (adapt's --object-prior-steps; default adapt's), FINE_MAP_SIZE (448; 0: none), MAP_VALUES (of the MAE runs
#        without the prior; z-detail: the calibrated z-map plus the image's bright detail at full
#        resolution, as autoencoder-detail does; z: the z-map alone, as autoencoder does; residual:
#        the smoothed residual))
# Prints the tables (markdown) and writes OUT/summary.json.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
OUT="${1:-/tmp/fo-transfer}"
BUILD="${BUILD:-$ROOT/build}"
M="$BUILD/medanon"
PY=/usr/bin/python3
SIZE="${SIZE:-512}"
EVAL_COUNT="${EVAL_COUNT:-440}"
SITE_COUNT="${SITE_COUNT:-480}"
EVAL_SEED="${EVAL_SEED:-1501}"
SITE_SEED="${SITE_SEED:-1502}"
ADAPT_EPOCHS="${ADAPT_EPOCHS:-12}"
PRIOR_ARGS=()
[[ -n "${PRIOR_STEPS:-}" ]] && PRIOR_ARGS=(--object-prior-steps "$PRIOR_STEPS")
JOBS="${JOBS:-2}"
THREADS="${THREADS:-1}"
DEVICE="${DEVICE:-cpu}"
FINE_MAP_SIZE="${FINE_MAP_SIZE:-448}"
MAP_VALUES="${MAP_VALUES:-z-detail}"
RENDER="$ROOT/tests/fo_render"
PRIOR="$ROOT/models/fo_prior_synth.pth"
# The autoencoder's masks use infer's z-map mask options (configs/infer.toml), so that the
# comparison is between the maps and not between mask rules.
infer_default() { sed -n "s/^$1=\(.*\)$/\1/p" "$ROOT/configs/infer.toml"; }
MASK_ARGS=(--mask-high "$(infer_default mask-z-high)" --mask-low "$(infer_default mask-z-low)"
           --mask-min-area "$(infer_default mask-min-area)" --mask-smoothing "$(infer_default mask-smoothing)")
# ... and infer's full-resolution refinement, for the autoencoder-detail run (its z-map with the
# image's bright detail, its masks refined as infer refines the MAE's)
REFINEMENT="$(infer_default mask-detail-radius),$(infer_default mask-wide-detail-radius),$(infer_default mask-grow),$(infer_default mask-detail-threshold)"

mkdir -p "$OUT/runs"
if [[ ! -f "$OUT/eval/ground_truth.json" ]]; then
  "$PY" "$RENDER/render_fo_corpus.py" --out "$OUT/eval" --count "$EVAL_COUNT" --seed "$EVAL_SEED" --size "$SIZE" \
    --object-fraction 0.5 --hard-negative-fraction 0.5 --jobs "$JOBS"
fi
if [[ ! -f "$OUT/site/ground_truth.json" ]]; then
  # a site's normal images: no objects, a share of them with incidental calcified findings
  "$PY" "$RENDER/render_fo_corpus.py" --out "$OUT/site" --count "$SITE_COUNT" --seed "$SITE_SEED" --size "$SIZE" \
    --object-fraction 0 --hard-negative-fraction 0.3 --jobs "$JOBS"
fi

# adapt: 70 % of the site's patients fine-tune, 25 % (their `normal` images) calibrate
if [[ ! -f "$OUT/adapt/model.pth" ]]; then
  start=$(date +%s)
  "$M" adapt --corpus "$OUT/site" --out "$OUT/adapt" --init-checkpoint "$ROOT/models/mae_small_synth.pth" \
    --epochs "$ADAPT_EPOCHS" --warmup-epochs 1 --train-fraction 0.7 --validation-fraction 0.05 \
    --threads "$THREADS" --device "$DEVICE" --log-every 1000 --object-prior "$PRIOR" "${PRIOR_ARGS[@]}"
  echo $(( $(date +%s) - start )) > "$OUT/adapt/wall_seconds"
fi
AE_SECONDS="${AE_SECONDS:-$(cat "$OUT/adapt/wall_seconds")}"

"$M" infer --input "$OUT/eval" --out "$OUT/runs/shipped" --checkpoint "$ROOT/models/mae_small_synth.pth" \
  --threshold-file "$ROOT/models/mae_small_synth.threshold.json" --threads "$THREADS" --device "$DEVICE" \
  --map-values "$MAP_VALUES"
# the threshold file names the prior adapt calibrated with (adapt/object_prior.pth)
"$M" infer --input "$OUT/eval" --out "$OUT/runs/adapted" --checkpoint "$OUT/adapt/model.pth" \
  --threshold-file "$OUT/adapt/model.threshold.json" --threads "$THREADS" --device "$DEVICE" --map-values fused
"$M" infer --input "$OUT/eval" --out "$OUT/runs/adapted-mae" --checkpoint "$OUT/adapt/model.pth" \
  --threshold-file "$OUT/adapt/model.threshold.json" --threads "$THREADS" --device "$DEVICE" --map-values "$MAP_VALUES" \
  --object-prior none
runs=(brightness="$OUT/runs/brightness" autoencoder="$OUT/runs/autoencoder" shipped="$OUT/runs/shipped"
      adapted-mae="$OUT/runs/adapted-mae" adapted="$OUT/runs/adapted")
if [[ "$FINE_MAP_SIZE" != 0 ]]; then
  # adapt's own calibration images, linked into one folder (infer calibrates on every image of a
  # plain folder), calibrated again at the finer map size
  fine="adapted-map$FINE_MAP_SIZE"
  rm -rf "$OUT/calibration-images" && mkdir -p "$OUT/calibration-images"
  tail -n +2 "$OUT/adapt/calibration/scores.csv" | cut -d, -f2 | while read -r rel; do
    ln -s "$OUT/site/padchest/$rel" "$OUT/calibration-images/$(basename "$rel")"
  done
  "$M" infer --input "$OUT/calibration-images" --out "$OUT/runs/$fine-calibration" --checkpoint "$OUT/adapt/model.pth" \
    --calibrate "$OUT/runs/$fine.threshold.json" --map-size "$FINE_MAP_SIZE" --threads "$THREADS" --device "$DEVICE"
  "$M" infer --input "$OUT/eval" --out "$OUT/runs/$fine" --checkpoint "$OUT/adapt/model.pth" \
    --threshold-file "$OUT/runs/$fine.threshold.json" --map-size "$FINE_MAP_SIZE" --threads "$THREADS" --device "$DEVICE" \
    --map-values "$MAP_VALUES"
  "$M" evaluate fo --corpus "$OUT/eval" --run "$OUT/runs/$fine" --threshold-file "$OUT/runs/$fine.threshold.json" >/dev/null
  runs+=("$fine=$OUT/runs/$fine")
fi
"$PY" "$RENDER/fo_baselines.py" --site "$OUT/site" --calibration-scores "$OUT/adapt/calibration/scores.csv" \
  --eval "$OUT/eval" --out "$OUT/runs" --seconds "$AE_SECONDS" --threads "$THREADS" "${MASK_ARGS[@]}" \
  --refinement "$REFINEMENT" --prior "$PRIOR"
runs+=(autoencoder-detail="$OUT/runs/autoencoder-detail" prior="$OUT/runs/prior")

for run in brightness autoencoder autoencoder-detail prior; do
  "$M" evaluate fo --corpus "$OUT/eval" --run "$OUT/runs/$run" >/dev/null
done
"$M" evaluate fo --corpus "$OUT/eval" --run "$OUT/runs/shipped" \
  --threshold-file "$ROOT/models/mae_small_synth.threshold.json" >/dev/null
for run in adapted adapted-mae; do
  "$M" evaluate fo --corpus "$OUT/eval" --run "$OUT/runs/$run" --threshold-file "$OUT/adapt/model.threshold.json" >/dev/null
done

echo "autoencoder budget: ${AE_SECONDS} s (adapt's wall time); corpora: $OUT/eval (seed $EVAL_SEED), $OUT/site (seed $SITE_SEED), ${SIZE} px"
"$PY" "$RENDER/fo_transfer_summary.py" --corpus "$OUT/eval" --out "$OUT/summary.json" "${runs[@]}"
