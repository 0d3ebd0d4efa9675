#!/usr/bin/env bash
# Benchmark (not a test): images/s of `medanon infer` with the z-map masks brought up to the
# image by nearest neighbour (--mask-refinement false, the baseline) against the masks refined at
# the image's own resolution (the default, src/anomaly/mask_refinement.hpp), and against the
# refined masks plus the full-resolution published map (--map-values z-detail), and against that
# with the foreign-object prior fused in (--object-prior models/fo_prior_synth.pth --map-values
# fused: a U-Net at 256 px, the fused map and object_peak at full resolution, its sure pixels
# added to the masks). Same images,
# weights, calibration, threads and device; the rounds interleave the four.
#
# usage: tests/bench/bench_fo_mask_refinement.sh [BUILD] [SIZE=2048] [IMAGES=24] [THREADS=1] [DEVICE=cpu] [ROUNDS=3]
# Makes its own images (`medanon synth`, PNG and DICOM, 40 % with foreign objects).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
BUILD="${1:-$ROOT/build}"
SIZE="${2:-2048}"
IMAGES="${3:-24}"
THREADS="${4:-1}"
DEVICE="${5:-cpu}"
ROUNDS="${6:-3}"
M="$BUILD/medanon"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
"$M" synth --out "$WORK/corpus" --count "$IMAGES" --seed 4343 --size "$SIZE" --no-bad-files >/dev/null 2>&1
seconds() {  # infer's own wall time line: "infer: K images (0 unreadable) in S s on ..."
  "$M" infer --input "$WORK/corpus" --out "$WORK/run" --checkpoint "$ROOT/models/mae_small_synth.pth" \
    --threshold-file "$ROOT/models/mae_small_synth.threshold.json" --threads "$THREADS" --device "$DEVICE" "$@" 2>/dev/null |
    sed -n 's/^infer: .* in \([0-9.]*\) s on.*/\1/p'
}
echo "images $IMAGES at $SIZE px, threads $THREADS, device $DEVICE"
for round in $(seq "$ROUNDS"); do
  base=$(seconds --mask-refinement false --map-values z)
  refined=$(seconds --map-values z)
  detail=$(seconds --map-values z-detail)
  fused=$(seconds --map-values fused --object-prior "$ROOT/models/fo_prior_synth.pth")
  /usr/bin/python3 -c "
b, r, d, f, n = $base, $refined, $detail, $fused, $IMAGES
print(f'round $round: nearest {n / b:.2f} images/s, refined {n / r:.2f} ({b / r:.2f}x), refined + z-detail map {n / d:.2f} ({b / d:.2f}x), '
      f'+ object prior, fused map {n / f:.2f} ({b / f:.2f}x)')"
done
