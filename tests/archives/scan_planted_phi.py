"""Raw-byte scan for a patient's identifying values in DICOM files (issue #14's proof).

The written forms are derived here, independently of medanon's residual-PHI check: each name
part in upper, lower and title case, in UTF-8 and ISO 8859-1 and without accents; IDs,
accession number, address and telephone as they are; the birth date in every common written
form. A hit must stand as a token (no letter/digit of the same kind right before or after).
Pixel Data values are image samples, not text: there only needles of 5 or more bytes count
(a 3-letter name occurs in a megabyte of random samples by chance). Everything else, preamble,
meta header, every element at any depth, private blocks, counts whole.

    scan_planted_phi.py TRUTH_JSON FILE...     -> one line per hit, exit 1 if any
"""
import json
import re
import sys
import unicodedata

MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December"]
PIXEL_DATA_TAG = b"\xe0\x7f\x10\x00"


def case_forms(text):
    return {text, text.upper(), text.lower(), text.title()}


def encodings(text):
    out = {text.encode("utf-8")}
    try:
        out.add(text.encode("latin-1"))
    except UnicodeEncodeError:
        pass
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore")
    out.add(plain)
    return out


def date_forms(yyyymmdd):
    y, m, d = yyyymmdd[:4], yyyymmdd[4:6], yyyymmdd[6:8]
    di, mi = str(int(d)), str(int(m))
    month = MONTHS[int(m) - 1]
    forms = {yyyymmdd, f"{y}-{m}-{d}", f"{y}/{m}/{d}", f"{y}.{m}.{d}", f"{d}/{m}/{y}", f"{m}/{d}/{y}",
             f"{d}.{m}.{y}", f"{d}-{m}-{y}", f"{m}-{d}-{y}", f"{di}/{mi}/{y}", f"{mi}/{di}/{y}",
             f"{d}/{m}/{y[2:]}", f"{m}/{d}/{y[2:]}", f"{d}{m}{y}", f"{di}.{mi}.{y}"}
    for day in {d, di}:
        for name in {month, month[:3]}:
            forms |= {f"{day} {name} {y}", f"{name} {day}, {y}", f"{day}-{name}-{y}", f"{day}{name}{y}",
                      f"{name} {day} {y}"}
    return {c for f in forms for c in case_forms(f)}


def needles(record):
    """(label, bytes) pairs for one patient as planted in one file."""
    out = []
    for part in ("family_name", "given_name"):
        for form in case_forms(record[part]):
            out += [(part, b) for b in encodings(form)]
    for key in ("patient_id", "other_patient_id", "accession_number", "address", "phone"):
        if record.get(key):
            out += [(key, b) for b in encodings(record[key])]
    if re.fullmatch(r"\d{8}", record.get("birth_date", "")):
        out += [("birth_date", f.encode()) for f in date_forms(record["birth_date"])]
    return sorted({(label, b) for label, b in out if len(b) >= 3})  # nothing to find in "" or "M"


def is_word_byte(byte, alpha):
    if alpha:
        return chr(byte).isalpha() if byte < 0x80 else True  # non-ASCII: part of a word
    return chr(byte).isdigit()


def hits(data, label, needle):
    pixel_start = data.rfind(PIXEL_DATA_TAG)
    alpha = needle[:1].isalpha() or needle[:1] >= b"\x80"
    for match in re.finditer(re.escape(needle), data):
        start, end = match.start(), match.end()
        if start > 0 and is_word_byte(data[start - 1], alpha) and is_word_byte(needle[0], alpha):
            continue
        if end < len(data) and is_word_byte(data[end], alpha) and is_word_byte(needle[-1], alpha):
            continue
        if 0 <= pixel_start < start and len(needle) < 5:
            continue
        yield start


def main():
    truth = json.load(open(sys.argv[1]))
    found = 0
    for path in sys.argv[2:]:
        data = open(path, "rb").read()
        for record in truth:
            for label, needle in needles(record):
                for at in hits(data, label, needle):
                    found += 1
                    context = data[max(0, at - 24):at + len(needle) + 24]
                    print(f"{path}\t{record['path']}\t{label}\t{needle!r}\tat {at}\t{context!r}")
    sys.exit(1 if found else 0)


if __name__ == "__main__":
    main()
