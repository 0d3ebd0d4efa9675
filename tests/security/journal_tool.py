#!/usr/bin/python3
"""journal_tool.py OUT ATTEMPT RANK ITEM STATUS RETRYABLE PATH [KEYFILE]: appends one framed
record to <OUT>/.medanon/journal/attempt-<ATTEMPT>.rank-<RANK>.bin, as a rank of medanon would
(audit/journal.cpp: "MDJ1", length, CRC-32, JSON + empty mask and map). STATUS: 0 ok, 1 failed,
2 rejected, 3 claimed. The input hash is HMAC-SHA256(key, "path:" + PATH)[:32 hex], with the
public demo key (32 x 0x5A) unless KEYFILE is given. Used to build the journal states a crash or
a transient failure leaves, which cannot be provoked on demand."""
import hashlib
import hmac
import json
import os
import struct
import sys
import zlib

out, attempt, rank, item, status, retryable, path = sys.argv[1:8]
key = open(sys.argv[8], "rb").read() if len(sys.argv) > 8 else bytes([0x5A]) * 32
record = {
    "item": int(item), "input_hash": hmac.new(key, b"path:" + os.fsencode(path), hashlib.sha256).hexdigest()[:32],
    "output": "", "status": int(status), "error": "made by journal_tool.py" if int(status) == 1 else "",
    "rank": int(rank), "attempt": int(attempt), "seconds": [0.0] * 6, "tags_changed": 0, "text": [0, 0, 0],
    "mask_score": -1.0, "anomaly": -1, "gate": "", "boxes": [],
}
if retryable == "1":
    record["retryable"] = True
text = json.dumps(record).encode()
payload = struct.pack("<I", len(text)) + text + struct.pack("<I", 0) + struct.pack("<I", 0)
frame = b"MDJ1" + struct.pack("<II", len(payload), zlib.crc32(payload) & 0xFFFFFFFF) + payload
folder = os.path.join(out, ".medanon", "journal")
os.makedirs(folder, exist_ok=True)
with open(os.path.join(folder, f"attempt-{attempt}.rank-{rank}.bin"), "ab") as journal:
    journal.write(frame)
