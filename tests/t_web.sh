# make web against the native build, in Node.js:
# 1. The page's WebAssembly module, taken out of build/web/twinnet.html, on the first 1,000
#    MNIST test images: the SHA-256 of its output floats equals native `twinnet eval`'s
#    "outputs_sha256" for A, B and B aligned to A (native: `twinnet align --method activation`, the
#    page's one alignment), and the parameter fingerprints are the native ones. A colour image with transparency (dark red ink on a
#    yellow, partly transparent card), handed over as RGBA the way the page hands over a canvas,
#    gets from each network the probabilities native `predict` prints for it as a PNG.
# 2. The command line compiled to WebAssembly (WASI, web/wasi-run.mjs): `eval` prints the same
#    outputs fingerprint; `train` gives tests/repro-fingerprints.txt's default fingerprint and the
#    reference's model bytes; what the build leaves out (gzip, PNG) is refused in one line.
# 3. docs/web.png (the README's picture of the page) is not older than the page's code: its last
#    commit is not before the last commit of web/page.html, page.css or page.js (in a git checkout).
# Skips (77) without node, clang's wasm32 target or wasi-libc, and under the sanitizer build.
. tests/common.sh
BUILD=${BUILD:-build}
if [ -n "${TWINNET_SANITIZE:-}" ]; then echo "skipped: the WebAssembly build has no sanitizer build"; exit 77; fi
command -v node > /dev/null 2>&1 || { echo "skipped: no node (Node.js)"; exit 77; }
[ -f /usr/lib/wasm32-wasi/libc.a ] || { echo "skipped: no wasi-libc (apt-get install wasi-libc libclang-rt-14-dev-wasm32 lld)"; exit 77; }
command -v wasm-ld > /dev/null 2>&1 || { echo "skipped: no wasm-ld (apt-get install lld)"; exit 77; }
DATA=$(mnist_dir) || exit 77
if ! make -s BUILD="$BUILD" web > "$SCRATCH/make.log" 2>&1; then
    tail -n 20 "$SCRATCH/make.log"
    bad "make web"
    finish
    exit
fi
WEB=$BUILD/web
CLI_WASM=$BUILD/wasm/twinnet-cli.wasm
NODE="node --no-warnings"
ok "make web: $(wc -c < "$WEB/twinnet.html") bytes of page, module $(wc -c < "$BUILD/wasm/twinnet.wasm") bytes"
page=$(cd "$WEB" && pwd)/twinnet.html
if grep -qF "The page: $page " "$SCRATCH/make.log"; then ok "make web names the page: $page"
else bad "make web does not print the page's path ($page): $(tail -n 1 "$SCRATCH/make.log")"; fi

# ---- 1. the page's module on the first 1,000 test images ------------------------------------
if ! $NODE tests/web_outputs.mjs "$WEB/twinnet.html" "$DATA/t10k-images-idx3-ubyte" 1000 "$SCRATCH" > "$SCRATCH/wasm.json"; then
    bad "node tests/web_outputs.mjs"
    finish
    exit
fi
cat "$SCRATCH/wasm.json"
"$PY" tests/idx_slice.py "$DATA/t10k-labels-idx1-ubyte" "$SCRATCH/labels" 1000
SET="--test-images $SCRATCH/images --test-labels $SCRATCH/labels"
"$TWINNET" align "$WEB/model-a.tnm" "$WEB/model-b.tnm" --method activation --data "$DATA" --out "$SCRATCH/b-aligned.tnm" > /dev/null
for net in a b b_aligned; do
    case $net in a) m=$WEB/model-a.tnm ;; b) m=$WEB/model-b.tnm ;; *) m=$SCRATCH/b-aligned.tnm ;; esac
    # shellcheck disable=SC2086
    native=$("$TWINNET" eval "$m" $SET --json | json_field outputs_sha256)
    wasm=$(json_field "outputs_sha256_$net" < "$SCRATCH/wasm.json")
    expect_eq "$net: outputs on 1,000 test images, WebAssembly = native ($native)" "$wasm" "$native"
    expect_eq "$net: parameter fingerprint" "$(json_field "fingerprint_$net" < "$SCRATCH/wasm.json")" \
        "$("$TWINNET" info "$m" --json | json_field fingerprint)"
done
expect_ne "B and B aligned differ in parameters" "$(json_field fingerprint_b < "$SCRATCH/wasm.json")" \
    "$(json_field fingerprint_b_aligned < "$SCRATCH/wasm.json")"

if "$PY" -c 'import PIL' 2> /dev/null; then
    "$PY" - "$DATA/t10k-images-idx3-ubyte" "$SCRATCH" <<'PYEOF'
import sys
from PIL import Image
idx, out = sys.argv[1], sys.argv[2]
with open(idx, "rb") as f:
    f.seek(16 + 784 * 7)  # test image 7
    digit = Image.frombytes("L", (28, 28), f.read(784)).resize((84, 84), Image.BILINEAR)
card = Image.new("RGBA", (120, 100), (250, 235, 140, 255))
for y in range(100):
    for x in range(60, 120):
        card.putpixel((x, y), (250, 235, 140, 160))  # the right part partly transparent
ink = Image.new("RGBA", (84, 84), (120, 20, 30, 255))
card.paste(ink, (20, 8), digit)
card.save(out + "/colour.png")
with open(out + "/colour.rgba", "wb") as f:
    f.write(card.tobytes())
PYEOF
    $NODE tests/web_image.mjs "$WEB/twinnet.html" "$SCRATCH/colour.rgba" 120 100 > "$SCRATCH/colour.json"
    for net in a b; do
        "$TWINNET" predict "$WEB/model-$net.tnm" "$SCRATCH/colour.png" --json > "$SCRATCH/colour-$net.json"
        if "$PY" - "$SCRATCH/colour.json" "$SCRATCH/colour-$net.json" "$net" <<'PYEOF'
import json, sys
page, native = json.load(open(sys.argv[1]))[sys.argv[3]], json.load(open(sys.argv[2]))["probabilities"]
print("page", ["%.9g" % p for p in page], "native", native)
sys.exit(0 if len(page) == len(native) and all(float("%.9g" % p) == float(n) for p, n in zip(page, native)) else 1)
PYEOF
        then ok "$net: a colour RGBA image: the page's probabilities are native predict's on its PNG"
        else bad "$net: a colour RGBA image: the page and native predict differ"; fi
    done
else
    echo "note: no PIL (python3-pil): the colour-image check was not run"
fi

# ---- 2. the command line as WebAssembly -----------------------------------------------------
wasm_cli() { $NODE web/wasi-run.mjs "$CLI_WASM" "$@"; }
A=$(cd "$WEB" && pwd)/model-a.tnm
ABS=$(cd "$SCRATCH" && pwd)
expect_eq "wasm eval: outputs fingerprint" \
    "$(wasm_cli eval "$A" --test-images "$ABS/images" --test-labels "$ABS/labels" --json | json_field outputs_sha256)" \
    "$("$TWINNET" eval "$A" $SET --json | json_field outputs_sha256)"
. tests/repro-nets.sh
"$PY" tests/idx_slice.py "$DATA/train-images-idx3-ubyte" "$ABS/train-images" 2000
"$PY" tests/idx_slice.py "$DATA/train-labels-idx1-ubyte" "$ABS/train-labels" 2000
TRAIN="--train-images $ABS/train-images --train-labels $ABS/train-labels --test-images $ABS/images --test-labels $ABS/labels --epochs 2 --train-size 0 --seed 1"
want=$(awk '$1 == "default" { print $2 }' tests/repro-fingerprints.txt)
# shellcheck disable=SC2046,SC2086
got=$(wasm_cli train $TRAIN $(repro_net_args default) --json --out "$ABS/wasm.tnm" | json_field fingerprint)
expect_eq "wasm train: the committed default fingerprint" "$got" "$want"
# shellcheck disable=SC2046,SC2086
"$TWINNET" train $TRAIN $(repro_net_args default) --quiet --out "$ABS/native.tnm"
if cmp -s "$ABS/wasm.tnm" "$ABS/native.tnm"; then ok "wasm train: the model file is byte-identical to native's"
else bad "wasm train: model files differ: $(cmp "$ABS/wasm.tnm" "$ABS/native.tnm" 2>&1)"; fi
gzip -c "$ABS/images" > "$ABS/images.gz"
msg=$(wasm_cli eval "$A" --test-images "$ABS/images.gz" --test-labels "$ABS/labels" 2>&1)
rc=$?
expect_ne "wasm: gzip input is an error" "$rc" 0
case $msg in *"has no zlib"*) ok "wasm: gzip refused: $msg" ;; *) bad "wasm: gzip message: $msg" ;; esac
printf '\211PNG\r\n\032\n' > "$ABS/x.png"
msg=$(wasm_cli predict "$A" "$ABS/x.png" 2>&1)
case $msg in *"has no libpng"*) ok "wasm: PNG refused: $msg" ;; *) bad "wasm: PNG message: $msg" ;; esac

# ---- 3. the README's screenshot against the page's code -------------------------------------
if git rev-parse --is-inside-work-tree > /dev/null 2>&1 && [ -n "$(git log -1 --format=%ct -- docs/web.png)" ]; then
    shot=$(git log -1 --format=%ct -- docs/web.png)
    code=$(git log -1 --format=%ct -- web/page.html web/page.css web/page.js)
    if [ "$shot" -ge "$code" ]; then ok "docs/web.png is not older than the page's code"
    else bad "docs/web.png (committed $(date -u -d "@$shot" "+%F %T")) is older than web/page.* ($(date -u -d "@$code" "+%F %T")): refresh it from build/web/page-1280.png (tests/t_web_browser.py writes it)"; fi
else
    echo "note: not a git checkout: the screenshot's age was not checked"
fi
finish
