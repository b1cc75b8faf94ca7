#!/bin/sh
# predict on real images, the bad ones: a blank image, one without ink, a 1x20000 strip in each
# format, JPEG headers claiming huge or empty sizes, truncated and corrupt JPEGs: one line
# "twinnet: FILE: ..." and exit 1 (or "no ink found"), never a crash. And the good ones the
# readers must get right: CMYK, progressive and Exif-rotated JPEG, grey+alpha and RGBA PNG (ink on a
# transparent canvas), each the same 28x28 field as the plain picture; --raw and --show.
# The images are made with Python's PIL (Debian: python3-pil).
. tests/common.sh
T=$SCRATCH

"$PY" -c 'import PIL' 2>/dev/null || { echo "skipped: the Python module PIL is missing (Debian: python3-pil)"; exit 77; }

# ---- a model of 784 inputs and one of 16 (any weights do: the checks compare fields) ----------
images "$T/img" 20 28 28
labels "$T/lab" 20
images "$T/img16" 20 4 4
DATA="--train-size 0 --epochs 1 --batch 10 --quiet"
$TWINNET train --train-images "$T/img" --train-labels "$T/lab" --test-images "$T/img" --test-labels "$T/lab" \
    --sizes 784,10 $DATA --out "$T/m.tnm" > /dev/null 2>&1 || { echo "FAIL: training a small model"; exit 1; }
$TWINNET train --train-images "$T/img16" --train-labels "$T/lab" --test-images "$T/img16" --test-labels "$T/lab" \
    --sizes 16,10 $DATA --out "$T/m16.tnm" > /dev/null 2>&1 || { echo "FAIL: training a 16-input model"; exit 1; }

# ---- the images ------------------------------------------------------------------------------
"$PY" - "$T" <<'PYEOF' || { echo "FAIL: making the images"; exit 1; }
import io, struct, sys
from PIL import Image, ImageDraw
d = sys.argv[1]

def digit(mode, paper, ink, size=(160, 120)):
    """A "4" drawn with thick strokes, off centre."""
    im = Image.new(mode, size, paper)
    g = ImageDraw.Draw(im)
    g.line([(40, 20), (25, 70), (75, 70)], fill=ink, width=9)
    g.line([(62, 35), (62, 105)], fill=ink, width=9)
    return im

grey = digit("L", 235, 25)
grey.save(d + "/digit.png")
grey.save(d + "/digit.jpg", quality=95)
grey.save(d + "/digit.pgm")
grey.save(d + "/progressive.jpg", quality=95, progressive=True)
digit("RGB", (240, 235, 200), (20, 30, 120)).save(d + "/colour.jpg", quality=95)
digit("CMYK", (0, 0, 0, 20), (0, 0, 0, 230)).save(d + "/cmyk.jpg", quality=95)
# a phone's photograph: the sensor's rows as they came, and an Exif tag saying how to turn them
turns = {2: Image.FLIP_LEFT_RIGHT, 3: Image.ROTATE_180, 4: Image.FLIP_TOP_BOTTOM, 5: Image.TRANSPOSE,
         6: Image.ROTATE_90, 7: Image.TRANSVERSE, 8: Image.ROTATE_270}
for orientation, stored in turns.items():
    exif = Image.Exif()
    exif[0x0112] = orientation
    grey.transpose(stored).save(d + "/exif%d.jpg" % orientation, quality=95, exif=exif)
# ink on a transparent canvas, as a web page's <canvas> exports it: transparent pixels are (0,0,0,0)
rgba = Image.new("RGBA", grey.size, (0, 0, 0, 0))
rgba.paste(Image.new("RGBA", grey.size, (25, 25, 25, 255)), (0, 0), digit("L", 0, 255))
rgba.save(d + "/canvas.png")
rgba.convert("LA").save(d + "/canvas-la.png")
# light ink on dark, as MNIST
digit("L", 0, 255).save(d + "/light.png")
# bad: blank, no ink (paper with light noise), strips, headers
Image.new("L", (200, 100), 255).save(d + "/white.png")
Image.new("RGB", (200, 100), (10, 10, 10)).save(d + "/black.jpg")
Image.effect_noise((300, 200), 4).point(lambda v: min(255, v + 90)).save(d + "/paper.jpg", quality=90)
Image.new("RGBA", (50, 50), (0, 0, 0, 0)).save(d + "/transparent.png")
Image.new("L", (1, 20000), 255).save(d + "/strip.png")
Image.new("L", (20000, 1), 255).save(d + "/strip.jpg")
with open(d + "/strip.pgm", "wb") as f:
    f.write(b"P5\n1 20000\n255\n" + b"\xff" * 20000)
jpeg = open(d + "/digit.jpg", "rb").read()
sof = jpeg.index(b"\xff\xc0")
def with_size(w, h):
    return jpeg[:sof + 5] + struct.pack(">HH", h, w) + jpeg[sof + 9:]
for name, (w, h) in {"huge": (65000, 65000), "wide": (5000, 28), "empty": (28, 0), "zero": (0, 28)}.items():
    open(d + "/%s.jpg" % name, "wb").write(with_size(w, h))
open(d + "/trunc.jpg", "wb").write(jpeg[:len(jpeg) // 2])
open(d + "/header-only.jpg", "wb").write(jpeg[:sof + 40])
open(d + "/soi.jpg", "wb").write(b"\xff\xd8\xff")
bad = bytearray(jpeg)
for i in range(len(bad) // 2, len(bad) // 2 + 40):
    bad[i] ^= 0x5a
open(d + "/corrupt.jpg", "wb").write(bytes(bad))
PYEOF

P="$TWINNET predict $T/m.tnm"
size() { echo "image size $1 is outside 1..4096 pixels a side"; }

expect 1 "$T/white.png" "no ink found" $P "$T/white.png"
expect 1 "$T/black.jpg" "no ink found" $P "$T/black.jpg"
expect 1 "$T/paper.jpg" "no ink found" $P "$T/paper.jpg"
expect 1 "$T/transparent.png" "no ink found" $P "$T/transparent.png"
expect 1 "$T/strip.png" "$(size 1x20000)" $P "$T/strip.png"
expect 1 "$T/strip.jpg" "$(size 20000x1)" $P "$T/strip.jpg"
expect 1 "$T/strip.pgm" "$(size 1x20000)" $P "$T/strip.pgm"
expect 1 "$T/huge.jpg" "$(size 65000x65000)" $P "$T/huge.jpg"
expect 1 "$T/wide.jpg" "$(size 5000x28)" $P "$T/wide.jpg"
expect 1 "$T/empty.jpg" "$(size 28x0)" $P "$T/empty.jpg"
expect 1 "$T/zero.jpg" "$(size 0x28)" $P "$T/zero.jpg"
expect 1 "$T/trunc.jpg" "JPEG data ends early" $P "$T/trunc.jpg"
expect 1 "$T/header-only.jpg" "JPEG data ends early" $P "$T/header-only.jpg"
expect 1 "$T/soi.jpg" "JPEG data ends early" $P "$T/soi.jpg"
expect 1 "$T/huge.jpg" "$(size 65000x65000)" $P --raw "$T/huge.jpg"
expect 1 "$T/digit.png" "160x120 (19200 pixels) but the model takes 784" $P --raw "$T/digit.png"
expect 1 "$T/m16.tnm" "takes 16 inputs" $TWINNET predict "$T/m16.tnm" "$T/digit.png"
# A corrupt middle: libjpeg steps over it (as viewers do) or it is an error; never a crash.
$P "$T/corrupt.jpg" > "$T/stdout" 2> "$T/stderr"
rc=$?
if [ $rc -eq 0 ] || { [ $rc -eq 1 ] && [ "$(wc -l < "$T/stderr")" -eq 1 ]; }; then ok "corrupt.jpg: exit $rc"
else bad "corrupt.jpg: exit $rc: $(cat "$T/stderr")"; fi

# ---- good images: every one of these is the same drawing, so the same field -------------------
seen() { $P --show --json "$1" 2> "$T/stderr" | sed -n 's/.*"seen":\(\[[^]]*\]\).*/\1/p'; }
want=$(seen "$T/digit.png")
[ -n "$want" ] && ok "digit.png: a field" || bad "digit.png: no field: $(cat "$T/stderr")"
for f in digit.pgm light.png canvas.png canvas-la.png; do
    [ "$(seen "$T/$f")" = "$want" ] && ok "$f: the same field as digit.png" || bad "$f: another field than digit.png"
done
# JPEG's losses move a level here and there: the fields must agree within a few levels.
for f in digit.jpg progressive.jpg colour.jpg cmyk.jpg exif2.jpg exif3.jpg exif4.jpg exif5.jpg exif6.jpg exif7.jpg \
    exif8.jpg; do
    got=$(seen "$T/$f")
    "$PY" - "$want" "$got" <<'PYEOF' && ok "$f: the field of digit.png, within JPEG's losses" || bad "$f: a field unlike digit.png's: $(cat "$T/stderr")"
import json, sys
ramp = " .:-=+*#%@"
a, b = (json.loads(s) if s else [] for s in sys.argv[1:3])
assert len(a) == len(b) == 28, (len(a), len(b))
diff = [abs(ramp.index(x) - ramp.index(y)) for ra, rb in zip(a, b) for x, y in zip(ra, rb)]
assert max(diff) <= 3 and sum(d > 1 for d in diff) <= 40, (max(diff), sum(d > 1 for d in diff))
PYEOF
done

# CMYK's polarity (Adobe's files store it inverted) shows in the grey, not in the field.
$P --json "$T/cmyk.jpg" | grep -q '"inverted":true' && ok "cmyk.jpg: dark ink on light paper" ||
    bad "cmyk.jpg: read as light ink on dark"

# ---- --show as text, --raw, and a bad image among good ones ------------------------------------
$P --show "$T/digit.png" > "$T/stdout" 2> "$T/stderr"
if [ $? -eq 0 ] && [ "$(grep -c '^  |.*|$' "$T/stdout")" -eq 28 ] && grep -q "inverted, scaled to" "$T/stdout"; then
    ok "--show prints 28 rows"
else bad "--show: $(cat "$T/stdout" "$T/stderr")"; fi
"$PY" -c "
from PIL import Image; import sys
Image.open(sys.argv[1]).convert('L').resize((28, 28)).save(sys.argv[2])" "$T/light.png" "$T/small.png"
$P --raw --show "$T/small.png" > "$T/stdout" 2> "$T/stderr" && [ "$(grep -c '^  |.*|$' "$T/stdout")" -eq 28 ] &&
    ok "--raw on 28x28, shown" || bad "--raw on 28x28: $(cat "$T/stderr")"
$P --json "$T/digit.png" | grep -q '"preprocessed":true' && $P --json --raw "$T/small.png" | grep -q '"preprocessed":false' &&
    ok "--json says preprocessed" || bad "--json: no preprocessed field"
$P "$T/digit.png" "$T/white.png" "$T/trunc.jpg" "$T/digit.jpg" > "$T/stdout" 2> "$T/stderr"
rc=$?
[ $rc -eq 1 ] && [ "$(wc -l < "$T/stdout")" -eq 2 ] && [ "$(wc -l < "$T/stderr")" -eq 2 ] &&
    ok "bad images among good: the good ones classified, exit 1" ||
    bad "bad among good: exit $rc, $(wc -l < "$T/stdout") results, $(cat "$T/stderr")"

finish
