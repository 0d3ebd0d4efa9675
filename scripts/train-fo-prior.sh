#!/usr/bin/env bash
# Reproduces models/fo_prior_synth.pth, the foreign-object prior (scripts/train_fo_prior.py):
# three `medanon synth` corpora of 400 images at 512 px (with and without burned-in text, one
# with hard negatives in every image), then 2400 training steps with Debian's python3-torch.
# ~20 min on 2 cores. usage: scripts/train-fo-prior.sh [WORK_DIR] (environment: BUILD, THREADS)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
WORK="${1:-/tmp/fo-prior-corpora}"
M="${BUILD:-$ROOT/build}/medanon"
common=(--count 400 --size 512 --dicom-fraction 0 --object-fraction 0.6 --no-bad-files --overwrite)
"$M" synth --out "$WORK/text" --seed 3131 --hard-negative-fraction 0.5 "${common[@]}"
"$M" synth --out "$WORK/no-text" --seed 3132 --hard-negative-fraction 0.5 --no-text "${common[@]}"
"$M" synth --out "$WORK/hard-negatives" --seed 3133 --hard-negative-fraction 1 "${common[@]}"
/usr/bin/python3 "$ROOT/scripts/train_fo_prior.py" --corpus "$WORK/text" "$WORK/no-text" "$WORK/hard-negatives" \
  --out "$ROOT/models/fo_prior_synth.pth" --steps 2400 --threads "${THREADS:-2}"
