#!/bin/sh
# Every bad input through the command line: one line "twinnet: FILE: what is wrong" on stderr,
# exit 1 (exit 2 for usage errors), no crash, and no output file or temporary left behind; an
# old model at --out survives a failed run. Makes its own small IDX files (printf, head, tr).
TWINNET=${TWINNET:-build/twinnet}
FIXTURES=$(dirname "$0")/fixtures
T=$(mktemp -d "${TMPDIR:-/tmp}/twinnet-cli-XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT
failures=0 checks=0

fail() { failures=$((failures + 1)); echo "FAIL: $*"; }

# ---- small IDX files ------------------------------------------------------------------------
. "$(dirname "$0")/idx.sh"
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

# ---- the checker ------------------------------------------------------------------------------
# expect STATUS FILE WORDS CMD...: exit STATUS, stderr exactly one line
# "twinnet: FILE: ...WORDS...", no temporaries in $T. FILE "-" skips the file check (usage
# errors name the command instead).
expect() {
    want=$1 file=$2 words=$3
    shift 3
    checks=$((checks + 1))
    "$@" > "$T/stdout" 2> "$T/stderr"
    rc=$?
    line=$(cat "$T/stderr")
    n=$(wc -l < "$T/stderr")
    what="$*"
    [ "$rc" -eq "$want" ] || { fail "$what: exit $rc, want $want: $line"; return; }
    [ "$n" -eq 1 ] || { fail "$what: $n lines on stderr: $line"; return; }
    case $line in "twinnet: "*) ;; *) fail "$what: no 'twinnet: ' prefix: $line"; return ;; esac
    if [ "$file" != - ]; then
        case $line in "twinnet: $file: "*) ;; *) fail "$what: does not name '$file' first: $line"; return ;; esac
    fi
    case $line in *"$words"*) ;; *) fail "$what: lacks '$words': $line"; return ;; esac
    leftovers=$(find "$T" -name '*.tmp.*' | head -n 3)
    [ -z "$leftovers" ] || fail "$what: temporary files left: $leftovers"
}

# ---- a good run first: the data and the baseline model work -----------------------------------
checks=$((checks + 1))
if ! $TWINNET train $DATA $SMALL --out "$T/good.tnm" > "$T/stdout" 2> "$T/stderr"; then
    fail "a good training failed: $(cat "$T/stderr")"
    echo "$failures failed"
    exit 1
fi
cp "$T/good.tnm" "$T/old.tnm"

# train with bad data: exit 1, and --out (an old model) untouched
train_bad() { # STATUS FILE WORDS then data options
    want=$1 file=$2 words=$3
    shift 3
    expect "$want" "$file" "$words" $TWINNET train "$@" $SMALL --out "$T/old.tnm"
    cmp -s "$T/old.tnm" "$T/good.tnm" || fail "train $*: the old model at --out changed"
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
checks=$((checks + 1))
$TWINNET train --train-images "$T/img.gz" --train-labels "$T/lab" $TEST $SMALL --out "$T/gz.tnm" 2> "$T/stderr" ||
    fail "gzipped images: $(cat "$T/stderr")"
cmp -s "$T/gz.tnm" "$T/good.tnm" || fail "gzipped images gave another model"
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
[ -e "$T/x.tnm" ] && fail "a failed training wrote its model"

# output errors: nothing half-written
expect 1 "$T/no/such/dir/m.tnm" "No such file" $TWINNET train $DATA $SMALL --out "$T/no/such/dir/m.tnm"
mkdir "$T/adir"
expect 1 "$T/adir" "directory" $TWINNET train $DATA $SMALL --out "$T/adir"
if [ -w /dev/full ]; then
    expect 1 /dev/full "No space left" $TWINNET train $DATA $SMALL --out /dev/full
    expect 1 /dev/full "No space left" $TWINNET train $DATA $SMALL --trace /dev/full --out "$T/traced.tnm"
    [ -e "$T/traced.tnm" ] && fail "a training whose trace failed wrote its model"
fi

# ---- model files: eval and info -------------------------------------------------------------
size=$(wc -c < "$T/good.tnm")
head -c 100 "$T/good.tnm" > "$T/trunc.tnm"
head -c $((size - 1)) "$T/good.tnm" > "$T/trunc1.tnm"
cp "$T/good.tnm" "$T/flip.tnm"
flip "$T/flip.tnm" 500
cp "$T/good.tnm" "$T/v2.tnm"
byte 2 | dd of="$T/v2.tnm" bs=1 seek=8 conv=notrunc 2>/dev/null
echo "hello, world" > "$T/text.tnm"
for cmd in info eval; do
    extra=""
    [ $cmd = eval ] && extra="$TEST"
    expect 1 "$T/trunc.tnm" "truncated" $TWINNET $cmd "$T/trunc.tnm" $extra
    expect 1 "$T/trunc1.tnm" "truncated" $TWINNET $cmd "$T/trunc1.tnm" $extra
    expect 1 "$T/flip.tnm" "checksum" $TWINNET $cmd "$T/flip.tnm" $extra
    expect 1 "$T/v2.tnm" "version 2" $TWINNET $cmd "$T/v2.tnm" $extra
    expect 1 "$T/img" "not a twinnet model" $TWINNET $cmd "$T/img" $extra
    expect 1 "$T/text.tnm" "not a twinnet model" $TWINNET $cmd "$T/text.tnm" $extra
    expect 1 "$T/empty" "not a twinnet model" $TWINNET $cmd "$T/empty" $extra
    expect 1 "$T/missing.tnm" "No such file" $TWINNET $cmd "$T/missing.tnm" $extra
    expect 1 "$T/adir" "directory" $TWINNET $cmd "$T/adir" $extra
done
expect 1 "$T/img10" "784" $TWINNET eval "$T/good.tnm" --test-images "$T/img10" --test-labels "$T/lab"
expect 1 "$T/lab12" "out of range" $TWINNET eval "$T/good.tnm" --test-images "$T/img" --test-labels "$T/lab12"

# ---- predict ----------------------------------------------------------------------------------
checks=$((checks + 1))
$TWINNET predict "$T/good.tnm" "$FIXTURES/seven-28x28.png" > "$T/stdout" 2> "$T/stderr" ||
    fail "predict on a good PNG: $(cat "$T/stderr")"
{ printf 'P5\n28 28\n255\n'; yes | head -c 784 | tr 'y\n' '\377\000'; } > "$T/ok.pgm"
checks=$((checks + 1))
$TWINNET predict "$T/good.tnm" "$T/ok.pgm" > "$T/stdout" 2> "$T/stderr" || fail "predict on a good PGM: $(cat "$T/stderr")"
printf '\211PNG\r\n\032\nnot really a png at all' > "$T/garbage.png"
head -c 60 "$FIXTURES/seven-28x28.png" > "$T/trunc.png"
head -c 100 "$T/ok.pgm" > "$T/trunc.pgm"
{ printf 'P5\n10 10\n255\n'; head -c 100 /dev/zero; } > "$T/small.pgm"
expect 1 "$T/garbage.png" "unreadable PNG" $TWINNET predict "$T/good.tnm" "$T/garbage.png"
expect 1 "$T/trunc.png" "unreadable PNG" $TWINNET predict "$T/good.tnm" "$T/trunc.png"
expect 1 "$T/trunc.pgm" "truncated" $TWINNET predict "$T/good.tnm" "$T/trunc.pgm"
expect 1 "$T/small.pgm" "10x10" $TWINNET predict "$T/good.tnm" "$T/small.pgm"
expect 1 "$T/text.tnm" "not a PGM or PNG" $TWINNET predict "$T/good.tnm" "$T/text.tnm"
expect 1 "$T/missing.png" "No such file" $TWINNET predict "$T/good.tnm" "$T/missing.png"
expect 1 "$T/flip.tnm" "checksum" $TWINNET predict "$T/flip.tnm" "$T/ok.pgm"
# one bad image among good ones: the good ones are still classified, the status is 1
checks=$((checks + 1))
$TWINNET predict "$T/good.tnm" "$T/ok.pgm" "$T/garbage.png" "$T/ok.pgm" > "$T/stdout" 2> "$T/stderr"
rc=$?
[ $rc -eq 1 ] && [ "$(wc -l < "$T/stdout")" -eq 2 ] && [ "$(wc -l < "$T/stderr")" -eq 1 ] ||
    fail "predict with one bad image among two good: exit $rc, $(wc -l < "$T/stdout") results"

# ---- usage errors: exit 2 -----------------------------------------------------------------------
usage() { # OPTION-WORD then the train options
    words=$1
    shift
    expect 2 - "$words" $TWINNET train $DATA --out "$T/u.tnm" "$@"
    [ -e "$T/u.tnm" ] && { fail "usage error $* wrote a model"; rm -f "$T/u.tnm"; }
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

echo "t_cli_errors: $checks checks, $failures failed"
[ $failures -eq 0 ]
