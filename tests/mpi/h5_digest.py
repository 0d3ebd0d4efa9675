"""Prints a digest of a medanon HDF5 audit file that ignores what legitimately differs between
runs with different world sizes or attempts (row order, rank, attempt, timings), so that two
runs over the same input can be compared for equality. Also checks exactly-once."""
import hashlib
import sys

import h5py
import numpy as np

IGNORED = {"rank", "attempt", "first_box"}

with h5py.File(sys.argv[1], "r") as f:
    audit = f["audit"][:]
    items = audit["item"]
    assert len(set(items.tolist())) == len(items), "an item appears twice in /audit"
    if len(sys.argv) > 2:
        expected = int(sys.argv[2])
        assert sorted(items.tolist()) == list(range(expected)), f"items {sorted(items.tolist())} != 0..{expected - 1}"
    order = np.argsort(items)
    digest = hashlib.sha256()
    for name in audit.dtype.names:
        if name in IGNORED or name.startswith("seconds_"):
            continue
        digest.update(name.encode())
        digest.update(np.ascontiguousarray(audit[name][order]).tobytes())
    boxes = f["text_boxes"][:]
    digest.update(np.sort(boxes, order=["item", "x", "y"]).tobytes())
    digest.update(np.ascontiguousarray(f["masks"][:][order]).tobytes())
    digest.update(np.ascontiguousarray(f["anomaly_maps"][:][order]).tobytes())
    assert f.attrs["format"] == b"medanon-audit-1" or f.attrs["format"] == "medanon-audit-1"
    print(len(items), digest.hexdigest())
