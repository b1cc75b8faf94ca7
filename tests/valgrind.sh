#!/bin/sh
# The command line under valgrind memcheck: a short training (two threads, a trace), eval, info,
# predict (PNG and PGM), and the error paths of bad data, models and images. Fails on any
# memcheck error or any definitely, indirectly or possibly lost block; "still reachable" blocks
# are allowed (an error exit leaves the CLI's own allocations in place on purpose).
# Exit 0 pass, 1 fail, 77 when valgrind is missing.
cd "$(dirname "$0")/.." || exit 1
. tests/common.sh
T=$SCRATCH
command -v valgrind > /dev/null 2>&1 || { echo "skipped: valgrind not installed"; exit 77; }
[ -x "$TWINNET" ] || { echo "valgrind: no $TWINNET (run make first)"; exit 1; }
VG="valgrind -q --error-exitcode=99 --leak-check=full --show-leak-kinds=definite,indirect,possible
    --errors-for-leak-kinds=definite,indirect,possible --track-origins=yes"

images "$T/img" 60 28 28
labels "$T/lab" 60
gzip -c "$T/img" > "$T/img.gz"
DATA="--train-images $T/img.gz --train-labels $T/lab --test-images $T/img --test-labels $T/lab"

# vg WANT_STATUS NAME ARGS...: runs twinnet under memcheck; status 99 is a memcheck finding.
vg() {
    want=$1 name=$2
    shift 2
    $VG $TWINNET "$@" > "$T/out" 2> "$T/err"
    rc=$?
    if [ $rc -eq 99 ]; then
        bad "$name: memcheck errors:"
        sed 's/^/    /' "$T/err" | head -n 60
    elif [ $rc -ne "$want" ]; then
        bad "$name: exit $rc, want $want"
        sed 's/^/    /' "$T/err" | head -n 10
    else
        ok "$name"
    fi
}

vg 0 "train" train $DATA --sizes 784,30,10 --epochs 2 --batch 10 --train-size 40 --threads 2 \
    --trace "$T/trace" --trace-every 2 --quiet --out "$T/m.tnm"
vg 0 "train --json, log-likelihood, relu" train $DATA --sizes 784,20,10 --epochs 1 --train-size 0 \
    --cost log-likelihood --activation relu --lambda 1 --json --out "$T/m2.tnm"
vg 0 "eval" eval "$T/m.tnm" --test-images "$T/img" --test-labels "$T/lab" --threads 2
vg 0 "eval --json" eval "$T/m2.tnm" --test-images "$T/img" --test-labels "$T/lab" --json
vg 0 "info" info "$T/m.tnm"
vg 0 "info --json" info "$T/m.tnm" --json
{ printf 'P5\n28 28\n255\n'; yes | head -c 784 | tr 'y\n' '\377\000'; } > "$T/digit.pgm"
vg 0 "predict PNG and PGM" predict "$T/m.tnm" tests/fixtures/seven-28x28.png "$T/digit.pgm" --json

# error paths
head -c 1000 "$T/m.tnm" > "$T/trunc.tnm"
head -c $(($(wc -c < "$T/img.gz") / 2)) "$T/img.gz" > "$T/cut.gz"
printf '\211PNG\r\n\032\nnot a png' > "$T/bad.png"
{ printf 'P5\n10 10\n255\n'; head -c 100 /dev/zero; } > "$T/small.pgm"
vg 1 "eval of a truncated model" eval "$T/trunc.tnm" --test-images "$T/img" --test-labels "$T/lab"
vg 1 "info of a data file" info "$T/img"
vg 1 "train on a truncated gzip" train --train-images "$T/cut.gz" --train-labels "$T/lab" \
    --test-images "$T/img" --test-labels "$T/lab" --sizes 784,10 --epochs 1 --out "$T/x.tnm"
vg 1 "train with sizes that do not fit" train $DATA --sizes 100,10 --epochs 1 --out "$T/x.tnm"
vg 1 "predict bad and small images" predict "$T/m.tnm" "$T/bad.png" "$T/small.pgm" "$T/digit.pgm"
vg 2 "usage error" train $DATA --sizes 784,,10 --out "$T/x.tnm"

finish
