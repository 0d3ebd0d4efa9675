#!/usr/bin/env python3
"""Writes configs/deid/ps3.15-table-e1-1.tsv from the machine-readable copy of DICOM PS3.15
Table E.1-1 that innolitics/dicom-standard publishes (standard/confidentiality_profile_attributes.json,
parsed from the standard's own HTML). Run again when a newer edition is wanted:

  python3 scripts/make-deid-profile-table.py confidentiality_profile_attributes.json EDITION SOURCE > configs/deid/ps3.15-table-e1-1.tsv
"""
import json
import sys

# Our column name for each of the table's option columns (PS3.15 Table E.1-1, left to right).
COLUMNS = [
    ("basicProfile", "basic"),
    ("rtnSafePrivOpt", "retain_safe_private"),
    ("rtnUIDsOpt", "retain_uids"),
    ("rtnDevIdOpt", "retain_device_identity"),
    ("rtnInstIdOpt", "retain_institution_identity"),
    ("rtnPatCharsOpt", "retain_patient_characteristics"),
    ("rtnLongFullDatesOpt", "retain_full_dates"),
    ("rtnLongModifDatesOpt", "retain_modified_dates"),
    ("cleanDescOpt", "clean_descriptors"),
    ("cleanStructContOpt", "clean_structured_content"),
    ("cleanGraphOpt", "clean_graphics"),
]


def tag_of(row):
    tag = row["tag"]
    if tag.startswith("(GGGG,EEEE)"):
        return "(gggg,eeee)odd"  # every private attribute; the loader knows this pattern
    return tag.lower()


def main():
    rows = json.load(open(sys.argv[1]))
    edition, source = sys.argv[2], sys.argv[3]
    print(f"# DICOM PS3.15 Table E.1-1, Application Level Confidentiality Profile Attributes, edition {edition}.")
    print(f"# Source: {source}")
    print("# Columns: the tag (x = any hex digit), the Basic Profile action, the action under each option")
    print("# ('-' = the option does not change it), whether the attribute is in a standard composite IOD, its name.")
    print("# Action codes (PS3.15 E.1.1): D dummy, Z zero length, X remove, K keep, C clean, U replace UID;")
    print("# combined codes (X/Z, X/D, Z/D, X/Z/D, X/Z/U*) are resolved by the attribute's Type, see iod-types.tsv.")
    print("\t".join(["tag"] + [name for _, name in COLUMNS] + ["in_standard_iod", "name"]))
    for row in sorted(rows, key=tag_of):
        name = " ".join(row["name"].replace("(see Note 11)", "").split())
        cells = [tag_of(row)] + [row.get(key, "-") for key, _ in COLUMNS] + [row["stdCompIOD"], name]
        print("\t".join(cells))


if __name__ == "__main__":
    main()
