#!/bin/sh
# make repro: the reproducibility matrix. Builds twinnet with gcc and clang at -O0, -O2 and -O3,
# each with -march=x86-64 and -march=native, plus aarch64 builds (gcc and clang cross
# compilers) run under qemu-user; trains three small fixed networks with each build, with
# --threads 1, 2 and 4 and every SIMD path this CPU has (TWINNET_SIMD); and checks that every
# run gives the fingerprint committed in tests/repro-fingerprints.txt and writes a model file
# byte-identical to the reference run's (gcc -O2 -march=x86-64, 1 thread, default path).
#
# Usage: sh scripts/repro.sh            check against tests/repro-fingerprints.txt
#        sh scripts/repro.sh --update   rewrite that file from the reference build, then check
# Environment: REPRO_DIR (default build/repro), REPRO_JOBS (make -j, default 2),
#              REPRO_NO_INSTALL=1 (never apt-get; fail if something is missing).
# Prints one row per run and a last line "repro: N combinations, N matched, N mismatched";
# exits 1 on any mismatch or failure. Nothing is skipped silently: a combination that cannot
# run (build failure, a SIMD path not taking effect) is a failed row with the reason.
#
# Data: the first 2,000 MNIST training images and the first 1,000 test images, cut into small
# IDX files under $REPRO_DIR/data; 2 epochs, --train-size 0 (all 2,000 train).
#
# The aarch64 binaries run on Debian's arm64 multiarch libraries (libc6:arm64, zlib1g:arm64,
# libpng16-16:arm64, libjpeg62-turbo:arm64), with qemu's default prefix, not '-L /usr/aarch64-linux-gnu': that
# prefix gives the loader of libc6-arm64-cross, while libpng and zlib come from
# /usr/lib/aarch64-linux-gnu and pull in libc6:arm64's libc.so.6. When the two glibc builds
# differ (2.36-8cross1 and 2.36-9+deb12u14 on Debian 12 today), the mixed loader and libc
# hang in the first pthread_create (--threads 2 spins forever before any clone).
set -u
unset MAKEFLAGS MFLAGS MAKELEVEL TWINNET_SIMD QEMU_LD_PREFIX
export LC_ALL=C

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 1
OUT=${REPRO_DIR:-build/repro}
JOBS=${REPRO_JOBS:-2}
FPFILE=tests/repro-fingerprints.txt
UPDATE=0
case "${1:-}" in
--update) UPDATE=1 ;;
"") ;;
*) echo "usage: sh scripts/repro.sh [--update]" >&2; exit 2 ;;
esac

T0=$(date +%s)
say() { echo "repro: $*"; }
die() { echo "repro: $*" >&2; echo "repro: 0 combinations, 0 matched, 0 mismatched (setup failed)"; exit 1; }

[ "$(uname -m)" = x86_64 ] || die "the matrix needs an x86_64 host (this is $(uname -m))"

# ---- 1. tools -------------------------------------------------------------------------------
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }
need="make gcc clang libpng-dev libjpeg-dev zlib1g-dev gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user
      libc6:arm64 zlib1g-dev:arm64 libpng-dev:arm64 libjpeg-dev:arm64"
missing=""
for p in $need; do installed "$p" || missing="$missing $p"; done
# qemu-user-static provides qemu-aarch64-static instead: good enough.
case " $missing " in *" qemu-user "*)
    command -v qemu-aarch64 >/dev/null 2>&1 || command -v qemu-aarch64-static >/dev/null 2>&1 &&
        missing=$(echo "$missing" | sed 's/ qemu-user//') ;;
esac
MNIST=${XDG_CACHE_HOME:-$HOME/.cache}/twinnet/mnist
if ! [ -f "$MNIST/train-images-idx3-ubyte" ] && ! command -v npm >/dev/null 2>&1 && [ -z "${MNIST_MIRROR:-}" ]; then
    missing="$missing npm"
fi
if [ -n "$missing" ]; then
    [ "${REPRO_NO_INSTALL:-0}" = 1 ] && die "missing packages:$missing (REPRO_NO_INSTALL=1)"
    [ "$(id -u)" = 0 ] || die "missing packages:$missing; install them as root (apt-get install$missing)"
    say "installing:$missing"
    case "$missing" in *:arm64*)
        dpkg --print-foreign-architectures | grep -qx arm64 || dpkg --add-architecture arm64 || die "dpkg --add-architecture arm64 failed" ;;
    esac
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null || die "apt-get update failed"
    # libpng-dev and zlib1g-dev are Multi-Arch: same, so amd64 and arm64 must be one version:
    # name the amd64 ones too, so that apt upgrades them together.
    mkdir -p "$OUT"
    # shellcheck disable=SC2086
    apt-get install -y -qq --no-install-recommends $missing libpng-dev libjpeg-dev zlib1g-dev >"$OUT/apt.log" 2>&1 ||
        { tail -n 20 "$OUT/apt.log" >&2; die "apt-get install failed, see $OUT/apt.log"; }
fi
QEMU=$(command -v qemu-aarch64 || command -v qemu-aarch64-static) || die "no qemu-aarch64"
[ -e /lib/ld-linux-aarch64.so.1 ] || die "no /lib/ld-linux-aarch64.so.1: libc6:arm64 is not installed"

say "host: $(grep -m1 '^model name' /proc/cpuinfo | sed 's/.*: //'); gcc $(gcc -dumpfullversion);" \
    "clang $(clang -dumpversion); aarch64 gcc $(aarch64-linux-gnu-gcc -dumpfullversion); $("$QEMU" --version | head -n 1)"

# ---- 2. data: IDX slices ----------------------------------------------------------------------
mkdir -p "$OUT/data" || die "cannot create $OUT"
fetch=$(sh scripts/fetch-mnist.sh) || die "MNIST: sh scripts/fetch-mnist.sh failed"
MNIST=$(echo "$fetch" | sed -n 's/^MNIST: \(.*\) (SHA-256 verified)$/\1/p')
[ -d "$MNIST" ] || die "MNIST: cannot parse the path from: $fetch"

# shellcheck disable=SC2059
be32() { # a 32-bit big-endian integer as 4 raw bytes
    printf "\\$(printf %03o $(($1 >> 24 & 255)))\\$(printf %03o $(($1 >> 16 & 255)))"
    printf "\\$(printf %03o $(($1 >> 8 & 255)))\\$(printf %03o $(($1 & 255)))"
}
magic() { od -An -tx1 -N4 "$1" | tr -d ' \n'; }
slice() { # slice SRC DST COUNT: the first COUNT items of an IDX image or label file
    case $(magic "$1") in
    00000803) { be32 2051; be32 "$3"; be32 28; be32 28; tail -c +17 "$1" | head -c $(($3 * 784)); } > "$2" ;;
    00000801) { be32 2049; be32 "$3"; tail -c +9 "$1" | head -c "$3"; } > "$2" ;;
    *) die "$1: not an IDX image or label file" ;;
    esac
}
NTRAIN=2000 NTEST=1000
D=$OUT/data
slice "$MNIST/train-images-idx3-ubyte" "$D/train-images" $NTRAIN
slice "$MNIST/train-labels-idx1-ubyte" "$D/train-labels" $NTRAIN
slice "$MNIST/t10k-images-idx3-ubyte" "$D/test-images" $NTEST
slice "$MNIST/t10k-labels-idx1-ubyte" "$D/test-labels" $NTEST
if [ "$(wc -c < "$D/train-images")" -ne $((16 + NTRAIN * 784)) ] || [ "$(wc -c < "$D/test-labels")" -ne $((8 + NTEST)) ]; then
    die "slicing the MNIST files gave files of the wrong size"
fi
DATA="--train-images $D/train-images --train-labels $D/train-labels --test-images $D/test-images --test-labels $D/test-labels"
COMMON="--epochs 2 --train-size 0 --seed 1"

# ---- 3. the networks ------------------------------------------------------------------------
. tests/repro-nets.sh
NETS=$REPRO_NETS
net_args() { repro_net_args "$1"; }

# ---- 4. builds ------------------------------------------------------------------------------
# A build: name compiler-command opt march arch. march "-" means the compiler's default.
X86_BUILDS=""
for cc in gcc clang; do
    for opt in -O0 -O2 -O3; do
        for march in x86-64 native; do
            X86_BUILDS="$X86_BUILDS $cc$opt-$march"
        done
    done
done
# Under qemu a run is 20-50 times slower than native (-O0 over 100 times), so fewer aarch64
# builds: gcc -O2 and -O3, clang -O3, and gcc's SVE auto-vectoriser (qemu's default CPU has
# SVE); no -O0, which there costs more than all the others together.
A64_BUILDS="a64-gcc-O2 a64-gcc-O3 a64-gcc-O3-sve a64-clang-O3"
REF=gcc-O2-x86-64
b_cc() {
    case $1 in
    gcc-*) echo gcc ;; clang-*) echo clang ;;
    a64-gcc-*) echo aarch64-linux-gnu-gcc ;; a64-clang-*) echo "clang --target=aarch64-linux-gnu" ;;
    esac
}
b_opt() { echo "$1" | sed 's/.*-\(O[0-3]\).*/-\1/'; }
b_march() {
    case $1 in
    *-x86-64) echo x86-64 ;; *-native) echo native ;;
    *-sve) echo armv8.2-a+sve ;; a64-*) echo armv8-a ;;
    esac
}
b_compiler() { case $1 in *gcc*) echo gcc ;; *) echo clang ;; esac; }
b_arch() { case $1 in a64-*) echo aarch64 ;; *) echo x86_64 ;; esac; }

BUILD_FAILED=""
build() {
    name=$1
    march=$(b_march "$name")
    mflag=-march=$march
    [ "$march" = armv8-a ] && mflag=
    start=$(date +%s)
    if make -j"$JOBS" BUILD="$OUT/$name" CC="$(b_cc "$name")" OPT="$(b_opt "$name")" MARCH="$mflag" all \
        > "$OUT/$name.build.log" 2>&1; then
        echo "  built $name ($(( $(date +%s) - start ))s)"
    else
        echo "  BUILD FAILED $name: see $OUT/$name.build.log:"
        tail -n 5 "$OUT/$name.build.log" | sed 's/^/    /'
        BUILD_FAILED="$BUILD_FAILED $name"
    fi
}
say "building $(echo "$X86_BUILDS $A64_BUILDS" | wc -w) configurations in $OUT"
for b in $X86_BUILDS $A64_BUILDS; do build "$b"; done
T_BUILD=$(date +%s)

# ---- 5. the reference, and the committed fingerprints --------------------------------------
run_bin() { # run_bin BUILD ARGS...: the build's twinnet, under qemu for aarch64
    bb=$1; shift
    if [ "$(b_arch "$bb")" = aarch64 ]; then "$QEMU" "$OUT/$bb/twinnet" "$@"
    else "$OUT/$bb/twinnet" "$@"; fi
}
json_fp() { sed -n 's/.*"fingerprint":"\([0-9a-f]\{64\}\)".*/\1/p' | tail -n 1; }

case " $BUILD_FAILED " in *" $REF "*) die "the reference build $REF failed" ;; esac
mkdir -p "$OUT/ref" "$OUT/runs"
for n in $NETS; do
    # shellcheck disable=SC2046,SC2086
    run_bin "$REF" train $DATA $COMMON $(net_args "$n") --threads 1 --json --out "$OUT/ref/$n.tnm" \
        > "$OUT/ref/$n.jsonl" 2> "$OUT/ref/$n.err" || { cat "$OUT/ref/$n.err" >&2; die "reference run $n failed"; }
done
if [ "$UPDATE" = 1 ]; then
    {
        echo "# Fingerprints of 'make repro' (scripts/repro.sh, which defines the networks and data:"
        echo "# the first $NTRAIN MNIST training and $NTEST test images, 2 epochs, --train-size 0, seed 1)."
        echo "# Written by 'sh scripts/repro.sh --update' from gcc -O2 -march=x86-64, --threads 1."
        echo "# Every build, thread count, SIMD path and the aarch64 builds must give these."
        for n in $NETS; do echo "$n $(json_fp < "$OUT/ref/$n.jsonl")"; done
    } > "$FPFILE.tmp" && mv "$FPFILE.tmp" "$FPFILE"
    say "wrote $FPFILE"
fi
[ -f "$FPFILE" ] || die "$FPFILE is missing (sh scripts/repro.sh --update writes it)"
expected() { awk -v n="$1" '$1 == n { print $2 }' "$FPFILE"; }
for n in $NETS; do
    [ -n "$(expected "$n")" ] || die "$FPFILE has no line for network $n (sh scripts/repro.sh --update)"
done

# ---- 6. the matrix --------------------------------------------------------------------------
SIMDS="generic"
flags=$(grep -m1 '^flags' /proc/cpuinfo)
has() { echo " $flags " | grep -q " $1 "; }
if has avx2 && has fma; then SIMDS="$SIMDS avx2"; else say "note: no AVX2+FMA in /proc/cpuinfo: path avx2 not run"; fi
if has avx512f; then SIMDS="$SIMDS avx512"; else say "note: no avx512f in /proc/cpuinfo: path avx512 not run (this CPU lacks it)"; fi

total=0 ok=0 bad=0
row() { # row BUILD THREADS SIMD NET FP16 RESULT [REASON]
    printf '%-6s %-4s %-14s %-7s %7s  %-7s %-13s %-16s %s\n' \
        "$(b_compiler "$1")" "$(b_opt "$1")" "$(b_march "$1")" "$(b_arch "$1")" "$2" "$3" "$4" "$5" "$6${7:+: $7}"
}
check() { # check BUILD THREADS SIMD NET
    bb=$1 th=$2 simd=$3 n=$4
    total=$((total + 1))
    tag=$bb.t$th.$simd.$n
    why=""
    fp=""
    case " $BUILD_FAILED " in *" $bb "*) why="build failed, see $OUT/$bb.build.log" ;; esac
    if [ -z "$why" ]; then
        path=$(TWINNET_SIMD=$simd run_bin "$bb" --help 2>&1 | sed -n 's/.*SIMD path \([a-z0-9]*\).*/\1/p')
        [ "$path" = "$simd" ] || why="TWINNET_SIMD=$simd not in effect: the binary reports path '${path:-?}'"
    fi
    if [ -z "$why" ]; then
        # shellcheck disable=SC2046,SC2086
        TWINNET_SIMD=$simd run_bin "$bb" train $DATA $COMMON $(net_args "$n") --threads "$th" --json \
            --out "$OUT/runs/$tag.tnm" > "$OUT/runs/$tag.jsonl" 2> "$OUT/runs/$tag.err"
        rc=$?
        fp=$(json_fp < "$OUT/runs/$tag.jsonl")
        if [ $rc -ne 0 ]; then why="train exit $rc: $(tail -n 1 "$OUT/runs/$tag.err")"
        elif [ -z "$fp" ]; then why="no fingerprint in train --json output"
        else
            ifp=$(TWINNET_SIMD=$simd run_bin "$bb" info "$OUT/runs/$tag.tnm" --json 2>&1 | json_fp)
            if [ "$ifp" != "$fp" ]; then why="info says ${ifp:-nothing}, train said $fp"
            elif [ "$fp" != "$(expected "$n")" ]; then why="fingerprint differs from $FPFILE"
            elif ! cmp -s "$OUT/runs/$tag.tnm" "$OUT/ref/$n.tnm"; then
                why="model bytes differ from the reference: $(cmp "$OUT/runs/$tag.tnm" "$OUT/ref/$n.tnm" 2>&1 | head -n 1)"
            fi
        fi
    fi
    fp16=$(echo "${fp:----}" | cut -c1-16)
    if [ -z "$why" ]; then
        ok=$((ok + 1)); row "$bb" "$th" "$simd" "$n" "$fp16" OK
        rm -f "$OUT/runs/$tag.tnm" "$OUT/runs/$tag.jsonl" "$OUT/runs/$tag.err"
    else
        bad=$((bad + 1)); row "$bb" "$th" "$simd" "$n" "$fp16" MISMATCH "$why"
    fi
}

echo
printf '%-6s %-4s %-14s %-7s %7s  %-7s %-13s %-16s %s\n' cc opt march arch threads simd network fingerprint result
for bb in $X86_BUILDS; do
    for th in 1 2 4; do
        for simd in $SIMDS; do
            for n in $NETS; do check "$bb" "$th" "$simd" "$n"; done
        done
    done
done
T_X86=$(date +%s)
for bb in $A64_BUILDS; do
    for th in 1 2 4; do
        for n in $NETS; do check "$bb" "$th" generic "$n"; done
    done
done
T_END=$(date +%s)
echo
echo "expected ($FPFILE):"
for n in $NETS; do echo "  $n $(expected "$n")"; done
echo "time: setup and $(echo "$X86_BUILDS $A64_BUILDS" | wc -w) builds $((T_BUILD - T0))s, x86_64 runs $((T_X86 - T_BUILD))s," \
    "aarch64 runs under qemu $((T_END - T_X86))s; total $((T_END - T0))s"
[ $bad -gt 0 ] && echo "failed runs keep their output in $OUT/runs/"
echo "repro: $total combinations, $ok matched, $bad mismatched"
[ $bad -eq 0 ]
