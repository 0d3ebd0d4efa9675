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

# The anonymize job joins here when issue #6 lands; until then the demo stops at the corpus.
echo
echo "== demo results"
echo "corpus:        $out/corpus"
echo "ground truth:  $out/corpus/ground_truth.json"
echo "PadChest CSV:  $out/corpus/padchest/padchest_labels.csv"
echo "DICOM archive: $out/corpus/archive"
echo "bad inputs:    $out/corpus/bad"
