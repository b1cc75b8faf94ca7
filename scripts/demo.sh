#!/bin/sh
# The main job: trains Nielsen's chapter-1 network (network.py defaults) with seed 1, again
# with seed 1, and with seed 2, then shows what the three runs have in common.
set -eu
BUILD=${BUILD:-build}
T=$BUILD/twinnet
OUT=${DEMO_DIR:-$BUILD/demo}
mkdir -p "$OUT"
for run in a:1 b:1 c:2; do
    name=${run%%:*} seed=${run#*:}
    echo "== training run $name: [784,30,10], 30 epochs, batch 10, eta 3.0, seed $seed"
    "$T" train --seed "$seed" --out "$OUT/run-$name.tnm" --json > "$OUT/run-$name.jsonl"
    tail -n 1 "$OUT/run-$name.jsonl"
done
fp() { tail -n 1 "$OUT/run-$1.jsonl" | sed 's/.*"fingerprint":"\([0-9a-f]*\)".*/\1/'; }
acc() { tail -n 1 "$OUT/run-$1.jsonl" | sed 's/.*"best_test_accuracy":\([0-9.]*\).*/\1/'; }
echo
printf '%-6s %-5s %-14s %s\n' run seed "best accuracy" fingerprint
printf '%-6s %-5s %-14s %s\n' a 1 "$(acc a)" "$(fp a)"
printf '%-6s %-5s %-14s %s\n' b 1 "$(acc b)" "$(fp b)"
printf '%-6s %-5s %-14s %s\n' c 2 "$(acc c)" "$(fp c)"
echo
if [ "$(fp a)" = "$(fp b)" ] && cmp -s "$OUT/run-a.tnm" "$OUT/run-b.tnm"; then same=yes; else same=no; fi
if [ "$same" = yes ] && [ "$(fp a)" != "$(fp c)" ]; then
    echo "Runs a and b (same seeds) wrote byte-identical models; run c (seed 2) reaches a similar"
    echo "accuracy with different weights (another fingerprint): the difference comes from the seeds alone."
else
    echo "Unexpected: the same seeds gave different models (same=$same)." >&2
    exit 1
fi

# The question the demo asks: why do runs a and c, the same network trained with seeds 1 and 2,
# end with completely different weights? compare answers in its closing paragraph.
echo
echo "== why do runs a and c (seeds 1 and 2) have different weights? twinnet compare:"
"$T" compare "$OUT/run-a.tnm" "$OUT/run-c.tnm"

# The whole picture in one page: a small sweep (3 runs in which only the initialisation seed
# varies, 3 with one flipped bit of one initial weight, 3 in which nothing varies) and its report.
echo
echo "== a small sweep: 3 runs each of init, bit and none, 9 trainings of the same network"
echo "   (about a minute on 2 CPUs; run again, it finds them done)"
start=$(date +%s)
"$T" sweep --runs 3 --vary init --vary bit --vary none --out "$OUT/sweep" --quiet
echo "(the sweep and its table took $(( $(date +%s) - start )) s)"
echo
echo "== twinnet report: one HTML page (no script, nothing fetched) with the pictures of the answer"
"$T" report "$OUT/sweep" --out "$OUT/report.html"
echo "The report is $OUT/report.html: open it in any browser (it needs no network)."
