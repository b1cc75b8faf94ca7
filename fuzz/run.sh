#!/bin/sh
# Builds the libFuzzer targets (clang, ASan + UBSan) into build/fuzz/ and runs each in turn for
# FUZZ_SECONDS (default 60), starting from the committed seeds in fuzz/corpus/TARGET; inputs
# found along the way go to build/fuzz/corpus/TARGET, crashes to build/fuzz/crashes/.
# Prints the executions per target; exits 1 if any target crashed. FUZZ_TARGETS picks targets.
# A crash input worth keeping goes to tests/fixtures/regress-TARGET-NAME (test_files replays it).
cd "$(dirname "$0")/.." || exit 2
CLANG=${CLANG:-clang}
FUZZ_SECONDS=${FUZZ_SECONDS:-60}
FUZZ_TARGETS=${FUZZ_TARGETS:-idx model image trace json manifest npz network2 safetensors}
OUT=build/fuzz
command -v "$CLANG" >/dev/null 2>&1 || { echo "fuzz: $CLANG not found (apt-get install clang libclang-rt-14-dev)"; exit 77; }
# Every flag comes from the Makefile: the sanitizers (SANITIZE), then CFLAGS and LDLIBS for clang -O1.
eval "$(make -s --no-print-directory CC="$CLANG" flags)" || exit 2
SAN=$SANITIZE
eval "$(make -s --no-print-directory CC="$CLANG" OPT=-O1 SAN="$SAN" flags)" || exit 2
# The library (every src/*/*.c) through the Makefile, instrumented for coverage (fuzzer-no-link).
make -s BUILD=$OUT/lib CC="$CLANG" OPT=-O1 SAN="-fsanitize=fuzzer-no-link $SAN" $OUT/lib/libtwinnet.a || exit 2
# SHA-256 without coverage: its comparisons took most of the model target's time (checksums
# over every input) and guide nothing. Still under ASan and UBSan; the Makefile's rule, at -O2.
make -s BUILD=$OUT/sha CC="$CLANG" OPT=-O2 SAN="$SAN" $OUT/sha/sha256.o &&
    ar rcs $OUT/lib/libtwinnet.a $OUT/sha/sha256.o || exit 2
mkdir -p $OUT/crashes
for t in $FUZZ_TARGETS; do
    # shellcheck disable=SC2086 # CFLAGS and LDLIBS are lists of words
    "$CLANG" $CFLAGS -fsanitize=fuzzer fuzz/fuzz_$t.c $OUT/lib/libtwinnet.a $LDLIBS -o $OUT/fuzz_$t || exit 2
done
status=0 total=0
for t in $FUZZ_TARGETS; do
    case $t in idx) max=20000 ;; model | trace | json | manifest | network2 | safetensors) max=8192 ;; *) max=16384 ;; esac
    mkdir -p $OUT/corpus/$t
    log=$OUT/fuzz_$t.log
    # -timeout: an input that runs 10 s is a hang; leaks are errors (ASan's LeakSanitizer).
    ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 UBSAN_OPTIONS=print_stacktrace=1 \
        $OUT/fuzz_$t -max_total_time="$FUZZ_SECONDS" -max_len=$max -timeout=10 -rss_limit_mb=2560 \
        -print_final_stats=1 -artifact_prefix=$OUT/crashes/$t- $OUT/corpus/$t fuzz/corpus/$t > "$log" 2>&1
    rc=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1)
    echo "fuzz_$t: ${execs:-?} executions (${rate:-?}/s), $cov, exit $rc"
    total=$((total + ${execs:-0}))
    if [ $rc -ne 0 ]; then
        status=1
        grep -E "ERROR|SUMMARY|Test unit written" "$log" | head -n 5 | sed 's/^/    /'
    fi
done
echo "fuzz: $total executions in total"
exit $status
