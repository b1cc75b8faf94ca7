# Shared by the shell tests (tests/t_*.sh, and tests/faults.sh and tests/valgrind.sh): the
# binary, a scratch directory, small IDX files (idx.sh), MNIST slices, and checks that count
# failures. Source it from the top of the tree (. tests/common.sh); call finish at the end.
BUILD=${BUILD:-build}
TWINNET=${TWINNET:-$BUILD/twinnet}
PY=${PY:-/usr/bin/python3}
[ -x "$PY" ] || PY=python3
FIXTURES=tests/fixtures
SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/twinnet-test.XXXXXX") || exit 1
# at_exit: what a test must undo before its scratch directory goes (faults.sh redefines it).
at_exit() { :; }
trap 'at_exit; rm -rf "$SCRATCH"' EXIT
trap 'exit 1' INT TERM
failures=0 checks=0
. tests/idx.sh

ok() { checks=$((checks+1)); echo "ok: $1"; }
bad() { checks=$((checks+1)); failures=$((failures+1)); echo "FAIL: $1"; }
expect_eq() { if [ "$2" = "$3" ]; then ok "$1"; else bad "$1: '$2' != '$3'"; fi; }
expect_ne() { if [ "$2" != "$3" ]; then ok "$1"; else bad "$1: both '$2'"; fi; }
finish() { echo "$checks checks, $failures failed"; [ $failures -eq 0 ]; }
# same DIR WHAT: DIR holds the same bytes as SCRATCH/one (the sweep tests' one-process sweep).
same() { diff -r "$SCRATCH/one" "$1" > "$SCRATCH/diff" && ok "$2: the same bytes as one process" || bad "$2: $(head -n 5 "$SCRATCH/diff")"; }

# expect STATUS FILE WORDS CMD...: CMD exits STATUS and writes exactly one line to stderr,
# "twinnet: FILE: ...WORDS...", and leaves no temporary file in SCRATCH. FILE "-" skips the file
# check (usage errors name the command instead). Its output stays in SCRATCH/stdout and stderr.
expect() {
    want=$1 file=$2 words=$3
    shift 3
    "$@" > "$SCRATCH/stdout" 2> "$SCRATCH/stderr"
    rc=$?
    line=$(cat "$SCRATCH/stderr")
    n=$(wc -l < "$SCRATCH/stderr")
    what="$*"
    [ "$rc" -eq "$want" ] || { bad "$what: exit $rc, want $want: $line"; return; }
    [ "$n" -eq 1 ] || { bad "$what: $n lines on stderr: $line"; return; }
    case $line in "twinnet: "*) ;; *) bad "$what: no 'twinnet: ' prefix: $line"; return ;; esac
    if [ "$file" != - ]; then
        case $line in "twinnet: $file: "*) ;; *) bad "$what: does not name '$file' first: $line"; return ;; esac
    fi
    case $line in *"$words"*) ;; *) bad "$what: lacks '$words': $line"; return ;; esac
    leftovers=$(find "$SCRATCH" -name '*.tmp.*' | head -n 3)
    [ -z "$leftovers" ] || { bad "$what: temporary files left: $leftovers"; return; }
    ok "$line"
}

# MNIST from the cache (fetched and SHA-256 checked by scripts/fetch-mnist.sh); skip if it
# cannot be had.
mnist_dir() {
    dir=${TWINNET_DATA:-${XDG_CACHE_HOME:-$HOME/.cache}/twinnet/mnist}
    if ! sh scripts/fetch-mnist.sh "$dir" >/dev/null 2>&1; then
        echo "skipped: MNIST not available (scripts/fetch-mnist.sh failed)"
        exit 77
    fi
    echo "$dir"
}

# make_slice DIR N_TRAIN N_TEST: small IDX files SCRATCH/{train,test}-{images,labels}
make_slice() {
    "$PY" tests/idx_slice.py "$1/train-images-idx3-ubyte" "$SCRATCH/train-images" "$2"
    "$PY" tests/idx_slice.py "$1/train-labels-idx1-ubyte" "$SCRATCH/train-labels" "$2"
    "$PY" tests/idx_slice.py "$1/t10k-images-idx3-ubyte" "$SCRATCH/test-images" "$3"
    "$PY" tests/idx_slice.py "$1/t10k-labels-idx1-ubyte" "$SCRATCH/test-labels" "$3"
    SLICE="--train-images $SCRATCH/train-images --train-labels $SCRATCH/train-labels --test-images $SCRATCH/test-images --test-labels $SCRATCH/test-labels --train-size 0"
}

json_field() { sed -n "s/.*\"$1\":\"\{0,1\}\([^,\"}]*\).*/\1/p" | tail -n 1; }
