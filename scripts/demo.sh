#!/usr/bin/env bash
# README command 1: install what is missing, build, make the built-in demo corpus and run the
# main job on it with `mpirun -np 2`. Results go to ./demo-out (override: DEMO_OUT=...).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
out=${DEMO_OUT:-$PWD/demo-out}
mpirun_cmd=(mpirun -np 2 --oversubscribe)
if [[ $(id -u) -eq 0 ]]; then mpirun_cmd+=(--allow-run-as-root); fi

echo "== demo: synthetic corpus (PadChest-like PNG + CSV, DICOM archive, ground truth) on 2 ranks"
"${mpirun_cmd[@]}" build/medanon synth --config configs/demo-synth.toml --out "$out/corpus" --overwrite

echo
echo "== demo: anonymize the PadChest images, the DICOM archive and the bad files on 2 ranks"
find "$out/corpus/padchest" "$out/corpus/archive" "$out/corpus/bad" -type f ! -name '*.csv' | sort >"$out/inputs.txt"
set +e
"${mpirun_cmd[@]}" build/medanon anonymize --file-list "$out/inputs.txt" --out "$out/anonymized" --insecure-key --restart
code=$?
set -e
# 4 = some items failed: expected here, the corpus holds deliberately bad files.
[[ $code -eq 0 || $code -eq 4 ]] || exit $code

echo
echo "== demo: the shared HDF5 audit, item by item (medanon inspect --audit)"
build/medanon inspect --audit "$out/anonymized/medanon.h5" | grep -v '^[a-z-]*=' | grep -v '^#' || true

echo
echo "== demo results"
echo "corpus:        $out/corpus"
echo "ground truth:  $out/corpus/ground_truth.json"
echo "PadChest CSV:  $out/corpus/padchest/padchest_labels.csv"
echo "DICOM archive: $out/corpus/archive"
echo "bad inputs:    $out/corpus/bad"
echo "anonymized:    $out/anonymized (audit: $out/anonymized/medanon.h5)"
