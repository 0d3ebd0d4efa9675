#!/usr/bin/env bash
# Resume and concurrent runs (issue #16): a rerun into the same --out takes over only a run made
# with the same item list, key and options (run 1 over [A,B] with key 1 and run 2 over [C,A,B]
# with key 2 used to skip C, redo B and mix two keys in one audit); a second job on a --out in
# use is refused (exit 8); start-up deletes only medanon's own temporary files; an item that
# killed its rank in two attempts is failed, not claimed forever; a transient failure is retried
# once, a deterministic one never; the public demo key is announced and recorded.
set -u
medanon=$1; source_dir=$2; scratch=$3
source "$(dirname "$0")/common.sh"
rm -rf "$scratch"; mkdir -p "$scratch/ab" "$scratch/cab"
for name in a b; do hostile plain_png "$scratch/ab/$name.png"; cp "$scratch/ab/$name.png" "$scratch/cab/"; done
hostile plain_png "$scratch/cab/0c.png"  # sorts first: shifts the indices of a and b
new_key "$scratch/key1"; new_key "$scratch/key2"
run() {  # run OUT INPUT KEY [args...]
  local out=$1 input=$2 key=$3; shift 3
  "$medanon" anonymize --input "$input" --out "$out" --key "$key" --no-mae --no-text "$@" >"$out.log" 2>&1
}

# --- what a resume may take over -------------------------------------------------------------
run "$scratch/out" "$scratch/ab" "$scratch/key1" || fail "first run exited $?"
run "$scratch/out" "$scratch/cab" "$scratch/key2"; code=$?
[[ $code -eq 3 ]] || fail "a resume with other inputs and another key exited $code, expected 3"
grep -q "refusing to resume" "$scratch/out.log" || fail "the refusal does not say why"
run "$scratch/out" "$scratch/ab" "$scratch/key2"; code=$?
[[ $code -eq 3 ]] || fail "a resume with another key exited $code, expected 3"
grep -q "the key" "$scratch/out.log" || fail "the refusal does not name the key"
run "$scratch/out" "$scratch/ab" "$scratch/key1" --padding 7; code=$?  # an option that shapes outputs
[[ $code -eq 3 ]] || fail "a resume with other options exited $code, expected 3"
run "$scratch/out" "$scratch/ab" "$scratch/key1" --flush-seconds 5 --threads 2; code=$?  # run-only settings
[[ $code -eq 0 ]] || fail "a resume changing only run settings exited $code, expected 0"
grep -q "done before:  *2 " "$scratch/out.log" || fail "the accepted resume redid items"
rows=$($system_python -c "import h5py,sys; print(len(h5py.File(sys.argv[1])['audit']))" "$scratch/out/medanon.h5")
[[ $rows -eq 2 ]] || fail "the audit holds $rows rows after the refused resumes, expected 2"
run "$scratch/out" "$scratch/cab" "$scratch/key2" --restart || fail "--restart with new inputs exited $?"

# --- one job per --out ------------------------------------------------------------------------
flock -n "$scratch/out/.medanon.lock" sleep 20 &
holder=$!
sleep 0.3
run "$scratch/out" "$scratch/cab" "$scratch/key2"; code=$?
[[ $code -eq 8 ]] || fail "a second job on a locked --out exited $code, expected 8"
grep -q "another medanon job" "$scratch/out.log" || fail "the refusal does not say another job holds --out"
new_key "$scratch/deid.key"
"$medanon" deid --in "$scratch/ab" --out "$scratch/out" --key "$scratch/deid.key" >/dev/null 2>&1; code=$?
[[ $code -eq 8 ]] || fail "deid into a locked --out exited $code, expected 8"
kill "$holder" 2>/dev/null; wait "$holder" 2>/dev/null

# --- start-up removes only medanon's own temporary files ---------------------------------------
mkdir -p "$scratch/pc/imgs/0"
hostile plain_png "$scratch/pc/imgs/0/study.tmp.42.png"  # PadChest IDs may contain ".tmp."
printf 'ImageID,ImageDir\nstudy.tmp.42.png,0\n' >"$scratch/pc/labels.csv"
pc_run() {
  "$medanon" anonymize --padchest-csv "$scratch/pc/labels.csv" --input "$scratch/pc/imgs" --out "$scratch/pc-out" \
    --insecure-key --no-mae --no-text >"$scratch/pc.log" 2>&1
}
pc_run || fail "PadChest run exited $?"
touch "$scratch/pc-out/images/0/left.png.medanon-tmp.4242"
pc_run || fail "PadChest resume exited $?"
[[ -f "$scratch/pc-out/images/0/study.tmp.42.png" ]] || fail "start-up deleted an output whose ID contains .tmp."
[[ ! -e "$scratch/pc-out/images/0/left.png.medanon-tmp.4242" ]] || fail "start-up left medanon's own temporary file"

# --- the public demo key is loud and recorded ---------------------------------------------------
mkdir -p "$scratch/dcm" && hostile plain_dicom "$scratch/dcm/x.dcm"
"$medanon" anonymize --input "$scratch/dcm" --out "$scratch/demo" --insecure-key --no-mae --no-text \
  >"$scratch/demo.log" 2>&1 || fail "demo-key run exited $?"
grep -q "PUBLIC demo key" "$scratch/demo.log" || fail "no loud warning about the public demo key"
audit_strings "$scratch/demo/medanon.h5" | grep -q "^@insecure_key=public demo key" || fail "the audit does not record the demo key"
$system_python -c "
import pydicom, sys, glob
ds = pydicom.dcmread(glob.glob(sys.argv[1] + '/**/*.dcm', recursive=True)[0])
sys.exit(0 if 'PUBLIC DEMO KEY' in str(ds.DeidentificationMethod) else 1)" "$scratch/demo/dicom" \
  || fail "DeidentificationMethod does not say the key is public"
run "$scratch/secret" "$scratch/dcm" "$scratch/key1" || fail "keyed run exited $?"
grep -q "PUBLIC demo key" "$scratch/secret.log" && fail "a keyed run warns about the demo key"

# --- crashes and retries (journal states a kill or a transient failure leaves) ------------------
root=$(realpath "$scratch/ab")
tool() { $system_python "$here/journal_tool.py" "$@"; }
# a: claimed by two attempts, never finished (it killed its rank twice); b: claimed once (in flight).
tool "$scratch/crash" 0 0 0 3 0 "$root/a.png"; tool "$scratch/crash" 0 1 1 3 0 "$root/b.png"
tool "$scratch/crash" 1 0 0 3 0 "$root/a.png"
"$medanon" anonymize --input "$scratch/ab" --out "$scratch/crash" --insecure-key --no-mae --no-text \
  >"$scratch/crash.log" 2>&1; code=$?
[[ $code -eq 4 ]] || fail "a twice-crashed item: exit $code, expected 4"
audit_strings "$scratch/crash/medanon.h5" | grep -q "ended its rank in 2 attempts" || fail "no audit record names the crash"
[[ $(find "$scratch/crash/images" -name '*.png' | wc -l) -eq 1 ]] || fail "the in-flight item was not redone"
# a: failed transiently once -> retried; b: failed deterministically -> kept.
tool "$scratch/retry" 0 0 0 1 1 "$root/a.png"; tool "$scratch/retry" 0 0 1 1 0 "$root/b.png"
"$medanon" anonymize --input "$scratch/ab" --out "$scratch/retry" --insecure-key --no-mae --no-text \
  >"$scratch/retry.log" 2>&1; code=$?
[[ $code -eq 4 ]] || fail "retry run: exit $code, expected 4 (b stays failed)"
grep -q "retried once" "$scratch/retry.log" || fail "the transient failure is not announced as retried"
[[ $(find "$scratch/retry/images" -name '*.png' | wc -l) -eq 1 ]] || fail "the transient failure was not retried"
# twice transient -> not again
tool "$scratch/retry2" 0 0 0 1 1 "$root/a.png"; tool "$scratch/retry2" 1 0 0 1 1 "$root/a.png"
tool "$scratch/retry2" 0 0 1 0 0 "$root/b.png"
"$medanon" anonymize --input "$scratch/ab" --out "$scratch/retry2" --insecure-key --no-mae --no-text \
  >"$scratch/retry2.log" 2>&1
[[ -z $(find "$scratch/retry2" -path '*/images/*' -name '*.png' 2>/dev/null) ]] || fail "an item failed twice was retried again"

finish "resume and concurrency checks"
