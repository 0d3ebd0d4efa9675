#!/usr/bin/env bash
# `infer --calibrate` on a small corpus with the shipped model: the calibration file and its
# statistics are written, a second infer with them yields a number for z_peak in every row and a
# decision by z_peak, and `evaluate fo` scores z_peak. With the object prior, under 2 ranks, the
# calibration is of object_peak and names the prior; infer with that file finds the prior by
# itself and decides by object_peak, or with --object-prior none by z_peak. A calibration without
# its statistics file is refused with an input error (exit 3), and under 2 ranks a file rank 0
# cannot write stops both ranks with exit 1.
set -u
medanon=$1; source_dir=$2; scratch=$3
rm -rf "$scratch"; mkdir -p "$scratch"
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
model="$source_dir/models/mae_small_synth.pth"

"$medanon" synth --out "$scratch/c" --count 16 --size 256 --seed 5 --object-fraction 0.5 --no-bad-files >/dev/null 2>&1 \
  || fail "synth"
"$medanon" infer --input "$scratch/c" --out "$scratch/cal" --checkpoint "$model" --exclude-text \
  --calibrate "$scratch/cal.json" >"$scratch/cal.log" 2>&1 || { fail "infer --calibrate"; cat "$scratch/cal.log"; }
[[ -s "$scratch/cal.stats.yml.gz" ]] || fail "no statistics file beside the calibration"
grep -q '"score": "z_peak"' "$scratch/cal.json" || fail "calibration is not a z_peak threshold"
grep -q '"statistics": "cal.stats.yml.gz"' "$scratch/cal.json" || fail "calibration does not name its statistics"

"$medanon" infer --input "$scratch/c" --out "$scratch/run" --checkpoint "$model" --exclude-text \
  --threshold-file "$scratch/cal.json" >"$scratch/run.log" 2>&1 || { fail "infer --threshold-file"; cat "$scratch/run.log"; }
grep -q "decision z_peak >" "$scratch/run.log" || fail "the detector does not decide by z_peak"
rows=$(tail -n +2 "$scratch/run/scores.csv" | wc -l)
[[ $rows -eq 16 ]] || fail "scores.csv has $rows rows, expected 16"
numeric=$(tail -n +2 "$scratch/run/scores.csv" | awk -F, '$9 ~ /^-?[0-9]+\.[0-9]+$/' | wc -l)
[[ $numeric -eq 16 ]] || fail "z_peak is a number in $numeric of 16 rows"
flagged=$(tail -n +2 "$scratch/run/scores.csv" | awk -F, '$11 == 1' | wc -l)
[[ $flagged -gt 0 ]] || fail "no image above the z_peak threshold on a corpus with objects in half the images"

"$medanon" evaluate fo --corpus "$scratch/c" --run "$scratch/run" --ignore-text --threshold-file "$scratch/cal.json" \
  >"$scratch/eval.log" 2>&1 || { fail "evaluate fo"; cat "$scratch/eval.log"; }
grep -q '"z_peak":' "$scratch/run/evaluation.json" || fail "evaluate fo has no z_peak AUROC"
grep -q '"decision_score": "z_peak"' "$scratch/run/evaluation.json" || fail "evaluate fo did not score z_peak decisions"

mpirun_cmd=(mpirun --oversubscribe)
if [[ $(id -u) -eq 0 ]]; then mpirun_cmd+=(--allow-run-as-root); fi
prior="$source_dir/models/fo_prior_synth.pth"
mkdir -p "$scratch/with-prior"
"${mpirun_cmd[@]}" -np 2 "$medanon" infer --input "$scratch/c" --out "$scratch/prior-cal" --checkpoint "$model" \
  --exclude-text --object-prior "$prior" --calibrate "$scratch/with-prior/cal.json" >"$scratch/prior-cal.log" 2>&1 ||
  { fail "infer --calibrate --object-prior under 2 ranks"; tail "$scratch/prior-cal.log"; }
grep -q '"score": "object_peak"' "$scratch/with-prior/cal.json" || fail "a calibration with the prior is not of object_peak"
grep -q '"object_prior": "\.\./.*fo_prior_synth.pth"' "$scratch/with-prior/cal.json" ||
  fail "the calibration does not name its prior relative to itself"
grep -q '"z_peak_threshold"' "$scratch/with-prior/cal.json" || fail "the calibration lacks z_peak's threshold"
"$medanon" infer --input "$scratch/c" --out "$scratch/prior-run" --checkpoint "$model" --exclude-text \
  --threshold-file "$scratch/with-prior/cal.json" --map-values fused >"$scratch/prior-run.log" 2>&1 ||
  { fail "infer with an object_peak threshold file"; cat "$scratch/prior-run.log"; }
grep -q "decision object_peak >" "$scratch/prior-run.log" || fail "the detector does not decide by object_peak"
grep -q "object prior U-Net" "$scratch/prior-run.log" || fail "infer did not take the prior the threshold file names"
numeric=$(tail -n +2 "$scratch/prior-run/scores.csv" | awk -F, '$10 ~ /^-?[0-9]+\.[0-9]+$/' | wc -l)
[[ $numeric -eq 16 ]] || fail "object_peak is a number in $numeric of 16 rows"
# With the prior its sure pixels join the masks and the MAE's regions start higher (z 8); the
# prior's pixels reach the written masks: with a threshold near 0 (and the usual z start) they
# flag more of the background than the MAE's masks alone.
grep -q "masks z-map hysteresis 8.000000/" "$scratch/prior-run.log" || fail "with the prior the masks do not start at z 8"
grep -q "added where it is >= 0.900000" "$scratch/prior-run.log" || fail "the prior's add threshold is not 0.9"
background_rate() {  # RUN -> evaluate fo's background_flag_rate
  "$medanon" evaluate fo --corpus "$scratch/c" --run "$1" --ignore-text --threshold-file "$scratch/with-prior/cal.json" \
    2>/dev/null | sed -n 's/.*"background_flag_rate": *\([0-9.e+-]*\).*/\1/p' | head -1
}
for add in 0 0.000001; do
  "$medanon" infer --input "$scratch/c" --out "$scratch/prior-add-$add" --checkpoint "$model" --exclude-text \
    --threshold-file "$scratch/with-prior/cal.json" --prior-add-threshold $add --mask-z-high-with-prior 6 \
    >"$scratch/prior-add-$add.log" 2>&1 || { fail "infer --prior-add-threshold $add"; tail "$scratch/prior-add-$add.log"; }
done
none=$(background_rate "$scratch/prior-add-0"); most=$(background_rate "$scratch/prior-add-0.000001")
awk -v a="$none" -v b="$most" 'BEGIN { exit !(a != "" && b != "" && b > a) }' ||
  fail "the prior's pixels did not join the masks (background flagged: $none without, $most with)"
grep -q "masks z-map hysteresis 6.000000/" "$scratch/prior-add-0.log" || fail "without the prior's pixels the masks do not start at z 6"
"$medanon" infer --input "$scratch/c" --out "$scratch/no-prior-run" --checkpoint "$model" --exclude-text \
  --threshold-file "$scratch/with-prior/cal.json" --object-prior none >"$scratch/no-prior-run.log" 2>&1 ||
  { fail "infer --object-prior none with an object_peak threshold file"; cat "$scratch/no-prior-run.log"; }
grep -q "decision z_peak >" "$scratch/no-prior-run.log" || fail "without the prior the detector does not fall back to z_peak"
"$medanon" infer --input "$scratch/c" --out "$scratch/fused-without" --checkpoint "$model" \
  --threshold-file "$scratch/cal.json" --map-values fused >"$scratch/fused-without.log" 2>&1
code=$?
[[ $code -eq 2 ]] || fail "--map-values fused without a prior exited $code, expected 2 (usage)"

rm "$scratch/cal.stats.yml.gz"
"$medanon" infer --input "$scratch/c" --out "$scratch/run2" --checkpoint "$model" --threshold-file "$scratch/cal.json" \
  >"$scratch/missing.log" 2>&1
code=$?
[[ $code -eq 3 ]] || fail "a calibration without its statistics exited $code, expected 3"
grep -q "statistics" "$scratch/missing.log" || fail "the refusal does not name the statistics file"

# Under mpirun a calibration rank 0 cannot write stops both ranks with the reason (exit 1), not
# with MPI_Abort: its parent path is a file.
"${mpirun_cmd[@]}" -np 2 "$medanon" infer --input "$scratch/c" --out "$scratch/unwritable" --checkpoint "$model" \
  --exclude-text --calibrate "$scratch/cal.json/inside-a-file.json" >"$scratch/unwritable.log" 2>&1
code=$?
[[ $code -eq 1 ]] || { fail "an unwritable calibration under 2 ranks exited $code, expected 1"; tail "$scratch/unwritable.log"; }
grep -q -- "--calibrate .*inside-a-file.json: " "$scratch/unwritable.log" || fail "the failed write is not named"
grep -q "MPI_ABORT" "$scratch/unwritable.log" && fail "the failed calibration write aborted instead of stopping both ranks"

if [[ $failures -gt 0 ]]; then echo "$failures failure(s)"; exit 1; fi
echo "infer calibration: ok"
