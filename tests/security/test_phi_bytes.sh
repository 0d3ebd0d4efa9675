#!/usr/bin/env bash
# No PHI in any byte of an output (issue #16): overlay bits above BitsStored, Pixel Data longer
# than the image, private elements (gggg,0100-0FFF), dates stored as UN, free text inside kept
# sequences (TextValue, UnformattedTextValue), the 128-byte preamble, UIDs the table does not
# list, URLs. Each hostile file carries the same planted PHI; the outputs of `deid` and of
# `anonymize` (header-only and with the pixel stages) are searched byte for byte.
set -u
medanon=$1; source_dir=$2; scratch=$3
source "$(dirname "$0")/common.sh"
rm -rf "$scratch"; mkdir -p "$scratch/in"
kinds=(overlay_bits long_pixel_data private_block un_dates free_text_sequences preamble unlisted_uids)
for kind in "${kinds[@]}"; do hostile "$kind" "$scratch/in/$kind.dcm"; done
new_key "$scratch/key"

"$medanon" deid --in "$scratch/in" --out "$scratch/deid" --key "$scratch/key" >"$scratch/deid.log" 2>&1
code=$?
[[ $code -eq 0 ]] || { fail "deid exited $code"; tail -5 "$scratch/deid.log"; }
$system_python "$here/check_outputs.py" "$scratch/deid" "${#kinds[@]}" || fail "deid outputs (above)"
no_phi_in "deid outputs" $(find "$scratch/deid" -name '*.dcm')
# The overlay and over-long files are each checked by name too, so a rejection cannot pass.
for kind in overlay_bits long_pixel_data; do
  "$medanon" deid --in "$scratch/in/$kind.dcm" --out "$scratch/one-$kind" --key "$scratch/key" >/dev/null 2>&1 \
    || fail "$kind was not de-identified"
done

"$medanon" anonymize --input "$scratch/in" --out "$scratch/anon" --insecure-key --no-text --no-mae \
  >"$scratch/anon.log" 2>&1
code=$?
[[ $code -eq 0 ]] || { fail "anonymize --no-text exited $code"; tail -5 "$scratch/anon.log"; }
$system_python "$here/check_outputs.py" "$scratch/anon/dicom" "${#kinds[@]}" || fail "anonymize outputs (above)"
no_phi_in "anonymize outputs" $(find "$scratch/anon/dicom" -name '*.dcm')

# With the pixel stages the overlay file goes through the pixel reader too.
mkdir -p "$scratch/in-overlay" && cp "$scratch/in/overlay_bits.dcm" "$scratch/in-overlay/"
"$medanon" anonymize --input "$scratch/in-overlay" --out "$scratch/anon-text" --insecure-key --no-mae \
  >"$scratch/anon-text.log" 2>&1
code=$?
if [[ $code -eq 0 ]]; then
  $system_python "$here/check_outputs.py" "$scratch/anon-text/dicom" 1 || fail "anonymize (pixel stages) outputs"
elif [[ $code -eq 4 ]]; then
  audit_strings "$scratch/anon-text/medanon.h5" | grep -q "rejected\|not a medical\|gate" \
    || fail "anonymize with pixel stages failed the overlay file for another reason"
else
  fail "anonymize with pixel stages exited $code"
fi

finish "PHI-in-bytes checks"
