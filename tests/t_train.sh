# Integration: training on a 2,000-image MNIST slice is reproducible to the byte, each seed
# matters on its own, threads and SIMD paths never change the bits, and diverge finds a
# one-ulp perturbation at step 0.
. tests/common.sh
DATA=$(mnist_dir) || exit 77
make_slice "$DATA" 2000 500
train() { name=$1; shift; "$TWINNET" train $SLICE --epochs 2 --out "$SCRATCH/$name.tnm" --json "$@" | json_field fingerprint; }

a=$(train a --seed 7)
b=$(train b --seed 7)
expect_eq "same seeds, same fingerprint" "$a" "$b"
if cmp -s "$SCRATCH/a.tnm" "$SCRATCH/b.tnm"; then ok "same seeds, byte-identical model files"; else bad "model files differ"; fi
expect_eq "info shows the fingerprint" "$("$TWINNET" info "$SCRATCH/a.tnm" --json | json_field fingerprint)" "$a"
expect_ne "only --order-seed changed" "$a" "$(train c --init-seed 7 --order-seed 8)"
expect_ne "only --init-seed changed" "$a" "$(train d --init-seed 8 --order-seed 7)"
expect_eq "--seed sets both seeds" "$a" "$(train e --init-seed 7 --order-seed 7)"
for t in 2 3 4; do expect_eq "--threads $t" "$a" "$(train t$t --seed 7 --threads $t)"; done
for path in generic avx2 avx512; do
    if [ "$path" = generic ] || grep -qw "$( [ $path = avx2 ] && echo avx2 || echo avx512f )" /proc/cpuinfo; then
        expect_eq "TWINNET_SIMD=$path" "$a" "$(TWINNET_SIMD=$path train s$path --seed 7)"
    fi
done
# The fingerprints committed in tests/repro-fingerprints.txt (make repro's networks and data:
# the first 2,000 training images, 2 epochs, seed 1; the test set does not enter training),
# so that a change of summation order shows here, not only in make repro.
. tests/repro-nets.sh
for net in $REPRO_NETS; do
    want=$(awk -v n="$net" '$1 == n { print $2 }' tests/repro-fingerprints.txt)
    # shellcheck disable=SC2046 # one word per option
    expect_eq "committed fingerprint of $net" "$(train rp-$net $(repro_net_args $net) --seed 1)" "$want"
done
# A relu/softmax network and a tanh/cross-entropy one, across paths and threads.
r1=$(train r1 --sizes 784,48,10 --activation relu --cost log-likelihood --eta 0.1 --init scaled --threads 1)
r2=$(TWINNET_SIMD=generic train r2 --sizes 784,48,10 --activation relu --cost log-likelihood --eta 0.1 --init scaled --threads 3)
expect_eq "relu/softmax: generic path, 3 threads" "$r1" "$r2"
h1=$(train h1 --sizes 784,20,20,10 --activation tanh --cost cross-entropy --eta 0.2 --lambda 1 --batch 7)
h2=$(TWINNET_SIMD=generic train h2 --sizes 784,20,20,10 --activation tanh --cost cross-entropy --eta 0.2 --lambda 1 --batch 7 --threads 2)
expect_eq "tanh/cross-entropy/L2 deep: generic path, 2 threads" "$h1" "$h2"

# Traces and diverge: identical runs agree throughout; a one-ulp change is found at step 0
# and the distance between the runs grows.
"$TWINNET" train $SLICE --epochs 2 --seed 7 --trace "$SCRATCH/a.trace" --trace-every 50 --out "$SCRATCH/ta.tnm" --quiet
"$TWINNET" train $SLICE --epochs 2 --seed 7 --trace "$SCRATCH/b.trace" --trace-every 50 --out "$SCRATCH/tb.tnm" --quiet
"$TWINNET" train $SLICE --epochs 2 --seed 7 --trace "$SCRATCH/p.trace" --trace-every 50 --out "$SCRATCH/tp.tnm" --quiet --perturb-ulp 406
expect_eq "diverge: identical runs" "$("$TWINNET" diverge "$SCRATCH/a.trace" "$SCRATCH/b.trace" --json | json_field first_diverging_step)" "null"
dj=$("$TWINNET" diverge "$SCRATCH/a.trace" "$SCRATCH/p.trace" --json)
expect_eq "diverge: --perturb-ulp found at step 0" "$(echo "$dj" | sed 's/.*"first_diverging_step":\([0-9a-z]*\).*/\1/')" "0"
expect_eq "diverge: the perturbed parameter is index 406" "$(echo "$dj" | sed 's/.*"first_difference":{"index":\([0-9]*\).*/\1/')" "406"
growth=$(echo "$dj" | "$PY" -c 'import json,sys; d=json.load(sys.stdin)["distance"]; print("yes" if d[-1]["l2"] > 100 * d[0]["l2"] > 0 else "no %g %g" % (d[0]["l2"], d[-1]["l2"]))')
expect_eq "diverge: distance grows over training" "$growth" "yes"
expect_eq "perturbed model differs" "$(cmp -s "$SCRATCH/ta.tnm" "$SCRATCH/tp.tnm" && echo same || echo differs)" "differs"
# A 92-byte trace whose header announces 17 GB records: a clean error, no allocation.
tail -c +3 fuzz/corpus/trace/trace-huge-record | head -c 92 > "$SCRATCH/huge.trace"
# (ASan reserves terabytes of shadow memory, so the address-space limit applies only outside it)
limit=1000000; [ -n "${TWINNET_SANITIZE:-}" ] && limit=unlimited
out=$( (ulimit -v $limit; "$TWINNET" diverge "$SCRATCH/huge.trace" "$SCRATCH/a.trace") 2>&1); rc=$?
expect_eq "diverge: corrupt trace header is an error (exit 1)" "$rc" "1"
case "$out" in *"huge.trace: truncated or corrupt trace"*) ok "diverge: one-line error names the file" ;; *) bad "diverge error: $out" ;; esac
finish
