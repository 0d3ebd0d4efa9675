#!/usr/bin/env bash
# Regression fixtures from files no part of this project made: nibabel's MR DICOM test files
# (Debian python3-nibabel; odd scanner files: Siemens mosaic DWI with CSA headers, a Philips
# enhanced multi-frame MR, a header without pixels, a dataset without UIDs, JPEG 2000 with a
# malformed birth date). Checked: each file's outcome under `medanon deid` (alone) and
# `mpirun -np 2 medanon anonymize --no-mae` is the one nibabel_expected.tsv states, every refusal
# says why, dcmdump and pydicom read every output, dciodvfy finds no more errors in a deid
# output than in its input, and no byte of an output holds the input's patient name, ID or birth
# date (tests/archives/scan_planted_phi.py, the input's own values as the truth).
# Usage: test_nibabel_files.sh MEDANON SOURCE_DIR SCRATCH
set -uo pipefail
medanon=$1
source_dir=$2
scratch=$3
here="$source_dir/tests/archives"
source "$source_dir/tests/mpi/common.sh"
nibabel=/usr/lib/python3/dist-packages/nibabel
if [[ ! -d $nibabel/nicom/tests/data ]]; then
  echo "python3-nibabel's test files are not installed (apt-get install python3-nibabel)" >&2
  exit 1
fi
rm -rf "$scratch" && mkdir -p "$scratch/in"
printf 'medanon nibabel fixtures key 0123456789\n' > "$scratch/key" && chmod 600 "$scratch/key"
cp "$nibabel"/nicom/tests/data/*.dcm "$scratch/in/"
for f in "$nibabel"/nicom/tests/data/*.dcm.gz; do gunzip -c "$f" > "$scratch/in/$(basename "$f" .gz)"; done
cp "$nibabel/tests/data/0.dcm" "$scratch/in/tests_0.dcm"
mapfile -t files < <(find "$scratch/in" -type f | sort)
printf '%s\n' "${files[@]}" > "$scratch/list.txt"

# deid, each file alone (its output folder then holds exactly its output).
for file in "${files[@]}"; do
  name=$(basename "$file")
  "$medanon" deid --in "$file" --out "$scratch/deid/$name" --key "$scratch/key" > "$scratch/deid-$name.log" 2>&1
  code=$?
  # One file per run: 0 written, 5 refused (nothing succeeded, exit_codes.hpp); anything else is a bug.
  [[ $code == 0 || $code == 5 ]] || fail "deid $name exited $code"
  if [[ $code == 0 ]]; then outcome=ok; else outcome=rejected; fi
  printf '%s\t%s\t%s\n' "$name" "$outcome" "$(grep 'medanon error' "$scratch/deid-$name.log" | head -1)" >> "$scratch/deid.tsv"
done
"${mpirun_cmd[@]}" -np 2 "$medanon" anonymize --file-list "$scratch/list.txt" --out "$scratch/anon" --key "$scratch/key" \
  --no-mae > "$scratch/anon.log" 2>&1
code=$?
[[ $code == 0 || $code == 4 ]] || { fail "anonymize exited $code"; tail -20 "$scratch/anon.log"; }
"$medanon" inspect --audit "$scratch/anon/medanon.h5" > "$scratch/audit.txt" 2>&1
code=$?  # 4: the audit holds failed items (exit_codes.hpp)
[[ $code == 0 || $code == 4 ]] || fail "inspect --audit exited $code"

$system_python - "$here/nibabel_expected.tsv" "$scratch" <<'PY' || fail "outcomes, read-back or PHI bytes (above)"
import json, os, re, subprocess, sys, warnings
import pydicom
expected_path, scratch = sys.argv[1:3]
expected = {}
for line in open(expected_path):
    if line.startswith("#") or line.startswith("file\t"): continue
    name, deid, anon, why = line.rstrip("\n").split("\t")
    expected[name] = (deid.split("|"), anon.split("|"), why)
files = [l.strip() for l in open(f"{scratch}/list.txt")]
deid = {n: (o, r) for n, o, r in (l.rstrip("\n").split("\t") for l in open(f"{scratch}/deid.tsv"))}
# The audit table: "item status gate ... output / reason", items in list order.
anon = {}
for line in open(f"{scratch}/audit.txt"):
    m = re.match(r"\s+(\d+)\s+(ok|failed|rejected)\s+\S+(?:\s+\S+){5}\s+(.*)$", line)
    if m: anon[os.path.basename(files[int(m.group(1))])] = (m.group(2), m.group(3))
problems = []
names = sorted(os.path.basename(f) for f in files)
if sorted(expected) != names: problems.append(f"table {sorted(expected)} != files {names}")
for name in names:
    want_deid, want_anon, why = expected.get(name, ([], [], ""))
    d, a = deid.get(name, ("-", "")), anon.get(name, ("-", ""))
    if d[0] not in want_deid or a[0] not in want_anon:
        problems.append(f"{name}: deid {d[0]} (want {'|'.join(want_deid)}) {d[1]}; anonymize {a[0]} "
                        f"(want {'|'.join(want_anon)}) {a[1]}  [table: {why}]")
    if d[0] != "ok" and "deid:" not in d[1]: problems.append(f"{name}: deid refused without a reason")
    if a[0] != "ok" and not a[1].strip(): problems.append(f"{name}: anonymize refused without a reason")
# Outputs: readable, no identifying value of their input, dciodvfy no worse (deid).
def errors(path):
    out = subprocess.run(["dciodvfy", path], capture_output=True, text=True, errors="replace")
    return sum(1 for l in (out.stdout + out.stderr).splitlines() if l.startswith("Error"))
truth, outputs = [], []
for name in names:
    src = pydicom.dcmread(f"{scratch}/in/{name}", force=True)
    pn = str(src.get("PatientName", "") or "")
    parts = pn.split("^") + [""]
    truth.append({"path": name, "family_name": parts[0], "given_name": parts[1],
                  "patient_id": str(src.get("PatientID", "") or ""), "birth_date": str(src.get("PatientBirthDate", "") or "")})
    for root, _, fs in os.walk(f"{scratch}/deid/{name}"):
        for f in fs:
            if f.startswith("."): continue
            out = os.path.join(root, f)
            outputs.append(out)
            a, b = errors(f"{scratch}/in/{name}"), errors(out)
            print(f"dciodvfy {name}: {a} -> {b}")
            if b > a: problems.append(f"{name}: dciodvfy errors {a} -> {b}")
for root, _, fs in os.walk(f"{scratch}/anon/dicom"):
    outputs += [os.path.join(root, f) for f in fs if not f.startswith(".")]
# Placeholders identify nobody and the profile writes some of them itself.
truth = [t for t in truth if t["family_name"].upper() not in ("", "ANON", "ANONYMOUS")]
json.dump(truth, open(f"{scratch}/truth.json", "w"))
for out in outputs:
    for cmd in (["dcmdump", "-q", out],):
        if subprocess.run(cmd, capture_output=True).returncode != 0: problems.append(f"dcmdump cannot read {out}")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            pydicom.dcmread(out)
    except Exception as e:
        problems.append(f"pydicom cannot read {out}: {e}")
scan = subprocess.run([sys.executable, f"{os.path.dirname(expected_path)}/scan_planted_phi.py", f"{scratch}/truth.json"] + outputs,
                      capture_output=True, text=True)
if scan.returncode != 0: problems.append("identifying values in outputs:\n" + scan.stdout[:3000])
print(f"{len(outputs)} outputs read back and scanned; deid ok {sum(v[0] == 'ok' for v in deid.values())}, "
      f"anonymize ok {sum(v[0] == 'ok' for v in anon.values())} of {len(names)}")
for p in problems: print("FAIL:", p)
sys.exit(1 if problems else 0)
PY
[[ $failures -eq 0 ]] && echo "PASS" || { echo "$failures failures"; exit 1; }
