# Sweeps at scale without MPI, on a 3,000-image MNIST slice, 2 epochs, 3 runs each of init, bit and
# none: shards 1/3, then 2/3 and 3/3 at the same time, each writing only its own record; --merge
# (or the same command without --shard) writes the same bytes as the one-process sweep; a merge
# with runs missing, a bad --shard and options --merge cannot take are refused. --pairs M samples
# the pairs and the table gives every mean's standard error (CSV, JSON, text).
. tests/common.sh
DATA=$(mnist_dir) || exit 77
make_slice "$DATA" 3000 500
DATA_OPTS=${SLICE% --train-size 0}
S="$SLICE --epochs 2 --runs 3 --vary init --vary bit --vary none --jobs 1 --quiet"
"$TWINNET" sweep $S --out "$SCRATCH/one" > /dev/null || bad "the one-process sweep"
"$TWINNET" sweep $S --shard 1/3 --out "$SCRATCH/sh" > "$SCRATCH/out" || bad "shard 1/3"
grep -q "3 of 3 runs of shard 1/3 finished" "$SCRATCH/out" && ok "shard 1/3 says what it did" || bad "shard 1/3: $(cat "$SCRATCH/out")"
"$TWINNET" sweep --merge "$SCRATCH/sh" $DATA_OPTS > /dev/null 2> "$SCRATCH/err"
rc=$?
[ $rc -eq 1 ] && grep -q "6 of 9 runs are not finished" "$SCRATCH/err" && [ ! -e "$SCRATCH/sh/manifest.json" ] &&
    ok "--merge with 2 shards missing: refused, nothing written" || bad "early merge: exit $rc: $(cat "$SCRATCH/err")"
"$TWINNET" sweep $S --shard 2/3 --out "$SCRATCH/sh" > /dev/null &
"$TWINNET" sweep $S --shard 3/3 --out "$SCRATCH/sh" > /dev/null || bad "shard 3/3"
wait $! || bad "shard 2/3"
records=$(ls "$SCRATCH/sh" | grep -c '^manifest')
[ "$records" = 3 ] && [ ! -e "$SCRATCH/sh/manifest.json" ] && [ ! -e "$SCRATCH/sh/attribution.csv" ] &&
    ok "shards 2/3 and 3/3 at once: one record each, no manifest, no table" || bad "shards: $(ls "$SCRATCH/sh")"
cp -r "$SCRATCH/sh" "$SCRATCH/same"
"$TWINNET" sweep --merge "$SCRATCH/sh" $DATA_OPTS --quiet > /dev/null || bad "--merge"
same "$SCRATCH/sh" "shards 1/3, 2/3 and 3/3, then --merge"
"$TWINNET" sweep $S --out "$SCRATCH/same" > /dev/null || bad "the command without --shard"
same "$SCRATCH/same" "shards, then the command without --shard"
"$TWINNET" sweep --merge "$SCRATCH/sh" $DATA_OPTS --quiet > /dev/null && same "$SCRATCH/sh" "--merge again" || bad "--merge again"
# A shard of another sweep in the same directory is refused.
"$TWINNET" sweep $(echo "$S" | sed 's/--runs 3/--runs 4/') --shard 1/2 --out "$SCRATCH/sh" > /dev/null 2> "$SCRATCH/err"
expect_eq "a shard of another sweep: usage error" "$?" 2
grep -q "holds another sweep" "$SCRATCH/err" || bad "another sweep: $(cat "$SCRATCH/err")"
for bad_shard in 0/3 4/3 3 /3 1/ a/b 1/0; do
    "$TWINNET" sweep $S --shard "$bad_shard" --out "$SCRATCH/x" > /dev/null 2>&1
    expect_eq "--shard $bad_shard: usage error" "$?" 2
done
"$TWINNET" sweep --merge "$SCRATCH/sh" $DATA_OPTS --epochs 3 > /dev/null 2>&1
expect_eq "--merge with a training option: usage error" "$?" 2
"$TWINNET" sweep --merge "$SCRATCH/nothing" $DATA_OPTS > /dev/null 2>&1
expect_eq "--merge on a missing directory: usage error" "$?" 2
# --pairs: 5 runs give 10 pairs; at most 4 means every 3rd, 4 pairs; each mean has its standard error.
"$TWINNET" sweep $SLICE --epochs 2 --runs 5 --vary init --pairs 4 --jobs 2 --out "$SCRATCH/p" > "$SCRATCH/text" 2> /dev/null ||
    bad "--pairs 4"
grep -q "+/- se" "$SCRATCH/text" && ok "the text table shows standard errors" || bad "text: $(cat "$SCRATCH/text")"
"$TWINNET" sweep $SLICE --epochs 2 --runs 5 --vary init --pairs 4 --json --out "$SCRATCH/p" > "$SCRATCH/json" || bad "--json"
"$PY" - "$SCRATCH/p/attribution.csv" "$SCRATCH/p/attribution.json" "$SCRATCH/json" <<'PYEOF' && ok "--pairs 4: 4 of 10 pairs, each mean with its standard error in CSV and JSON" || bad "--pairs"
import csv, json, sys
row = next(csv.DictReader(open(sys.argv[1])))
assert row["pairs"] == "4", row
for k in ("disagreement", "output_correlation", "distance_raw", "distance_aligned", "barrier_raw", "barrier_aligned"):
    assert float(row[k + "_se"]) > 0, (k, row)
table = json.load(open(sys.argv[2]))["sources"][0]
assert table["pairs"] == 4 and table["distance_raw_se"] == float(row["distance_raw_se"]), table
out = json.load(open(sys.argv[3]))["attribution"][0]
assert out["pairs"] == 4 and out["distance_raw"]["stderr"] == table["distance_raw_se"], out
PYEOF
finish
