#!/bin/sh
# Injected faults: (kill) SIGKILL `twinnet train` at moments swept across its run, saving over an
# old model and an old trace: each must afterwards be the old file or the complete new one;
# (full) a 64 KiB tmpfs as --out and --trace: a one-line error, exit 1, no partial file, an old
# model kept; (alloc) tests/alloc_fail.c, which fails every allocation in turn along a short
# training, save, load, evaluate and predict, under AddressSanitizer/LeakSanitizer unless quick.
# (signal) two SIGINTs 1, 10 and 100 ms apart: a valid model every time; (fsize) ulimit -f.
# (lock) two sweeps at once on one directory, 50 times; (pairwise) SIGINT and SIGTERM in a sweep's
# pairwise stage (both need MNIST: small slices of it).
# Usage: sh tests/faults.sh [kill] [signal] [fsize] [full] [alloc] [lock] [pairwise]   (default: all)
# FAULTS_QUICK=1 (tests/t_faults.sh): 12 kills (6 under TWINNET_SANITIZE) instead of 200 and a
# smaller model, and the driver without ASan (unless the library itself is a sanitizer build).
# Exit 0 pass, 1 fail, 77 when every part had to be skipped.
cd "$(dirname "$0")/.." || exit 1
BUILD=${BUILD:-build}
QUICK=${FAULTS_QUICK:-0}
KILLS=${FAULTS_KILLS:-$([ "$QUICK" = 1 ] && echo 12 || echo 200)}
[ "$QUICK" = 1 ] && [ -n "$TWINNET_SANITIZE" ] && KILLS=${FAULTS_KILLS:-6} # ASan is slow
PARTS=${*:-kill signal fsize full alloc lock pairwise}
if [ "$QUICK" != 1 ]; then
    make -s BUILD="$BUILD" all || exit 1
fi
. tests/common.sh
T=$SCRATCH
[ -x "$TWINNET" ] || { echo "faults: no $TWINNET (run make first)"; exit 1; }
MNT=""
at_exit() { [ -n "$MNT" ] && umount "$MNT" 2>/dev/null; }
ran=0 skipped=""

# Small IDX files.
images "$T/img" 100 28 28
labels "$T/lab" 100
DATA="--train-images $T/img --train-labels $T/lab --test-images $T/img --test-labels $T/lab --train-size 0 --quiet"
now_ms() { echo $(($(date +%s%N) / 1000000)); }

# ---- (kill) ---------------------------------------------------------------------------------
part_kill() {
    ran=$((ran + 1))
    # A wide hidden layer makes a 6 MB model (1 MB quick), so kills land inside the write too.
    width=$([ "$QUICK" = 1 ] && echo 300 || echo 2000)
    big="--sizes 784,$width,10 --epochs 1 --batch 50 --trace-every 0"
    $TWINNET train $DATA $big --seed 1 --out "$T/old.tnm" --trace "$T/old.trace" || { bad "kill: old model"; return; }
    start=$(now_ms)
    $TWINNET train $DATA $big --seed 2 --out "$T/new.tnm" --trace "$T/new.trace" || { bad "kill: new model"; return; }
    span=$(($(now_ms) - start))
    cmp -s "$T/old.tnm" "$T/new.tnm" && { bad "kill: seeds 1 and 2 gave the same model"; return; }
    old_n=0 new_n=0 temps=0 model_temps=0 i=0
    while [ $i -lt "$KILLS" ]; do
        cp "$T/old.tnm" "$T/m.tnm"
        cp "$T/old.trace" "$T/m.trace"
        $TWINNET train $DATA $big --seed 2 --out "$T/m.tnm" --trace "$T/m.trace" > /dev/null 2>&1 &
        pid=$!
        if [ $((i % 2)) -eq 0 ]; then
            # Even kills: at a moment swept over 0 .. 1.5 x the run's length.
            delay=$((span * 150 * i / 100 / KILLS))
            sleep "$(printf '%d.%03d' $((delay / 1000)) $((delay % 1000)))"
            what="after $delay ms"
        else
            # Odd kills: while the model is being written, as soon as its temporary file shows
            # (a shell glob: no process per poll), plus 0-3 ms.
            while kill -0 $pid 2> /dev/null; do
                set -- "$T"/m.tnm.tmp.*
                [ -e "$1" ] && break
            done
            [ $((i % 8)) -gt 1 ] && sleep "0.00$((i % 8 / 2))"
            what="while writing (+$((i % 8 / 2)) ms)"
        fi
        kill -KILL $pid 2> /dev/null
        wait $pid 2> /dev/null
        if cmp -s "$T/m.tnm" "$T/old.tnm"; then old_n=$((old_n + 1))
        elif cmp -s "$T/m.tnm" "$T/new.tnm"; then new_n=$((new_n + 1))
        else bad "kill $what: the model is neither the old nor the new file"; cp "$T/m.tnm" "$T/broken.tnm"
        fi
        cmp -s "$T/m.trace" "$T/old.trace" || cmp -s "$T/m.trace" "$T/new.trace" ||
            bad "kill $what: the trace is neither the old nor the new file"
        left=$(find "$T" -maxdepth 1 -name '*.tmp.*' | wc -l)
        temps=$((temps + left))
        left=$(find "$T" -maxdepth 1 -name 'm.tnm.tmp.*' | wc -l)
        model_temps=$((model_temps + left))
        find "$T" -maxdepth 1 -name '*.tmp.*' -exec rm -f {} +
        i=$((i + 1))
    done
    echo "kill: $KILLS kills of a ${span} ms run: $old_n left the old model, $new_n the new one, none a partial file;" \
        "kills left $temps temporary files (removed), $model_temps of them a model being written"
    [ $model_temps -gt 0 ] || [ $new_n -gt 0 ] || bad "kill: no kill reached the saving of the model"
}

# ---- (signal) -----------------------------------------------------------------------------------
# A user pressing ^C twice: SIGINT, then SIGINT again 1, 10 or 100 ms later, at moments swept over
# the run; every time the model is a valid one (the interrupted run's or, had it finished, the
# complete new one) or the old file, the first signal is acknowledged, and no temporary is left.
part_signal() {
    ran=$((ran + 1))
    runs=$([ "$QUICK" = 1 ] && echo 4 || echo 50)
    net="--sizes 784,300,10 --epochs 2 --batch 10"
    $TWINNET train $DATA $net --seed 1 --out "$T/sig-old.tnm" || { bad "signal: old model"; return; }
    start=$(now_ms)
    $TWINNET train $DATA $net --seed 2 --out "$T/sig-new.tnm" || { bad "signal: new model"; return; }
    span=$(($(now_ms) - start))
    interrupted=0 finished=0
    for gap in 1 10 100; do
        i=0
        while [ $i -lt "$runs" ]; do
            cp "$T/sig-old.tnm" "$T/s.tnm"
            $TWINNET train $DATA $net --seed 2 --out "$T/s.tnm" > /dev/null 2> "$T/sig.err" &
            pid=$!
            delay=$((span * 120 * i / 100 / runs))
            sleep "$(printf '%d.%03d' $((delay / 1000)) $((delay % 1000)))"
            kill -INT $pid 2> /dev/null
            sleep "$(printf '0.%03d' "$gap")"
            kill -INT $pid 2> /dev/null
            wait $pid
            rc=$?
            what="SIGINT after $delay ms, again $gap ms later"
            if [ $rc -eq 1 ]; then
                interrupted=$((interrupted + 1))
                grep -q "stopping at the next step boundary" "$T/sig.err" || bad "$what: not acknowledged: $(cat "$T/sig.err")"
                $TWINNET info "$T/s.tnm" > /dev/null 2>&1 || bad "$what: no valid model after the interruption"
            elif [ $rc -eq 0 ]; then
                finished=$((finished + 1))
                cmp -s "$T/s.tnm" "$T/sig-new.tnm" || bad "$what: finished, but the model is not the complete run's"
            else
                bad "$what: exit $rc: $(cat "$T/sig.err")"
                cmp -s "$T/s.tnm" "$T/sig-old.tnm" || bad "$what: killed, and the old model was damaged"
            fi
            left=$(find "$T" -maxdepth 1 -name '*.tmp.*')
            [ -z "$left" ] || { bad "$what: temporary files left: $left"; rm -f $left; }
            i=$((i + 1))
        done
    done
    echo "signal: $((3 * runs)) double SIGINTs (1, 10, 100 ms apart) over a ${span} ms run: $interrupted saved" \
        "the interrupted model, $finished had finished; every model valid, no temporary file"
}

# ---- (fsize) ------------------------------------------------------------------------------------
# A file-size limit (ulimit -f): the write fails with EFBIG, reported in one line naming the
# file; no temporary file is left, and an old model survives.
part_fsize() {
    ran=$((ran + 1))
    $TWINNET train $DATA --sizes 784,10 --epochs 1 --out "$T/fs.tnm" || { bad "fsize: small model"; return; }
    cp "$T/fs.tnm" "$T/fs-old.tnm"
    for what in model trace; do
        if [ $what = model ]; then out="--out $T/fs.tnm"; else out="--trace $T/fs.trace --out $T/fs2.tnm"; fi
        (ulimit -f 64; $TWINNET train $DATA --sizes 784,100,10 --epochs 1 $out > /dev/null 2> "$T/fs.err"; echo $? > "$T/fs.rc")
        line=$(cat "$T/fs.err")
        [ "$(cat "$T/fs.rc")" = 1 ] && [ "$(wc -l < "$T/fs.err")" -eq 1 ] || bad "fsize: $what: exit $(cat "$T/fs.rc"): $line"
        case $line in "twinnet: $T/fs"*": cannot write: File too large") ;; *) bad "fsize: $what: $line" ;; esac
        left=$(find "$T" -maxdepth 1 -name '*.tmp.*')
        [ -z "$left" ] || bad "fsize: $what: temporary files left: $left"
    done
    cmp -s "$T/fs.tnm" "$T/fs-old.tnm" || bad "fsize: the old model was damaged"
    [ -e "$T/fs.trace" ] || [ -e "$T/fs2.tnm" ] && bad "fsize: a partial trace or its model was left"
    echo "fsize: model and trace over a 64 KiB file-size limit: one-line errors, nothing partial, the old model kept"
}

# ---- (full) ------------------------------------------------------------------------------------
part_full() {
    mkdir -p "$T/full"
    if ! mount -t tmpfs -o size=64k tmpfs "$T/full" 2> /dev/null; then
        skipped="$skipped full(cannot mount a tmpfs)"
        return
    fi
    MNT="$T/full"
    ran=$((ran + 1))
    # expect_full WHAT CMD...: expect's exit 1, one line and no temporary file (common.sh), the
    # line naming a file in the tmpfs and ending "No space left on device".
    expect_full() {
        what=$1
        shift
        expect 1 - ": cannot write: No space left on device" "$@"
        case $(cat "$T/stderr") in "twinnet: $T/full/"*": cannot write: No space left on device") ;;
        *) bad "full: $what: $(cat "$T/stderr")" ;; esac
    }
    # A 95 KB model into 64 KiB.
    expect_full "model" $TWINNET train $DATA --sizes 784,30,10 --epochs 1 --out "$T/full/m.tnm"
    [ -e "$T/full/m.tnm" ] && bad "full: a partial model was left"
    # An old 31 KB model survives a failed save over it.
    $TWINNET train $DATA --sizes 784,10 --epochs 1 --out "$T/full/m.tnm" || bad "full: a small model does not fit"
    cp "$T/full/m.tnm" "$T/small.tnm"
    expect_full "model over an old one" $TWINNET train $DATA --sizes 784,30,10 --epochs 1 --out "$T/full/m.tnm"
    cmp -s "$T/full/m.tnm" "$T/small.tnm" || bad "full: the old model was damaged"
    # A trace that does not fit fails the training: no model, no trace.
    rm -f "$T/full/m.tnm"
    expect_full "trace" $TWINNET train $DATA --sizes 784,30,10 --epochs 2 --trace "$T/full/t.trace" --out "$T/traced.tnm"
    [ -e "$T/full/t.trace" ] && bad "full: a partial trace was left"
    [ -e "$T/traced.tnm" ] && bad "full: the model was written although the trace failed"
    umount "$T/full" && MNT=""
    echo "full: model, model over an old model, and trace on a full 64 KiB tmpfs: clean errors, nothing partial"
}

# ---- (alloc) ------------------------------------------------------------------------------------
part_alloc() {
    ran=$((ran + 1))
    wrap="-Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=aligned_alloc,--wrap=free"
    # The flags are the Makefile's (make -s flags): its sanitizers, then CFLAGS and LDLIBS.
    eval "$(make -s --no-print-directory flags)" || { bad "alloc: make flags"; return; }
    san=""
    if [ "$QUICK" = 1 ]; then
        lib=$BUILD/libtwinnet.a
        # A sanitizer build of the library (make sanitize) needs the driver built the same way.
        nm "$lib" 2> /dev/null | grep -q __asan_init && san=$SANITIZE
    else
        lib=build/faults/libtwinnet.a
        san=$SANITIZE
        make -s BUILD=build/faults OPT=-O1 SAN="$san" "$lib" || { bad "alloc: building the ASan library"; return; }
    fi
    eval "$(make -s --no-print-directory OPT=-O1 SAN="$san" flags)" || { bad "alloc: make flags"; return; }
    mkdir -p "$T/alloc"
    # shellcheck disable=SC2086 # CFLAGS and LDLIBS are lists of words
    $CC $CFLAGS tests/alloc_fail.c "$lib" $wrap $LDLIBS -o "$T/alloc_fail" ||
        { bad "alloc: building the driver"; return; }
    ASAN_OPTIONS=detect_leaks=1 "$T/alloc_fail" "$T/alloc" > "$T/alloc.log" 2>&1
    rc=$?
    cat "$T/alloc.log" | head -n 20
    [ $rc -eq 0 ] || bad "alloc: exit $rc"
}

# ---- (lock) and (pairwise): a sweep's directory -------------------------------------------------
# (lock) two sweeps started together on one directory, FAULTS_LOCK_TRIES times (50): never both
# exit 0; the loser says "another twinnet (pid N) is using this sweep directory" and exits 1, and
# the directory then holds the winner's sweep whole. (pairwise) SIGINT while the pairwise stage runs:
# exit 130 within a second, no table; the same command then ends with the bytes of a sweep never
# interrupted. Small slices of MNIST (make_slice); skipped without MNIST.
part_lock() {
    DATA=$(mnist_dir) || { skipped="$skipped lock(no MNIST)"; return; }
    ran=$((ran + 1))
    make_slice "$DATA" 500 100
    tries=${FAULTS_LOCK_TRIES:-50} i=0 both=0 refused=0
    sw() { "$TWINNET" sweep $SLICE --epochs 1 --sizes 784,10,10 --runs 2 --vary init --quiet --out "$T/lk$i" "$@"; }
    while [ $i -lt "$tries" ]; do
        sw --seed 1 > "$T/lk.out1" 2> "$T/lk.err1" &
        p1=$!
        sw --seed 1 > "$T/lk.out2" 2> "$T/lk.err2" &
        p2=$!
        wait $p1; r1=$?
        wait $p2; r2=$?
        if [ $r1 -eq 0 ] && [ $r2 -eq 0 ]; then
            # both may have run one after the other (the second found the first finished): only
            # then is it right, and the second then said it resumed with every run finished
            cat "$T/lk.err1" "$T/lk.err2" | grep -q "resuming: 2 of 2 runs finished" || both=$((both + 1))
        fi
        for k in 1 2; do
            if grep -q "another twinnet (pid [0-9]*) is using this sweep directory" "$T/lk.err$k"; then
                refused=$((refused + 1))
                [ "$(eval echo \$r$k)" = 1 ] || bad "lock: the refused sweep exited $(eval echo \$r$k)"
            fi
        done
        [ -e "$T/lk$i/attribution.csv" ] && [ "$(grep -c '"fingerprint":"' "$T/lk$i/manifest.json")" = 2 ] ||
            bad "lock try $i: the directory does not hold one whole sweep: $(ls "$T/lk$i")"
        rm -rf "$T/lk$i"
        i=$((i + 1))
    done
    [ $both -eq 0 ] && ok "lock: $tries tries of two sweeps at once: never two exit 0 working together ($refused refused)" ||
        bad "lock: $both of $tries tries had two sweeps exit 0 at once"
}

part_pairwise() {
    DATA=$(mnist_dir) || { skipped="$skipped pairwise(no MNIST)"; return; }
    ran=$((ran + 1))
    make_slice "$DATA" 1000 10000
    PW="sweep $SLICE --epochs 1 --sizes 784,100,10 --runs 5 --vary init --jobs 2 --quiet --out"
    "$TWINNET" $PW "$T/pw-ref" > "$T/pw-ref.out" 2>&1 || { bad "pairwise: the reference sweep: $(cat "$T/pw-ref.out")"; return; }
    for sig in INT TERM; do
        want=$([ $sig = INT ] && echo 130 || echo 143)
        rm -rf "$T/pw"
        "$TWINNET" $PW "$T/pw" > "$T/pw.out" 2> "$T/pw.err" & # twinnet itself, not a shell that ignores SIGINT
        pid=$!
        while kill -0 $pid 2> /dev/null && [ "$(grep -c '"fingerprint":"' "$T/pw/manifest.json" 2> /dev/null)" != 5 ]; do sleep 0.01; done
        sleep 0.2 # the stage has begun (5 runs recorded, then the manifest settled)
        t0=$(now_ms)
        kill -$sig $pid 2> /dev/null
        wait $pid
        rc=$? took=$(($(now_ms) - t0))
        [ $rc -eq $want ] && [ $took -lt 1000 ] && [ ! -e "$T/pw/attribution.csv" ] && [ ! -e "$T/pw/attribution.json" ] &&
            grep -q "interrupted: this stage keeps nothing" "$T/pw.err" &&
            ok "pairwise: SIG$sig ended the stage in $took ms, exit $rc, no table" ||
            bad "pairwise: SIG$sig: exit $rc after $took ms, $(ls "$T/pw" | grep attribution) $(cat "$T/pw.err")"
        "$TWINNET" $PW "$T/pw" > "$T/pw.out" 2> "$T/pw.err" && diff -r "$T/pw-ref" "$T/pw" > /dev/null &&
            ok "pairwise: SIG$sig, then the same command: the bytes of an uninterrupted sweep" || bad "pairwise: SIG$sig: resume: $(cat "$T/pw.err")"
    done
}

for p in $PARTS; do
    case $p in
    lock) part_lock ;;
    pairwise) part_pairwise ;;
    kill) part_kill ;;
    signal) part_signal ;;
    fsize) part_fsize ;;
    full) part_full ;;
    alloc) part_alloc ;;
    *) echo "faults: unknown part '$p' (kill, signal, fsize, full, alloc, lock, pairwise)"; exit 2 ;;
    esac
done
[ -n "$skipped" ] && echo "skipped:$skipped"
echo "faults: $ran parts run, $failures failures"
[ $failures -eq 0 ] || exit 1
[ $ran -gt 0 ] || { echo "every part skipped:$skipped"; exit 77; }
exit 0
