#!/usr/bin/env bash
# Issue #14's proof on our own planted-PHI corpus: `medanon synth --archive-objects` writes, beside
# each synthetic CR/DX file, a signed CT, a JPEG 2000 MR, a JPEG 2000 signed CT, an RGB 4-frame
# US cine or a Comprehensive SR, in ISO_IR 100 / ISO_IR 192 / no character set, with the patient's
# name and birth date in free text in other written forms (title and lower case, accented names,
# dd/mm/yyyy, "March 2, 1950", ...), in public LT attributes, a private block and nested SR items.
# Checked, for `deid` (SR content removed, the default), `deid --clean-structured-content`,
# `deid --clean-structured-content --clean-descriptors` (comments kept and scrubbed: the
# residual-PHI check does the work there) and `mpirun -np 2 anonymize --no-mae
# --clean-structured-content`:
#   - every object of the archive is written by deid (none refused), anonymize writes every SR and
#     what the medical-image gate accepts;
#   - no byte of any output holds any planted identifying value of any patient in any written
#     form (tests/archives/scan_planted_phi.py), while the same scan finds them in every input
#     (the scanner works);
#   - dciodvfy (dicom3tools) reports no more errors for an output than for its input.
# Usage: test_planted_archive.sh MEDANON SOURCE_DIR SCRATCH
set -uo pipefail
medanon=$1
source_dir=$2
scratch=$3
here="$source_dir/tests/archives"
source "$source_dir/tests/mpi/common.sh"
rm -rf "$scratch" && mkdir -p "$scratch"
printf 'medanon planted archive test key 0123456789\n' > "$scratch/key" && chmod 600 "$scratch/key"

# 15 DICOM files: 3 objects of each kind, 9 patients.
"$medanon" synth --out "$scratch/corpus" --count 15 --size 256 --dicom-fraction 1 --no-bad-files \
  --archive-objects --seed 14 > "$scratch/synth.log" 2>&1 || { fail "synth"; cat "$scratch/synth.log"; exit 1; }
inputs="$scratch/corpus/archive_objects"
$system_python - "$scratch/corpus/ground_truth.json" > "$scratch/truth.json" <<'PY'
import json, sys
images = json.load(open(sys.argv[1]))["images"]
print(json.dumps([i["archive_object"] for i in images if "archive_object" in i]))
PY
mapfile -t files < <(find "$inputs" -name '*.dcm' | sort)
[[ ${#files[@]} -eq 15 ]] || fail "synth wrote ${#files[@]} archive objects, not 15"
echo "kinds: $($system_python -c 'import json,sys,collections; print(dict(collections.Counter(r["kind"] for r in json.load(open(sys.argv[1])))))' "$scratch/truth.json")"

# The scanner must see what was planted: every input holds its patient's name, ID and birth date.
for file in "${files[@]}"; do
  labels=$($system_python "$here/scan_planted_phi.py" "$scratch/truth.json" "$file" | cut -f3 | sort -u | tr '\n' ' ')
  for label in family_name given_name patient_id birth_date; do
    [[ " $labels" == *" $label "* ]] || fail "the scanner finds no $label in input $(basename "$file")"
  done
done

"$medanon" deid --in "$inputs" --out "$scratch/deid" --key "$scratch/key" > "$scratch/deid.log" 2>&1
echo "deid exit $?: $(tail -1 "$scratch/deid.log")"
"$medanon" deid --clean-structured-content --in "$inputs" --out "$scratch/deid-clean" --key "$scratch/key" \
  > "$scratch/deid-clean.log" 2>&1
echo "deid --clean-structured-content exit $?: $(tail -1 "$scratch/deid-clean.log")"
"$medanon" deid --clean-structured-content --clean-descriptors --in "$inputs" --out "$scratch/deid-descriptors" \
  --key "$scratch/key" > "$scratch/deid-descriptors.log" 2>&1
echo "deid --clean-structured-content --clean-descriptors exit $?: $(tail -1 "$scratch/deid-descriptors.log")"
"${mpirun_cmd[@]}" -np 2 "$medanon" anonymize --input "$inputs" --out "$scratch/anon" --key "$scratch/key" --no-mae \
  --clean-structured-content > "$scratch/anon.log" 2>&1
anon_exit=$?
echo "anonymize exit $anon_exit"
[[ $anon_exit == 0 || $anon_exit == 4 ]] || { fail "anonymize exited $anon_exit"; tail -20 "$scratch/anon.log"; }

count() { find "$1" -name '*.dcm' -not -path '*/.medanon/*' | wc -l; }
for run in deid deid-clean deid-descriptors; do
  [[ $(count "$scratch/$run") -eq 15 ]] || { fail "$run wrote $(count "$scratch/$run") of 15 objects"; grep -v '^deid: 15' "$scratch/$run.log" | head; }
done
anon_written=$(count "$scratch/anon")
echo "anonymize wrote $anon_written of 15"
anon_sr=$(find "$scratch/anon" -name '*.dcm' -exec dcmdump +P 0008,0060 {} \; 2>/dev/null | grep -c '\[SR\]')
[[ $anon_sr -eq 3 ]] || fail "anonymize wrote $anon_sr of the 3 SR objects"

# Not one planted value, in any form, in any output byte.
mapfile -t outputs < <(find "$scratch/deid" "$scratch/deid-clean" "$scratch/deid-descriptors" "$scratch/anon" -name '*.dcm' -not -path '*/.medanon/*')
if ! $system_python "$here/scan_planted_phi.py" "$scratch/truth.json" "${outputs[@]}" > "$scratch/hits.tsv"; then
  fail "identifying values in outputs: $(wc -l < "$scratch/hits.tsv") hits"
  head -20 "$scratch/hits.tsv"
fi
echo "scanned ${#outputs[@]} outputs: $(wc -l < "$scratch/hits.tsv") hits"

# dciodvfy: each deid output against its input (run one by one: the output's name is its new UID).
if command -v dciodvfy > /dev/null; then
  for mode in default --clean-structured-content; do
    args=""; [[ $mode == default ]] || args=$mode
    DEID_ARGS=$args bash "$here/dciodvfy_compare.sh" "$medanon" "$scratch/dciodvfy" "${files[@]}" > "$scratch/dciodvfy-$mode.tsv"
    echo "dciodvfy ($mode): $(tail -1 "$scratch/dciodvfy-$mode.tsv")"
    grep -q 'MORE' "$scratch/dciodvfy-$mode.tsv" && fail "dciodvfy ($mode): outputs with more errors: $(grep MORE "$scratch/dciodvfy-$mode.tsv")"
    [[ $(grep -vc '^total' "$scratch/dciodvfy-$mode.tsv") -eq 15 ]] || fail "dciodvfy ($mode) compared fewer than 15 files"
  done
else
  fail "dciodvfy not installed (Debian package dicom3tools)"
fi
[[ $failures -eq 0 ]] && echo "PASS" || { echo "$failures failures"; exit 1; }
