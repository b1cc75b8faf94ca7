#!/bin/sh
# Every bad input through the command line: one line "twinnet: FILE: what is wrong" on stderr,
# exit 1 (exit 2 for usage errors), no crash, and no output file or temporary left behind; an
# old model at --out survives a failed run. Makes its own small IDX files (printf, head, tr).
. tests/common.sh
T=$SCRATCH

# ---- small IDX files (images, labels: idx.sh through common.sh) ------------------------------
# flip FILE OFFSET: xor one byte with 0x01
flip() {
    old=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
    byte $((old ^ 1)) | dd of="$1" bs=1 seek="$2" conv=notrunc 2>/dev/null
}

images "$T/img" 60 28 28
labels "$T/lab" 60
images "$T/timg" 20 28 28
labels "$T/tlab" 20
DATA="--train-images $T/img --train-labels $T/lab --test-images $T/timg --test-labels $T/tlab"
SMALL="--sizes 784,10 --epochs 1 --batch 10 --train-size 0 --quiet"

# ---- the checker: expect STATUS FILE WORDS CMD... (common.sh) --------------------------------
# ---- a good run first: the data and the baseline model work -----------------------------------
if ! $TWINNET train $DATA $SMALL --out "$T/good.tnm" > "$T/stdout" 2> "$T/stderr"; then
    bad "a good training failed: $(cat "$T/stderr")"
    finish
    exit 1
fi
ok "a good training"
cp "$T/good.tnm" "$T/old.tnm"

# train with bad data: exit 1, and --out (an old model) untouched
train_bad() { # STATUS FILE WORDS then data options
    want=$1 file=$2 words=$3
    shift 3
    expect "$want" "$file" "$words" $TWINNET train "$@" $SMALL --out "$T/old.tnm"
    cmp -s "$T/old.tnm" "$T/good.tnm" || bad "train $*: the old model at --out changed"
}
TEST="--test-images $T/timg --test-labels $T/tlab"

train_bad 1 "$T/missing" "No such file" --train-images "$T/missing" --train-labels "$T/lab" $TEST
train_bad 1 "$T/missing" "No such file" --train-images "$T/img" --train-labels "$T/missing" $TEST
train_bad 1 "$T/missing" "No such file" --train-images "$T/img" --train-labels "$T/lab" --test-images "$T/timg" --test-labels "$T/missing"
train_bad 1 "$T" "directory" --train-images "$T" --train-labels "$T/lab" $TEST
: > "$T/empty"
train_bad 1 "$T/empty" "truncated" --train-images "$T/empty" --train-labels "$T/lab" $TEST
{ printf 'PK\003\004'; tail -c +5 "$T/img"; } > "$T/magic"
train_bad 1 "$T/magic" "wrong magic" --train-images "$T/magic" --train-labels "$T/lab" $TEST
train_bad 1 "$T/lab" "dimensions" --train-images "$T/lab" --train-labels "$T/lab" $TEST
head -c 10 "$T/img" > "$T/short-header"
train_bad 1 "$T/short-header" "truncated" --train-images "$T/short-header" --train-labels "$T/lab" $TEST
head -c 20000 "$T/img" > "$T/short"
train_bad 1 "$T/short" "truncated" --train-images "$T/short" --train-labels "$T/lab" $TEST
{ cat "$T/img"; printf 'x'; } > "$T/long"
train_bad 1 "$T/long" "trailing" --train-images "$T/long" --train-labels "$T/lab" $TEST
gzip -c "$T/img" > "$T/img.gz"
$TWINNET train --train-images "$T/img.gz" --train-labels "$T/lab" $TEST $SMALL --out "$T/gz.tnm" 2> "$T/stderr" &&
    ok "gzipped images" || bad "gzipped images: $(cat "$T/stderr")"
cmp -s "$T/gz.tnm" "$T/good.tnm" || bad "gzipped images gave another model"
size=$(wc -c < "$T/img.gz")
head -c $((size / 2)) "$T/img.gz" > "$T/cut.gz"
train_bad 1 "$T/cut.gz" "truncated gzip" --train-images "$T/cut.gz" --train-labels "$T/lab" $TEST
head -c $((size - 4)) "$T/img.gz" > "$T/cut4.gz"
train_bad 1 "$T/cut4.gz" "truncated gzip" --train-images "$T/cut4.gz" --train-labels "$T/lab" $TEST
cp "$T/img.gz" "$T/flip.gz"
flip "$T/flip.gz" $((size - 6))
train_bad 1 "$T/flip.gz" "corrupt gzip" --train-images "$T/flip.gz" --train-labels "$T/lab" $TEST
labels "$T/lab59" 59
train_bad 1 "$T/lab59" "59 labels" --train-images "$T/img" --train-labels "$T/lab59" $TEST
{ printf '\000\000\010\001'; be32 60; i=0; while [ $i -lt 60 ]; do if [ $i -eq 7 ]; then byte 12; else byte $((i % 10)); fi; i=$((i + 1)); done; } > "$T/lab12"
train_bad 1 "$T/lab12" "out of range" --train-images "$T/img" --train-labels "$T/lab12" $TEST
images "$T/img10" 60 10 10
expect 1 "$T/img10" "784" $TWINNET train --train-images "$T/img10" --train-labels "$T/lab" $TEST $SMALL --out "$T/x.tnm"
{ printf '\000\000\010\003'; be32 2147483648; be32 28; be32 28; head -c 1000 "$T/img"; } > "$T/huge"
train_bad 1 "$T/huge" "limit" --train-images "$T/huge" --train-labels "$T/lab" $TEST
gzip -c "$T/huge" > "$T/huge.gz"
train_bad 1 "$T/huge.gz" "limit" --train-images "$T/huge.gz" --train-labels "$T/lab" $TEST
{ printf '\000\000\010\003'; be32 2000000; be32 28; be32 28; head -c 1000 "$T/img"; } > "$T/big"
train_bad 1 "$T/big" "truncated" --train-images "$T/big" --train-labels "$T/lab" $TEST
[ -e "$T/x.tnm" ] && bad "a failed training wrote its model"

# output errors, found before any training (usage errors): nothing written, not even a trace
expect 2 "$T/no/such/dir/m.tnm" "no such directory" $TWINNET train $DATA $SMALL --trace "$T/early.trace" --out "$T/no/such/dir/m.tnm"
[ -e "$T/early.trace" ] && bad "a run whose --out cannot be written wrote its trace first"
mkdir "$T/adir"
expect 2 "$T/adir" "directory" $TWINNET train $DATA $SMALL --out "$T/adir"
expect 2 - "--out: the file name is empty" $TWINNET train $DATA $SMALL --out ""
expect 2 - "--trace-every" $TWINNET train $DATA $SMALL --trace-every 5 --out "$T/u.tnm"
# an output that is an input or another output (by name, through a link, by another name)
cp "$T/img" "$T/img.keep"
expect 2 "$T/img" "same file as $T/img" $TWINNET train $DATA $SMALL --out "$T/img"
expect 2 "$T/lab" "same file" $TWINNET train $DATA $SMALL --trace "$T/lab" --out "$T/u.tnm"
ln -s img "$T/img-link"
expect 2 "$T/img-link" "same file" $TWINNET train $DATA $SMALL --out "$T/img-link"
expect 2 "$T/./tlab" "same file" $TWINNET train $DATA $SMALL --out "$T/./tlab"
expect 2 "$T/both" "same file as $T/both" $TWINNET train $DATA $SMALL --trace "$T/both" --out "$T/both"
cmp -s "$T/img" "$T/img.keep" || bad "a training with --out naming its input changed the input"
[ -e "$T/both" ] && bad "--out X --trace X wrote X"
[ -e "$T/u.tnm" ] && bad "a refused run wrote its model"
if [ -w /dev/full ]; then
    expect 1 /dev/full "No space left" $TWINNET train $DATA $SMALL --out /dev/full
    expect 1 /dev/full "No space left" $TWINNET train $DATA $SMALL --trace /dev/full --out "$T/traced.tnm"
    [ -e "$T/traced.tnm" ] && bad "a training whose trace failed wrote its model"
fi

# ---- model files: eval and info -------------------------------------------------------------
size=$(wc -c < "$T/good.tnm")
head -c 100 "$T/good.tnm" > "$T/trunc.tnm"
head -c $((size - 1)) "$T/good.tnm" > "$T/trunc1.tnm"
cp "$T/good.tnm" "$T/flip.tnm"
flip "$T/flip.tnm" 500
cp "$T/good.tnm" "$T/v5.tnm"
byte 5 | dd of="$T/v5.tnm" bs=1 seek=8 conv=notrunc 2>/dev/null
echo "hello, world" > "$T/text.tnm"
for cmd in info eval; do
    extra=""
    [ $cmd = eval ] && extra="$TEST"
    expect 1 "$T/trunc.tnm" "truncated" $TWINNET $cmd "$T/trunc.tnm" $extra
    expect 1 "$T/trunc1.tnm" "truncated" $TWINNET $cmd "$T/trunc1.tnm" $extra
    expect 1 "$T/flip.tnm" "checksum" $TWINNET $cmd "$T/flip.tnm" $extra
    expect 1 "$T/v5.tnm" "version 5" $TWINNET $cmd "$T/v5.tnm" $extra
    expect 1 "$T/img" "not a twinnet model" $TWINNET $cmd "$T/img" $extra
    expect 1 "$T/text.tnm" "not a twinnet model" $TWINNET $cmd "$T/text.tnm" $extra
    expect 1 "$T/empty" "not a twinnet model" $TWINNET $cmd "$T/empty" $extra
    expect 1 "$T/missing.tnm" "No such file" $TWINNET $cmd "$T/missing.tnm" $extra
    expect 1 "$T/adir" "directory" $TWINNET $cmd "$T/adir" $extra
done
expect 1 "$T/img10" "784" $TWINNET eval "$T/good.tnm" --test-images "$T/img10" --test-labels "$T/lab"
expect 1 "$T/lab12" "out of range" $TWINNET eval "$T/good.tnm" --test-images "$T/img" --test-labels "$T/lab12"

# ---- predict ----------------------------------------------------------------------------------
$TWINNET predict "$T/good.tnm" "$FIXTURES/seven-28x28.png" > "$T/stdout" 2> "$T/stderr" &&
    ok "predict on a good PNG" || bad "predict on a good PNG: $(cat "$T/stderr")"
{ printf 'P5\n28 28\n255\n'; yes | head -c 784 | tr 'y\n' '\377\000'; } > "$T/ok.pgm"
$TWINNET predict "$T/good.tnm" "$T/ok.pgm" > "$T/stdout" 2> "$T/stderr" && ok "predict on a good PGM" ||
    bad "predict on a good PGM: $(cat "$T/stderr")"
printf '\211PNG\r\n\032\nnot really a png at all' > "$T/garbage.png"
head -c 60 "$FIXTURES/seven-28x28.png" > "$T/trunc.png"
head -c 100 "$T/ok.pgm" > "$T/trunc.pgm"
{ printf 'P5\n10 10\n255\n'; head -c 100 /dev/zero; } > "$T/small.pgm"
expect 1 "$T/garbage.png" "unreadable PNG" $TWINNET predict "$T/good.tnm" "$T/garbage.png"
expect 1 "$T/trunc.png" "unreadable PNG" $TWINNET predict "$T/good.tnm" "$T/trunc.png"
expect 1 "$T/trunc.pgm" "truncated" $TWINNET predict "$T/good.tnm" "$T/trunc.pgm"
expect 1 "$T/small.pgm" "10x10" $TWINNET predict --raw "$T/good.tnm" "$T/small.pgm"
expect 1 "$T/text.tnm" "not a PGM, PNG or JPEG" $TWINNET predict "$T/good.tnm" "$T/text.tnm"
expect 1 "$T/missing.png" "No such file" $TWINNET predict "$T/good.tnm" "$T/missing.png"
expect 1 "$T/flip.tnm" "checksum" $TWINNET predict "$T/flip.tnm" "$T/ok.pgm"
# one bad image among good ones: the good ones are still classified, the status is 1
$TWINNET predict "$T/good.tnm" "$T/ok.pgm" "$T/garbage.png" "$T/ok.pgm" > "$T/stdout" 2> "$T/stderr"
rc=$?
[ $rc -eq 1 ] && [ "$(wc -l < "$T/stdout")" -eq 2 ] && [ "$(wc -l < "$T/stderr")" -eq 1 ] &&
    ok "predict with one bad image among two good" || bad "predict with one bad image among two good: exit $rc, $(wc -l < "$T/stdout") results"

# ---- usage errors: exit 2 -----------------------------------------------------------------------
usage() { # OPTION-WORD then the train options
    words=$1
    shift
    expect 2 - "$words" $TWINNET train $DATA --out "$T/u.tnm" "$@"
    [ -e "$T/u.tnm" ] && { bad "usage error $* wrote a model"; rm -f "$T/u.tnm"; }
}
usage --sizes --sizes 784,,10
usage --sizes --sizes 784
usage --sizes --sizes 784,0,10
usage --sizes --sizes 784,10,
usage --sizes --sizes abc
usage --sizes --sizes 784,99999999999999999999,10
usage --sizes --sizes 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17
usage --batch --batch 0
usage --batch --batch -1
usage --batch --batch ""
usage --eta --eta -1
usage --eta --eta 0
usage --eta --eta nan
usage --eta --eta inf
usage --eta --eta 1e400
usage --eta --eta 3x
usage --epochs --epochs abc
usage --epochs --epochs 0
usage --epochs --epochs 1.5
usage --epochs --epochs " 3"
usage --lambda --lambda -1
usage --threads --threads 0
usage --seed --seed -1
usage --seed --seed 18446744073709551616
usage --cost --cost foo
usage --activation --activation softplus
usage --init --init zeros
usage --frobnicate --frobnicate
usage --json --json=yes
usage "unexpected argument" stray
usage --batch --batch
expect 2 - "--out" $TWINNET train $DATA
expect 2 - "pairs" $TWINNET train --train-images "$T/img" --test-images "$T/timg" --test-labels "$T/tlab" --out "$T/u.tnm"
expect 2 - "frobnicate" $TWINNET frobnicate
expect 2 - "MODEL" $TWINNET eval
expect 2 - "MODEL" $TWINNET info
expect 2 - "IMAGE" $TWINNET predict "$T/good.tnm"
expect 2 - "--bogus" $TWINNET eval "$T/good.tnm" --bogus
expect 2 - "--threads" $TWINNET eval "$T/good.tnm" --threads 0

# ---- standard streams, signals of the shell, limits -------------------------------------------
# output that cannot be written is an error (exit 1, one line), not a silent success
expect_out() { # WORDS CMD...: exit 1 and one stderr line about standard output
    words=$1
    shift
    "$@" 2> "$T/stderr"
    rc=$?
    line=$(cat "$T/stderr")
    [ $rc -eq 1 ] && case $line in *"standard output: $words"*) true ;; *) false ;; esac &&
        ok "$* (stdout lost): $line" || bad "$* (stdout lost): exit $rc: $line"
}
if [ -w /dev/full ]; then
    expect_out "No space" sh -c "$TWINNET info $T/good.tnm > /dev/full"
    expect_out "No space" sh -c "$TWINNET train $DATA --sizes 784,10 --epochs 1 --train-size 0 --out $T/full.tnm > /dev/full"
    [ -s "$T/full.tnm" ] || bad "train > /dev/full did not save its model"
fi
expect_out "closed" sh -c "$TWINNET eval $T/good.tnm --test-images $T/timg --test-labels $T/tlab --json >&-"
# a closed stdout must not hand descriptor 1 to the trace
sh -c "$TWINNET train $DATA --sizes 784,10 --epochs 2 --train-size 0 --trace $T/c.trace --out $T/c.tnm >&-" 2> /dev/null
[ $? -eq 1 ] && $TWINNET diverge "$T/c.trace" "$T/c.trace" > /dev/null 2>&1 && ok "train >&-: exit 1, the trace intact" ||
    bad "train >&-: trace corrupt or exit status 0"
# a broken pipe: training goes on and saves; exit 1 says the output was lost; no temporary left
rm -f "$T/pipe.tnm"
{ $TWINNET train $DATA --sizes 784,10 --epochs 30 --train-size 0 --trace "$T/pipe.trace" --trace-every 1 --out "$T/pipe.tnm" 2> "$T/stderr"; echo $? > "$T/rc"; } | head -n 1 > /dev/null
[ "$(cat "$T/rc")" = 1 ] && [ -s "$T/pipe.tnm" ] && [ -s "$T/pipe.trace" ] && grep -q "Broken pipe" "$T/stderr" &&
    ok "train | head -1: saved, exit 1" || bad "train | head -1: exit $(cat "$T/rc"), model $(ls "$T/pipe.tnm" 2>&1), $(cat "$T/stderr")"
[ -z "$(find "$T" -name '*.tmp.*')" ] || bad "train | head -1 left a temporary file"
# a file-size limit: a one-line error naming the file, exit 1, no temporary file
(ulimit -f 8; $TWINNET train $DATA $SMALL --out "$T/limited.tnm" 2> "$T/stderr"; echo $? > "$T/rc")
grep -q "$T/limited.tnm: cannot write: File too large" "$T/stderr" && [ "$(cat "$T/rc")" = 1 ] && [ ! -e "$T/limited.tnm" ] &&
    ok "ulimit -f: one line, exit 1, no model" || bad "ulimit -f: exit $(cat "$T/rc"): $(cat "$T/stderr")"
[ -z "$(find "$T" -name '*.tmp.*')" ] || bad "ulimit -f left a temporary file"

# ---- training that blows up: says so, keeps the last finite model ------------------------------
$TWINNET train $DATA --sizes 784,30,10 --cost cross-entropy --lambda 1e6 --eta 1e6 --epochs 3 --train-size 0 --quiet \
    --out "$T/nan.tnm" 2> "$T/stderr"
rc=$?
[ $rc -eq 1 ] && grep -q "non-finite" "$T/stderr" && $TWINNET info "$T/nan.tnm" > /dev/null &&
    ok "diverging training: says so, keeps a model" || bad "diverging training: exit $rc: $(cat "$T/stderr")"
$TWINNET train $DATA --sizes 784,30,10 --cost cross-entropy --lambda 1e6 --eta 1e6 --epochs 2 --train-size 0 --quiet \
    --on-nan continue --out "$T/nan2.tnm" 2> "$T/stderr"
[ $? -eq 0 ] && grep -q "continue" "$T/stderr" && ok "--on-nan continue" || bad "--on-nan continue: $(cat "$T/stderr")"

# ---- diverge decides from the parameters, and checks each record's fingerprint ---------------
$TWINNET train $DATA $SMALL --trace "$T/ta" --trace-every 1 --out "$T/ta.tnm" 2> /dev/null
"${PY:-/usr/bin/python3}" - "$T/ta" "$T/tb" "$T/tc" <<'PYEOF' || bad "could not make the doctored traces"
import hashlib, struct, sys
data = bytearray(open(sys.argv[1], "rb").read())
header = 8 + 4 + 4 + 4 * 16 + 8 + 4
n_params = struct.unpack_from("<Q", data, 8 + 4 + 4 + 4 * 16)[0]
record = 12 + 32 + 4 * n_params
second = header + record                    # the second record: step 1
bad = bytearray(data)
bad[second + 44 + 4 * 100] ^= 1             # one parameter byte; digest left as it was
open(sys.argv[3], "wb").write(bad)
fixed = bytearray(bad)                       # the same byte, digest made to match
fixed[second + 12:second + 44] = hashlib.sha256(bytes(fixed[second + 44:second + record])).digest()
open(sys.argv[2], "wb").write(fixed)
PYEOF
out=$($TWINNET diverge "$T/ta" "$T/tb" 2>&1)
case $out in *"First diverging step: 1"*) ok "diverge finds one parameter byte at step 1" ;; *) bad "diverge, one parameter byte differs: $out" ;; esac
expect 1 "$T/tc" "record 2 (step 1)" $TWINNET diverge "$T/ta" "$T/tc"

# ---- sizes from files bound what is allocated: a valid 65,536-wide output layer ---------------
if [ -z "$TWINNET_SANITIZE" ]; then
    images "$T/img1" 60 1 1
    $TWINNET train --train-images "$T/img1" --train-labels "$T/lab" --test-images "$T/img1" --test-labels "$T/lab" \
        --sizes 1,65536 --epochs 1 --train-size 0 --quiet --out "$T/wide.tnm" &&
        ok "training a 65,536-wide output layer" || bad "training a 65,536-wide output layer"
    (ulimit -v 1000000; $TWINNET eval "$T/wide.tnm" --test-images "$T/img1" --test-labels "$T/lab" --json > "$T/wide.json") &&
        ok "eval of a 65,536-wide output within 1 GB" || bad "eval of a 65,536-wide output within 1 GB of address space"
fi

# ---- small things ----------------------------------------------------------------------------
expect 2 - "TWINNET_SIMD" env TWINNET_SIMD=sse9 $TWINNET info "$T/good.tnm"
expect 2 - "(0, 1e+06]" $TWINNET train $DATA $SMALL --eta 0 --out "$T/u.tnm"
expect 2 - "too large" $TWINNET train $DATA $SMALL --epochs 99999999999 --out "$T/u.tnm"
expect 2 - "not a number" $TWINNET train $DATA $SMALL --eta 0x10 --out "$T/u.tnm"
expect 2 - "not a whole number" $TWINNET train $DATA $SMALL --threads "$(printf '\t2')" --out "$T/u.tnm"
expect 2 - "--out: needs a value" $TWINNET train $DATA $SMALL --out --quiet
$TWINNET help train | grep -q -- "--eta X" && ok "twinnet help train" || bad "twinnet help train"
$TWINNET info -- --x.tnm 2>&1 | grep -q "twinnet: --x.tnm: No such file" && ok "-- ends options" || bad "-- ends options"
long=$(printf '%0200d' 0 | tr 0 a)
expect 1 - "No such file or directory" $TWINNET info "$T/$long/$long/$long/x.tnm"
{ printf '\000\000\010\003'; be32 0; be32 28; be32 28; } > "$T/empty-img"
{ printf '\000\000\010\001'; be32 0; } > "$T/empty-lab"
expect 1 "$T/empty-img" "no examples" $TWINNET eval "$T/good.tnm" --test-images "$T/empty-img" --test-labels "$T/empty-lab"
head -c 2 "$T/good.tnm" > "$T/one.tnm"
$TWINNET info "$T/one.tnm" 2>&1 | grep -q "2 bytes" || true
head -c 1 "$T/img" > "$T/one-byte"
$TWINNET train --train-images "$T/one-byte" --train-labels "$T/lab" $TEST $SMALL --out "$T/u.tnm" 2>&1 | grep -q "1 byte," &&
    ok "1 byte, not 1 bytes" || bad "1 byte, not 1 bytes"

finish
