#!/usr/bin/env bash
# OpenCV's image codecs live in a module (medanon_imgcodecs.so beside libmedanon.so), loaded on
# first use (src/io/image_codecs.hpp). Checked here: neither the executable nor libmedanon links
# them (nor GDAL, which they bring), DICOM work runs without the module, and what needs it fails
# per item with a message that names the missing file.
set -u
medanon=$1; source_dir=$2; scratch=$3
rm -rf "$scratch"; mkdir -p "$scratch"
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

library=$(ldd "$medanon" | awk '/libmedanon.so/ {print $3}')
[[ -f $library ]] || fail "ldd does not find libmedanon.so for $medanon"
ldd "$medanon" | grep -E 'libopencv_imgcodecs|libgdal' && fail "the medanon executable loads OpenCV's codecs at start"
[[ -f "$(dirname "$library")/medanon_imgcodecs.so" ]] || fail "no medanon_imgcodecs.so beside $library"

# The library in a folder without the module (RUNPATH: LD_LIBRARY_PATH comes first).
mkdir -p "$scratch/alone" && cp "$library" "$scratch/alone/"
alone() { LD_LIBRARY_PATH="$scratch/alone" "$medanon" "$@"; }
LD_LIBRARY_PATH="$scratch/alone" ldd "$medanon" | grep -q "$scratch/alone/libmedanon.so" \
  || fail "the copied libmedanon.so is not the one loaded"
head -c 32 /dev/urandom >"$scratch/key" && chmod 600 "$scratch/key"
"$medanon" synth --out "$scratch/corpus" --count 4 --size 128 --dicom-fraction 0.5 --no-bad-files >/dev/null 2>&1 \
  || fail "synth with the module"
alone deid --in "$scratch/corpus/archive" --out "$scratch/deid" --key "$scratch/key" >/dev/null 2>"$scratch/err"
[[ $? -eq 0 ]] || { fail "deid without the module"; tail -3 "$scratch/err"; }
alone anonymize --input "$scratch/corpus/padchest" --out "$scratch/anon" --key "$scratch/key" --no-mae --no-text \
  >"$scratch/out" 2>"$scratch/err"
code=$?
[[ $code -eq 5 ]] || fail "anonymize of PNG files without the module: exit $code, expected 5 (nothing succeeded)"
# Each item's reason is in the audit.
"$medanon" inspect --audit "$scratch/anon/medanon.h5" >"$scratch/audit" 2>&1
grep -q "failed .*image codecs module .*medanon_imgcodecs.so is missing" "$scratch/audit" \
  || { fail "the audit does not name the module"; tail -3 "$scratch/audit"; }
echo "not an ELF file" >"$scratch/alone/medanon_imgcodecs.so"
alone anonymize --input "$scratch/corpus/padchest" --out "$scratch/anon2" --key "$scratch/key" --no-mae --no-text \
  >"$scratch/out" 2>"$scratch/err"
"$medanon" inspect --audit "$scratch/anon2/medanon.h5" >"$scratch/audit" 2>&1
grep -q "cannot load .*medanon_imgcodecs.so" "$scratch/audit" || { fail "the loader's message is missing"; tail -3 "$scratch/audit"; }

echo "imgcodecs module checks: $failures failed"
exit $((failures > 0))
