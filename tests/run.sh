#!/bin/sh
# Runs every test: the C test programs ($BUILD/tests/test_*) and the scripts tests/t_*.sh and
# tests/t_*.py; or only the tests named (sh tests/run.sh t_sweep test_lap; make test T=t_sweep).
# Exit 0 passes, 77 skips (the test says why), anything else fails.
# Prints one closing line "N passed, N failed, N skipped" and exits non-zero on any failure.
BUILD=${BUILD:-build}
export BUILD
TWINNET=${TWINNET:-$BUILD/twinnet}
export TWINNET
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
export PY
pass=0 fail=0 skip=0 failed=""
run() {
    name=$1; shift
    start=$(date +%s)
    "$@" > "$BUILD/tests/$name.log" 2>&1
    rc=$?
    secs=$(( $(date +%s) - start ))
    if [ $rc -eq 0 ]; then pass=$((pass+1)); echo "PASS $name (${secs}s)"
    elif [ $rc -eq 77 ]; then skip=$((skip+1)); echo "SKIP $name: $(tail -n 1 "$BUILD/tests/$name.log")"
    else fail=$((fail+1)); failed="$failed $name"; echo "FAIL $name (exit $rc)"; tail -n 20 "$BUILD/tests/$name.log" | sed 's/^/    /'
    fi
}
# run_named NAME: test_NAME from $BUILD/tests, or tests/NAME.sh, or tests/NAME.py
run_named() {
    name=$(basename "$1")
    name=${name%.sh}
    name=${name%.py}
    if [ -x "$BUILD/tests/$name" ]; then run "$name" "$BUILD/tests/$name"
    elif [ -f "tests/$name.sh" ]; then run "$name" sh "tests/$name.sh"
    elif [ -f "tests/$name.py" ]; then run "$name" "$PY" "tests/$name.py"
    else fail=$((fail+1)); failed="$failed $name"; echo "FAIL $name: no such test ($BUILD/tests/$name, tests/$name.sh or .py)"
    fi
}
mkdir -p "$BUILD/tests"
if [ $# -gt 0 ]; then
    for name in "$@"; do run_named "$name"; done
else
    for t in "$BUILD"/tests/test_*; do
        [ -x "$t" ] || continue
        run "$(basename "$t")" "$t"
    done
    for t in tests/t_*.sh; do
        [ -f "$t" ] || continue
        run "$(basename "$t" .sh)" sh "$t"
    done
    for t in tests/t_*.py; do
        [ -f "$t" ] || continue
        run "$(basename "$t" .py)" "$PY" "$t"
    done
fi
[ -n "$failed" ] && echo "failed:$failed"
echo "$pass passed, $fail failed, $skip skipped"
[ $fail -eq 0 ]
