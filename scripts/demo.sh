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
echo "== demo: the run against the corpus's ground truth (medanon evaluate run)"
build/medanon evaluate run --corpus "$out/corpus" --audit "$out/anonymized/medanon.h5" --insecure-key \
  --out "$out/anonymized/evaluation.json" | grep -v '^[a-z-]*=' | grep -v '^#' || true

echo
echo "== demo: site adaptation (medanon adapt): what a new site runs first, on its own normal images"
# A small stand-in for a site's images (mostly normal studies); a real site points --corpus at its
# PadChest-style folder and raises the epochs (docs/train.md, "Site adaptation").
build/medanon synth --out "$out/site" --count 48 --size 256 --seed 4040 --dicom-fraction 0 --object-fraction 0.1 \
  --no-bad-files --overwrite >/dev/null
"${mpirun_cmd[@]}" build/medanon adapt --config jobs/adapt-demo.toml --corpus "$out/site" --out "$out/adapt" \
  --device cpu | grep -v '^[a-z-]*=' | grep -v '^#' || true

echo
echo "== demo results"
echo "corpus:        $out/corpus"
echo "ground truth:  $out/corpus/ground_truth.json"
echo "PadChest CSV:  $out/corpus/padchest/padchest_labels.csv"
echo "DICOM archive: $out/corpus/archive"
echo "bad inputs:    $out/corpus/bad"
echo "anonymized:    $out/anonymized (audit: $out/anonymized/medanon.h5)"
echo "evaluation:    $out/anonymized/evaluation.json"
echo "site model:    $out/adapt/model.pth + model.threshold.json (anonymize --mae-checkpoint/--mae-threshold-file)"
