# A sweep's manifest is read with the one JSON reader (src/base/json_read.c), not by its layout:
# a manifest that Python's json.dump(indent=2, sort_keys=True) rewrote is still the same sweep
# (it resumes with every run finished, and --merge writes the same table); so is one in the
# layout from before the configuration table (other field order, no on_nan); a damaged one is
# refused with the file, "JSON:" and a byte offset.
. tests/common.sh
DATA=$(mnist_dir) || exit 77
make_slice "$DATA" 1000 300
S="$SLICE --epochs 1 --sizes 784,10,10 --eta-decay 0.5 --l2-biases --on-nan continue --seed 18446744073709551615 --runs 2 --vary init --vary none"
D=$SCRATCH/sw
"$TWINNET" sweep $S --out "$D" --jobs 2 --quiet > /dev/null || bad "sweep"
cp -r "$D" "$SCRATCH/orig"
reformat() {
    "$PY" - "$D/manifest.json" "$1" <<'PYEOF'
import json, sys
path, how = sys.argv[1], sys.argv[2]
text = open(path).read()
m, end = json.JSONDecoder().raw_decode(text)   # the header: one JSON object; then JSON Lines, one run each
lines = [json.loads(l) for l in text[end:].splitlines() if l.strip()]
if how == "old":   # version 1, before the journal and the table: the runs in the header, the old field order, no on_nan
    order = ["sizes", "activation", "cost", "init", "epochs", "batch", "eta", "eta_decay", "lambda", "l2_biases",
             "train_size", "early_stop", "init_seed", "order_seed"]
    m["config"] = {k: m["config"][k] for k in order}
    m["twinnet_sweep"] = 1
    m["runs"] = lines
    lines = []
with open(path, "w") as f:
    json.dump(m, f, indent=2, sort_keys=(how == "indent"))
    f.write("\n" + "".join(json.dumps(l, separators=(",", ":")) + "\n" for l in lines))
PYEOF
}
resumes() {
    out=$("$TWINNET" sweep $S --out "$D" --jobs 2 2>&1 > /dev/null)
    case $out in *"resuming: 4 of 4 runs finished"*) ok "$1: resumed with every run finished" ;; *) bad "$1: $out" ;; esac
    for m in "$SCRATCH"/orig/*.tnm; do cmp -s "$m" "$D/$(basename "$m")" || bad "$1: $(basename "$m") rewritten"; done
    cmp -s "$SCRATCH/orig/attribution.json" "$D/attribution.json" && ok "$1: the same table" || bad "$1: another table"
}
reformat indent
grep -q '^  "config": {' "$D/manifest.json" && ok "json.dump(indent=2) reformatted it" || bad "not reformatted"
resumes "indent=2, keys sorted"
reformat indent
rm "$D/attribution.json"
"$TWINNET" sweep --merge "$D" ${SLICE% --train-size 0} --quiet > /dev/null 2>&1 || bad "--merge of a reformatted manifest"
cmp -s "$SCRATCH/orig/attribution.json" "$D/attribution.json" && ok "--merge: the same table" || bad "--merge: another table"
"$PY" -c "import json,sys; c=json.JSONDecoder().raw_decode(open(sys.argv[1]).read())[0]['config']; sys.exit(not (c['on_nan']=='continue' and c['init_seed']==18446744073709551615 and c['l2_biases'] is True))" "$D/manifest.json" \
    && ok "--merge kept on_nan, the uint64 seed and l2_biases" || bad "--merge lost a field"
reformat old
resumes "the layout before the table"
# Damaged manifests: refused, naming the file, with the offset.
cp "$SCRATCH/orig/manifest.json" "$SCRATCH/good.json"
head -c 150 "$SCRATCH/good.json" > "$D/manifest.json"
out=$("$TWINNET" sweep $S --out "$D" 2>&1 > /dev/null); rc=$?
case "$rc $out" in "1 twinnet: $D/manifest.json: JSON: "*" at byte "*) ok "truncated: $out" ;; *) bad "truncated: exit $rc: $out" ;; esac
sed 's/"runs_per_source":2,/"runs_per_source":2,"runs_per_source":3,/' "$SCRATCH/good.json" > "$D/manifest.json"
out=$("$TWINNET" sweep --merge "$D" ${SLICE% --train-size 0} 2>&1 > /dev/null)
case $out in *"manifest.json: JSON: duplicate key at byte "*) ok "duplicate key: $out" ;; *) bad "duplicate key: $out" ;; esac
finish
