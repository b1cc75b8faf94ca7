# What a user reads on a terminal: "did you mean" for unknown commands and options; train's
# line per epoch and its closing line with the saved model's own test accuracy; compare's answer
# before its key figures (the full tables only with --full), its barriers said with their
# numbers; the sweep's table headings; progress lines on a terminal only (script -qc gives one),
# never in a pipe, with --quiet or in --json; notes that do not read like errors.
. tests/common.sh
DATA=$(mnist_dir) || exit 77
make_slice "$DATA" 2000 500
DATA_OPTS=$(echo "$SLICE" | sed 's/ --train-size 0//')   # compare and --merge take the data alone

# ---- did you mean --------------------------------------------------------------------------
# suggest WORDS CMD...: CMD exits 2 with one line on stderr that holds WORDS.
suggest() {
    words=$1
    shift
    "$TWINNET" "$@" > /dev/null 2> "$SCRATCH/err"
    rc=$?
    case "$rc $(cat "$SCRATCH/err")" in "2 twinnet: "*"$words"*) ok "$*: $(cat "$SCRATCH/err")" ;;
        *) bad "$*: exit $rc, $(cat "$SCRATCH/err") (want '$words')" ;; esac
}
suggest "did you mean 'train'?" trian
suggest "did you mean 'compare'?" comapre
suggest "did you mean 'eval'?" help evl
suggest "did you mean '--epochs'?" train --epoch 3 --out "$SCRATCH/x.tnm"      # the configuration table
suggest "did you mean '--vary'?" sweep --vray init --runs 2 --out "$SCRATCH/s"  # sweep's own options
suggest "did you mean '--full'?" compare a b --ful                            # compare's own options
suggest "did you mean '--json'?" eval m.tnm --jsno
suggest "did you mean '--help'?" info --hepl
"$TWINNET" frobnicate 2> "$SCRATCH/err"
grep -q "unknown command 'frobnicate' (see" "$SCRATCH/err" && ! grep -q "did you mean" "$SCRATCH/err" &&
    ok "nothing near: no guess" || bad "a far word got a guess: $(cat "$SCRATCH/err")"
"$TWINNET" train --zzzzzzzz --out "$SCRATCH/x.tnm" 2> "$SCRATCH/err"
grep -q "unknown option '--zzzzzzzz' (see" "$SCRATCH/err" && ok "an option near nothing: no guess" ||
    bad "an option near nothing: $(cat "$SCRATCH/err")"

# ---- train: a line per epoch, the saved model's accuracy, nothing on stderr in a pipe ------------
"$TWINNET" train $SLICE --epochs 3 --seed 5 --out "$SCRATCH/a.tnm" > "$SCRATCH/train.out" 2> "$SCRATCH/train.err"
expect_eq "train: one line per epoch" "$(grep -c '^epoch [1-3]/3  test  *[0-9.]*%  cost [0-9.]*  [0-9.]* s$' "$SCRATCH/train.out")" 3
"$TWINNET" eval "$SCRATCH/a.tnm" --test-images "$SCRATCH/test-images" --test-labels "$SCRATCH/test-labels" --json > "$SCRATCH/eval.json"
acc=$("$PY" -c "import json,sys; e=json.load(open(sys.argv[1])); print('%.2f%% (%d of %d)' % (100*e['accuracy'], e['correct'], e['total']))" "$SCRATCH/eval.json")
grep -q "^Model after epoch 3: test accuracy $acc" "$SCRATCH/train.out" && ok "train's closing line: the file's own accuracy, $acc" ||
    bad "train's closing line is not eval's $acc: $(tail -n 2 "$SCRATCH/train.out")"
! grep -qi "best" "$SCRATCH/train.out" && ok "no best-on-test accuracy in train's output" || bad "train speaks of a best: $(cat "$SCRATCH/train.out")"
fp=$("$TWINNET" info "$SCRATCH/a.tnm" | sed -n 's/^fingerprint *//p' | cut -c 1-16)
grep -q "^Wrote $SCRATCH/a.tnm (fingerprint of its parameters: $fp\.\.\.)" "$SCRATCH/train.out" && ok "train names the file and its fingerprint" ||
    bad "train's last line: $(tail -n 1 "$SCRATCH/train.out")"
[ ! -s "$SCRATCH/train.err" ] && ok "train in a pipe: nothing on stderr" || bad "train in a pipe wrote to stderr: $(cat "$SCRATCH/train.err")"

# ---- compare: the answer first, the key figures, --full for the rest --------------------------
"$TWINNET" train $SLICE --epochs 3 --seed 6 --out "$SCRATCH/b.tnm" --quiet
"$TWINNET" compare "$SCRATCH/a.tnm" "$SCRATCH/b.tnm" $DATA_OPTS > "$SCRATCH/cmp.out" 2> "$SCRATCH/cmp.err"
expect_eq "compare: the answer comes first" "$(sed -n 4p "$SCRATCH/cmp.out" | cut -c 1-22)" "Why the weights differ"
grep -q "^Key figures  *raw  *aligned" "$SCRATCH/cmp.out" && ok "compare: a key table, raw and aligned" || bad "compare: no key table"
! grep -q "Straight path from A\|weight matching" "$SCRATCH/cmp.out" && ok "compare: no path table, no other method without --full" ||
    bad "compare prints the full tables by default"
[ ! -s "$SCRATCH/cmp.err" ] && ok "compare in a pipe: nothing on stderr" || bad "compare in a pipe wrote to stderr: $(cat "$SCRATCH/cmp.err")"
"$TWINNET" compare "$SCRATCH/a.tnm" "$SCRATCH/b.tnm" $DATA_OPTS --full > "$SCRATCH/full.out"
grep -q "^Straight path from A" "$SCRATCH/full.out" && grep -q "^weight matching + flips" "$SCRATCH/full.out" &&
    ok "compare --full: every method and the path" || bad "compare --full lacks the tables"
"$TWINNET" compare "$SCRATCH/a.tnm" "$SCRATCH/b.tnm" $DATA_OPTS --json > "$SCRATCH/cmp.json"
# A barrier above 0 is said with its number, never as none (0.72 points once read "no barrier").
"$PY" - "$SCRATCH/cmp.json" "$SCRATCH/cmp.out" <<'PYEOF' && ok "compare: each barrier said with its points" || bad "compare: a barrier's words"
import json, sys
r = json.load(open(sys.argv[1]))
text = " ".join(open(sys.argv[2]).read().split())
e = r["error_barrier"]
for view in ("raw", "activation_matching_flips"):
    if e[view] > 0:
        assert "barrier of %.2f points" % (100 * e[view]) in text, (view, e[view])
assert ("no barrier" in text) == (min(e["raw"], e["activation_matching_flips"]) == 0), e
PYEOF

# ---- the sweep's table ---------------------------------------------------------------------------
"$TWINNET" sweep $SLICE --epochs 1 --runs 3 --vary init --vary none --jobs 2 --out "$SCRATCH/sw" > "$SCRATCH/sw.out" 2> "$SCRATCH/sw.err"
"$PY" - "$SCRATCH/sw.out" <<'PYEOF' && ok "sweep table: grouped headings, no fps, the control without error bars" || bad "sweep table: $(cat "$SCRATCH/sw.out")"
import sys
lines = open(sys.argv[1]).read().splitlines()
head = next(i for i, l in enumerate(lines) if l.startswith("source "))
groups, columns = lines[head - 1], lines[head].split()
assert "distance" in groups and "cost barrier" in groups and "fps" not in columns and "distinct" in columns, lines[head - 1:head + 1]
# each "aligned" column sits under a different group heading
at = [i for i in range(len(lines[head])) if lines[head].startswith("aligned", i)]
assert len(at) == 2 and groups.find("distance") < at[0] < groups.find("cost barrier") < at[1], (groups, at)
none = next(i for i, l in enumerate(lines) if l.startswith("none "))
assert "identical" in lines[none] and "+/-" not in lines[none] and "+/- se" not in lines[none + 1], lines[none:none + 2]
init = next(i for i, l in enumerate(lines) if l.startswith("init "))
assert "+/-" in lines[init] and "+/- se" in lines[init + 1], lines[init:init + 2]
PYEOF
note=$(grep -v "^(the pairwise comparisons took [0-9.]* s)$" "$SCRATCH/sw.err")
[ -z "$note" ] && grep -q "^(the pairwise comparisons took" "$SCRATCH/sw.err" && ok "sweep in a pipe: one timing note, in parentheses, no 'twinnet:'" ||
    bad "sweep's stderr: $(cat "$SCRATCH/sw.err")"

# ---- progress lines: on a terminal only ------------------------------------------------------------
if ! command -v script > /dev/null 2>&1 || ! script -qc true /dev/null > /dev/null 2>&1; then
    echo "(script(1) cannot give a terminal here: the progress lines on one are not checked)"
else
    tty() { script -qc "$*" /dev/null < /dev/null > "$SCRATCH/tty.out" 2>&1; }
    tty "$TWINNET" train $SLICE --epochs 2 --out "$SCRATCH/t.tnm"
    grep -q "$(printf '\r')training: [0-9] of 2 epochs" "$SCRATCH/tty.out" && ok "train on a terminal: a progress line, redrawn with CR" ||
        bad "train on a terminal: no progress line: $(od -c "$SCRATCH/tty.out" | head -n 5)"
    tty "$TWINNET" train $SLICE --epochs 2 --out "$SCRATCH/t.tnm" --quiet
    [ ! -s "$SCRATCH/tty.out" ] && ok "train --quiet on a terminal: nothing" || bad "train --quiet: $(cat "$SCRATCH/tty.out")"
    tty "$TWINNET" train $SLICE --epochs 2 --out "$SCRATCH/t.tnm" --json
    tr -d '\r' < "$SCRATCH/tty.out" | "$PY" -c "import json,sys; [json.loads(l) for l in sys.stdin]" && ok "train --json on a terminal: JSON lines only" ||
        bad "train --json on a terminal: $(cat "$SCRATCH/tty.out")"
    tty "$TWINNET" compare "$SCRATCH/a.tnm" "$SCRATCH/b.tnm" $DATA_OPTS
    grep -q "compare: [0-9]*% done" "$SCRATCH/tty.out" && ok "compare on a terminal: a progress line" || bad "compare on a terminal: no progress"
    tty "$TWINNET" compare "$SCRATCH/a.tnm" "$SCRATCH/b.tnm" $DATA_OPTS --quiet
    ! grep -q "% done" "$SCRATCH/tty.out" && ok "compare --quiet on a terminal: no progress" || bad "compare --quiet shows progress"
    rm -f "$SCRATCH/sw/attribution.csv" "$SCRATCH/sw/attribution.json"
    tty "$TWINNET" sweep --merge "$SCRATCH/sw" $DATA_OPTS
    grep -q "comparing the runs: [0-9]* of [0-9]* runs and pairs measured" "$SCRATCH/tty.out" &&
        ok "sweep's pairwise stage on a terminal: a progress line" || bad "sweep on a terminal: $(tr '\r' '\n' < "$SCRATCH/tty.out" | head -n 5)"
fi
finish
