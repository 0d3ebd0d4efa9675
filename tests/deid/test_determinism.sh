#!/usr/bin/env bash
# `medanon deid` across processes: the same key gives byte-identical outputs under the same
# names in two separate runs, another key gives other names; key files others can read are
# refused; every output reads back with dcmdump; bad files are reported and counted (exit 5 when every input is bad).
set -u
medanon=$1; source_dir=$2; scratch=$3
rm -rf "$scratch"; mkdir -p "$scratch"
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

"$medanon" synth --out "$scratch/corpus" --count 12 --size 128 --dicom-fraction 0.75 --seed 3 >/dev/null 2>&1 \
  || { echo "FAIL: synth"; exit 1; }
head -c 32 /dev/urandom >"$scratch/key"; chmod 600 "$scratch/key"
head -c 32 /dev/urandom >"$scratch/other.key"; chmod 600 "$scratch/other.key"

run() {  # run <out> <key> [args...]
  local out=$1 key=$2; shift 2
  "$medanon" deid --in "$scratch/corpus/archive" --out "$out" --key "$key" "$@" >"$out.log" 2>&1
}

run "$scratch/a" "$scratch/key" --write-mapping "$scratch/a.mapping" || fail "first run exited $?"
run "$scratch/b" "$scratch/key" || fail "second run exited $?"
diff -r "$scratch/a" "$scratch/b" >/dev/null || fail "two runs with the same key differ"
n=$(find "$scratch/a" -name '*.dcm' | wc -l)
[[ $n -eq 9 ]] || fail "expected 9 outputs, found $n"

run "$scratch/c" "$scratch/other.key" || fail "run with another key exited $?"
[[ -z $(comm -12 <(cd "$scratch/a" && find . -name '*.dcm' | sort) <(cd "$scratch/c" && find . -name '*.dcm' | sort)) ]] \
  || fail "another key gave some of the same output names"

[[ $(stat -c %a "$scratch/a.mapping") == 600 ]] || fail "mapping file is not mode 0600"
grep -q "^PatientID" "$scratch/a.mapping" || fail "mapping file has no patient IDs"
fingerprint=$(grep -o 'key [0-9a-f]\{16\}' "$scratch/a.log")
[[ -n $fingerprint ]] || fail "the key fingerprint is not reported"
grep -q "$(od -An -tx1 -N8 "$scratch/key" | tr -d ' \n')" "$scratch/a.log" && fail "key bytes appear in the log"

while IFS= read -r file; do
  dcmdump -q "$file" >/dev/null 2>"$scratch/dcmdump.err" || fail "dcmdump failed on $file"
  [[ -s "$scratch/dcmdump.err" ]] && fail "dcmdump complained about $file: $(head -1 "$scratch/dcmdump.err")"
done < <(find "$scratch/a" -name '*.dcm')

chmod 644 "$scratch/key"
run "$scratch/d" "$scratch/key"; code=$?
[[ $code -eq 2 ]] || fail "a world-readable key gave exit $code, expected 2"
[[ ! -d "$scratch/d" ]] || fail "outputs written with a refused key"
run "$scratch/e" "$scratch/key" --insecure-key || fail "--insecure-key run exited $?"
run "$scratch/f" "$scratch/missing.key"; code=$?
[[ $code -eq 2 ]] || fail "a missing key gave exit $code, expected 2"

"$medanon" deid --in "$scratch/corpus/bad" --out "$scratch/g" --key "$scratch/other.key" >"$scratch/g.log" 2>&1; code=$?
[[ $code -eq 5 ]] || fail "only bad files gave exit $code, expected 5 (nothing succeeded)"

echo "deid determinism checks: $failures failed"
exit $((failures > 0))
