#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Fail unless a PNG (8-bit RGB or RGBA) shows a picture: at least 4
distinct colours and 1% of pixels that are not the background's.
Standard library only: zlib and the five PNG scanline filters."""
import struct
import sys
import zlib


def pixels(path):
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        sys.exit(f"{path}: not a PNG")
    pos, idat = 8, b""
    while pos < len(data):
        (n,) = struct.unpack(">I", data[pos:pos + 4])
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            w, h, depth, colour = struct.unpack(">IIBB", body[:10])
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    if depth != 8 or colour not in (2, 6):
        sys.exit(f"{path}: only 8-bit RGB/RGBA is checked (depth {depth}, type {colour})")
    bpp = 3 if colour == 2 else 4
    raw, stride, prev, out = zlib.decompress(idat), w * bpp, bytearray(w * bpp), []
    for y in range(h):
        f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0
            b, c = prev[x], prev[x - bpp] if x >= bpp else 0
            if f == 1:
                line[x] = (line[x] + a) & 255
            elif f == 2:
                line[x] = (line[x] + b) & 255
            elif f == 3:
                line[x] = (line[x] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        out.append(bytes(line))
        prev = line
    return w, h, bpp, out


w, h, bpp, rows = pixels(sys.argv[1])
colours, background, other = set(), None, 0
for row in rows:
    for x in range(0, len(row), bpp):
        px = row[x:x + 3]
        colours.add(px)
        background = background or px
        other += px != background
share = other / (w * h)
print(f"{sys.argv[1]}: {w}x{h}, {len(colours)} colours, {share:.1%} not background")
sys.exit(0 if len(colours) >= 4 and share >= 0.01 else 1)
