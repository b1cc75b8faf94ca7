"""Writes MNIST test images as PGM (P5 and P2) and PNG files, and their labels.
usage: images_from_idx.py IMAGES LABELS OUTDIR COUNT"""
import gzip
import struct
import sys
import zlib

images, labels, out, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
op = lambda p: gzip.open(p, "rb") if p.endswith(".gz") else open(p, "rb")
with op(images) as f:
    img = f.read()
with op(labels) as f:
    lab = f.read()
n, rows, cols = struct.unpack(">III", img[4:16])


def png(path, w, h, pixels):
    raw = b"".join(b"\x00" + pixels[y * w:(y + 1) * w] for y in range(h))
    def chunk(kind, data):
        c = kind + data
        return struct.pack(">I", len(data)) + c + struct.pack(">I", zlib.crc32(c) & 0xffffffff)
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0))
                + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


for i in range(count):
    pix = img[16 + i * rows * cols:16 + (i + 1) * rows * cols]
    with open("%s/%d.pgm" % (out, i), "wb") as f:
        f.write(b"P5\n# MNIST test image\n%d %d\n255\n" % (cols, rows) + pix)
    with open("%s/%d-plain.pgm" % (out, i), "w") as f:
        f.write("P2\n%d %d\n255\n%s\n" % (cols, rows, " ".join(str(v) for v in pix)))
    png("%s/%d.png" % (out, i), cols, rows, pix)
    print(lab[8 + i])
