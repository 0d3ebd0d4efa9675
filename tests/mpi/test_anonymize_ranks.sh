#!/usr/bin/env bash
# `medanon anonymize` under real mpirun with 1, 2 and 4 ranks (oversubscribed) over the same
# corpus: identical HDF5 contents (up to row order, rank and timing columns), identical output
# files, every item exactly once, rank-0-only job output, and no PHI in any name, log or HDF5.
set -u
medanon=$1; source_dir=$2; scratch=$3
source "$(dirname "$0")/common.sh"
rm -rf "$scratch"; mkdir -p "$scratch"

make_input_corpus "$medanon" "$scratch" --count 14 --size 192 --seed 11 --dicom-fraction 0.3

for ranks in 1 2 4; do
  "${mpirun_cmd[@]}" -np $ranks "$medanon" anonymize --input "$scratch/corpus" --out "$scratch/out$ranks" \
    --insecure-key --flush-seconds 0.2 >"$scratch/np$ranks.out" 2>"$scratch/np$ranks.err"
  code=$?
  # Bad files and (until the de-identification lands) DICOM items fail: "some items failed".
  [[ $code -eq 0 || $code -eq 4 ]] || { fail "np$ranks exited $code"; cat "$scratch/np$ranks.err"; }
  n=$(grep -c 'MEDANON ANONYMIZE' "$scratch/np$ranks.out")
  [[ $n -eq 1 ]] || fail "np$ranks printed the summary $n times"
done

if $system_python -c "import h5py" 2>/dev/null; then
  for ranks in 1 2 4; do
    $system_python "$(dirname "$0")/h5_digest.py" "$scratch/out$ranks/medanon.h5" "$items" >"$scratch/digest$ranks" \
      || fail "np$ranks HDF5 check"
  done
  cmp -s "$scratch/digest1" "$scratch/digest2" || fail "1-rank and 2-rank HDF5 contents differ"
  cmp -s "$scratch/digest1" "$scratch/digest4" || fail "1-rank and 4-rank HDF5 contents differ"
else
  fail "Debian's python3-h5py is missing"
fi
h5dump -H "$scratch/out2/medanon.h5" >/dev/null || fail "h5dump cannot read the file"
# `inspect --audit` reads the file back (2 ranks open it collectively, rank 0 prints).
"${mpirun_cmd[@]}" -np 2 "$medanon" inspect --audit "$scratch/out2/medanon.h5" >"$scratch/inspect.out" 2>&1
code=$?
[[ $code -eq 0 || $code -eq 4 ]] || fail "inspect --audit exited $code"
grep -q "^$items of $items items" "$scratch/inspect.out" || fail "inspect --audit does not list every item"
[[ $(grep -cE '^ +[0-9]+  (ok|failed|rejected) ' "$scratch/inspect.out") -eq $items ]] || fail "inspect --audit: not one line per item"
# The run against the ground truth: every image and bad file found by its keyed path hash, every
# bad file failed or rejected as the corpus expects.
"$medanon" evaluate run --corpus "$scratch/corpus" --truth "$scratch/truth/ground_truth.json" \
  --audit "$scratch/out2/medanon.h5" --insecure-key --out "$scratch/evaluation.json" >"$scratch/evaluate.out" 2>&1 \
  || { fail "evaluate run exited $?"; tail -3 "$scratch/evaluate.out"; }
$system_python - "$scratch/evaluation.json" "$scratch/truth/ground_truth.json" <<'PY' || fail "evaluate run: not every item matched"
import json, sys
report, truth = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
assert report["images_matched"] == len(truth["images"]) and report["images_missing"] == 0, report
assert report["bad_files"] == len(truth["bad_files"]) == report["bad_files_as_expected"], report
PY
# Every raw-data write went through MPI-IO collectively (H5Pget_mpio_no_collective_cause == 0 on
# every rank, OR-ed over all writes), and the foreign-object stage filled masks and maps.
for ranks in 1 2 4; do
  $system_python - "$scratch/out$ranks/medanon.h5" <<'PY' || fail "np$ranks: collective writes / MAE columns"
import sys, h5py
with h5py.File(sys.argv[1], "r") as f:
    cause = int(f.attrs["no_collective_cause"])
    assert cause == 0, f"a write fell back to independent I/O (cause bits {cause:#x})"
    audit = f["audit"][:]
    ok = audit["status"] == 0
    assert ok.any(), "no item succeeded"
    assert (audit["mask_score"][ok] >= 0).all(), "an ok item has no mask_score"
    assert set(audit["anomaly"][ok].tolist()) <= {0, 1}, "an ok item has no anomaly decision"
    assert (f["anomaly_maps"][:][ok].max(axis=(1, 2)) > 0).all(), "an ok item has an empty anomaly map"
    assert (audit["seconds_mae"][ok] > 0).all(), "the MAE stage was not timed"
    import numpy as np  # the shipped calibration has statistics: every ok item has a z_peak
    assert np.isfinite(audit["z_peak"][ok]).all(), "an ok item has no z_peak"
PY
done

for ranks in 2 4; do
  diff -r -x .medanon -x medanon.h5 "$scratch/out1" "$scratch/out$ranks" >/dev/null \
    || fail "1-rank and $ranks-rank output files differ"
done

# No planted PHI string (names, IDs, dates, UIDs...) in any output name, log or the HDF5 file.
$system_python - "$scratch/truth/ground_truth.json" "$scratch/out2" <<'PY' || fail "PHI found in outputs"
import json, pathlib, sys
truth = json.loads(pathlib.Path(sys.argv[1]).read_text())
out = pathlib.Path(sys.argv[2])
secrets = set()
for image in truth["images"]:
    for key, value in image["phi"].items():
        # Free text ("Routine check for <name> MRN <id>") plants its identifying parts in the
        # name and ID fields too; its ordinary words ("check") are not secrets.
        if "Comments" in key or "Description" in key:
            continue
        for part in str(value).replace("^", " ").split():
            if len(part) >= 4:
                secrets.add(part)
    secrets.add(pathlib.PurePath(image["path"]).name)
import h5py
hits = []
for path in out.rglob("*"):
    rel = str(path.relative_to(out))
    hits += [f"name {rel}: {s}" for s in secrets if s in rel]
    if path.is_file() and (path.suffix == ".log" or path.name == "flushes"):
        data = path.read_text()
        hits += [f"{rel}: {s}" for s in secrets if s in data]
# Every text the HDF5 file holds: attributes and the string columns (binary maps are not text).
with h5py.File(out / "medanon.h5", "r") as f:
    texts = [str(v) for v in f.attrs.values()]
    audit = f["audit"][:]
    for column in ("input_hash", "output", "error", "gate"):
        texts += [v.decode() for v in audit[column]]
blob = "\n".join(texts)
hits += [f"medanon.h5: {s}" for s in secrets if s in blob]
assert not hits, "\n".join(hits[:20])
print(f"no PHI among {len(secrets)} planted strings")
PY

echo "mpi anonymize checks: $failures failed"
exit $((failures > 0))
