# Shared by the shell tests: the binary, a scratch directory, MNIST slices, and checks that
# count failures. Source it; call finish at the end.
TWINNET=${TWINNET:-build/twinnet}
PY=${PY:-/usr/bin/python3}
[ -x "$PY" ] || PY=python3
SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/twinnet-test.XXXXXX")
trap 'rm -rf "$SCRATCH"' EXIT
failures=0 checks=0

ok() { checks=$((checks+1)); echo "ok: $1"; }
bad() { checks=$((checks+1)); failures=$((failures+1)); echo "FAIL: $1"; }
expect_eq() { if [ "$2" = "$3" ]; then ok "$1"; else bad "$1: '$2' != '$3'"; fi; }
expect_ne() { if [ "$2" != "$3" ]; then ok "$1"; else bad "$1: both '$2'"; fi; }
finish() { echo "$checks checks, $failures failed"; [ $failures -eq 0 ]; }

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
