#!/bin/sh
# make repro: the reproducibility matrix. Builds twinnet with gcc and clang at -O0, -O2 and -O3,
# each with -march=x86-64 and -march=native, and for five other architectures with Debian's
# cross compilers: i686 (32-bit x86, run natively), aarch64, riscv64, ppc64le and s390x
# (big-endian), run under qemu-user, and for WebAssembly (clang's wasm32-wasi target with
# Debian's wasi-libc: the command line of make web, run by Node.js through web/wasi-run.mjs);
# trains three small fixed networks with each build, with --threads 1, 2 and 4 (1 and 4 under
# qemu; 1 in WebAssembly, which has no threads) and every SIMD path this CPU has (TWINNET_SIMD,
# i686 too); and checks that every run gives the fingerprint committed in
# tests/repro-fingerprints.txt and writes a model file and a trace byte-identical to the
# reference run's (gcc -O2 -march=x86-64, 1 thread, default path). On the other
# architectures (WebAssembly too), the 1-thread runs also read the reference's model (info) and trace (diverge
# against their own), so files cross byte orders and word sizes.
#
# Usage: sh scripts/repro.sh            check against tests/repro-fingerprints.txt
#        sh scripts/repro.sh --update   rewrite that file from the reference build, then check
# Environment: REPRO_DIR (default build/repro), REPRO_JOBS (make -j, default 2),
#              REPRO_NO_INSTALL=1 (never apt-get; fail if something is missing),
#              REPRO_ARCHS (default "x86_64 i686 aarch64 riscv64 ppc64le s390x wasm32"): a part of
#              the matrix, e.g. REPRO_ARCHS=aarch64 (the reference build gcc -O2 -march=x86-64 is
#              always built, and its x86_64 rows run only when x86_64 is named).
# Prints one row per run and a last line "repro: N combinations, N matched, N mismatched";
# exits 1 on any mismatch or failure. Nothing is skipped silently: a combination that cannot
# run (build failure, a SIMD path not taking effect) is a failed row with the reason.
#
# Data: the first 2,000 MNIST training and 1,000 test images, cut into small raw IDX files
# under $REPRO_DIR/data; 2 epochs, --train-size 0 (all 2,000 train). The same for every build.
#
# The builds for other architectures are static (qemu then needs no library prefix, and no
# foreign multiarch packages are involved) and link the cross compiler's glibc only: they are
# built WITHOUT="ZLIB LIBPNG LIBJPEG" (the Makefile's TN_NO_* switches: no headers, no libraries;
# a gzip, PNG or JPEG file is then refused with a message), since training and info on raw IDX
# files never need them.
# The Makefile adds -msse2 -mfpmath=sse for i686 and -fexcess-precision=fast for gcc on s390x
# (see README, "What is promised about the bits").
set -u
unset MAKEFLAGS MFLAGS MAKELEVEL TWINNET_SIMD QEMU_LD_PREFIX
export LC_ALL=C

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 1
OUT=${REPRO_DIR:-build/repro}
case $OUT in /*) ;; *) OUT=$ROOT/$OUT ;; esac # WASI programs reach host files by absolute path
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
# Architecture: Debian triplet, the cross compiler and libc packages, qemu's name.
ALL_ARCHS="x86_64 i686 aarch64 riscv64 ppc64le s390x wasm32"
SELECTED=${REPRO_ARCHS:-$ALL_ARCHS}
for a in $SELECTED; do
    case " $ALL_ARCHS " in *" $a "*) ;; *) echo "repro: REPRO_ARCHS: unknown architecture '$a' ($ALL_ARCHS)" >&2; exit 2 ;; esac
done
selected() { case " $SELECTED " in *" $1 "*) true ;; *) false ;; esac; }
ARCHS="" # the selected architectures under qemu-user (and i686)
for a in i686 aarch64 riscv64 ppc64le s390x; do selected "$a" && ARCHS="$ARCHS $a"; done
triplet() {
    case $1 in
    i686) echo i686-linux-gnu ;; aarch64) echo aarch64-linux-gnu ;; riscv64) echo riscv64-linux-gnu ;;
    ppc64le) echo powerpc64le-linux-gnu ;; s390x) echo s390x-linux-gnu ;;
    esac
}
libc_pkg() {
    case $1 in
    i686) echo libc6-dev-i386-cross ;; aarch64) echo libc6-dev-arm64-cross ;; riscv64) echo libc6-dev-riscv64-cross ;;
    ppc64le) echo libc6-dev-ppc64el-cross ;; s390x) echo libc6-dev-s390x-cross ;;
    esac
}
qemu_name() { case $1 in i686) echo qemu-i386 ;; *) echo "qemu-$1" ;; esac; }
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }
need="make gcc clang libpng-dev libjpeg-dev zlib1g-dev"
[ -n "$ARCHS" ] && need="$need qemu-user"
if selected wasm32; then
    need="$need wasi-libc libclang-rt-14-dev-wasm32 lld"
    command -v node > /dev/null 2>&1 || need="$need nodejs"
fi
for a in $ARCHS; do need="$need gcc-$(triplet "$a") $(libc_pkg "$a")"; done
missing=""
for p in $need; do installed "$p" || missing="$missing $p"; done
# qemu-user-static provides qemu-ARCH-static instead: good enough.
case " $missing " in *" qemu-user "*)
    have_all=1
    for a in $ARCHS; do
        q=$(qemu_name "$a")
        command -v "$q" >/dev/null 2>&1 || command -v "$q-static" >/dev/null 2>&1 || have_all=0
    done
    [ $have_all = 1 ] && missing=$(echo "$missing" | sed 's/ qemu-user//') ;;
esac
MNIST=${XDG_CACHE_HOME:-$HOME/.cache}/twinnet/mnist
if ! [ -f "$MNIST/train-images-idx3-ubyte" ] && ! command -v npm >/dev/null 2>&1 && [ -z "${MNIST_MIRROR:-}" ]; then
    missing="$missing npm"
fi
if [ -n "$missing" ]; then
    [ "${REPRO_NO_INSTALL:-0}" = 1 ] && die "missing packages:$missing (REPRO_NO_INSTALL=1)"
    [ "$(id -u)" = 0 ] || die "missing packages:$missing; install them as root (apt-get install$missing)"
    say "installing:$missing"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null || die "apt-get update failed"
    mkdir -p "$OUT"
    # shellcheck disable=SC2086
    apt-get install -y -qq --no-install-recommends $missing >"$OUT/apt.log" 2>&1 ||
        { tail -n 20 "$OUT/apt.log" >&2; die "apt-get install failed, see $OUT/apt.log"; }
fi
for a in $ARCHS; do
    q=$(qemu_name "$a")
    q=$(command -v "$q" || command -v "$q-static") || die "no $(qemu_name "$a") (package qemu-user)"
    eval "QEMU_$a=\$q"
done
# shellcheck disable=SC2154 # QEMU_aarch64 and QEMU_i686 are set by the eval above

cross=""
for a in $ARCHS; do
    eval "q=\$QEMU_$a"
    cross="$cross; $(triplet "$a")-gcc $("$(triplet "$a")-gcc" -dumpfullversion), $("$q" --version | head -n 1 | sed 's/ version / /')"
done
say "host: $(grep -m1 '^model name' /proc/cpuinfo | sed 's/.*: //'); gcc $(gcc -dumpfullversion);" \
    "clang $(clang -dumpversion)$cross; architectures: $SELECTED"

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
# A build's name says its architecture (prefix), compiler, -O level and -march/-mcpu (suffix).
X86_BUILDS=""
for cc in gcc clang; do
    for opt in -O0 -O2 -O3; do
        for march in x86-64 native; do
            X86_BUILDS="$X86_BUILDS $cc$opt-$march"
        done
    done
done
# Under qemu a run is 20-50 times slower than native (-O0 over 100 times), so fewer builds
# there, and --threads 1 and 4 only: gcc -O2 (the compiler's default CPU), an -O3 build whose
# auto-vectoriser has the architecture's vector unit where qemu emulates it (SVE, POWER9 VSX,
# z14 vector floats), and clang -O3; no -O0, which there costs more than all the others
# together. i686 runs natively: every thread count and SIMD path, as x86_64.
I686_BUILDS="i686-gcc-O2 i686-gcc-O3-native i686-clang-O3"
A64_BUILDS="a64-gcc-O2 a64-gcc-O3 a64-gcc-O3-sve a64-clang-O3"
RV64_BUILDS="rv64-gcc-O2 rv64-clang-O3"
PPC_BUILDS="ppc64le-gcc-O3-power9 ppc64le-clang-O3"
S390X_BUILDS="s390x-gcc-O2 s390x-gcc-O3-z14 s390x-clang-O3"
# WebAssembly: make web's command line (twinnet-cli.wasm) at each -O level, under Node.js.
WASM_BUILDS="wasm-clang-O0 wasm-clang-O2 wasm-clang-O3"
builds_of() {
    case $1 in
    x86_64) echo "$X86_BUILDS" ;; i686) echo "$I686_BUILDS" ;; aarch64) echo "$A64_BUILDS" ;;
    riscv64) echo "$RV64_BUILDS" ;; ppc64le) echo "$PPC_BUILDS" ;; s390x) echo "$S390X_BUILDS" ;;
    wasm32) echo "$WASM_BUILDS" ;;
    esac
}
REF=gcc-O2-x86-64
ALL_BUILDS=""
for a in $SELECTED; do ALL_BUILDS="$ALL_BUILDS $(builds_of "$a")"; done
selected x86_64 || ALL_BUILDS="$REF $ALL_BUILDS"
b_arch() {
    case $1 in
    i686-*) echo i686 ;; a64-*) echo aarch64 ;; rv64-*) echo riscv64 ;; ppc64le-*) echo ppc64le ;;
    s390x-*) echo s390x ;; wasm-*) echo wasm32 ;; *) echo x86_64 ;;
    esac
}
b_compiler() { case $1 in *gcc*) echo gcc ;; *) echo clang ;; esac; }
b_cc() {
    arch=$(b_arch "$1")
    if [ "$arch" = x86_64 ]; then b_compiler "$1"
    elif [ "$(b_compiler "$1")" = gcc ]; then echo "$(triplet "$arch")-gcc"
    else echo "clang --target=$(triplet "$arch")"; fi
}
b_opt() { echo "$1" | sed 's/.*-\(O[0-3]\).*/-\1/'; }
b_march() { # for the table; the compiler's default where the name says none
    case $1 in
    *-x86-64) echo x86-64 ;; *-native) echo native ;; *-sve) echo armv8.2-a+sve ;;
    *-power9) echo power9 ;; *-z14) echo z14 ;;
    wasm-*) echo wasm32 ;; i686-*) echo i686+sse2 ;; a64-*) echo armv8-a ;; rv64-*) echo rv64gc ;; ppc64le-*) echo power8 ;; s390x-*) echo z196 ;;
    esac
}
b_mflag() {
    case $1 in
    *-x86-64) echo -march=x86-64 ;; *-native) echo -march=native ;; *-sve) echo -march=armv8.2-a+sve ;;
    *-power9) echo -mcpu=power9 ;; *-z14) echo -march=z14 ;;
    esac
}

BUILD_FAILED=""
# make_build NAME [VAR=VALUE...]: make all in $OUT/NAME, appending to its log.
make_build() {
    mb=$1; shift
    make -j"$JOBS" BUILD="$OUT/$mb" CC="$(b_cc "$mb")" OPT="$(b_opt "$mb")" MARCH="$(b_mflag "$mb")" "$@" all \
        >> "$OUT/$mb.build.log" 2>&1
}
# Static against the cross compiler's glibc, without the libraries it lacks (see the top).
static_build() {
    make_build "$1" WITHOUT="ZLIB LIBPNG LIBJPEG" LDFLAGS=-static
}
wasm_build() {
    make -j"$JOBS" BUILD="$OUT/$1" WASM_OPT="$(b_opt "$1")" "$OUT/$1/wasm/twinnet-cli.wasm" >> "$OUT/$1.build.log" 2>&1
}
build_it() {
    case $(b_arch "$1") in
    x86_64) make_build "$1" ;; wasm32) wasm_build "$1" ;; *) static_build "$1" ;;
    esac
}
build() {
    name=$1
    start=$(date +%s)
    : > "$OUT/$name.build.log"
    if build_it "$name"; then
        echo "  built $name ($(( $(date +%s) - start ))s)"
    else
        echo "  BUILD FAILED $name: see $OUT/$name.build.log:"
        tail -n 5 "$OUT/$name.build.log" | sed 's/^/    /'
        BUILD_FAILED="$BUILD_FAILED $name"
    fi
}
say "building $(echo "$ALL_BUILDS" | wc -w) configurations in $OUT"
for b in $ALL_BUILDS; do build "$b"; done
T_BUILD=$(date +%s)

# i686 binaries run natively where the kernel runs 32-bit programs (then every SIMD path this
# CPU has is checked there too), else under qemu-i386 (generic path only).
I686_QEMU=""
selected i686 && for b in $I686_BUILDS; do
    case " $BUILD_FAILED " in *" $b "*) continue ;; esac
    # shellcheck disable=SC2154
    "$OUT/$b/twinnet" --help >/dev/null 2>&1 || I686_QEMU=$QEMU_i686
    break
done

# ---- 5. the reference, and the committed fingerprints --------------------------------------
# shellcheck disable=SC2154 # rq is set by the eval
run_bin() { # run_bin BUILD ARGS...: the build's twinnet, under qemu for the other architectures
    rb=$1; shift
    case $(b_arch "$rb") in
    x86_64) "$OUT/$rb/twinnet" "$@" ;;
    i686) $I686_QEMU "$OUT/$rb/twinnet" "$@" ;;
    wasm32) node --no-warnings web/wasi-run.mjs "$OUT/$rb/wasm/twinnet-cli.wasm" "$@" ;;
    *) eval "rq=\$QEMU_$(b_arch "$rb")"; "$rq" "$OUT/$rb/twinnet" "$@" ;;
    esac
}
json_fp() { sed -n 's/.*"fingerprint":"\([0-9a-f]\{64\}\)".*/\1/p' | tail -n 1; }

case " $BUILD_FAILED " in *" $REF "*) die "the reference build $REF failed" ;; esac
mkdir -p "$OUT/ref" "$OUT/runs"
for n in $NETS; do
    # shellcheck disable=SC2046,SC2086
    run_bin "$REF" train $DATA $COMMON $(net_args "$n") --threads 1 --json --out "$OUT/ref/$n.tnm" --trace "$OUT/ref/$n.trace" \
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
threads_of() {
    case $1 in
    x86_64) echo "1 2 4" ;;
    i686) if [ -z "$I686_QEMU" ]; then echo "1 2 4"; else echo "1 4"; fi ;;
    wasm32) echo 1 ;;
    *) echo "1 4" ;;
    esac
}
simds_of() {
    case $1 in
    x86_64) echo "$SIMDS" ;;
    i686) if [ -z "$I686_QEMU" ]; then echo "$SIMDS"; else echo generic; fi ;;
    *) echo generic ;;
    esac
}
if [ -n "$I686_QEMU" ]; then
    say "note: this kernel does not run 32-bit x86 programs: i686 runs under qemu-i386, generic path only"
    # -march=native is this CPU's instruction set (AVX-512 here, say), which qemu-i386 does not
    # emulate in full (Illegal instruction): that build is checked only where i686 runs natively.
    case " $I686_BUILDS " in *" i686-gcc-O3-native "*)
        I686_BUILDS=$(echo " $I686_BUILDS " | sed 's/ i686-gcc-O3-native / /')
        say "note: i686-gcc-O3-native not run: qemu-i386 cannot execute every instruction of this CPU" ;;
    esac
fi

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
            --out "$OUT/runs/$tag.tnm" --trace "$OUT/runs/$tag.trace" > "$OUT/runs/$tag.jsonl" 2> "$OUT/runs/$tag.err"
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
            elif ! cmp -s "$OUT/runs/$tag.trace" "$OUT/ref/$n.trace"; then
                why="trace bytes differ from the reference: $(cmp "$OUT/runs/$tag.trace" "$OUT/ref/$n.trace" 2>&1 | head -n 1)"
            elif [ "$(b_arch "$bb")" != x86_64 ] && [ "$th" = 1 ] && [ "$simd" = generic ]; then
                # The reference's files, written on x86_64, read by this build.
                rfp=$(run_bin "$bb" info "$OUT/ref/$n.tnm" --json 2>&1 | json_fp)
                if [ "$rfp" != "$fp" ]; then why="info on the reference model says ${rfp:-nothing}"
                elif ! run_bin "$bb" diverge "$OUT/ref/$n.trace" "$OUT/runs/$tag.trace" --json 2>&1 |
                    grep -q '"first_diverging_step":null'; then
                    why="diverge finds the reference trace and this run's apart"
                fi
            fi
        fi
    fi
    fp16=$(echo "${fp:----}" | cut -c1-16)
    if [ -z "$why" ]; then
        ok=$((ok + 1)); row "$bb" "$th" "$simd" "$n" "$fp16" OK
        rm -f "$OUT/runs/$tag.tnm" "$OUT/runs/$tag.trace" "$OUT/runs/$tag.jsonl" "$OUT/runs/$tag.err"
    else
        bad=$((bad + 1)); row "$bb" "$th" "$simd" "$n" "$fp16" MISMATCH "$why"
    fi
}

echo
printf '%-6s %-4s %-14s %-7s %7s  %-7s %-13s %-16s %s\n' cc opt march arch threads simd network fingerprint result
TIMES=""
for arch in $SELECTED; do
    t=$(date +%s)
    for bb in $(builds_of "$arch"); do
        for th in $(threads_of "$arch"); do
            for simd in $(simds_of "$arch"); do
                for n in $NETS; do check "$bb" "$th" "$simd" "$n"; done
            done
        done
    done
    how="native"
    case $arch in x86_64) ;; i686) [ -n "$I686_QEMU" ] && how="qemu" ;; wasm32) how="node" ;; *) how="qemu" ;; esac
    TIMES="$TIMES $arch ($how) $(( $(date +%s) - t ))s,"
done
T_END=$(date +%s)
echo
echo "expected ($FPFILE):"
for n in $NETS; do echo "  $n $(expected "$n")"; done
echo "time: setup and $(echo "$ALL_BUILDS" | wc -w) builds $((T_BUILD - T0))s; runs:$TIMES total $((T_END - T0))s"
[ $bad -gt 0 ] && echo "failed runs keep their output in $OUT/runs/"
echo "repro: $total combinations, $ok matched, $bad mismatched"
[ $bad -eq 0 ]
