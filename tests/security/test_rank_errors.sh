#!/usr/bin/env bash
# Ranks never deadlock on an error only some of them meet (issue #16): with 2 ranks where only
# rank 1 could not read the key (a node-local path), both used to hang with stderr empty. The
# key is now read by rank 0 and broadcast; the tables are read by every rank, and a rank that
# cannot prints its own error before every rank stops together. Real mpirun, MPMD command lines
# (a different path per rank, as a node-local file would be). Also: an item that kills its rank
# twice (a real SIGKILL while it is being processed, twice) is failed on the third attempt.
set -u
medanon=$1; source_dir=$2; scratch=$3
source "$(dirname "$0")/common.sh"
rm -rf "$scratch"; mkdir -p "$scratch/in"
hostile plain_png "$scratch/in/a.png"; hostile plain_png "$scratch/in/b.png"
new_key "$scratch/key"
common=(anonymize --input "$scratch/in" --no-mae --no-text)

# Rank 1's key path does not exist on "its node": the job runs (rank 0 reads the key).
timeout 60 "${mpirun_cmd[@]}" -np 1 "$medanon" "${common[@]}" --out "$scratch/k1" --key "$scratch/key" \
  : -np 1 "$medanon" "${common[@]}" --out "$scratch/k1" --key "$scratch/missing.key" >"$scratch/k1.log" 2>&1
code=$?
[[ $code -ne 124 ]] || fail "rank 1 without the key: the job hung"
[[ $code -eq 0 ]] || { fail "rank 1 without the key: exit $code, expected 0"; tail -5 "$scratch/k1.log"; }

# Rank 0's key path does not exist: every rank stops with exit 2 and the error is printed.
timeout 60 "${mpirun_cmd[@]}" -np 1 "$medanon" "${common[@]}" --out "$scratch/k0" --key "$scratch/missing.key" \
  : -np 1 "$medanon" "${common[@]}" --out "$scratch/k0" --key "$scratch/key" >"$scratch/k0.log" 2>&1
code=$?
[[ $code -ne 124 ]] || fail "rank 0 without the key: the job hung"
[[ $code -eq 2 ]] || fail "rank 0 without the key: exit $code, expected 2"
grep -q "does not exist" "$scratch/k0.log" || fail "rank 0 without the key: the error is not printed"

# Rank 1 cannot read the de-identification tables: it prints why, both stop, nobody hangs.
mkdir -p "$scratch/empty-configs"
timeout 60 "${mpirun_cmd[@]}" -np 1 "$medanon" "${common[@]}" --out "$scratch/t1" --key "$scratch/key" \
  : -np 1 "$medanon" "${common[@]}" --out "$scratch/t1" --key "$scratch/key" --configs-dir "$scratch/empty-configs" \
  >"$scratch/t1.log" 2>&1
code=$?
[[ $code -ne 124 ]] || fail "rank 1 without tables: the job hung"
[[ $code -ne 0 ]] || fail "rank 1 without tables: the job claims success"
grep -q "rank 1" "$scratch/t1.log" || fail "rank 1 without tables: rank 1 did not print its error"
grep -q "failed on 1 of 2 rank" "$scratch/t1.log" || fail "rank 1 without tables: no job-level message"

# An item that kills its rank: SIGKILL the process the moment it has claimed the slow item.
mkdir -p "$scratch/slow"
$system_python - "$scratch/slow/big.png" <<'PY'
import struct, sys, zlib, os
side = 6000
def chunk(kind, payload):
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))
noise = os.urandom(side * side)
rows = b"".join(b"\0" + noise[y * side:(y + 1) * side] for y in range(side))
with open(sys.argv[1], "wb") as out:
    out.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)) +
              chunk(b"IDAT", zlib.compress(rows, 1)) + chunk(b"IEND", b""))
PY
for attempt in 0 1; do
  "$medanon" anonymize --input "$scratch/slow" --out "$scratch/slow-out" --insecure-key --no-mae --no-text \
    >"$scratch/slow$attempt.log" 2>&1 &
  pid=$!
  journal="$scratch/slow-out/.medanon/journal/attempt-$attempt.rank-0.bin"
  # Until the claim is journaled (start-up takes seconds on a loaded machine), at most 120 s.
  deadline=$((SECONDS + 120))
  while ((SECONDS < deadline)); do [[ -s $journal ]] && break; kill -0 $pid 2>/dev/null || break; sleep 0.002; done
  kill -9 $pid 2>/dev/null; wait $pid 2>/dev/null
  [[ -s $journal ]] || fail "attempt $attempt: no claim was journaled before the item ran"
done
"$medanon" anonymize --input "$scratch/slow" --out "$scratch/slow-out" --insecure-key --no-mae --no-text \
  >"$scratch/slow2.log" 2>&1
code=$?
[[ $code -eq 5 ]] || fail "third attempt after two kills: exit $code, expected 5 (its only item failed)"
audit_strings "$scratch/slow-out/medanon.h5" | grep -q "ended its rank in 2 attempts" \
  || fail "the item that killed its rank twice has no failed record"

finish "rank error checks"
