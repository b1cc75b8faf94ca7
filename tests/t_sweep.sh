# twinnet sweep on a 3,000-image MNIST slice: the same bytes with 1 and 2 processes; the control
# (--vary none) gives one fingerprint; a killed sweep, started again, redoes only the runs that had
# not finished (their files untouched) and ends with the same bytes as an uninterrupted one; a
# damaged finished model is found and redone; another command on the same directory is refused.
. tests/common.sh
DATA=$(mnist_dir) || exit 77
make_slice "$DATA" 3000 500
S="$SLICE --epochs 2"
sweep() { "$TWINNET" sweep $S --runs 3 --vary init --vary bit --vary none "$@"; }
sweep --out "$SCRATCH/j1" --jobs 1 > /dev/null || bad "sweep --jobs 1"
sweep --out "$SCRATCH/j2" --jobs 2 > /dev/null || bad "sweep --jobs 2"
diff -r "$SCRATCH/j1" "$SCRATCH/j2" > /dev/null && ok "--jobs 1 and --jobs 2 write the same bytes" || bad "--jobs 1 and 2 differ"
fps=$(sed -n 's/.*"source":"none".*"fingerprint":"\([0-9a-f]*\)".*/\1/p' "$SCRATCH/j1/manifest.json" | sort -u | wc -l)
expect_eq "--vary none: one fingerprint over 3 runs" "$fps" 1
fps=$(sed -n 's/.*"source":"init".*"fingerprint":"\([0-9a-f]*\)".*/\1/p' "$SCRATCH/j1/manifest.json" | sort -u | wc -l)
expect_eq "--vary init: 3 fingerprints over 3 runs" "$fps" 3
fps=$(sed -n 's/.*"source":"bit".*"fingerprint":"\([0-9a-f]*\)".*/\1/p' "$SCRATCH/j1/manifest.json" | sort -u | wc -l)
expect_eq "--vary bit: 3 fingerprints over 3 runs" "$fps" 3
# The attribution table: the control shows no variance at all and one fingerprint; init does.
"$PY" - "$SCRATCH/j1/attribution.csv" <<'PYEOF' && ok "attribution table: none has zero variance, init has some" || bad "attribution table"
import csv, sys
rows = {r["source"]: r for r in csv.DictReader(open(sys.argv[1]))}
none, init = rows["none"], rows["init"]
assert none["fingerprints"] == "1" and none["pairs"] == "3", none
for k in ("accuracy_std", "cost_std", "disagreement", "distance_raw", "distance_aligned", "barrier_raw", "ensemble_gain"):
    assert float(none[k]) == 0.0, (k, none[k])
assert float(none["output_correlation"]) == 1.0, none
assert float(init["distance_raw"]) > 0.5 and float(init["disagreement"]) > 0 and init["fingerprints"] == "3", init
assert float(init["distance_aligned"]) <= float(init["distance_raw"]), init
PYEOF
"$PY" -c "import json,sys; json.load(open(sys.argv[1]))" "$SCRATCH/j1/attribution.json" && ok "attribution.json parses" ||
    bad "attribution.json"
# Kill the whole sweep (parent and children) once some runs are in the manifest, then resume.
sweep --out "$SCRATCH/k" --jobs 1 > /dev/null 2>&1 &
pid=$!
finished_runs() { n=$(grep -c '"fingerprint":"' "$SCRATCH/k/manifest.json" 2> /dev/null); echo "${n:-0}"; }
i=0
while [ $i -lt 600 ] && [ "$(finished_runs)" -lt 3 ]; do
    sleep 0.05; i=$((i + 1))
done
pkill -KILL -P $pid 2> /dev/null
kill -KILL $pid 2> /dev/null
wait $pid 2> /dev/null
finished=$(finished_runs)
[ "$finished" -ge 3 ] && [ "$finished" -lt 9 ] && ok "killed with $finished of 9 runs finished" || bad "kill: $finished runs finished"
ls -i "$SCRATCH"/k/*.tnm > "$SCRATCH/before" 2> /dev/null
first=$(sed -n 's/.*"name":"\([a-z0-9-]*\)".*"fingerprint":"[0-9a-f]*".*/\1/p' "$SCRATCH/k/manifest.json" | head -n 1)
touch -d '2001-01-01' "$SCRATCH/k/$first.tnm"
sweep --out "$SCRATCH/k" --jobs 2 > /dev/null 2> "$SCRATCH/resume.err" || bad "resume: $(cat "$SCRATCH/resume.err")"
grep -q "resuming: $finished of 9 runs finished" "$SCRATCH/resume.err" && ok "resume says what it found" || bad "resume: $(cat "$SCRATCH/resume.err")"
[ "$(stat -c %Y "$SCRATCH/k/$first.tnm")" = "$(date -d '2001-01-01' +%s)" ] && ok "a finished run is not redone" ||
    bad "the finished run $first was written again"
rm -f "$SCRATCH"/k/*.tmp.*
diff -r "$SCRATCH/j1" "$SCRATCH/k" > /dev/null && ok "killed and resumed: the same bytes as one sweep" || bad "resumed sweep differs"
# A finished run whose model no longer matches the manifest is redone.
cp "$SCRATCH/k/init-000.tnm" "$SCRATCH/k/init-001.tnm"
sweep --out "$SCRATCH/k" --jobs 1 > /dev/null 2> "$SCRATCH/resume.err"
grep -q "did not match" "$SCRATCH/resume.err" && diff -r "$SCRATCH/j1" "$SCRATCH/k" > /dev/null &&
    ok "a damaged finished run is found and redone" || bad "damaged run: $(cat "$SCRATCH/resume.err")"
# Another command on an existing sweep is an error, not a silent mix.
"$TWINNET" sweep $S --runs 4 --vary init --vary bit --vary none --quiet --out "$SCRATCH/k" > /dev/null 2> "$SCRATCH/err"
rc=$?
[ $rc -eq 2 ] && grep -q "holds another sweep" "$SCRATCH/err" && ok "another command on the directory: refused" ||
    bad "another command: exit $rc: $(cat "$SCRATCH/err")"
"$TWINNET" sweep $S --runs 2 --vary none --vary none --out "$SCRATCH/x" > /dev/null 2>&1
expect_eq "--vary given twice: usage error" "$?" 2
finish
