#!/usr/bin/env bash
# The pixel stages' Tesseract and the MAE's LibTorch share one process in `anonymize`: Tesseract
# runs single-threaded (OpenMP nesting off) only round its own calls, so the MAE stage's
# --mae-threads 2 (OpenMP OpenBLAS inside LibTorch) still gets its threads. With the setting left
# on for the whole process the first matrix product never returned: a timeout here.
set -u
medanon=$1; source_dir=$2; scratch=$3
rm -rf "$scratch"; mkdir -p "$scratch"
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

"$medanon" synth --out "$scratch/corpus" --count 3 --size 256 --seed 7 >/dev/null 2>&1 || fail "synth"
find "$scratch/corpus/padchest" -name '*.png' | sort | head -2 >"$scratch/inputs.txt"
timeout 300 "$medanon" anonymize --file-list "$scratch/inputs.txt" --out "$scratch/out" --insecure-key \
  --mae-threads 2 --mae-device cpu >"$scratch/log" 2>&1
code=$?
[[ $code -eq 124 ]] && fail "anonymize --mae-threads 2 did not finish in 300 s (OpenMP nesting left off?)"
[[ $code -eq 0 ]] || { fail "anonymize --mae-threads 2 exited $code"; tail -5 "$scratch/log"; }
grep -q "ok / failed / rejected: 2 / 0 / 0" "$scratch/log" || fail "not every item ok"
grep -q "2 thread(s)" "$scratch/log" || fail "the MAE stage did not report 2 threads"
echo "mae threads checks: $failures failed"
exit $((failures > 0))
