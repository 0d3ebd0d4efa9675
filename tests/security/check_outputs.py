#!/usr/bin/python3
"""check_outputs.py FOLDER: asserts the byte-level PHI rules of issue #16 on every DICOM output
under FOLDER (made from make_hostile.py inputs). Prints one FAIL line per violation; exit 1 if any."""
import os
import sys

import numpy as np
import pydicom

ORIGINAL_UIDS = ["1.2.3.4.5.6.7.8.9", "1.2.3.4.5.6.7.1", "1.2.3.4.5.6.7.2"]
failures = []


def check(path):
    raw = open(path, "rb").read()
    name = os.path.basename(path)
    if raw[:128] != b"\0" * 128:
        failures.append(f"{name}: the preamble is not zeros")
    for uid in ORIGINAL_UIDS:
        if uid.encode() in raw:
            failures.append(f"{name}: an original UID {uid} survives in the bytes")
    if b"pacs.example.org" in raw:
        failures.append(f"{name}: the planted RetrieveURL survives")
    ds = pydicom.dcmread(path)
    for element in ds.iterall():
        if element.tag.is_private and 0x0100 <= element.tag.element <= 0x0FFF:
            failures.append(f"{name}: private element {element.tag} outside any block survives")
        if element.VR == "UI" and isinstance(element.value, str) and element.value:
            for uid in str(element.value).split("\\"):
                if not (uid.startswith("2.25.") or uid.startswith("1.2.840.10008.")):
                    failures.append(f"{name}: {element.tag} keeps a UID that is neither hashed nor well known: {uid}")
    # Each date against its own planted value: shifted back by one day (one key in 3652), the
    # SeriesDate 20200316 becomes 20200315, the StudyDate's original, and is still shifted.
    for keyword, original in (("StudyDate", "20200315"), ("SeriesDate", "20200316")):
        if keyword in ds:
            value = ds[keyword].value  # bytes when the element is still UN
            text = value.decode("latin-1") if isinstance(value, bytes) else str(value)
            if text.strip(" \0") == original:
                failures.append(f"{name}: {keyword} kept its original value (VR {ds[keyword].VR})")
    if "PixelData" in ds and not ds.file_meta.TransferSyntaxUID.is_compressed and int(ds.BitsAllocated) >= 8:
        rows, columns = int(ds.Rows), int(ds.Columns)
        frames = int(getattr(ds, "NumberOfFrames", 1) or 1)
        needed = rows * columns * frames * int(ds.SamplesPerPixel) * (int(ds.BitsAllocated) // 8)
        if len(ds.PixelData) > needed + (needed % 2):
            failures.append(f"{name}: Pixel Data holds {len(ds.PixelData)} bytes, the image needs {needed}")
        if int(ds.BitsStored) < int(ds.BitsAllocated) and int(ds.BitsAllocated) == 16:
            values = np.frombuffer(ds.PixelData[:needed], dtype="<u2")
            high = int(ds.HighBit)
            mask = ((1 << int(ds.BitsStored)) - 1) << (high + 1 - int(ds.BitsStored))
            if np.any(values & ~np.uint16(mask)):
                failures.append(f"{name}: bits outside BitsStored are set (an overlay still draws)")


files = [os.path.join(root, f) for root, _, names in os.walk(sys.argv[1]) for f in names if f.endswith(".dcm")]
if len(sys.argv) > 2 and len(files) != int(sys.argv[2]):
    failures.append(f"expected {sys.argv[2]} outputs, found {len(files)}")
for path in files:
    check(path)
for failure in failures:
    print("FAIL:", failure)
sys.exit(1 if failures else 0)
