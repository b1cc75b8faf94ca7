#!/bin/sh
# make bench: twinnet side by side with PyTorch (OpenBLAS and reference BLAS), numpy (vectorised
# float32, and network.py's per-example loop in float64) and FANN, on the same jobs, one process
# per (job, peer, repetition), alternating the peers within each repetition. Prints a table and
# writes it to $BUILD/bench/results-latest.txt (raw logs in $BUILD/bench/logs/).
#
# Environment:
#   BENCH_REPS=3          repetitions of every (job, peer)
#   BENCH_EPOCHS=2        epochs per repetition (median over all epochs of all repetitions)
#   BENCH_JOBS="J1 J2 J3 J4"   jobs to run (space or comma separated)
#   BENCH_PEERS="twinnet torch-openblas torch-refblas numpy-vec numpy-loop fann"
#   BENCH_LOOP_EPOCHS=1   epochs per repetition of the (slow) numpy per-example loop
#   BENCH_SLOW=0          1: also run the very slow cells in full (see SLOW below)
#   BENCH_THREADS=1       threads for every peer (twinnet --threads, torch, OpenBLAS, OpenMP)
#   BENCH_EVAL_REPS=21    standalone 'twinnet eval' runs on J1's model (0: none)
#   BENCH_PYTHON=/usr/bin/python3   the Python that has Debian's python3-torch and python3-numpy
#   TWINNET_DATA          MNIST directory (default ${XDG_CACHE_HOME:-~/.cache}/twinnet/mnist)
#   BUILD=build           the twinnet build to time
#   BENCH_OUT=$BUILD/bench  where the logs, fann_peer and results-latest.txt go
set -eu
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
OUT=${BENCH_OUT:-$BUILD/bench}
LOGS=$OUT/logs
REPS=${BENCH_REPS:-3}
EPOCHS=${BENCH_EPOCHS:-2}
LOOP_EPOCHS=${BENCH_LOOP_EPOCHS:-1}
JOBS=$(echo "${BENCH_JOBS:-J1 J2 J3 J4}" | tr ',' ' ')
PEERS=$(echo "${BENCH_PEERS:-twinnet torch-openblas torch-refblas numpy-vec numpy-loop fann}" | tr ',' ' ')
SLOW=${BENCH_SLOW:-0}
THREADS=${BENCH_THREADS:-1}
EVAL_REPS=${BENCH_EVAL_REPS:-21}
PY=${BENCH_PYTHON:-/usr/bin/python3}
DATA=${TWINNET_DATA:-${XDG_CACHE_HOME:-$HOME/.cache}/twinnet/mnist}
TRAIN_SIZE=50000
NCPU=$(getconf _NPROCESSORS_ONLN)

say() { printf '%s\n' "$*" >&2; }

# ---- peers' packages ------------------------------------------------------------------------
# libblas3/liblapack3 are Debian's reference BLAS/LAPACK (the "default" BLAS), time gives %M.
PKGS="python3-torch python3-numpy libopenblas0-pthread libblas3 liblapack3 libfann-dev time"
missing=
for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
done
if [ -n "$missing" ]; then
    if [ "$(id -u)" = 0 ]; then
        say "bench: installing$missing"
        # shellcheck disable=SC2086 # one word per package
        if ! { apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >&2; }; then
            say "bench: apt-get install failed; peers that need$missing will be skipped"
        fi
    else
        say "bench: missing$missing (not root: not installing); peers that need them are skipped"
    fi
fi

MA=$(cc -print-multiarch 2>/dev/null || true)
[ -n "$MA" ] || MA=$(uname -m)-linux-gnu
OPENBLAS_DIR=/usr/lib/$MA/openblas-pthread
REFBLAS_DIR=/usr/lib/$MA/blas
REFLAPACK_DIR=/usr/lib/$MA/lapack

mkdir -p "$LOGS"
rm -f "$LOGS"/*
[ -x "$BUILD/twinnet" ] || { say "bench: $BUILD/twinnet missing: run make first"; exit 1; }
[ -f "$DATA/train-images-idx3-ubyte" ] || { say "bench: no MNIST in $DATA: run make data"; exit 1; }

# One thread everywhere unless asked otherwise.
export OMP_NUM_THREADS="$THREADS" OPENBLAS_NUM_THREADS="$THREADS" MKL_NUM_THREADS="$THREADS"
export PYTHONDONTWRITEBYTECODE=1 # no bench/__pycache__ in the work tree

TIME=
[ -x /usr/bin/time ] && TIME=/usr/bin/time

# ---- which peers can run here -----------------------------------------------------------------
FANN_BIN=$OUT/fann_peer
fann_ok=
if cc -O2 -std=c11 -Wall -Wextra bench/fann_peer.c -o "$FANN_BIN" -lfloatfann -lm 2>"$LOGS/fann-build.err"; then
    fann_ok=1
fi
torch_ok=
"$PY" -c 'import torch' 2>/dev/null && torch_ok=1
numpy_ok=
"$PY" -c 'import numpy' 2>/dev/null && numpy_ok=1

unavailable() { # peer -> reason, or nothing when it can run
    case $1 in
    twinnet) ;;
    torch-openblas)
        [ -n "$torch_ok" ] || { echo "python3-torch not importable by $PY"; return; }
        [ -f "$OPENBLAS_DIR/libblas.so.3" ] || echo "no $OPENBLAS_DIR/libblas.so.3" ;;
    torch-refblas)
        [ -n "$torch_ok" ] || { echo "python3-torch not importable by $PY"; return; }
        [ -f "$REFBLAS_DIR/libblas.so.3" ] || echo "no $REFBLAS_DIR/libblas.so.3" ;;
    numpy-vec|numpy-loop)
        [ -n "$numpy_ok" ] || echo "python3-numpy not importable by $PY" ;;
    fann)
        [ -n "$fann_ok" ] || echo "fann_peer.c does not build (libfann-dev?): $(head -c 200 "$LOGS/fann-build.err")" ;;
    *) echo "unknown peer" ;;
    esac
}

# ---- jobs ----------------------------------------------------------------------------------
# The same flags go to twinnet and to every peer. J3: eta 3.0 with N(0,1) initial weights
# saturates the 1000 sigmoid hidden units (18-41% test accuracy after an epoch, depending on the
# seed), so every peer runs it with weights N(0,1/784) and eta 0.1, which learns steadily.
job_args() {
    case $1 in
    J1) echo "--sizes 784,30,10 --batch 10 --eta 3.0 --cost quadratic --lambda 0 --init normal" ;;
    J2) echo "--sizes 784,100,10 --batch 10 --eta 3.0 --cost quadratic --lambda 0 --init normal" ;;
    J3) echo "--sizes 784,1000,10 --batch 100 --eta 0.1 --cost quadratic --lambda 0 --init scaled" ;;
    J4) echo "--sizes 784,100,10 --batch 10 --eta 0.5 --cost cross-entropy --lambda 5 --init scaled" ;;
    *) return 1 ;;
    esac
}

# Cells too slow for the ~20-minute default (measured on the 2-vCPU machine), unless
# BENCH_SLOW=1: numpy-loop skips J3 (~6.5 min per epoch) and runs J2 and J4 (~40 s per epoch) in
# the first repetition only; torch-refblas and fann run J3 for one epoch in the first repetition
# only (~2 min per epoch each).
plan() { # job peer -> "EPOCHS LASTREP" or "skip REASON"
    case $2 in numpy-loop) e=$LOOP_EPOCHS ;; *) e=$EPOCHS ;; esac
    r=$REPS
    if [ "$SLOW" != 1 ]; then
        case $1.$2 in
        J3.numpy-loop) echo "skip per-example loop with 1000 hidden units: ~6.5 min/epoch (BENCH_SLOW=1 runs it)"; return ;;
        J2.numpy-loop|J4.numpy-loop) r=1 ;;
        J3.torch-refblas|J3.fann) e=1; r=1 ;;
        esac
    fi
    echo "$e $r"
}

# Repetition R uses seed R (initial parameters and example order) in every peer.
run_peer() { # job peer rep epochs -> writes $LOGS/job.peer.rep.{cmd,jsonl,err,time,rc}
    rp_job=$1 rp_peer=$2
    rp_base=$LOGS/$1.$2.$3
    # shellcheck disable=SC2046
    set -- $(job_args "$1") --data "$DATA" --epochs "$4" --seed "$3" --train-size "$TRAIN_SIZE"
    case $rp_peer in
    twinnet) set -- "$BUILD/twinnet" train "$@" --threads "$THREADS" --json --out "$OUT/bench.$rp_job.tnm" ;;
    # OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE (set on some hosts for old OpenBLAS builds) are unset
    # for the OpenBLAS peers only, so OpenBLAS picks its own kernel; the peer reports which.
    torch-openblas) set -- env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE LD_LIBRARY_PATH="$OPENBLAS_DIR" \
        "$PY" bench/torch_peer.py "$@" --threads "$THREADS" ;;
    torch-refblas) set -- env LD_LIBRARY_PATH="$REFBLAS_DIR:$REFLAPACK_DIR" \
        "$PY" bench/torch_peer.py "$@" --threads "$THREADS" ;;
    numpy-vec) set -- env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE LD_LIBRARY_PATH="$OPENBLAS_DIR" \
        "$PY" bench/numpy_peer.py --mode vec "$@" ;;
    numpy-loop) set -- env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE LD_LIBRARY_PATH="$OPENBLAS_DIR" \
        "$PY" bench/numpy_peer.py --mode loop "$@" ;;
    fann) set -- "$FANN_BIN" "$@" ;;
    esac
    echo "$*" >"$rp_base.cmd"
    rp_rc=0
    if [ -n "$TIME" ]; then
        "$TIME" -f '%e %M' -o "$rp_base.time" "$@" >"$rp_base.jsonl" 2>"$rp_base.err" || rp_rc=$?
    else
        "$@" >"$rp_base.jsonl" 2>"$rp_base.err" || rp_rc=$?
    fi
    echo "$rp_rc" >"$rp_base.rc"
    return 0
}

START=$(date +%s)
{
    echo "date: $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
    echo "host: $NCPU CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $(uname -srm)"
    echo "load_before: $(cut -d' ' -f1-3 /proc/loadavg) (load average: other processes on the machine slow every peer)"
    echo "twinnet: $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet HEAD -- src include cli 2>/dev/null || echo '+dirty') ($BUILD/twinnet, TWINNET_SIMD=${TWINNET_SIMD:-auto})"
    echo "settings: reps=$REPS epochs=$EPOCHS loop_epochs=$LOOP_EPOCHS slow=$SLOW threads=$THREADS seeds=1..$REPS (seed = repetition) train_size=$TRAIN_SIZE"
    echo "threads: twinnet --threads $THREADS; torch.set_num_threads($THREADS), set_num_interop_threads(1); OpenBLAS and OpenMP via the variables below"
    echo "env: OMP_NUM_THREADS=$OMP_NUM_THREADS OPENBLAS_NUM_THREADS=$OPENBLAS_NUM_THREADS MKL_NUM_THREADS=$MKL_NUM_THREADS OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-unset} OPENBLAS_L2_SIZE=${OPENBLAS_L2_SIZE:-unset} (both unset for the OpenBLAS peers)"
    echo "python: $PY $("$PY" -c 'import sys; print(sys.version.split()[0])' 2>/dev/null || echo '?')"
    for p in $PKGS libfann2; do
        echo "package: $p $(dpkg-query -W -f='${Version}' "$p" 2>/dev/null || echo 'not installed')"
    done
    echo "cc: $(cc --version | head -n1)"
} >"$OUT/meta.txt"

for job in $JOBS; do
    args=$(job_args "$job") || { say "bench: unknown job $job"; exit 2; }
    echo "job: $job $args" >>"$OUT/meta.txt"
done
for job in $JOBS; do
    for peer in $PEERS; do
        why=$(unavailable "$peer")
        [ -z "$why" ] || { echo "$why" >"$LOGS/$job.$peer.na"; continue; }
        p=$(plan "$job" "$peer")
        case $p in skip*) echo "${p#skip }" >"$LOGS/$job.$peer.na" ;; esac
    done
    rep=1
    while [ "$rep" -le "$REPS" ]; do
        for peer in $PEERS; do
            [ ! -f "$LOGS/$job.$peer.na" ] || continue
            # shellcheck disable=SC2046 # "EPOCHS LASTREP"
            set -- $(plan "$job" "$peer")
            ep=$1 last=$2
            [ "$rep" -le "$last" ] || continue
            t0=$(date +%s)
            run_peer "$job" "$peer" "$rep" "$ep"
            base=$LOGS/$job.$peer.$rep
            rc=$(cat "$base.rc")
            if [ "$rc" = 3 ]; then # the peer cannot do this job
                tr -d '\n' <"$base.err" >"$LOGS/$job.$peer.na"
                say "$job rep $rep/$REPS $peer: n/a ($(cat "$base.err"))"
                continue
            fi
            say "$job rep $rep/$REPS $peer: exit $rc, $(( $(date +%s) - t0 )) s wall; $(grep -c '"epoch"' "$base.jsonl" || true) epochs; last: $(grep '"epoch"' "$base.jsonl" | tail -n1 | cut -c1-160)"
        done
        rep=$((rep + 1))
    done
done
# The evaluation of the 10,000 test images by 'twinnet eval' in a fresh process each time
# (model and data loading not timed; the process's caches are cold), on J1's last model.
if [ "$EVAL_REPS" -gt 0 ] && [ -f "$OUT/bench.J1.tnm" ]; then
    # Also with 2 threads, alternating: the two vCPUs here are SMT siblings of one core, and
    # evaluation's loop is bound by load latency more than by arithmetic.
    i=1
    while [ "$i" -le "$EVAL_REPS" ]; do
        for t in "$THREADS" 2; do
            "$BUILD/twinnet" eval "$OUT/bench.J1.tnm" --data "$DATA" --threads "$t" --json \
                >"$LOGS/eval.twinnet-t$t.$i.json" 2>"$LOGS/eval.twinnet-t$t.$i.err" ||
                say "bench: twinnet eval failed: $(cat "$LOGS/eval.twinnet-t$t.$i.err")"
            [ "$THREADS" != 2 ] || break
        done
        i=$((i + 1))
    done
    say "eval: $EVAL_REPS standalone 'twinnet eval' runs on J1's model"
fi
echo "load_after: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$OUT/meta.txt"
echo "bench_seconds: $(( $(date +%s) - START ))" >>"$OUT/meta.txt"

"$PY" bench/report.py --logs "$LOGS" --meta "$OUT/meta.txt" --jobs "$JOBS" --peers "$PEERS" \
    --train-size "$TRAIN_SIZE" --out "$OUT/results-latest.txt"

# ---- linear assignment: tn_lap_solve against scipy ---------------------------------------------
# Unless BENCH_LAP=0: $BUILD/tests/test_lap --bench (make tests builds it) against
# scipy.optimize.linear_sum_assignment on random 100x100 and 1000x1000 float64 costs, the median
# of BENCH_LAP_REPS=7 solves each; written to $OUT/lap-latest.txt too.
if [ "${BENCH_LAP:-1}" != 0 ]; then
    if [ ! -x "$BUILD/tests/test_lap" ]; then
        say "bench: $BUILD/tests/test_lap missing (make tests): assignment not timed"
    elif ! "$PY" -c 'import scipy.optimize' 2>/dev/null; then
        say "bench: scipy not importable by $PY (python3-scipy): assignment not timed"
    else
        "$PY" bench/lap_bench.py --build "$BUILD" --reps "${BENCH_LAP_REPS:-7}" >"$OUT/lap-latest.txt" ||
            say "bench: bench/lap_bench.py failed"
        cat "$OUT/lap-latest.txt"
    fi
fi
