#!/usr/bin/python3
"""Writes the small TIFF and PGM/PPM test fixtures in tiff/ and pnm/ (run with /usr/bin/python3).

This writer is independent of the C# encoders: it lays the files out by hand with struct, in ways the
C# writer never does (big-endian, SHORT strip tags, strips stored out of order, pixel data before the
IFD, no RowsPerStrip, WhiteIsZero, 16-bit samples, plain-text PNM with comments, odd maxvals).

Pixel values follow formulas that the tests recompute (FixturePattern in the tests):
  8-bit:  v8(x, y, c)  = (37*x + 11*y + 71*c + (x*y) % 13) % 256
  16-bit: v16(x, y, c) = (4099*x + 771*y + 12345*c + 7*x*y) % 65536
  PNM with maxval M: vM(x, y, c) = (37*x + 11*y + 71*c + (x*y) % 13) % (M + 1)
"""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
W, H = 13, 9  # odd sizes on purpose


def v8(x, y, c):
    return (37 * x + 11 * y + 71 * c + (x * y) % 13) % 256


def v16(x, y, c):
    return (4099 * x + 771 * y + 12345 * c + 7 * x * y) % 65536


def vm(x, y, c, m):
    return (37 * x + 11 * y + 71 * c + (x * y) % 13) % (m + 1)


def rows(channels, bits, order):
    """Pixel rows as bytes, chunky."""
    out = []
    for y in range(H):
        row = bytearray()
        for x in range(W):
            for c in range(channels):
                if bits == 8:
                    row.append(v8(x, y, c))
                else:
                    row += struct.pack(order + "H", v16(x, y, c))
        out.append(bytes(row))
    return out


SHORT, LONG, RATIONAL = 3, 4, 5


def tiff(name, *, order="<", channels=1, bits=8, photometric=None, rows_per_strip=None,
         strip_type=LONG, count_type=LONG, reverse_strips=False, data_first=False, extra=None,
         omit_rps=False, override=None, pixel_rows=None):
    """Write a TIFF. override: {tag: (type, [values])} added or replacing entries."""
    if photometric is None:
        photometric = 1 if channels <= 2 else 2
    rps = rows_per_strip or H
    px = pixel_rows if pixel_rows is not None else rows(channels, bits, order)
    strips = [b"".join(px[i:i + rps]) for i in range(0, H, rps)]
    n = len(strips)

    entries = {
        256: (LONG, [W]),
        257: (SHORT, [H]),
        258: (SHORT, [bits] * channels),
        259: (SHORT, [1]),
        262: (SHORT, [photometric]),
        273: (strip_type, [0] * n),  # patched
        277: (SHORT, [channels]),
        279: (count_type, [len(s) for s in strips]),
        284: (SHORT, [1]),
    }
    if not omit_rps:
        entries[278] = (SHORT if rps < 65536 else LONG, [rps])
    if extra is not None:
        entries[338] = (SHORT, [extra])
    if override:
        entries.update(override)

    size = {SHORT: 2, LONG: 4, RATIONAL: 8, 1: 1}

    def layout(data_offset):
        """Returns file bytes given where pixel data starts (or None to put it after the IFD)."""
        tags = sorted(entries)
        ifd_len = 2 + 12 * len(tags) + 4
        blob = bytearray()
        # Decide positions: [header][data?][IFD][values][data?]
        if data_first:
            data_at = 8
            data_len = sum(len(s) for s in strips)
            ifd_at = data_at + data_len + (data_len & 1)
        else:
            ifd_at = 8
        values_at = ifd_at + ifd_len
        extra_values = bytearray()
        value_pos = {}
        for t in tags:
            typ, vals = entries[t]
            nbytes = size[typ] * len(vals)
            if nbytes > 4:
                value_pos[t] = values_at + len(extra_values)
                extra_values += b"\0" * (nbytes + (nbytes & 1))
        if not data_first:
            data_at = values_at + len(extra_values)
        # strip offsets: optionally store strips in reverse order in the file
        order_idx = list(range(n))[::-1] if reverse_strips else list(range(n))
        offsets = [0] * n
        pos = data_at
        data = bytearray()
        for i in order_idx:
            offsets[i] = pos
            data += strips[i]
            pos += len(strips[i])
        if 273 in entries and entries[273][1] == [0] * n:
            entries[273] = (strip_type, offsets)
        # serialize
        ifd = bytearray(struct.pack(order + "H", len(tags)))
        vals_blob = bytearray(extra_values)
        for t in tags:
            typ, vals = entries[t]
            fmt = {SHORT: "H", LONG: "I", 1: "B"}.get(typ)
            if typ == RATIONAL:
                packed = b"".join(struct.pack(order + "II", a, b) for a, b in vals)
                count = len(vals)
            else:
                packed = struct.pack(order + fmt * len(vals), *vals)
                count = len(vals)
            if len(packed) > 4:
                at = value_pos[t]
                vals_blob[at - values_at:at - values_at + len(packed)] = packed
                field = struct.pack(order + "I", at)
            else:
                field = packed + b"\0" * (4 - len(packed))
            ifd += struct.pack(order + "HHI", t, typ, count) + field
        ifd += struct.pack(order + "I", 0)
        head = (b"II" if order == "<" else b"MM") + struct.pack(order + "HI", 42, ifd_at)
        if data_first:
            body = head + data + (b"\0" if len(data) & 1 else b"") + ifd + vals_blob
        else:
            body = head + ifd + vals_blob + data
        return bytes(body)

    with open(os.path.join(HERE, "tiff", name), "wb") as f:
        f.write(layout(None))


def pnm(name, text_header, body):
    with open(os.path.join(HERE, "pnm", name), "wb") as f:
        f.write(text_header.encode("ascii") + body)


def plain_body(channels, m, per_line):
    vals = [vm(x, y, c, m) for y in range(H) for x in range(W) for c in range(channels)]
    lines = []
    for i in range(0, len(vals), per_line):
        lines.append(" ".join(str(v) for v in vals[i:i + per_line]))
        if i == per_line * 2:
            lines.append("# a comment inside the raster")
    return ("\n".join(lines) + "\n").encode("ascii")


def raw_body(channels, m):
    vals = [vm(x, y, c, m) for y in range(H) for x in range(W) for c in range(channels)]
    if m < 256:
        return bytes(vals)
    return b"".join(struct.pack(">H", v) for v in vals)


def main():
    # TIFF: valid files
    tiff("gray8_le.tif", order="<")
    tiff("gray8_be_short_strips.tif", order=">", rows_per_strip=2, strip_type=SHORT, count_type=SHORT, reverse_strips=True)
    tiff("rgb8_be_data_first.tif", order=">", channels=3, data_first=True, omit_rps=True)
    tiff("rgb8_le_strips.tif", order="<", channels=3, rows_per_strip=4, count_type=SHORT)
    tiff("rgba8_le.tif", order="<", channels=4, extra=2, rows_per_strip=3)
    tiff("graya8_be.tif", order=">", channels=2, extra=2)
    tiff("gray8_whiteiszero_le.tif", order="<", photometric=0)
    tiff("rgb16_be.tif", order=">", channels=3, bits=16, rows_per_strip=5)
    tiff("gray16_le.tif", order="<", bits=16)
    # TIFF: unsupported or broken files (each must fail with a TIFF: message)
    tiff("bad_lzw.tif", order="<", override={259: (SHORT, [5])})
    tiff("bad_planar.tif", order="<", channels=3, override={284: (SHORT, [2])})
    tiff("bad_palette.tif", order="<", photometric=3)
    tiff("bad_strip_outside.tif", order=">", override={273: (LONG, [10 ** 6])})
    tiff("bad_no_strips.tif", order="<", override={273: (LONG, [])})

    # PNM
    pnm("p2_comments.pgm", f"P2\n# made by make_tiff_pnm_fixtures.py\n{W} # width\n{H}\n# maxval next\n255\n", plain_body(1, 255, 10))
    pnm("p3_maxval15.ppm", f"P3 {W} {H} 15\n", plain_body(3, 15, 12))
    pnm("p5_maxval255.pgm", f"P5\n{W} {H}\n255\n", raw_body(1, 255))
    pnm("p6_comment.ppm", f"P6\n# comment before the size\n{W} {H}\n255\r", raw_body(3, 255))
    pnm("p5_maxval65535.pgm", f"P5 {W} {H} 65535\n", raw_body(1, 65535))
    pnm("p6_maxval1000.ppm", f"P6\t{W}\t{H}\t1000\n", raw_body(3, 1000))
    pnm("p5_maxval100.pgm", f"P5\n{W} {H}\n100\n", raw_body(1, 100))


if __name__ == "__main__":
    main()
    print("fixtures written")
