#!/usr/bin/env bash
# Nothing escapes --out (issue #16, critical): a SOP/Study Instance UID "1.2.840.10008.1/../../x"
# used to pass the well-known-UID shortcut unchanged and become folder names, so `deid` and
# `anonymize` wrote outside --out. Now only exact well-known UIDs are kept, everything else is
# hashed, output paths are built from generated values and checked to stay under their root,
# and a kept (--retain-uids) UID that is not a valid UID is refused.
set -u
medanon=$1; source_dir=$2; scratch=$3
source "$(dirname "$0")/common.sh"
rm -rf "$scratch"; mkdir -p "$scratch"
# Deep enough that an escape of a few ".." still lands inside the scratch folder, where we look.
work="$scratch/a/b/c/d/e/f/g/h"
mkdir -p "$work/in"
hostile escape_uid "$work/in/escape.dcm"
hostile plain_dicom "$work/in/plain.dcm"
new_key "$scratch/key"

escaped() { find "$scratch" -name 'ESCAPED*' -not -path "$work/in/*"; }

"$medanon" deid --in "$work/in" --out "$work/deid" --key "$scratch/key" >"$scratch/deid.log" 2>&1
code=$?
[[ $code -eq 0 ]] || fail "deid exited $code (expected 0: the UIDs are hashed, the file is fine)"
[[ -z $(escaped) ]] || fail "deid wrote outside --out: $(escaped)"
n=$(find "$work/deid" -name '*.dcm' | wc -l)
[[ $n -eq 2 ]] || fail "deid: expected 2 outputs under --out, found $n"
find "$work/deid" -name '*.dcm' | grep -v -E '/PX[A-Z2-9]{12}/2\.25\.[0-9]+/2\.25\.[0-9]+/2\.25\.[0-9]+\.dcm$' \
  | while read -r bad; do fail "deid output name not built from generated values: $bad"; done

"$medanon" anonymize --input "$work/in" --out "$work/anon" --insecure-key --no-text --no-mae \
  >"$scratch/anon.log" 2>&1
code=$?
[[ $code -eq 0 ]] || { fail "anonymize exited $code"; tail -5 "$scratch/anon.log"; }
[[ -z $(escaped) ]] || fail "anonymize wrote outside --out: $(escaped)"
audit_strings "$work/anon/medanon.h5" | grep -q '\.\./' && fail "an audit output path holds '../'"

# --retain-uids keeps header UIDs as folder names: an invalid one ("1..2") is refused, not used.
rm -rf "$work/in"; mkdir -p "$work/in"
hostile invalid_uid "$work/in/invalid.dcm"
hostile escape_uid "$work/in/escape.dcm"
"$medanon" deid --in "$work/in" --out "$work/retain" --key "$scratch/key" --retain-uids >"$scratch/retain.log" 2>&1
code=$?
[[ $code -eq 5 ]] || fail "--retain-uids with invalid UIDs exited $code, expected 5 (both rejected: nothing succeeded)"
[[ -z $(escaped) ]] || fail "--retain-uids wrote outside --out: $(escaped)"
[[ -z $(find "$work/retain" -name '*.dcm' 2>/dev/null) ]] || fail "--retain-uids wrote a file named by an invalid UID"
grep -q "not a valid UID" "$scratch/retain.log" || fail "the rejection does not say the UID is invalid"

finish "output path checks"
