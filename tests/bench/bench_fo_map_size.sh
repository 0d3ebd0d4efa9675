#!/usr/bin/env bash
# Benchmark (not a test): images/s of `medanon infer` with the thesis' 224-px anomaly maps
# (--map-size 0) against maps at N px (--map-size N: the residual of the image at N px against
# the upsampled reconstruction, src/mae/fine_map.hpp), same images, weights, threads and device.
# The model runs the same forward passes either way; what differs is the residual, smoothing and
# masks on the larger grid, and the image's resampling to N.
#
# usage: tests/bench/bench_fo_map_size.sh [BUILD] [N=448] [IMAGES=64] [THREADS=1] [DEVICE=cpu] [ROUNDS=3]
# Makes its own images (tests/fo_render/render_fo_corpus.py, 512 px) and calibration.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
BUILD="${1:-$ROOT/build}"
N="${2:-448}"
IMAGES="${3:-64}"
THREADS="${4:-1}"
DEVICE="${5:-cpu}"
ROUNDS="${6:-3}"
M="$BUILD/medanon"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
/usr/bin/python3 "$ROOT/tests/fo_render/render_fo_corpus.py" --out "$WORK/corpus" --count "$IMAGES" --seed 4242 \
  --size 512 --jobs "$THREADS" >/dev/null
checkpoint="$ROOT/models/mae_small_synth.pth"
# z-map statistics at each size (the timed runs then apply them, as a site would)
for size in 0 "$N"; do
  "$M" infer --input "$WORK/corpus" --out "$WORK/calibration-$size" --checkpoint "$checkpoint" --map-size "$size" \
    --calibrate "$WORK/calibration-$size.json" --threads "$THREADS" --device "$DEVICE" >/dev/null 2>&1
done
seconds() {  # infer's own wall time line: "infer: K images (0 unreadable) in S s on ..."
  "$M" infer --input "$WORK/corpus" --out "$WORK/run-$1" --checkpoint "$checkpoint" --map-size "$1" \
    --threshold-file "$WORK/calibration-$1.json" --threads "$THREADS" --device "$DEVICE" 2>/dev/null |
    sed -n 's/^infer: .* in \([0-9.]*\) s on.*/\1/p'
}
echo "images $IMAGES, threads $THREADS, device $DEVICE, map 224 vs $N"
for round in $(seq "$ROUNDS"); do
  base=$(seconds 0)
  fine=$(seconds "$N")
  /usr/bin/python3 -c "b, f, n = $base, $fine, $IMAGES; print(f'round $round: 224 px {n / b:.2f} images/s, $N px {n / f:.2f} images/s, ratio {b / f:.2f}')"
done
