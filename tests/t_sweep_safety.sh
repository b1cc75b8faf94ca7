# A sweep's directory is the sweep's alone (issue 19, cases 2-5, 7, 12a-b): a lock (a second sweep
# on it fails at once naming the holder's pid, exit 1; shards share it, the same shard twice does
# not); no name inside it is followed as a link (a planted model, trace, table or manifest link is
# an error naming it, and nothing outside is written); a stop signal in the pairwise stage ends it
# at once, exit 130, no table, and the same command finishes it; diverged runs are counted and left
# out of every mean; the manifest is a journal whose cut last line is ignored and cleaned up; a
# damaged manifest says so; a forged fingerprint names the file (exit 1). make faults does the lock
# 50 times and the signal with SIGTERM too.
. tests/common.sh
DATA=$(mnist_dir) || exit 77
make_slice "$DATA" 600 200
S="$SLICE --sizes 784,10,10 --quiet"
E1="--epochs 1"
strip() { sed "s|$SCRATCH/||g"; }
# refused WORDS CMD...: exit 1 with one line naming the locked directory (a running sweep's own
# temporary files are about, so not expect's check for them)
refused() {
    words=$1; shift
    "$@" > /dev/null 2> "$SCRATCH/err"
    rc=$?
    [ $rc -eq 1 ] && [ "$(wc -l < "$SCRATCH/err")" -eq 1 ] && grep -q "^twinnet: $SCRATCH/.*: $words" "$SCRATCH/err" &&
        ok "$(strip < "$SCRATCH/err")" || bad "not refused: exit $rc: $(strip < "$SCRATCH/err")"
}

# ---- the lock ------------------------------------------------------------------------------------
"$TWINNET" sweep $S $E1 --runs 6 --vary init --jobs 1 --out "$SCRATCH/l" > /dev/null 2>&1 &
first=$!
while [ ! -e "$SCRATCH/l/manifest.json" ]; do sleep 0.01; done
refused "another twinnet (pid $first) is using this sweep directory" "$TWINNET" sweep $S $E1 --runs 6 --vary init --out "$SCRATCH/l"
refused "another twinnet (pid $first) is using this sweep directory" "$TWINNET" sweep --merge "$SCRATCH/l" ${SLICE% --train-size 0}
refused "another twinnet (pid $first) is using this sweep directory" "$TWINNET" sweep $S $E1 --runs 6 --vary init --shard 1/2 --out "$SCRATCH/l"
wait $first
expect_eq "the first sweep, never disturbed, finished" "$?" 0
"$TWINNET" sweep $S $E1 --runs 6 --vary init --jobs 1 --shard 1/2 --out "$SCRATCH/sh" > /dev/null 2>&1 &
first=$!
while [ ! -e "$SCRATCH/sh/manifest.shard-1-of-2.json" ]; do sleep 0.01; done
refused "another twinnet (pid $first) is using this sweep directory" "$TWINNET" sweep $S $E1 --runs 6 --vary init --shard 1/2 --out "$SCRATCH/sh"
"$TWINNET" sweep $S $E1 --runs 6 --vary init --shard 2/2 --out "$SCRATCH/sh" > /dev/null 2> "$SCRATCH/err"
expect_eq "shard 2/2 runs beside shard 1/2: $(cat "$SCRATCH/err")" "$?" 0
wait $first

# ---- no link followed inside the directory ----------------------------------------------------------
echo "the victim's file" > "$SCRATCH/victim"
for name in init-000.tnm init-000.trace init-001.epochs.jsonl; do
    rm -rf "$SCRATCH/y" && mkdir "$SCRATCH/y" && ln -s "$SCRATCH/victim" "$SCRATCH/y/$name"
    "$TWINNET" sweep $S $E1 --runs 2 --vary init --out "$SCRATCH/y" > /dev/null 2> "$SCRATCH/err"
    rc=$?
    [ $rc -eq 1 ] && grep -q "$SCRATCH/y/$name: is a symbolic link inside the sweep directory" "$SCRATCH/err" &&
        [ "$(cat "$SCRATCH/victim")" = "the victim's file" ] && [ -L "$SCRATCH/y/$name" ] &&
        ok "a link planted as $name: refused by name, its target untouched" || bad "link $name: exit $rc: $(strip < "$SCRATCH/err")"
done
"$TWINNET" sweep $S $E1 --runs 2 --vary init --out "$SCRATCH/z" > /dev/null || bad "sweep z"
rm "$SCRATCH/z/attribution.csv" && ln -s "$SCRATCH/victim" "$SCRATCH/z/attribution.csv"
"$TWINNET" sweep $S $E1 --runs 2 --vary init --out "$SCRATCH/z" > /dev/null 2> "$SCRATCH/err"
rc=$?
[ $rc -eq 1 ] && grep -q "attribution.csv: is a symbolic link" "$SCRATCH/err" && [ "$(cat "$SCRATCH/victim")" = "the victim's file" ] &&
    ok "a link planted as attribution.csv: refused, its target untouched" || bad "attribution.csv link: exit $rc: $(strip < "$SCRATCH/err")"
rm "$SCRATCH/z/attribution.csv"
cp "$SCRATCH/z/manifest.json" "$SCRATCH/m.json" && rm "$SCRATCH/z/manifest.json" && ln -s "$SCRATCH/m.json" "$SCRATCH/z/manifest.json"
expect 1 "$SCRATCH/z/manifest.json" "is a symbolic link inside the sweep directory" "$TWINNET" sweep $S $E1 --runs 2 --vary init --out "$SCRATCH/z"
expect 1 "$SCRATCH/z/manifest.json" "is a symbolic link" "$TWINNET" report "$SCRATCH/z" ${SLICE% --train-size 0} --out "$SCRATCH/z.html"
expect_eq "the linked manifest untouched" "$(cmp -s "$SCRATCH/m.json" "$SCRATCH/z/manifest.json"; echo $?)" 0

# ---- a stop signal in the pairwise stage -------------------------------------------------------------
make_slice "$DATA" 600 10000
P="sweep $SLICE --epochs 1 --sizes 784,100,10 --runs 4 --vary init --jobs 2 --quiet --out"
"$TWINNET" $P "$SCRATCH/ref" > /dev/null || bad "the reference sweep"
"$TWINNET" $P "$SCRATCH/p" > /dev/null 2> "$SCRATCH/err" &
pid=$!
while kill -0 $pid 2> /dev/null && [ "$(grep -c '"fingerprint":"' "$SCRATCH/p/manifest.json" 2> /dev/null)" != 4 ]; do sleep 0.01; done
sleep 0.2
t0=$(date +%s%N)
kill -INT $pid
wait $pid
rc=$? took=$((($(date +%s%N) - t0) / 1000000))
[ $rc -eq 130 ] && [ $took -lt 1000 ] && [ ! -e "$SCRATCH/p/attribution.csv" ] && grep -q "the same command does it again" "$SCRATCH/err" &&
    ok "SIGINT in the pairwise stage: exit 130 after $took ms, no table" || bad "SIGINT in the pairwise stage: exit $rc after $took ms: $(strip < "$SCRATCH/err")"
"$TWINNET" $P "$SCRATCH/p" > /dev/null 2>&1 && diff -r "$SCRATCH/ref" "$SCRATCH/p" > /dev/null &&
    ok "the same command then: the bytes of an uninterrupted sweep" || bad "resumed after SIGINT: another result"
make_slice "$DATA" 600 200

# ---- diverged runs ---------------------------------------------------------------------------------
"$TWINNET" sweep $S --epochs 2 --eta 1e6 --lambda 1e6 --runs 2 --vary init --vary none --out "$SCRATCH/d" > "$SCRATCH/out" 2> "$SCRATCH/err"
rc=$?
[ $rc -eq 1 ] && grep -q "^4 of 4 runs finished in $SCRATCH/d, 4 diverged$" "$SCRATCH/out" && grep -q "all 2 runs diverged (not finite): no means" "$SCRATCH/out" &&
    grep -q "4 of 4 runs diverged" "$SCRATCH/err" && ok "--eta 1e6 --lambda 1e6: 4 of 4 diverged, exit 1" || bad "diverged: exit $rc: $(strip < "$SCRATCH/out") $(strip < "$SCRATCH/err")"
grep -q '"diverged":true' "$SCRATCH/d/init-000.epochs.jsonl" && ok "the run's epochs file says it diverged" || bad "no diverged line"
"$PY" - "$SCRATCH/d" <<'PYEOF' && ok "attribution.csv and .json: diverged counted, means null or nan" || bad "diverged in the table's files"
import csv, json, math, sys
rows = list(csv.DictReader(open(sys.argv[1] + "/attribution.csv")))
assert [r["diverged"] for r in rows] == ["2", "2"] and all(math.isnan(float(r["accuracy_mean"])) for r in rows), rows
j = json.load(open(sys.argv[1] + "/attribution.json"))["sources"]
assert all(r["diverged"] == 2 and r["accuracy_mean"] is None and r["pairs"] == 0 for r in j), j
PYEOF
"$TWINNET" report "$SCRATCH/d" ${SLICE% --train-size 0} --out "$SCRATCH/d.html" > /dev/null 2>&1 || bad "report on diverged runs"
grep -q "4 of the 4 runs diverged" "$SCRATCH/d.html" && ! grep -q "This sweep trained" "$SCRATCH/d.html" && grep -q "every run diverged" "$SCRATCH/d.html" &&
    ok "the report names the diverged runs and does not say they were trained" || bad "the report on diverged runs"
# Finite runs: the page's plot and its table speak of the same accuracy; the control's barrier is 0.
"$TWINNET" sweep $S --epochs 2 --runs 3 --vary init --vary none --out "$SCRATCH/f" > /dev/null || bad "finite sweep"
"$PY" - "$SCRATCH/f" <<'PYEOF' && ok "the last epoch's accuracy is the table's, run by run's mean; the control's barrier is 0" || bad "plot and table disagree"
import csv, json, sys
d = sys.argv[1]
rows = {r["source"]: r for r in csv.DictReader(open(d + "/attribution.csv"))}
for src in ("init", "none"):
    last = [json.loads(open("%s/%s-%03d.epochs.jsonl" % (d, src, i)).read().splitlines()[-1])["test_accuracy"] for i in range(3)]
    assert abs(sum(last) / 3 - float(rows[src]["accuracy_mean"])) < 1e-9, (src, last, rows[src]["accuracy_mean"])
assert float(rows["none"]["barrier_raw"]) == 0 and float(rows["none"]["barrier_aligned"]) == 0, rows["none"]
PYEOF

# ---- the journal -------------------------------------------------------------------------------------
J="$SCRATCH/f/manifest.json"
lines=$(wc -l < "$J")
expect_eq "the manifest: a header of 2 lines and one line per run" "$lines" 8
cp "$J" "$SCRATCH/j.full"
head -c -30 "$SCRATCH/j.full" > "$J" # a kill in the middle of the last append
out=$("$TWINNET" sweep ${S% --quiet} --epochs 2 --runs 3 --vary init --vary none --out "$SCRATCH/f" 2>&1 > /dev/null)
case $out in *"resuming: 5 of 6 runs finished"*) ok "a cut last line: ignored, that run redone" ;; *) bad "cut last line: $out" ;; esac
cmp -s "$J" "$SCRATCH/j.full" && ok "... and the manifest is whole again" || bad "the manifest after a cut line"
printf '{"run":0,' >> "$J"
"$TWINNET" sweep $S --epochs 2 --runs 3 --vary init --vary none --out "$SCRATCH/f" > /dev/null 2>&1
cmp -s "$J" "$SCRATCH/j.full" && ok "a half line from a kill: cleaned up by the next run" || bad "the half line stayed"
head -c 150 "$SCRATCH/j.full" > "$J"
expect 1 "$J" "damaged or truncated: move it away and run the same command again" "$TWINNET" sweep $S --epochs 2 --runs 3 --vary init --vary none --out "$SCRATCH/f"
{ cat "$SCRATCH/j.full"; i=0; while [ $i -lt 40 ]; do sed -n 3p "$SCRATCH/j.full"; i=$((i + 1)); done; } > "$J"
expect 1 "$J" "more than its header allows" "$TWINNET" sweep $S --epochs 2 --runs 3 --vary init --vary none --out "$SCRATCH/f"
cp "$SCRATCH/j.full" "$J"

# ---- a forged fingerprint in a merge names the file -------------------------------------------------
"$TWINNET" sweep $S $E1 --runs 2 --vary init --shard 1/2 --out "$SCRATCH/g" > /dev/null
"$TWINNET" sweep $S $E1 --runs 2 --vary init --shard 2/2 --out "$SCRATCH/g" > /dev/null
"$TWINNET" train $SLICE --epochs 1 --sizes 784,12,10 --quiet --out "$SCRATCH/other.tnm"
fp=$("$TWINNET" info "$SCRATCH/other.tnm" --json | json_field fingerprint)
cp "$SCRATCH/other.tnm" "$SCRATCH/g/init-000.tnm"
sed -i "\$ s/\"fingerprint\":\"[0-9a-f]*\"/\"fingerprint\":\"$fp\"/" "$SCRATCH/g/manifest.shard-1-of-2.json"
expect 1 "$SCRATCH/g/init-000.tnm" "not a model of this sweep" "$TWINNET" sweep --merge "$SCRATCH/g" ${SLICE% --train-size 0} --quiet
finish
