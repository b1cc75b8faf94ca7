# The convex control on full MNIST: softmax regression (--sizes 784,10, log-likelihood) with L2
# on the biases too (--l2-biases) is strictly convex, so with a decaying step two runs from
# different seeds must end at least 10x closer (relative distance ||A-B|| / ||A||) after 30
# epochs than two [784,30,10] networks do, and keep getting closer: epoch 100 < 30 < 10.
# Distances from traces with a record at every epoch's end. Skipped under sanitizers (slow).
. tests/common.sh
if [ -n "${TWINNET_SANITIZE:-}" ]; then echo "skipped: full MNIST training is too slow under sanitizers"; exit 77; fi
DATA=$(mnist_dir) || exit 77
CONVEX="--sizes 784,10 --cost log-likelihood --lambda 5 --l2-biases --eta 0.5 --eta-decay 0.1 --init scaled"
for s in 1 2; do
    "$TWINNET" train --data "$DATA" $CONVEX --epochs 100 --seed $s --trace "$SCRATCH/c$s.trace" --trace-every 0 \
        --quiet --out "$SCRATCH/c$s.tnm" || bad "convex run, seed $s"
    "$TWINNET" train --data "$DATA" --epochs 30 --seed $s --quiet --out "$SCRATCH/h$s.tnm" || bad "[784,30,10] run, seed $s"
done
"$TWINNET" train --data "$DATA" $CONVEX --epochs 30 --seed 1 --quiet --out "$SCRATCH/c1-30.tnm"
"$PY" - "$SCRATCH" <<'PYEOF' && ok "convex control" || bad "convex control"
import struct, sys
d = sys.argv[1]
def trace(path):
    """{epoch-end step's epoch: parameters} from a twinnet trace (format in src/io/trace.h)."""
    b = open(path, "rb").read()
    n = struct.unpack_from("<Q", b, 8 + 4 + 4 + 64)[0]
    out, pos, size = {}, 8 + 4 + 4 + 64 + 8 + 4, 12 + 32 + 4 * n
    while pos + size <= len(b):
        step, epoch = struct.unpack_from("<QI", b, pos)
        out[epoch] = struct.unpack_from("<%df" % n, b, pos + 44)
        pos += size
    return out
def model(path):
    """The parameters of a version-2 model file (format in src/nn/model.c)."""
    b = open(path, "rb").read()
    header = 8 + 4 + 4 + 64 + 12 + 8 + 20 + 16 + 32 + 20
    n = struct.unpack_from("<Q", b, header)[0]
    return struct.unpack_from("<%df" % n, b, header + 8)
def rel(a, b):
    return sum((x - y) ** 2 for x, y in zip(a, b)) ** 0.5 / sum(x * x for x in a) ** 0.5
c1, c2 = trace(d + "/c1.trace"), trace(d + "/c2.trace")
convex = {e: rel(c1[e], c2[e]) for e in (10, 30, 100)}
hidden = rel(model(d + "/h1.tnm"), model(d + "/h2.tnm"))
print("softmax regression, seeds 1 and 2: relative distance %.4f at epoch 10, %.4f at 30, %.4f at 100"
      % (convex[10], convex[30], convex[100]))
print("[784,30,10], seeds 1 and 2, epoch 30: %.4f (%.1fx the convex pair's)" % (hidden, hidden / convex[30]))
assert model(d + "/c1-30.tnm") == c1[30], "the trace's epoch-30 record is not the 30-epoch model"
assert convex[30] * 10 <= hidden, "not 10x closer"
assert convex[100] < convex[30] < convex[10], "not getting closer"
PYEOF
finish
