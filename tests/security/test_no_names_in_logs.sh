#!/usr/bin/env bash
# No input names in logs or the audit (issue #16): hospital paths carry patient names. OpenCV
# used to print "imread_('…/DOE_JOHN_MRN123/IMG_0001.jpg'): can't open/read file" to the job
# log, and a PNG named GARCIA.MARIA_MRN7731 put "unsupported file type (.maria_mrn7731)" in the
# audit. `deid` names rejected inputs by number unless --log-input-names asks for paths.
set -u
medanon=$1; source_dir=$2; scratch=$3
source "$(dirname "$0")/common.sh"
rm -rf "$scratch"; mkdir -p "$scratch/in/DOE_JOHN_MRN123"
printf 'not an image at all' >"$scratch/in/DOE_JOHN_MRN123/IMG_0001.jpg"
hostile plain_png "$scratch/in/GARCIA.MARIA_MRN7731"
hostile plain_png "$scratch/in/DOE_JOHN_MRN123/IMG_0002.png"
printf 'DICM garbage' >"$scratch/in/DOE_JOHN_MRN123/IMG_0003.dcm"

for stages in "--no-text" ""; do
  out="$scratch/anon${stages:+-notext}"
  "$medanon" anonymize --input "$scratch/in" --out "$out" --insecure-key --no-mae $stages >"$out.log" 2>&1
  code=$?
  [[ $code -eq 4 ]] || { fail "anonymize $stages exited $code, expected 4"; tail -5 "$out.log"; }
  # The effective configuration names --input (the custodian's own argument): drop that line.
  grep -v -F "$scratch/in" "$out.log" >"$out.log.filtered"
  no_phi_in "anonymize $stages stdout/stderr" "$out.log.filtered"
  audit_strings "$out/medanon.h5" | grep -v '^@config=' >"$out.audit"
  no_phi_in "anonymize $stages audit" "$out.audit"
  grep -q "unsupported\|not decodable\|not a" "$out.audit" || fail "anonymize $stages: the audit gives no reason"
  no_phi_in "anonymize $stages rank logs" "$out"/.medanon/rank-*.log
done

# A listed file that cannot be opened: OpenCV's imread warned with the path on stderr.
printf '%s\n' "$scratch/in/DOE_JOHN_MRN123/IMG_0009_MISSING.jpg" "$scratch/in/DOE_JOHN_MRN123/IMG_0002.png" \
  >"$scratch/list.txt"
"$medanon" anonymize --file-list "$scratch/list.txt" --out "$scratch/anon-list" --insecure-key --no-mae --no-text \
  >"$scratch/anon-list.log" 2>&1
code=$?
[[ $code -eq 4 ]] || fail "anonymize --file-list with a missing file exited $code, expected 4"
grep -v -F "$scratch/list.txt" "$scratch/anon-list.log" >"$scratch/anon-list.filtered"
no_phi_in "anonymize --file-list stdout/stderr" "$scratch/anon-list.filtered"
audit_strings "$scratch/anon-list/medanon.h5" | grep -v '^@config=' >"$scratch/anon-list.audit"
no_phi_in "anonymize --file-list audit" "$scratch/anon-list.audit"

new_key "$scratch/key"
"$medanon" deid --in "$scratch/in/DOE_JOHN_MRN123" --out "$scratch/deid" --key "$scratch/key" >"$scratch/deid.log" 2>&1
grep -v -F "$scratch/in" "$scratch/deid.log" >"$scratch/deid.filtered"
no_phi_in "deid stderr" "$scratch/deid.filtered"
grep -q "input #" "$scratch/deid.log" || fail "deid does not name rejected inputs by number"
"$medanon" deid --in "$scratch/in/DOE_JOHN_MRN123" --out "$scratch/deid2" --key "$scratch/key" --log-input-names \
  >"$scratch/deid2.log" 2>&1
grep -q "IMG_0003.dcm" "$scratch/deid2.log" || fail "--log-input-names does not name the rejected input"

finish "no-names checks"
