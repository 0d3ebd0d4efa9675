#!/usr/bin/env bash
# No input may stop or hang the job (issue #16): sequences nested 100,000 deep (used to
# segfault deid and anonymize on every rerun), decompression bombs (a 790-byte RLE DICOM and a
# 48 KB PNG of 20000 x 20000 used to take 0.5-0.9 GB before any size check), a file name that
# is not UTF-8 (used to stop the job with a JSON error), and core dumps (a dump holds the key).
set -u
medanon=$1; source_dir=$2; scratch=$3
source "$(dirname "$0")/common.sh"
rm -rf "$scratch"; mkdir -p "$scratch"
new_key "$scratch/key"
peak_kb() { awk '/Maximum resident set size/ {print $NF}' "$1"; }

# --- nesting --------------------------------------------------------------------------------
hostile deep_nesting "$scratch/nest/deep.dcm"
hostile plain_dicom "$scratch/nest/plain.dcm"
"$medanon" deid --in "$scratch/nest" --out "$scratch/nest-deid" --key "$scratch/key" >"$scratch/nest-deid.log" 2>&1
code=$?
[[ $code -eq 4 ]] || fail "deid on a 100,000-deep file exited $code, expected 4"
grep -q "nested deeper" "$scratch/nest-deid.log" || fail "deid does not say why the deep file was rejected"
[[ $(find "$scratch/nest-deid" -name '*.dcm' | wc -l) -eq 1 ]] || fail "deid did not process the plain file"
hostile deep_nesting_deflated "$scratch/nest-deflated/deep.dcm"  # 16 KB: the nesting inside a deflated dataset
"$medanon" deid --in "$scratch/nest-deflated" --out "$scratch/nest-deflated-deid" --key "$scratch/key" \
  >"$scratch/nest-deflated.log" 2>&1
code=$?
[[ $code -eq 5 ]] || fail "deid on a deflated 100,000-deep file (its only input) exited $code, expected 5 (nothing succeeded)"
grep -q "nested deeper" "$scratch/nest-deflated.log" || fail "deid does not say why the deflated deep file was rejected"
for stages in "--no-text" ""; do
  out="$scratch/nest-anon${stages:+-notext}"
  "$medanon" anonymize --input "$scratch/nest" --out "$out" --insecure-key --no-mae $stages >"$out.log" 2>&1
  code=$?
  [[ $code -eq 4 ]] || fail "anonymize $stages on the deep file exited $code, expected 4"
  audit_strings "$out/medanon.h5" | grep -q "nested deeper" || fail "anonymize $stages: no audit record for the deep file"
done

# --- decompression bombs --------------------------------------------------------------------
hostile rle_bomb "$scratch/bomb/rle.dcm"
hostile png_bomb "$scratch/bomb/big.png"
/usr/bin/time -v "$medanon" deid --in "$scratch/bomb/rle.dcm" --out "$scratch/bomb-deid" --key "$scratch/key" \
  >"$scratch/bomb-deid.log" 2>"$scratch/bomb-deid.time"
code=$?
[[ $code -eq 5 ]] || fail "deid on the RLE bomb (its only input) exited $code, expected 5 (nothing succeeded)"
grep -q "too large before decoding" "$scratch/bomb-deid.time" || fail "deid does not reject the RLE bomb by its header"
(( $(peak_kb "$scratch/bomb-deid.time") < 300000 )) || fail "deid on the RLE bomb peaked at $(peak_kb "$scratch/bomb-deid.time") KB"
for stages in "--no-text" ""; do
  out="$scratch/bomb-anon${stages:+-notext}"
  /usr/bin/time -v "$medanon" anonymize --input "$scratch/bomb" --out "$out" --insecure-key --no-mae $stages \
    >"$out.log" 2>"$out.time"
  code=$?
  [[ $code -eq 5 ]] || fail "anonymize $stages on the bombs (all of its inputs) exited $code, expected 5 (nothing succeeded)"
  peak=$(peak_kb "$out.time")
  (( peak < 400000 )) || fail "anonymize $stages on the bombs peaked at $peak KB (the bombs ask for 0.4-0.8 GB)"
  [[ $(audit_strings "$out/medanon.h5" | grep -c "too large\|not decodable") -eq 2 ]] \
    || fail "anonymize $stages: both bombs should be failed as too large"
done
# The limit is an option: a normal 64 x 64 image is refused under --max-image-pixels 1000.
hostile plain_png "$scratch/small/a.png"
"$medanon" --max-image-pixels 1000 anonymize --input "$scratch/small" --out "$scratch/small-out" --insecure-key \
  --no-mae --no-text >"$scratch/small.log" 2>&1
[[ $? -eq 5 ]] || fail "--max-image-pixels 1000 did not refuse a 64x64 image (its only input: exit 5, nothing succeeded)"

# --- a file name that is not UTF-8 ----------------------------------------------------------
mkdir -p "$scratch/latin1"
hostile plain_png "$scratch/latin1/$(printf 'M\xfcller_\xe9.png')"
hostile plain_png "$scratch/latin1/plain.png"
"$medanon" anonymize --input "$scratch/latin1" --out "$scratch/latin1-out" --insecure-key --no-mae --no-text \
  >"$scratch/latin1.log" 2>&1
code=$?
[[ $code -eq 0 ]] || { fail "a non-UTF-8 file name: anonymize exited $code, expected 0"; tail -3 "$scratch/latin1.log"; }
[[ $(find "$scratch/latin1-out/images" -name '*.png' | wc -l) -eq 2 ]] || fail "a non-UTF-8 file name: not both processed"

# --- core dumps are off -----------------------------------------------------------------------
ulimit -c unlimited 2>/dev/null
"$medanon" deid --in "$scratch/nest/plain.dcm" --out "$scratch/core-out" --key "$scratch/key" >/dev/null 2>&1 &
pid=$!
seen=""
for _ in $(seq 500); do  # main() lowers the limit before MPI starts, which takes a while
  limit=$(awk '/Max core file size/ {print $5}' "/proc/$pid/limits" 2>/dev/null) || break
  [[ -z $limit ]] && break
  if [[ $limit == 0 ]]; then seen=0; break; fi
  sleep 0.005
done
wait $pid
[[ $seen == 0 ]] || fail "core dumps were never seen disabled (RLIMIT_CORE)"

finish "hostile input checks"
