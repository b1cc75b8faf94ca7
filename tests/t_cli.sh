# The commands as a user meets them: help text with defaults, JSON fields that scripts rely on,
# eval's confusion matrix, info, and predict on PGM and PNG files agreeing with eval.
. tests/common.sh
DATA=$(mnist_dir) || exit 77
make_slice "$DATA" 3000 200
"$TWINNET" train $SLICE --epochs 3 --seed 3 --out "$SCRATCH/m.tnm" --json > "$SCRATCH/train.jsonl"
expect_eq "train --json: one line per epoch, then done" "$(wc -l < "$SCRATCH/train.jsonl" | tr -d ' ')" "4"
"$PY" - "$SCRATCH/train.jsonl" <<'PYEOF' && ok "train --json fields" || bad "train --json fields"
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
for i, e in enumerate(lines[:-1]):
    assert e["epoch"] == i + 1 and e["test_total"] == 200 and 0 <= e["test_accuracy"] <= 1, e
    assert abs(e["test_accuracy"] - e["test_correct"] / e["test_total"]) < 1e-6 and e["seconds"] > 0 and "cost" in e
    assert 0 < e["test_seconds"] < e["seconds"] - e["train_seconds"] + 1e-6, e
d = lines[-1]
assert d["done"] is True and d["epochs"] == 3 and len(d["fingerprint"]) == 64 and d["out"].endswith("m.tnm"), d
assert d["best_test_accuracy"] == max(e["test_accuracy"] for e in lines[:-1]), d
PYEOF
"$TWINNET" eval "$SCRATCH/m.tnm" --test-images "$SCRATCH/test-images" --test-labels "$SCRATCH/test-labels" --json > "$SCRATCH/eval.json"
"$PY" - "$SCRATCH/eval.json" "$SCRATCH/train.jsonl" <<'PYEOF' && ok "eval --json: accuracy, confusion matrix" || bad "eval --json"
import json, sys
e = json.load(open(sys.argv[1]))
last = [json.loads(l) for l in open(sys.argv[2])][-2]
conf = e["confusion"]
assert len(conf) == 10 and all(len(r) == 10 for r in conf)
assert sum(map(sum, conf)) == e["total"] == 200
assert sum(conf[i][i] for i in range(10)) == e["correct"] == last["test_correct"], (e["correct"], last)
assert abs(e["accuracy"] - e["correct"] / 200) < 1e-6 and abs(e["cost"] - last["cost"]) < 1e-6
PYEOF
"$TWINNET" info "$SCRATCH/m.tnm" --json > "$SCRATCH/info.json"
"$PY" - "$SCRATCH/info.json" "$SCRATCH/train.jsonl" <<'PYEOF' && ok "info --json" || bad "info --json"
import json, sys
i = json.load(open(sys.argv[1]))
d = [json.loads(l) for l in open(sys.argv[2])][-1]
assert i["fingerprint"] == d["fingerprint"] and i["sizes"] == [784, 30, 10], i
assert i["init_seed"] == 3 and i["order_seed"] == 3 and i["epochs_run"] == 3 and i["parameters"] == 23860, i
PYEOF
# predict: PGM (binary and plain) and PNG give the same digit as the model's own evaluation.
mkdir -p "$SCRATCH/img"
"$PY" tests/images_from_idx.py "$SCRATCH/test-images" "$SCRATCH/test-labels" "$SCRATCH/img" 5 > "$SCRATCH/labels.txt"
"$TWINNET" predict "$SCRATCH/m.tnm" "$SCRATCH"/img/?.pgm "$SCRATCH"/img/?-plain.pgm "$SCRATCH"/img/?.png --json > "$SCRATCH/pred.jsonl"
"$PY" - "$SCRATCH/pred.jsonl" "$SCRATCH/labels.txt" <<'PYEOF' && ok "predict: PGM, plain PGM and PNG agree; probabilities sum to 1" || bad "predict"
import json, sys, os
preds = [json.loads(l) for l in open(sys.argv[1])]
assert len(preds) == 15
by = {}
for p in preds:
    assert abs(sum(p["probabilities"]) - 1) < 1e-4 and len(p["probabilities"]) == 10
    assert p["digit"] == max(range(10), key=lambda k: p["probabilities"][k])
    name = os.path.basename(p["file"]).split(".")[0].split("-")[0]
    by.setdefault(name, set()).add(p["digit"])
assert all(len(v) == 1 for v in by.values()), by
labels = [int(l) for l in open(sys.argv[2])]
right = sum(by[str(i)].pop() == labels[i] for i in range(5))
assert right >= 3, right
PYEOF
for cmd in train eval info predict diverge; do
    if "$TWINNET" $cmd --help | grep -q usage; then ok "$cmd --help"; else bad "$cmd --help"; fi
done
"$TWINNET" train --help | grep -q -- "--eta X.*default 3.0" && ok "train --help shows defaults" || bad "train --help defaults"
finish
