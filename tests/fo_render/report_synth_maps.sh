#!/usr/bin/env bash
# The map-size choice on the tuning corpus (`medanon synth`, the generator the shipped model was
# trained and calibrated on), to read beside report_fo_transfer.sh's independent corpus: the
# shipped model with the 224-px maps and with --map-size N, each calibrated on the same synth
# normals (seed 777, as the shipped calibration) and scored on fresh seeds with text left out.
#
# usage: tests/fo_render/report_synth_maps.sh [OUT] (environment: BUILD, SIZE (512), COUNT (120),
#        SEEDS ("9001"), FINE_MAP_SIZE (448), THREADS (1))
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
OUT="${1:-/tmp/fo-synth-maps}"
M="${BUILD:-$ROOT/build}/medanon"
SIZE="${SIZE:-512}"
COUNT="${COUNT:-120}"
SEEDS="${SEEDS:-9001}"
FINE_MAP_SIZE="${FINE_MAP_SIZE:-448}"
THREADS="${THREADS:-1}"
CHECKPOINT="$ROOT/models/mae_small_synth.pth"
mkdir -p "$OUT"
[[ -f "$OUT/cal/ground_truth.json" ]] ||
  "$M" synth --out "$OUT/cal" --count "$COUNT" --size "$SIZE" --seed 777 --no-bad-files >/dev/null
for map in 0 "$FINE_MAP_SIZE"; do
  "$M" infer --input "$OUT/cal" --out "$OUT/cal-run-$map" --checkpoint "$CHECKPOINT" --exclude-text \
    --calibrate "$OUT/calibration-$map.json" --map-size "$map" --threads "$THREADS" >/dev/null 2>&1
done
for seed in $SEEDS; do
  [[ -f "$OUT/s$seed/ground_truth.json" ]] ||
    "$M" synth --out "$OUT/s$seed" --count "$COUNT" --size "$SIZE" --seed "$seed" --no-bad-files >/dev/null
  for map in 0 "$FINE_MAP_SIZE"; do
    "$M" infer --input "$OUT/s$seed" --out "$OUT/run-$seed-$map" --checkpoint "$CHECKPOINT" --exclude-text \
      --threshold-file "$OUT/calibration-$map.json" --map-size "$map" --threads "$THREADS" >/dev/null 2>&1
    "$M" evaluate fo --corpus "$OUT/s$seed" --run "$OUT/run-$seed-$map" --ignore-text \
      --threshold-file "$OUT/calibration-$map.json" >/dev/null
  done
done
/usr/bin/python3 - "$OUT" "$SEEDS" "$FINE_MAP_SIZE" <<'EOF'
import json, sys
out, seeds, fine = sys.argv[1], sys.argv[2].split(), sys.argv[3]
print("| synth seed | map | pixel AUROC | image AUROC (z_peak) | mean Dice | background flagged | kinds >= 50 % found |")
print("|---|---|---|---|---|---|---|")
for seed in seeds:
    for map in ("0", fine):
        e = json.load(open(f"{out}/run-{seed}-{map}/evaluation.json"))
        kinds = e["per_kind"]
        found = sum(k["found"] >= 0.5 for k in kinds.values())
        print(f"| {seed} | {224 if map == '0' else map} | {e['pixel_auroc']:.3f} | {e['image_auroc']['z_peak']:.3f} | "
              f"{e['mean_dice_positives']:.3f} | {100 * e['background_flag_rate']:.2f} % | {found}/{len(kinds)} |")
    for kind in sorted(kinds):
        row = [json.load(open(f"{out}/run-{seed}-{m}/evaluation.json"))["per_kind"][kind] for m in ("0", fine)]
        print(f"|   {kind} (n={row[0]['objects']}) | found 224 / {fine} | {100 * row[0]['found']:.0f} % / "
              f"{100 * row[1]['found']:.0f} % | | | | |")
EOF
