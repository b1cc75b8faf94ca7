#!/bin/sh
# Issue 19's cases for the commands that write and read files: every output of every writing
# command passes one check (not an input, data files included; not another output; a dangling
# link creates its target; a read-only file only with --force); readers take regular files only
# (a FIFO, a directory or /dev/zero is refused at once); a thread that cannot start, a network
# too big for memory, a non-finite model, the cache's directory, a repeated option and an
# interrupt before the first epoch are each named plainly.
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/idx.sh"
T=$SCRATCH
TWINNET=$(cd "$(dirname "$TWINNET")" && pwd)/$(basename "$TWINNET") # the tests below change directory
images "$T/img" 60 28 28
labels "$T/lab" 60
images "$T/timg" 20 28 28
labels "$T/tlab" 20
DATA="--train-images $T/img --train-labels $T/lab --test-images $T/timg --test-labels $T/tlab --train-size 0"
TEST="--test-images $T/timg --test-labels $T/tlab"
"$TWINNET" train $DATA --sizes 784,12,10 --epochs 1 --seed 1 --quiet --out "$T/a.tnm" &&
    "$TWINNET" train $DATA --sizes 784,12,10 --epochs 1 --seed 2 --quiet --out "$T/b.tnm" || { bad "training the two models"; finish; exit; }

# expect NAME STATUS WORDS CMD...: exits STATUS within 20 s, with WORDS on one line of stderr
expect() {
    name=$1 want=$2 words=$3
    shift 3
    timeout 20 "$@" > "$T/out" 2> "$T/err"
    rc=$?
    if [ $rc -eq "$want" ] && grep -q -- "$words" "$T/err" && [ "$(wc -l < "$T/err")" -le 2 ]; then ok "$name"
    else bad "$name: exit $rc (want $want), stderr: $(head -c 300 "$T/err")"; fi
}
# unchanged NAME FILE COPY
unchanged() { if cmp -s "$2" "$3"; then ok "$1"; else bad "$1: the file was changed"; fi; }

# ---- case 1: an output that is an input, for every command that writes -----------------------
for f in a b; do cp "$T/$f.tnm" "$T/$f.keep"; done
cp "$T/timg" "$T/timg.keep"
expect "align --out A" 2 "same file" "$TWINNET" align "$T/a.tnm" "$T/b.tnm" --out "$T/a.tnm"
expect "export --npz MODEL" 2 "same file" "$TWINNET" export "$T/b.tnm" --npz "$T/b.tnm"
expect "canon --out MODEL" 2 "same file" "$TWINNET" canon "$T/b.tnm" --out "$T/b.tnm"
expect "align --out its test images" 2 "same file" "$TWINNET" align "$T/a.tnm" "$T/b.tnm" --method activation $TEST --out "$T/timg"
mkdir "$T/mn" && cp "$T/timg" "$T/mn/t10k-images-idx3-ubyte" && cp "$T/tlab" "$T/mn/t10k-labels-idx1-ubyte"
cp "$T/mn/t10k-images-idx3-ubyte" "$T/mn.keep"
expect "align --data DIR --out a file of DIR" 2 "same file" "$TWINNET" align "$T/a.tnm" "$T/b.tnm" --method activation \
    --data "$T/mn" --out "$T/mn/t10k-images-idx3-ubyte"
ln -s b.tnm "$T/b-link"
expect "canon --out a link to MODEL" 2 "same file" "$TWINNET" canon "$T/b.tnm" --out "$T/b-link"
expect "report --out its model" 2 "same file" "$TWINNET" report "$T/a.tnm" "$T/b.tnm" $TEST --out "$T/b.tnm"
expect "report --out its test images" 2 "same file" "$TWINNET" report "$T/a.tnm" "$T/b.tnm" $TEST --out "$T/timg"
expect "train --out its data" 2 "same file" "$TWINNET" train $DATA --out "$T/lab"
unchanged "A survives align" "$T/a.tnm" "$T/a.keep"
unchanged "B survives export, canon and report" "$T/b.tnm" "$T/b.keep"
unchanged "the test images survive" "$T/timg" "$T/timg.keep"
unchanged "DIR's test images survive" "$T/mn/t10k-images-idx3-ubyte" "$T/mn.keep"
"$TWINNET" align "$T/a.tnm" "$T/b.tnm" --method activation --data "$T/mn" --out "$T/aligned.tnm" > /dev/null 2>&1 &&
    [ -f "$T/aligned.tnm" ] && ok "align --data DIR to another file" || bad "align --data DIR to another file failed"

# ---- case 12d: a single-valued option given twice ---------------------------------------------
expect "--out twice" 2 "given twice" "$TWINNET" canon "$T/b.tnm" --out "$T/x1.tnm" --out "$T/y1.tnm"
expect "--eta twice" 2 "given twice" "$TWINNET" train $DATA --eta 1 --eta=2 --out "$T/x1.tnm"
[ ! -e "$T/x1.tnm" ] && [ ! -e "$T/y1.tnm" ] && ok "a repeated option wrote nothing" || bad "a repeated option wrote a file"

# ---- case 8: a dangling symlink as output creates its target, the link kept -------------------
ln -s target.tnm "$T/dangling.tnm"
"$TWINNET" canon "$T/b.tnm" --out "$T/dangling.tnm" > /dev/null 2>&1
[ -L "$T/dangling.tnm" ] && [ -f "$T/target.tnm" ] && "$TWINNET" info "$T/dangling.tnm" > /dev/null 2>&1 &&
    ok "a dangling link's target is written, the link kept" || bad "dangling link: $(ls -l "$T/dangling.tnm" 2>&1)"
ln -s nowhere/m.tnm "$T/dangling2.tnm"
expect "a link into a missing directory" 2 "no such directory" "$TWINNET" export "$T/b.tnm" --npz "$T/dangling2.tnm"
ln -s loop2 "$T/loop1" && ln -s loop1 "$T/loop2"
expect "a link cycle" 2 "symbolic links" "$TWINNET" canon "$T/b.tnm" --out "$T/loop1"

# ---- case 9: a read-only output is replaced only with --force ---------------------------------
for cmd in "canon $T/b.tnm --out" "export $T/b.tnm --npz" "align $T/a.tnm $T/b.tnm --out" \
    "report $T/a.tnm $T/b.tnm $TEST --out" "train $DATA --sizes 784,10 --epochs 1 --quiet --out" \
    "connect $T/a.tnm $T/b.tnm $TEST --train-images $T/img --train-labels $T/lab --epochs 1 --quiet --out"; do
    name=${cmd%% *}
    cp "$T/a.tnm" "$T/ro" && chmod 444 "$T/ro"
    expect "$name: a read-only output is refused" 2 "read-only" "$TWINNET" $cmd "$T/ro"
    unchanged "$name: the read-only file survives" "$T/ro" "$T/a.tnm"
    if "$TWINNET" $cmd "$T/ro" --force > /dev/null 2> "$T/err" && ! cmp -s "$T/ro" "$T/a.tnm"; then ok "$name --force replaces it"
    else bad "$name --force: $(cat "$T/err")"; fi
    rm -f "$T/ro"
done

# ---- the principle: whatever a command reads is a regular file; nothing blocks it -----------
mkfifo "$T/fifo" && mkdir "$T/dir" || bad "mkfifo"
for input in "$T/fifo" "$T/dir" /dev/zero; do
    expect "info $input" 1 "not a regular file" "$TWINNET" info "$input"
    expect "predict $input" 1 "not a regular file" "$TWINNET" predict "$T/a.tnm" "$input"
    expect "eval --test-images $input" 1 "not a regular file" "$TWINNET" eval "$T/a.tnm" --test-images "$input" --test-labels "$T/tlab"
    expect "diverge $input" 1 "not a regular file" "$TWINNET" diverge "$input" "$input"
    expect "train --train-labels $input" 1 "not a regular file" "$TWINNET" train --train-images "$T/img" --train-labels "$input" \
        $TEST --train-size 0 --out "$T/r.tnm"
done

# ---- case 6: a non-finite model is named, never given a digit ---------------------------------
"$TWINNET" train $DATA --sizes 784,12,10 --epochs 2 --eta 1e6 --lambda 1e6 --on-nan continue --quiet --out "$T/nan.tnm" 2> /dev/null
n=$("$TWINNET" info "$T/nan.tnm" --json | json_field non_finite_parameters)
[ -n "$n" ] && [ "$n" -gt 0 ] && ok "info --json counts $n non-finite parameters" || bad "info --json: non_finite_parameters '$n'"
"$TWINNET" info "$T/nan.tnm" | grep -q "NOT FINITE: $n of" && ok "info says the model is not finite" || bad "info is silent"
n0=$("$TWINNET" info "$T/a.tnm" --json | json_field non_finite_parameters)
expect_eq "info --json: a finite model has 0" "$n0" 0
{ printf 'P5\n28 28\n255\n'; head -c 300 /dev/zero; head -c 100 /dev/zero | tr '\000' '\377'; head -c 384 /dev/zero; } > "$T/digit.pgm"
expect "predict: a non-finite model" 1 "$n of .* parameters are not finite" "$TWINNET" predict "$T/nan.tnm" "$T/digit.pgm"
"$TWINNET" predict "$T/nan.tnm" "$T/digit.pgm" --json 2> /dev/null > "$T/p.json"
grep -q '"digit":null,"probabilities":null' "$T/p.json" && ok "predict --json: null digit" || bad "predict --json: $(cat "$T/p.json")"
"$TWINNET" predict "$T/a.tnm" "$T/digit.pgm" --json > "$T/p.json" && grep -q '"digit":[0-9]' "$T/p.json" &&
    ok "predict --json: a finite model gives a digit" || bad "predict, finite model: $(cat "$T/p.json")"
expect "eval: a non-finite model" 1 "not finite" "$TWINNET" eval "$T/nan.tnm" $TEST
"$TWINNET" eval "$T/nan.tnm" $TEST --json 2> /dev/null > "$T/e.json"
grep -q '"accuracy":null' "$T/e.json" && grep -q '"cost":null' "$T/e.json" && ! grep -qi nan "$T/e.json" &&
    ok "eval --json: null accuracy and cost" || bad "eval --json: $(cat "$T/e.json")"

# ---- case 12c: the cache's directory by the XDG rule -----------------------------------------
out=$(env -u TWINNET_DATA XDG_CACHE_HOME=relative HOME="$T/home" "$TWINNET" eval "$T/a.tnm" 2>&1)
case $out in *"$T/home/.cache/twinnet/mnist"*) ok "a relative XDG_CACHE_HOME is ignored" ;; *) bad "relative XDG_CACHE_HOME: $out" ;; esac
out=$(env -u TWINNET_DATA XDG_CACHE_HOME="$T/xdg" "$TWINNET" eval "$T/a.tnm" 2>&1)
case $out in *"$T/xdg/twinnet/mnist"*) ok "an absolute XDG_CACHE_HOME is used" ;; *) bad "absolute XDG_CACHE_HOME: $out" ;; esac
out=$(cd "$T" && env -u TWINNET_DATA -u XDG_CACHE_HOME -u HOME "$TWINNET" eval a.tnm 2>&1)
case $out in *"./.cache"*) bad "HOME unset: the cache is ./.cache: $out" ;; *) ok "HOME unset: not ./.cache" ;; esac
out=$(env -u XDG_CACHE_HOME HOME=relative sh scripts/fetch-mnist.sh 2>&1 < /dev/null)
case $out in *relative/.cache*) bad "fetch-mnist.sh takes a relative HOME: $out" ;; *) ok "fetch-mnist.sh: a relative HOME is not used" ;; esac

# ---- case 12e: an interrupt before the first epoch ends --------------------------------------
images "$T/bigimg" 20000 28 28
{ printf '\000\000\010\001'; be32 20000; head -c 20000 /dev/zero; } > "$T/biglab" # labels all 0: quicker than labels()
"$TWINNET" train --train-images "$T/bigimg" --train-labels "$T/biglab" $TEST --train-size 0 --sizes 784,100,10 --epochs 1 \
    --trace "$T/int.trace" --out "$T/int.tnm" > "$T/int.out" 2> "$T/int.err" &
pid=$!
i=0
while [ -z "$(find "$T" -name 'int.trace.tmp.*' 2> /dev/null)" ] && [ $i -lt 300 ]; do sleep 0.05; i=$((i + 1)); done
kill -INT $pid
wait $pid
rc=$?
if grep -q "No epoch finished" "$T/int.out" && ! grep -q "epoch 0" "$T/int.out" && [ $rc -eq 1 ]; then ok "interrupted before epoch 1: says so"
elif grep -q "^epoch 1/1" "$T/int.out"; then ok "interrupt came after the epoch (a fast machine): nothing to check"
else bad "interrupt before epoch 1: exit $rc: $(cat "$T/int.out" "$T/int.err")"; fi

# ---- case 11: a network too big for memory is refused at once, naming the figure ------------
if [ -n "${TWINNET_SANITIZE:-}" ] || ! command -v prlimit > /dev/null; then
    echo "(skipped: address-space limits under sanitizers, or no prlimit)"
else
    start=$(date +%s)
    expect "784,20000,20000,10 under a 3 GB address space" 1 "needs about .* GB .*more than" \
        prlimit --as=3000000000 "$TWINNET" train $DATA --sizes 784,20000,20000,10 --epochs 1 --out "$T/big.tnm"
    [ $(($(date +%s) - start)) -le 2 ] && ok "refused at once" || bad "the refusal took $(($(date +%s) - start)) s"
    prlimit --as=3000000000 "$TWINNET" train $DATA --sizes 784,100,10 --epochs 1 --quiet --out "$T/fits.tnm" 2> "$T/err" &&
        ok "a reasonable network under the same limit trains" || bad "784,100,10 under 3 GB: $(cat "$T/err")"
fi

# ---- case 10: a thread that cannot start names errno, the limit and --threads ---------------
# RLIMIT_NPROC binds no root process, so as root the command runs as nobody in a world-readable copy.
if [ "$(id -u)" = 0 ] && command -v setpriv > /dev/null && command -v prlimit > /dev/null; then
    P=$(mktemp -d /tmp/twinnet-threads.XXXXXX) && chmod 755 "$P" && cp "$T/a.tnm" "$T/b.tnm" "$T/timg" "$T/tlab" "$P/" &&
        chmod 644 "$P"/* && cp "$TWINNET" "$P/twinnet" && chmod 755 "$P/twinnet"
    expect "align --threads 3 under ulimit -u 2" 1 "cannot start thread .* of 3: Resource temporarily unavailable.*ulimit -u.*--threads" \
        setpriv --reuid=65534 --regid=65534 --clear-groups prlimit --nproc=2 "$P/twinnet" align "$P/a.tnm" "$P/b.tnm" \
        --method activation --test-images "$P/timg" --test-labels "$P/tlab" --threads 3 --out /dev/null
    grep -q "b.tnm: cannot start" "$T/err" && bad "align blames B for a thread" || ok "align does not blame B"
    expect "eval --threads 4 under ulimit -u 2" 1 "cannot start thread" \
        setpriv --reuid=65534 --regid=65534 --clear-groups prlimit --nproc=2 "$P/twinnet" eval "$P/a.tnm" \
        --test-images "$P/timg" --test-labels "$P/tlab" --threads 4
    rm -rf "$P"
else
    echo "(skipped: the thread-limit check runs as root, through setpriv and prlimit)"
fi
finish
