#!/usr/bin/python3
"""Build pngsuite/pngsuite-refs.tsv from the PngSuite reference JSON (run with /usr/bin/python3).

Usage: make_pngsuite_refs.py [PNGSUITE_DIR]
PNGSUITE_DIR defaults to the shared data folder beside the repository (../../../../shared/datasets/pngsuite
from this script). It must hold INDEX.tsv and reference-rgba-json/NAME.json.

The JSON files (about 4.7 MB) are too big to commit, so each one becomes a row with two SHA-256 digests:
  sha256_rgba16: the reference samples as they are (R,G,B,A per pixel, 16-bit files on 0..65535, all others
                 on 0..255), each written as a little-endian uint16;
  sha256_rgba8:  the same samples reduced to 8 bits, one byte each: 16-bit files by round(v*255/65535),
                 computed as (v*255 + 32767) // 65535; other files unchanged.
The x* files (which must be rejected) get expected=error and '-' digests.
The pixels are the raw decode rules described in the folder's README: no gamma, no bKGD.
"""
import csv
import hashlib
import json
import os
import struct
import sys

here = os.path.dirname(os.path.abspath(__file__))
src = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "..", "..", "..", "..", "shared", "datasets", "pngsuite")
out = os.path.join(here, "pngsuite", "pngsuite-refs.tsv")

rows = []
with open(os.path.join(src, "INDEX.tsv"), newline="") as f:
    for rec in csv.DictReader(f, delimiter="\t"):
        name = rec["file"]
        if name == "PngSuite.png":
            continue  # the logo is not a test case and has no reference
        if rec["expected"] == "error":
            rows.append((name, "error", "-", "-", "-", "-", "-"))
            continue
        ref = os.path.join(src, "reference-rgba-json", name[:-4] + ".json")
        with open(ref) as jf:
            values = json.load(jf)
        width, height, depth = int(rec["width"]), int(rec["height"]), int(rec["bit_depth"])
        if len(values) != width * height * 4:
            sys.exit(f"{name}: {len(values)} values, expected {width * height * 4}")
        limit = 65535 if depth == 16 else 255
        if any(v < 0 or v > limit for v in values):
            sys.exit(f"{name}: value outside 0..{limit}")
        raw16 = struct.pack(f"<{len(values)}H", *values)
        to8 = [(v * 255 + 32767) // 65535 for v in values] if depth == 16 else values
        rows.append((name, "decode", str(width), str(height), str(depth),
                     hashlib.sha256(raw16).hexdigest(), hashlib.sha256(bytes(to8)).hexdigest()))

rows.sort()
with open(out, "w", newline="") as f:
    f.write("file\texpected\twidth\theight\tbit_depth\tsha256_rgba16\tsha256_rgba8\n")
    for r in rows:
        f.write("\t".join(r) + "\n")
print(f"wrote {len(rows)} rows to {out}")
