# twinnet stability on a tiny grid: the same bytes (table JSON, CSV, page) for --jobs 1 and 2; a
# study killed part way and started again retrains no finished child and ends with the same bytes;
# a finished study run again trains nothing; the criterion and the answer are stated.
. tests/common.sh
DATA=$(mnist_dir) || exit 77
make_slice "$DATA" 600 200
study() { dir=$1; shift; "$TWINNET" stability $SLICE --epochs 2 --steps 0,6,60,120 --pairs 2 --sigmas 1e-3,1 --quiet \
    --dir "$SCRATCH/$dir" --csv "$SCRATCH/$dir.csv" --report "$SCRATCH/$dir.html" "$@"; }

study j1 --jobs 1 --json > "$SCRATCH/j1.json" || bad "--jobs 1 failed"
study j2 --jobs 2 --json > "$SCRATCH/j2.json" || bad "--jobs 2 failed"
for ext in json csv html; do
    cmp -s "$SCRATCH/j1.$ext" "$SCRATCH/j2.$ext" && ok "--jobs 1 and 2: the same $ext bytes" || bad "--jobs 1 and 2: $ext differs"
done
children=$(ls "$SCRATCH/j1" | grep -c '^s0.-r.-.*\.tnm$')
expect_eq "40 children (4 steps x 2 pairs x (1 + 4 perturbations)): the unperturbed one shared" "$children" 40
grep -q '"summary":"A spawn step counts as settled when' "$SCRATCH/j1.json" && ok "the criterion is stated" || bad "no criterion"
grep -q 'For this network the outcome is' "$SCRATCH/j1.json" && ok "the answer is stated" || bad "no answer"
grep -q '"perturbation":"gauss 1","distance_raw":0\.[5-9]' "$SCRATCH/j1.json" && ok "sigma 1 moves the weights by about ||A||" || bad "gauss 1: $(grep -o '"perturbation":"gauss 1","distance_raw":[^,]*' "$SCRATCH/j1.json" | head -n 1)"
head -n 1 "$SCRATCH/j1.csv" | grep -q '^step,epochs,perturbation,pairs,distance_raw,distance_raw_se' && ok "CSV header" || bad "CSV header: $(head -n 1 "$SCRATCH/j1.csv")"
plots=$(( $(grep -c '<svg' "$SCRATCH/j1.html") + $(grep -c 'at every spawn step, raw and aligned' "$SCRATCH/j1.html") ))
expect_eq "the page: 8 curves (or a line saying all are 0) and 2 maps" "$plots" 10

# Killed part way: started in its own process group, which is killed once 10 children are journaled.
count() { c=$(grep -c "$1" "$SCRATCH/k/journal.jsonl" 2>/dev/null); echo "${c:-0}"; }
setsid "$TWINNET" stability $SLICE --epochs 2 --steps 0,6,60,120 --pairs 2 --sigmas 1e-3,1 --quiet --dir "$SCRATCH/k" \
    --jobs 1 > /dev/null 2>&1 &
pid=$!
n=0
while kill -0 $pid 2>/dev/null && [ "$(count '"child"')" -lt 10 ]; do
    sleep 0.1; n=$((n + 1)); [ $n -lt 600 ] || break
done
kill -KILL -- -$pid 2>/dev/null || kill -KILL $pid
wait $pid 2>/dev/null
first=$(sed -n 's/.*"child":"\([^"]*\)".*/\1/p' "$SCRATCH/k/journal.jsonl" | head -n 1)
[ -n "$first" ] && before=$(ls -i "$SCRATCH/k/$first.tnm" | cut -d' ' -f1)
lines=$(count '"child"')
[ "$lines" -lt 40 ] && ok "killed with $lines of 40 children done" || bad "the study finished before the kill ($lines children)"
study k --jobs 2 --json > "$SCRATCH/k.json" || bad "resumed study failed"
for ext in json csv html; do
    cmp -s "$SCRATCH/j1.$ext" "$SCRATCH/k.$ext" && ok "killed and started again: the same $ext bytes" || bad "after the kill: $ext differs"
done
expect_eq "a child finished before the kill was not retrained (same file)" "$(ls -i "$SCRATCH/k/$first.tnm" | cut -d' ' -f1)" "$before"
expect_eq "each child trained once" "$(count '"child"')" 40
study k --jobs 2 --json > "$SCRATCH/k2.json"
expect_eq "a finished study run again trains and measures nothing" "$(wc -l < "$SCRATCH/k/journal.jsonl")" "$(( 1 + 4 + 40 + 32 ))"
cmp -s "$SCRATCH/k.json" "$SCRATCH/k2.json" && ok "... and prints the same" || bad "a second run prints other bytes"
expect 2 - "another study" "$TWINNET" stability $SLICE --epochs 2 --steps 0,6 --pairs 2 --dir "$SCRATCH/k" --quiet
finish
