#!/usr/bin/env bash
# Regression fixtures from files no part of this project made: every file of Debian's
# python3-pydicom test set goes through `medanon deid` and `medanon anonymize --no-mae` under
# mpirun (2 ranks). Checked: each file's outcome is the one tests/archives/pydicom_expected.tsv
# states (with the reason), neither command crashes, every refusal says why, no output is
# overwritten by another input of the same SOP Instance UID (each such input is also run alone, so
# its own decoding is checked too), a second deid run over the same
# output (as after a crash) finds every instance already written and changes nothing, and
# dcmdump and pydicom read every output.
# Usage: test_pydicom_files.sh MEDANON SOURCE_DIR SCRATCH
set -euo pipefail
medanon=$1
source_dir=$2
scratch=$3
data=/usr/lib/python3/dist-packages/pydicom/data
if [[ ! -d $data/test_files ]]; then
  echo "python3-pydicom's test files are not installed (scripts/install-deps.sh installs them)" >&2
  exit 1
fi
rm -rf "$scratch" && mkdir -p "$scratch"
bash "$source_dir/tests/archives/run_pydicom_files.sh" "$medanon" "$scratch/run" "$data" > "$scratch/outcomes.tsv"

# Exit codes: 0 all ok, 4 some items failed (exit_codes.hpp); anything else is a crash or a bug.
while read -r command word code; do
  [[ $code == 0 || $code == 4 ]] || { echo "FAIL: $command exited $code"; cat "$scratch/run/$command.err" | tail -20; exit 1; }
done < "$scratch/run/exits"

/usr/bin/python3 - "$source_dir/tests/archives/pydicom_expected.tsv" "$scratch/outcomes.tsv" "$scratch/run" <<'PY'
import sys, os, subprocess, warnings
import pydicom
expected_path, outcomes_path, run = sys.argv[1:4]
expected = {}
for line in open(expected_path):
    if line.startswith("#") or line.startswith("file\t"): continue
    path, deid, anon, alone, why = line.rstrip("\n").split("\t")
    expected[path] = (deid.split("|"), anon.split("|"), alone.split("|"), why)
got = {}
for line in open(outcomes_path):
    path, deid, anon, alone, reason = (line.rstrip("\n").split("\t") + [""])[:5]
    got[path] = (deid, anon, alone, reason)
problems = []
if set(expected) != set(got):
    problems.append(f"files not in the table: {sorted(set(got) - set(expected))}; "
                    f"in the table but not found: {sorted(set(expected) - set(got))}")
for path in sorted(set(expected) & set(got)):
    want_deid, want_anon, want_alone, why = expected[path]
    deid, anon, alone, reason = got[path]
    if deid not in want_deid or anon not in want_anon or alone not in want_alone:
        problems.append(f"{path}: deid {deid} (want {'|'.join(want_deid)}), anonymize {anon} "
                        f"(want {'|'.join(want_anon)}), alone {alone} (want {'|'.join(want_alone)}): {reason}  "
                        f"[table: {why}]")
    if (deid != "ok" or anon not in ("ok",)) and not reason:
        problems.append(f"{path}: refused without a reason")

# Outputs: as many DICOM files as inputs written, each readable by dcmdump and pydicom.
written_deid = sum(1 for v in got.values() if v[0] == "ok")
written_anon = sum(1 for v in got.values() if v[1] == "ok")
for folder, count in ((f"{run}/deid", written_deid), (f"{run}/anon/dicom", written_anon)):
    # Dot-files are medanon's own bookkeeping (the lock on --out, the run identity), not outputs.
    files = [os.path.join(d, f) for d, _, fs in os.walk(folder) for f in fs
             if not any(part.startswith(".") for part in os.path.relpath(os.path.join(d, f), folder).split(os.sep))]
    # Identical inputs (same SOP Instance, same bytes out) count as written once.
    if len(files) > count:
        problems.append(f"{folder}: {len(files)} files for {count} inputs reported written")
    for f in files:
        if f.endswith(".tmp") or ".tmp." in f:
            problems.append(f"temporary file left: {f}")
            continue
        dump = subprocess.run(["dcmdump", "-q", f], capture_output=True, text=True)
        if dump.returncode != 0 or "E:" in dump.stderr:
            problems.append(f"dcmdump cannot read {f}: {dump.stderr.strip()[:200]}")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                ds = pydicom.dcmread(f)
                ds.SOPInstanceUID
                if os.path.basename(f) != ds.SOPInstanceUID + ".dcm":
                    problems.append(f"{f}: named after another instance ({ds.SOPInstanceUID})")
            except Exception as e:
                problems.append(f"pydicom cannot read {f}: {e}")
# Pixel data the pixel stage did not redact is written back byte for byte, whatever the syntax.
import h5py
listing = open(f"{run}/files.txt").read().split()
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    for r in h5py.File(f"{run}/anon/medanon.h5", "r")["audit"][:]:
        if r["status"] != 0 or r["text_redacted"] != 0: continue
        source = pydicom.dcmread(listing[int(r["item"])], force=True)
        output = pydicom.dcmread(f"{run}/anon/{r['output'].decode()}")
        before, after = getattr(source, "PixelData", None), getattr(output, "PixelData", None)
        if before is not None and not source.file_meta.TransferSyntaxUID.is_compressed:
            # issue #16: Pixel Data longer than the image is cut, bits above HighBit are zeroed
            # (they can draw an overlay); the image's own bits stay byte for byte.
            import numpy as np
            try:
                frames = int(getattr(source, "NumberOfFrames", 1) or 1)
            except (TypeError, ValueError):  # pydicom's deliberately malformed values
                frames = 1
            needed = source.Rows * source.Columns * source.SamplesPerPixel * frames * source.BitsAllocated // 8
            before = before[:needed]
            if source.BitsAllocated in (8, 16) and source.HighBit + 1 < source.BitsAllocated:
                dtype = np.uint8 if source.BitsAllocated == 8 else (">u2" if not source.file_meta.TransferSyntaxUID.is_little_endian else "<u2")
                values = np.frombuffer(before[: len(before) // np.dtype(dtype).itemsize * np.dtype(dtype).itemsize], dtype=dtype)
                before = (values & ((1 << (source.HighBit + 1)) - 1)).astype(dtype).tobytes()
        if before != after:
            problems.append(f"{listing[int(r['item'])]}: pixel data changed though nothing was redacted")
counts = {}
for deid, anon, _, _ in got.values():
    counts[("deid", deid)] = counts.get(("deid", deid), 0) + 1
    counts[("anonymize", anon)] = counts.get(("anonymize", anon), 0) + 1
print("outcomes:", ", ".join(f"{c} {o}={n}" for (c, o), n in sorted(counts.items())))
if problems:
    print("FAIL:\n  " + "\n  ".join(problems))
    sys.exit(1)
PY

# A rerun into the same output (a resumed job re-processing its items) finds every instance
# written with the same bytes: nothing changes, nothing becomes a duplicate of itself.
before=$(cd "$scratch/run/deid" && find . -type f -print0 | sort -z | xargs -0 sha256sum | sha256sum)
mapfile -t files < "$scratch/run/files.txt"
"$medanon" deid --in "${files[@]}" --out "$scratch/run/deid" --key "$scratch/run/key" > /dev/null 2> "$scratch/rerun.err" || true
after=$(cd "$scratch/run/deid" && find . -type f -print0 | sort -z | xargs -0 sha256sum | sha256sum)
[[ $before == "$after" ]] || { echo "FAIL: a second deid run changed the outputs"; exit 1; }
first_dups=$(grep -c "duplicate" "$scratch/run/deid.err" || true)
second_dups=$(grep -c "duplicate" "$scratch/rerun.err" || true)
[[ $first_dups == "$second_dups" ]] || { echo "FAIL: rerun found $second_dups duplicates, first run $first_dups"; exit 1; }
echo "PASS: pydicom test set as tabled; rerun unchanged ($first_dups duplicates both times)"
