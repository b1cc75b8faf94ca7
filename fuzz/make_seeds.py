#!/usr/bin/env python3
"""Writes the small seed corpora of the fuzzers into fuzz/corpus/{idx,model,trace,image}/ and the test
image tests/fixtures/seven-28x28.png (all committed; rerun only when a format changes). Each
seed is a valid or nearly valid file in the input layout of its target (fuzz/targets.h):
libFuzzer mutates from there."""
import hashlib
import io
import os
import struct
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))


def put(target, name, data):
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def gzip(data):
    c = zlib.compressobj(6, zlib.DEFLATED, 16 + 15)
    return c.compress(data) + c.flush()


def idx(dims, payload):
    return bytes([0, 0, 8, len(dims)]) + b"".join(struct.pack(">I", d) for d in dims) + payload


def pixels(n):
    return bytes((i * 37) % 256 if (i * 37) % 256 >= 128 else 0 for i in range(n))


def idx_input(flags, images, labels):
    return bytes([flags]) + struct.pack("<H", len(images)) + images + labels


# ---- IDX pairs ------------------------------------------------------------------------------
img3 = idx([3, 4, 4], pixels(48))
lab3 = idx([3], bytes([0, 1, 2]))
put("idx", "raw-3x4x4", idx_input(0, img3, lab3))
put("idx", "gz-both-by-harness", idx_input(3, img3, lab3))
put("idx", "gz-in-input", idx_input(0, gzip(img3), gzip(lab3)))
put("idx", "gz-two-members", idx_input(0, gzip(img3[:10]) + gzip(img3[10:]), lab3))
put("idx", "two-dims", idx_input(0, idx([2, 5], pixels(10)), idx([2], bytes([9, 3]))))
put("idx", "mnist-like-1", idx_input(1, idx([1, 28, 28], pixels(784)), idx([1], bytes([7]))))
put("idx", "empty-set", idx_input(0, idx([0, 2, 2], b""), idx([0], b"")))
put("idx", "count-mismatch", idx_input(0, img3, idx([2], bytes([0, 1]))))
put("idx", "truncated", idx_input(0, img3[:-5], lab3))
put("idx", "huge-header", idx_input(0, idx([0x80000000, 28, 28], pixels(16)), lab3))

# ---- model files ----------------------------------------------------------------------------
def model(sizes, act=0, cost=0, init=0, seed=1):
    n_params = sum(sizes[i - 1] * sizes[i] + sizes[i] for i in range(1, len(sizes)))
    b = b"TWINNETM" + struct.pack("<II", 1, len(sizes))
    b += b"".join(struct.pack("<I", sizes[i] if i < len(sizes) else 0) for i in range(16))
    b += struct.pack("<III", act, cost, init) + struct.pack("<ff", 3.0, 0.0)
    b += struct.pack("<IIIII", 30, 10, 50000, 0, 30) + struct.pack("<QQ", seed, seed)
    b += bytes(range(32)) + struct.pack("<Q", n_params)
    b += b"".join(struct.pack("<f", ((k * 7919) % 200 - 100) / 50.0) for k in range(n_params))
    return b + hashlib.sha256(b).digest()


def model_v3(sizes, provenance, start=False):
    """Version 3: version 2's fields, the provenance block's length and the start flag, the
    parameters, the provenance JSON (as twinnet writes it) and, for a supplied start, the start."""
    n_params = sum(sizes[i - 1] * sizes[i] + sizes[i] for i in range(1, len(sizes)))
    b = b"TWINNETM" + struct.pack("<II", 3, len(sizes))
    b += b"".join(struct.pack("<I", sizes[i] if i < len(sizes) else 0) for i in range(16))
    b += struct.pack("<III", 0, 0, 0) + struct.pack("<ff", 3.0, 0.0)
    b += struct.pack("<IIIII", 30, 10, 50000, 0, 30) + struct.pack("<QQ", 1, 1)
    b += bytes(range(32)) + struct.pack("<IfQI", 0, 0.0, 300, 0)
    b += struct.pack("<II", len(provenance), 1 if start else 0) + struct.pack("<Q", n_params)
    b += b"".join(struct.pack("<f", ((k * 7919) % 200 - 100) / 50.0) for k in range(n_params))
    b += provenance
    if start:
        b += b"".join(struct.pack("<f", ((k * 31) % 20 - 10) / 8.0) for k in range(n_params))
    return b + hashlib.sha256(b).digest()


put("model", "valid-3-2", bytes([0]) + model([3, 2]))
put("model", "v3-supplied", bytes([0]) + model_v3([4, 3, 2], b'{"start":"supplied","data":"unknown","init":"normal",'
                                                   b'"source":"npz","origin":"a.npz"}\n', True))
put("model", "v3-unknown-fitlen", bytes([2]) + model_v3([3, 2], b'{"start":"unknown","data":"unknown","init":"unknown",'
                                                        b'"input_scale":0.99609375,"input_mean":0,"input_std":1}\n'))
put("model", "valid-4-3-2-fix", bytes([1]) + model([4, 3, 2], act=1, cost=1, init=1))
put("model", "valid-2x4-fitlen", bytes([3]) + model([2, 2, 2, 2], act=2, cost=2))
put("model", "valid-5-1", bytes([1]) + model([5, 1], cost=2))
put("model", "truncated", bytes([0]) + model([3, 2])[:100])

# ---- traces (fuzz_trace: u16 length of trace A, trace A, trace B) -----------------------------
def trace(sizes, steps, delta=0.0, flags=1):
    n_params = sum(sizes[i - 1] * sizes[i] + sizes[i] for i in range(1, len(sizes)))
    b = b"TWNTRACE" + struct.pack("<II", 1, len(sizes))
    b += b"".join(struct.pack("<I", sizes[i] if i < len(sizes) else 0) for i in range(16))
    b += struct.pack("<QI", n_params, flags)
    for k, step in enumerate(steps):
        params = b"".join(struct.pack("<f", ((j * 31 + k) % 17) / 8.0 + (delta if k >= 2 else 0.0))
                          for j in range(n_params))
        b += struct.pack("<QI", step, k) + hashlib.sha256(params).digest() + (params if flags & 1 else b"")
    return b


def trace_input(a, b):
    return struct.pack("<H", len(a)) + a + b


put("trace", "equal", trace_input(trace([4, 3, 2], [0, 3, 6]), trace([4, 3, 2], [0, 3, 6])))
put("trace", "diverge-at-6", trace_input(trace([4, 3, 2], [0, 3, 6, 9]), trace([4, 3, 2], [0, 3, 6, 9], delta=0.5)))
put("trace", "other-steps", trace_input(trace([2, 2], [0, 2, 4, 5]), trace([2, 2], [0, 1, 4])))
put("trace", "no-params", trace_input(trace([2, 2], [0, 1], flags=0), trace([2, 2], [0, 1], flags=0)))
put("trace", "sizes-differ", trace_input(trace([2, 2], [0]), trace([2, 3], [0])))

# ---- images ---------------------------------------------------------------------------------
def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png(w, h, color, depth, rows, interlace=0, extra=b"", plte=None):
    """rows: the raw scanlines (without filter bytes) in pass order if interlaced."""
    ihdr = struct.pack(">IIBBBBB", w, h, depth, color, 0, 0, interlace)
    raw = b"".join(b"\x00" + r for r in rows)
    out = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + extra
    if plte:
        out += chunk(b"PLTE", plte)
    return out + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


W = H = 6
gray = [bytes((x * 40 + y * 7) % 256 for x in range(W)) for y in range(H)]
put("image", "gray8.png", png(W, H, 0, 8, gray))
put("image", "rgb8.png", png(W, H, 2, 8, [bytes(v for p in r for v in (p, 255 - p, p // 2)) for r in gray]))
put("image", "gray16-alpha.png", png(W, H, 4, 16, [bytes(v for p in r for v in (p, p, 255, 0)) for r in gray]))
put("image", "gray1.png", png(8, 2, 0, 1, [b"\xa5", b"\x3c"]))
put("image", "palette.png", png(4, 2, 3, 8, [b"\x00\x01\x02\x01", b"\x02\x01\x00\x00"],
                                plte=b"\x00\x00\x00\xff\xff\xff\x80\x40\x20",
                                extra=b""))
put("image", "gray8-trns.png", png(4, 2, 0, 8, [b"\x00\x10\x20\x30", b"\x40\x50\x60\x70"],
                                   extra=chunk(b"tRNS", b"\x00\x10")))
# Adam7: for an 8x8 image, passes 1..7 hold 1,1,2,4,8,16,32 pixels in rows of 1,1,2,2,4,4,8.
px = [[(x * 31 + y * 17) % 256 for x in range(8)] for y in range(8)]
passes = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]
rows = []
for x0, y0, dx, dy in passes:
    for y in range(y0, 8, dy):
        rows.append(bytes(px[y][x] for x in range(x0, 8, dx)))
put("image", "interlaced.png", png(8, 8, 0, 8, rows, interlace=1))
put("image", "p5.pgm", b"P5\n# comment\n6 6\n255\n" + b"".join(gray))
put("image", "p5-16bit.pgm", b"P5 2 2 65535\n" + bytes([1, 2, 255, 255, 0, 0, 128, 0]))
put("image", "p2.pgm", b"P2\n3 2\n15\n0 3 7\n15 1 0\n")

# JPEG (written by PIL, when it is there: python3-pil): grey, colour 4:2:0, progressive, restart
# markers, CMYK with Adobe's marker, one pixel, Exif orientation; small, so mutations decode fast.
try:
    from PIL import Image, ImageDraw
except ImportError:
    Image = None
    print("make_seeds: PIL missing (python3-pil): the JPEG seeds are left as they are")
if Image:
    def jpeg(mode, size, ink, paper, **options):
        im = Image.new(mode, size, paper)
        ImageDraw.Draw(im).line([(1, 1), (size[0] - 2, size[1] // 2), (2, size[1] - 2)], fill=ink, width=2)
        out = io.BytesIO()
        im.save(out, "JPEG", **options)
        return out.getvalue()
    put("image", "grey.jpg", jpeg("L", (16, 12), 20, 230, quality=80))
    put("image", "colour-420.jpg", jpeg("RGB", (17, 9), (20, 30, 120), (240, 230, 200), quality=75, subsampling=2))
    put("image", "progressive.jpg", jpeg("RGB", (16, 16), (200, 10, 10), (5, 5, 5), quality=85, progressive=True))
    put("image", "restart.jpg", jpeg("L", (24, 16), 255, 0, quality=90, restart_marker_blocks=1))
    put("image", "cmyk-adobe.jpg", jpeg("CMYK", (12, 12), (0, 0, 0, 230), (0, 0, 0, 10), quality=90))
    put("image", "one-pixel.jpg", jpeg("L", (1, 1), 0, 0, quality=50))
    # Exif's orientation in both byte orders: one IFD entry, tag 0x0112, SHORT, count 1
    exif = {6: b"Exif\0\0II\x2a\0\x08\0\0\0\x01\0\x12\x01\x03\0\x01\0\0\0\x06\0\0\0\0\0\0\0",
            8: b"Exif\0\0MM\0\x2a\0\0\0\x08\0\x01\x01\x12\0\x03\0\0\0\x01\0\x08\0\0\0\0\0\0"}
    for orientation, data in exif.items():
        put("image", "exif-%d.jpg" % orientation, jpeg("L", (10, 14), 30, 220, quality=80, exif=data))

# ---- tests/fixtures: a 28x28 digit-like PNG for the command-line tests ------------------------
digit = [bytes(255 if (6 <= x <= 21 and 5 <= y <= 7) or (abs(x - (21 - (y - 7) // 2)) <= 1 and 7 < y <= 23) else 0
               for x in range(28)) for y in range(28)]
fixtures = os.path.join(HERE, "..", "tests", "fixtures")
os.makedirs(fixtures, exist_ok=True)
with open(os.path.join(fixtures, "seven-28x28.png"), "wb") as f:
    f.write(png(28, 28, 0, 8, digit))
