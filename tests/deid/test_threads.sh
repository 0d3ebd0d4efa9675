#!/usr/bin/env bash
# `medanon deid --threads N` (0: one per usable CPU): the same outputs, byte for byte and by name, as one thread, the
# same exit code; on python3-pydicom's test files (inputs sharing a SOP Instance UID, refusals
# of every kind) no crash and the same refusals in input order, duplicates aside.
set -u
medanon=$1; source_dir=$2; scratch=$3
rm -rf "$scratch"; mkdir -p "$scratch"
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

"$medanon" synth --out "$scratch/corpus" --count 40 --size 128 --dicom-fraction 1 --seed 5 --no-bad-files >/dev/null 2>&1 \
  || { echo "FAIL: synth"; exit 1; }
head -c 32 /dev/urandom >"$scratch/key"; chmod 600 "$scratch/key"
run() {  # run <name> <input> [args...]
  local name=$1 input=$2; shift 2
  "$medanon" deid --in "$input" --out "$scratch/$name" --key "$scratch/key" "$@" >"$scratch/$name.out" 2>"$scratch/$name.err"
  echo $? >"$scratch/$name.code"
}
digest() { (cd "$scratch/$1" && find . -name '*.dcm' -exec sha256sum {} + | sort); }

run one "$scratch/corpus/archive" --threads 1
run four "$scratch/corpus/archive" --threads 4
run auto "$scratch/corpus/archive" --threads 0  # one per usable CPU
[[ $(cat "$scratch/one.code") == 0 && $(cat "$scratch/four.code") == 0 && $(cat "$scratch/auto.code") == 0 ]] \
  || fail "exit codes $(cat "$scratch"/*.code)"
[[ $(digest one | wc -l) -eq 40 ]] || fail "one thread wrote $(digest one | wc -l) of 40"
[[ "$(digest one)" == "$(digest four)" ]] || fail "--threads 4 wrote other names or bytes than --threads 1"
[[ "$(digest one)" == "$(digest auto)" ]] || fail "--threads 0 wrote other names or bytes than --threads 1"
# The preamble is zeros in every output (the writer clears what DCMTK copied from the input).
for file in $(find "$scratch/one" -name '*.dcm'); do
  [[ $(head -c 128 "$file" | tr -d '\0' | wc -c) -eq 0 ]] || { fail "preamble not zeroed: $file"; break; }
done

data=/usr/lib/python3/dist-packages/pydicom/data/test_files
if [[ -d $data ]]; then
  run pyone "$data" --threads 1
  run pyfour "$data" --threads 4
  # The ok/duplicate split may differ: of three inputs of one UID, two of which give the same
  # bytes, one or two are written depending on which comes first. The refusals may not.
  [[ $(cat "$scratch/pyfour.code") == 4 ]] || fail "pydicom files: exit $(cat "$scratch/pyfour.code") (4 expected: some refused)"
  # Same refusals in the same order, duplicates aside (which input of a UID wins may differ, and
  # with it which input's warnings are printed: warnings are not compared).
  refusals() { grep '^medanon error' "$1" | grep -v duplicate; }
  [[ $(refusals "$scratch/pyone.err" | wc -l) -gt 10 ]] || fail "pydicom files: too few refusals to compare"
  [[ "$(refusals "$scratch/pyone.err")" == "$(refusals "$scratch/pyfour.err")" ]] \
    || fail "refusals differ between 1 and 4 threads"
fi
[[ $failures -eq 0 ]] && echo "PASS" || { echo "$failures failures"; exit 1; }
