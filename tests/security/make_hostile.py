#!/usr/bin/python3
"""Builds the hostile inputs of issue #16, one per call: make_hostile.py KIND OUTPUT.

Each file is a small, otherwise valid DICOM (or PNG) image that carries one attack: a UID that
walks out of --out, PHI hidden in bytes the header rules never look at, or a structure meant to
crash, hang or exhaust a rank. The PHI planted everywhere is the same few strings (PHI below), so
the tests can grep whole output trees, logs and audits for them.
"""
import struct
import sys
import zlib

import numpy as np
from pydicom.dataset import Dataset, FileDataset, FileMetaDataset
from pydicom.sequence import Sequence
from pydicom.tag import Tag
from pydicom.uid import ExplicitVRLittleEndian, RLELossless

PHI = ["DOE^JOHN", "MRN123456", "19600101"]
SECONDARY_CAPTURE = "1.2.840.10008.5.1.4.1.1.7"
INSTANCE = "0"  # per kind (set below): every hostile file is its own instance


def base(rows=64, columns=64, bits_allocated=16, bits_stored=16, syntax=ExplicitVRLittleEndian):
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = SECONDARY_CAPTURE
    meta.MediaStorageSOPInstanceUID = "1.2.3.4.5.6.7.8.9." + INSTANCE
    meta.TransferSyntaxUID = syntax
    ds = FileDataset(None, {}, file_meta=meta, preamble=b"\0" * 128)
    ds.SOPClassUID = SECONDARY_CAPTURE
    ds.SOPInstanceUID = "1.2.3.4.5.6.7.8.9." + INSTANCE
    ds.StudyInstanceUID = "1.2.3.4.5.6.7.1." + INSTANCE
    ds.SeriesInstanceUID = "1.2.3.4.5.6.7.2." + INSTANCE
    ds.PatientName = "DOE^JOHN"
    ds.PatientID = "MRN123456"
    ds.PatientBirthDate = "19600101"
    ds.StudyDate = "20200315"
    ds.Modality = "OT"
    ds.Rows, ds.Columns = rows, columns
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.BitsAllocated, ds.BitsStored, ds.HighBit = bits_allocated, bits_stored, bits_stored - 1
    ds.PixelRepresentation = 0
    dtype = np.uint16 if bits_allocated == 16 else np.uint8
    ramp = (np.arange(rows * columns) % (1 << bits_stored)).astype(dtype).reshape(rows, columns)
    ds.PixelData = ramp.tobytes()
    ds.is_little_endian, ds.is_implicit_VR = True, False
    return ds


def escape_uid(path):
    ds = base()
    escaping = "1.2.840.10008.1/../../../../ESCAPED"
    ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPInstanceUID = escaping
    ds.StudyInstanceUID = "1.2.840.10008.1/../../.."
    ds.save_as(path, write_like_original=False)


def invalid_uid(path):  # --retain-uids keeps it: the folder name would be "1..2/x"
    ds = base()
    ds.SeriesInstanceUID = "1..2"
    ds.save_as(path, write_like_original=False)


def overlay_bits(path):
    # PS3.5 8.1.2 (retired): an overlay drawn in bit 15 of 12-bit stored pixels.
    ds = base(bits_stored=12)
    pixels = np.frombuffer(ds.PixelData, dtype=np.uint16).reshape(64, 64).copy()
    pixels[10:20, 5:60] |= 0x8000
    ds.PixelData = pixels.tobytes()
    ds.add_new(0x60000010, "US", 64)
    ds.add_new(0x60000011, "US", 64)
    ds.add_new(0x60000040, "CS", "G")
    ds.add_new(0x60000050, "SS", [1, 1])
    ds.add_new(0x60000100, "US", 16)
    ds.add_new(0x60000102, "US", 15)
    ds.save_as(path, write_like_original=False)


def long_pixel_data(path):
    ds = base(bits_allocated=8, bits_stored=8)
    tail = b"PATIENT DOE^JOHN MRN123456 DOB 19600101"
    ds.PixelData = ds.PixelData + tail + b"\0" * (len(tail) % 2)
    ds.save_as(path, write_like_original=False)


def private_block(path):
    ds = base()
    ds.add_new(0x00090010, "LO", "ACME 1.0")
    ds.add_new(0x00090100, "LO", "DOE^JOHN MRN123456")  # (gggg,0100-0FFF): no block owns it
    ds.add_new(0x00091001, "LO", "DOE^JOHN")
    ds.save_as(path, write_like_original=False)


def un_dates(path):
    # Explicit VR "UN" (PS3.5 6.2.2) for known date attributes: pydicom would write DA, so the
    # element headers are rewritten in the bytes (UN has a 4-byte length after 2 reserved bytes).
    ds = base()
    ds.SeriesDate = "20200316"
    ds.save_as(path, write_like_original=False)
    data = open(path, "rb").read()
    for group, element in ((0x0008, 0x0020), (0x0008, 0x0021), (0x0010, 0x0030)):
        da = struct.pack("<HH", group, element) + b"DA" + struct.pack("<H", 8)
        un = struct.pack("<HH", group, element) + b"UN\0\0" + struct.pack("<I", 8)
        assert data.count(da) == 1, (group, element)
        data = data.replace(da, un)
    open(path, "wb").write(data)


def free_text_sequences(path):
    ds = base()
    content = Dataset()
    content.ValueType = "TEXT"
    content.TextValue = "Patient John Doe MRN123456 seen today"
    ds.ContentSequence = Sequence([content])
    text_object = Dataset()
    text_object.UnformattedTextValue = "DOE^JOHN MRN123456 DOB 19600101"
    text_object.BoundingBoxAnnotationUnits = "PIXEL"
    annotation = Dataset()
    annotation.GraphicLayer = "LAYER"
    annotation.TextObjectSequence = Sequence([text_object])
    ds.GraphicAnnotationSequence = Sequence([annotation])
    ds.save_as(path, write_like_original=False)


def preamble(path):
    ds = base()
    ds.preamble = b"PATIENT DOE^JOHN MRN123456 DOB 19600101".ljust(128, b" ")
    ds.save_as(path, write_like_original=False)


def unlisted_uids(path):
    ds = base()
    ds.add_new(0x00081167, "UI", ds.SOPInstanceUID)  # Multi-frame Source SOP Instance UID
    ds.add_new(0x00200242, "UI", ds.SOPInstanceUID)  # SOP Instance UID of Concatenation Source
    ds.add_new(0x00081190, "UR", "https://pacs.example.org/studies/MRN123456")  # Retrieve URL
    ds.save_as(path, write_like_original=False)


def deep_nesting(path, depth=100000):
    ds = base()
    ds.save_as(path, write_like_original=False)
    data = open(path, "rb").read()
    pixel_tag = b"\xe0\x7f\x10\x00"
    at = data.rindex(pixel_tag)
    open_one = struct.pack("<HH", 0x0040, 0xA730) + b"SQ\0\0" + b"\xff\xff\xff\xff" + \
        struct.pack("<HHI", 0xFFFE, 0xE000, 0xFFFFFFFF)
    close_one = struct.pack("<HHI", 0xFFFE, 0xE00D, 0) + struct.pack("<HHI", 0xFFFE, 0xE0DD, 0)
    open(path, "wb").write(data[:at] + open_one * depth + close_one * depth + data[at:])


def deep_nesting_deflated(path, depth=100000):
    # The same nesting inside a deflated dataset (PS3.5 A.5): DCMTK inflates, then recurses.
    from io import BytesIO
    from pydicom.filewriter import write_dataset, write_file_meta_info
    from pydicom.uid import DeflatedExplicitVRLittleEndian
    ds = base()
    ds.file_meta.TransferSyntaxUID = DeflatedExplicitVRLittleEndian
    body = BytesIO()
    write_dataset(pydicom_buffer(body), ds)
    data = body.getvalue()
    at = data.rindex(b"\xe0\x7f\x10\x00")
    open_one = struct.pack("<HH", 0x0040, 0xA730) + b"SQ\0\0" + b"\xff\xff\xff\xff" + \
        struct.pack("<HHI", 0xFFFE, 0xE000, 0xFFFFFFFF)
    close_one = struct.pack("<HHI", 0xFFFE, 0xE00D, 0) + struct.pack("<HHI", 0xFFFE, 0xE0DD, 0)
    data = data[:at] + open_one * depth + close_one * depth + data[at:]
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    meta = BytesIO()
    write_file_meta_info(pydicom_buffer(meta), ds.file_meta)
    with open(path, "wb") as out:
        out.write(b"\0" * 128 + b"DICM" + meta.getvalue() + compressor.compress(data) + compressor.flush())


def pydicom_buffer(buffer):
    from pydicom.filebase import DicomFileLike
    fp = DicomFileLike(buffer)
    fp.is_little_endian, fp.is_implicit_VR = True, False
    return fp


def rle_bomb(path, side=20000):
    # A header that promises side x side 16-bit pixels, and a few bytes of RLE stream.
    ds = base(rows=side, columns=side)
    ds.file_meta.TransferSyntaxUID = RLELossless
    header = struct.pack("<16I", 2, 64, 64 + 4, *([0] * 13))
    stream = header + b"\x81\x00\x00\x00" + b"\x81\x00\x00\x00"
    from pydicom.encaps import encapsulate
    ds.PixelData = encapsulate([stream])
    ds["PixelData"].is_undefined_length = True
    ds["PixelData"].VR = "OB"
    ds.save_as(path, write_like_original=False)


def png_bomb(path, side=20000):
    def chunk(kind, payload):
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))
    row = b"\0" + b"\0" * ((side + 7) // 8)  # 1-bit grey: OpenCV decodes it to 8 bits per pixel
    compressor = zlib.compressobj(9)
    idat = b"".join(compressor.compress(row) for _ in range(side)) + compressor.flush()
    ihdr = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    with open(path, "wb") as out:
        out.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b""))


def plain_png(path, side=64):
    def chunk(kind, payload):
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))
    rows = b"".join(b"\0" + bytes((x * 3 + y) % 256 for x in range(side)) for y in range(side))
    ihdr = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)
    with open(path, "wb") as out:
        out.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(rows)) +
                  chunk(b"IEND", b""))


def plain_dicom(path):
    base().save_as(path, write_like_original=False)


KINDS = {f.__name__: f for f in [escape_uid, invalid_uid, overlay_bits, long_pixel_data, private_block, un_dates,
                                 free_text_sequences, preamble, unlisted_uids, deep_nesting, deep_nesting_deflated, rle_bomb, png_bomb,
                                 plain_png, plain_dicom]}

if __name__ == "__main__":
    INSTANCE = str(zlib.crc32(sys.argv[1].encode()))
    KINDS[sys.argv[1]](sys.argv[2] if len(sys.argv) < 4 else sys.argv[2].encode() + bytes.fromhex(sys.argv[3]))
