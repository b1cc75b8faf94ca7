# Accuracy on full MNIST with the book's settings: network.py's defaults (seed 1) must reach
# at least 94.8% best test accuracy in 30 epochs, network2.py's settings at least 96.0%.
# (Nielsen reports 95.42% and 96.49%.) Skipped in the sanitizer build, where it is too slow.
. tests/common.sh
if [ -n "${TWINNET_SANITIZE:-}" ]; then echo "skipped: full MNIST training is too slow under sanitizers"; exit 77; fi
DATA=$(mnist_dir) || exit 77
check_acc() {
    name=$1 min=$2; shift 2
    acc=$("$TWINNET" train --data "$DATA" --seed 1 --out "$SCRATCH/m.tnm" --json "$@" | json_field best_test_accuracy)
    if "$PY" -c "import sys; sys.exit(0 if float('$acc') >= $min else 1)"; then ok "$name: $acc >= $min"; else bad "$name: $acc < $min"; fi
}
check_acc "network.py [784,30,10]" 0.948
check_acc "network2.py [784,30,10]" 0.960 --cost cross-entropy --eta 0.5 --lambda 5.0 --init scaled
finish
