#!/usr/bin/env bash
# Runs `medanon deid` (one process, header stage) and `medanon anonymize --no-mae` (2 ranks,
# pixel + header stages) over every file of python3-pydicom's test set and prints one line per
# file: "<relative path>\t<deid outcome>\t<anonymize outcome>\t<alone>\t<reason>", outcome ok |
# rejected | failed | duplicate; <alone> is the anonymize outcome of a file run on its own (for the
# inputs that were duplicates of another file, so their own decoding is shown too), else "-". Usage: run_pydicom_files.sh MEDANON WORKDIR [FILES_ROOT]
# Used by test_pydicom_files.sh and to measure before/after (docs/archives.md).
set -uo pipefail
medanon=$1
work=$2
root=${3:-/usr/lib/python3/dist-packages/pydicom/data}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
rm -rf "$work" && mkdir -p "$work"
# Every file under test_files/ and charset_files/ except pydicom's own notes, JSON and dumps.
(cd "$root" && find test_files charset_files -type f ! -name '*.py' ! -name '*.txt' ! -name '*.json' ! -name '*.dump' \
   ! -name '*.gz' | LC_ALL=C sort) > "$work/relative.txt"
sed "s|^|$root/|" "$work/relative.txt" > "$work/files.txt"
printf 'medanon archive test key 0123456789abcdef\n' > "$work/key" && chmod 600 "$work/key"

# deid: every file on its own command line; with --log-input-names the log names the file of each rejection.
mapfile -t files < "$work/files.txt"
"$medanon" deid --log-input-names --in "${files[@]}" --out "$work/deid" --key "$work/key" > "$work/deid.out" 2> "$work/deid.err"
echo "deid exit $?" > "$work/exits"

# anonymize: the list keeps its order, so item i is line i of files.txt.
mpirun -np 2 "$medanon" anonymize --file-list "$work/files.txt" --out "$work/anon" --key "$work/key" --no-mae \
  > "$work/anon.out" 2> "$work/anon.err"
echo "anonymize exit $?" >> "$work/exits"
"$medanon" inspect --audit "$work/anon/medanon.h5" > "$work/audit.txt" 2>&1

/usr/bin/python3 - "$work" "$medanon" <<'PY'
import re, sys
work = sys.argv[1]
rel = open(f"{work}/relative.txt").read().split("\n")[:-1]
full = open(f"{work}/files.txt").read().split("\n")[:-1]
deid = {}
for line in open(f"{work}/deid.err", errors="replace"):
    for f in full:
        marker = f"deid: {f}: "
        if marker in line and "warn:" not in line.split(marker, 1)[0]:
            reason = line.split(marker, 1)[1].strip()
            deid[f] = ("duplicate" if reason.startswith("duplicate") else "rejected", reason)
anon = {}
for line in open(f"{work}/audit.txt", errors="replace"):
    m = re.match(r"\s*(\d+)\s+(\S+)\s+(\S+)\s+(?:\S+\s+){6}(.*)$", line)
    if m:
        status, rest = m.group(2), m.group(4).strip()
        if status == "rejected" and rest.startswith("duplicate"): status = "duplicate"
        anon[int(m.group(1))] = (status, "" if status == "ok" else rest)
import os, subprocess
def alone(i, f):
    folder = f"{work}/alone/{i}"
    os.makedirs(folder, exist_ok=True)
    open(f"{folder}/list", "w").write(f + "\n")
    # Through mpirun like the 2-rank run: a singleton start-up failed once under a loaded CI machine
    # (no audit row, no message), so a missing row now says how the run ended.
    run = subprocess.run(["mpirun", "-np", "1", medanon, "anonymize", "--file-list", f"{folder}/list", "--out",
                          f"{folder}/out", "--key", f"{work}/key", "--no-mae"], capture_output=True, text=True,
                         errors="replace")
    audit = subprocess.run([medanon, "inspect", "--audit", f"{folder}/out/medanon.h5"], capture_output=True, text=True)
    for line in audit.stdout.splitlines():
        m = re.match(r"\s*0\s+(\S+)\s+\S+\s+(?:\S+\s+){6}(.*)$", line)
        if m: return m.group(1), ("" if m.group(1) == "ok" else m.group(2).strip())
    last = (run.stderr.strip().splitlines() or ["no stderr"])[-1]
    return "missing", f"no audit row: anonymize exited {run.returncode}: {last}"
medanon = sys.argv[2]
for i, (r, f) in enumerate(zip(rel, full)):
    d = deid.get(f, ("ok", ""))
    a = anon.get(i, ("missing", ""))
    single, single_reason = ("-", "")
    if "duplicate" in (d[0], a[0]): single, single_reason = alone(i, f)
    reason = d[1] or a[1]
    if single not in ("-", "ok") and single_reason: reason += " | alone: " + single_reason
    print(f"{r}\t{d[0]}\t{a[0]}\t{single}\t{reason}")
PY
