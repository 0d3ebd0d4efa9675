#!/usr/bin/env bash
# `medanon synth` under real mpirun: MPI starts and ends cleanly, only rank 0 prints the job's
# output, and the corpus does not depend on the number of ranks (1, 2 and 3 ranks give the
# same bytes). A second toolkit (pydicom) reads the DICOM archive and finds the planted PHI.
set -u
medanon=$1; source_dir=$2; scratch=$3
source "$(dirname "$0")/common.sh"
rm -rf "$scratch"; mkdir -p "$scratch"
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

args=(synth --count 14 --size 160 --seed 5 --dicom-fraction 0.6)
for ranks in 1 2 3; do
  "${mpirun_cmd[@]}" -np $ranks "$medanon" "${args[@]}" --out "$scratch/np$ranks" \
    >"$scratch/np$ranks.out" 2>"$scratch/np$ranks.err" || { fail "mpirun -np $ranks exited $?"; cat "$scratch/np$ranks.err"; }
done

for ranks in 1 2 3; do
  n=$(grep -c '^# medanon synth: effective configuration' "$scratch/np$ranks.out")
  [[ $n -eq 1 ]] || fail "np$ranks printed the configuration $n times (rank 0 only expected)"
  n=$(grep -c '^synth: 14 images' "$scratch/np$ranks.out")
  [[ $n -eq 1 ]] || fail "np$ranks printed the summary $n times"
  grep -q "on $ranks rank(s)" "$scratch/np$ranks.out" || fail "np$ranks summary does not show the world size"
done

diff -r "$scratch/np1" "$scratch/np2" >/dev/null || fail "1-rank and 2-rank corpora differ"
diff -r "$scratch/np1" "$scratch/np3" >/dev/null || fail "1-rank and 3-rank corpora differ"

if $system_python -c "import pydicom" 2>/dev/null; then
  $system_python - "$scratch/np2" <<'PY' || fail "pydicom check"
import json, sys, pathlib
import pydicom
root = pathlib.Path(sys.argv[1])
truth = json.loads((root / "ground_truth.json").read_text())
checked = 0
for image in truth["images"]:
    if image["layout"] != "dicom":
        continue
    ds = pydicom.dcmread(root / image["path"], stop_before_pixels=True)
    assert str(ds.PatientName) == image["phi"]["PatientName"], (ds.PatientName, image["phi"]["PatientName"])
    assert ds.PatientID == image["phi"]["PatientID"]
    assert ds.StudyInstanceUID == image["phi"]["StudyInstanceUID"]
    assert ds.BurnedInAnnotation == ("YES" if image["text"] else "NO")
    checked += 1
assert checked == 8, checked
print(f"pydicom read {checked} DICOM files with their planted PHI")
PY
else
  fail "Debian's python3-pydicom is missing (scripts/install-deps.sh installs it)"
fi

echo "mpi synth checks: $failures failed"
exit $((failures > 0))
