# twinnet report on a small sweep (3,000-image MNIST slice, 2 epochs, 3 runs each of init, bit and
# none) and on a pair with traces: the page's structure (every image a PNG data URI with alt text,
# every plot an SVG with a title and an aria-label, nothing fetched, no script), the same bytes at
# any thread count, names escaped; then the page in headless Chromium (no console errors, every
# image decoded and shown, a screenshot that is not blank); then the bad inputs.
. tests/common.sh
DATA=$(mnist_dir) || exit 77
make_slice "$DATA" 3000 500
D=$(echo "$SLICE" | sed 's/ --train-size 0//')   # the data options, without the training ones
SW="$SCRATCH/sweep"
"$TWINNET" sweep $SLICE --epochs 2 --runs 3 --vary init --vary bit --vary none --jobs 2 --quiet --out "$SW" > "$SCRATCH/sweep.out" ||
    bad "the sweep to report on"
grep -q '^outlier runs (more than 3 sd below the median' "$SCRATCH/sweep.out" && grep -q 'init: [0-9]* of 3 runs' "$SCRATCH/sweep.out" &&
    ok "the sweep looks for outlier runs after its table" || bad "no outlier line after the sweep's table: $(tail -n 3 "$SCRATCH/sweep.out")"
check() { "$PY" tests/report_check.py "$@"; }
SECTIONS="answer fig-distance fig-barrier fig-agree fails summary pairs weights path disagreements traces table outliers findings accuracy"

start=$(date +%s)
"$TWINNET" report "$SW" --out "$SCRATCH/r.html" $D > "$SCRATCH/out" 2>&1 && grep -q "wrote $SCRATCH/r.html" "$SCRATCH/out" &&
    ok "report DIR --out FILE ($(wc -c < "$SCRATCH/r.html") bytes, $(( $(date +%s) - start )) s)" || bad "report DIR: $(cat "$SCRATCH/out")"
counts=$(check html "$SCRATCH/r.html" $SECTIONS) && ok "sweep page: structure, alt texts, PNGs, SVG titles ($counts)" ||
    bad "sweep page: $counts"
"$TWINNET" report "$SW" --out "$SCRATCH/r2.html" --threads 2 $D > /dev/null
cmp -s "$SCRATCH/r.html" "$SCRATCH/r2.html" && ok "the same page again, with --threads 2: the same bytes" || bad "report not deterministic"
grep -q '<svg role="img"' "$SCRATCH/r.html" && grep -q 'id="table"' "$SCRATCH/r.html" && grep -q 'none</b>' "$SCRATCH/r.html" &&
    grep -q "the control's runs are one network, bit for bit" "$SCRATCH/r.html" && ok "answer card and table: the control has one fingerprint" ||
    bad "answer card: the control's fingerprint"
# One convention: the answer's numbers are the evidence's, one alignment, one colour each, relative
# distances, axes that end where the data end, and the sentences that contradicted their numbers gone.
for page in "$SCRATCH/r.html"; do
    why=$(check consistent "$page") && ok "one convention across the page ($why)" || bad "the page contradicts itself: $why"
done
! grep -q 'about as much as a new seed\|weight matching with sign flips)\|never spread beyond' "$SCRATCH/r.html" &&
    ok "no sentence of the old summary that its numbers did not support" || bad "an old sentence is back"
# The default page: DIR/report.html for a sweep, report.html beside A for a pair.
"$TWINNET" report "$SW" $D > "$SCRATCH/out" 2>&1 && grep -q "wrote $SW/report.html" "$SCRATCH/out" && [ -s "$SW/report.html" ] &&
    ok "report DIR writes DIR/report.html by default" || bad "default --out of a sweep: $(cat "$SCRATCH/out")"
# A directory name with HTML in it appears escaped, and the attribution table is computed when the file is missing.
odd="$SCRATCH/odd <b>&\"'dir"
cp -r "$SW" "$odd" && rm "$odd/attribution.json" "$odd/attribution.csv"
"$TWINNET" report "$odd" --out "$SCRATCH/odd.html" $D > /dev/null 2>&1 && check html "$SCRATCH/odd.html" $SECTIONS > /dev/null &&
    grep -q 'odd &lt;b&gt;&amp;&quot;&#39;dir' "$SCRATCH/odd.html" && ! grep -q 'odd <b>' "$SCRATCH/odd.html" &&
    grep -q 'computed for this report' "$SCRATCH/odd.html" && ok "names escaped; table computed when attribution.json is missing" ||
    bad "escaping or the computed table"
sed -n '/id="table"/,/<\/table>/p' "$SCRATCH/odd.html" > "$SCRATCH/t1"
sed -n '/id="table"/,/<\/table>/p' "$SCRATCH/r.html" > "$SCRATCH/t2"
cmp -s "$SCRATCH/t1" "$SCRATCH/t2" && ok "the computed table is the sweep's own" || bad "computed table differs from attribution.json"

# The pair form: two runs one flipped bit apart, traced.
P="$SCRATCH/pair"
mkdir -p "$P"
"$TWINNET" train $SLICE --epochs 1 --seed 5 --trace "$P/a.trace" --trace-every 25 --out "$P/a.tnm" --quiet
"$TWINNET" train $SLICE --epochs 1 --seed 5 --perturb-ulp 406 --trace "$P/b.trace" --trace-every 25 --out "$P/b.tnm" --quiet
"$TWINNET" report "$P/a.tnm" "$P/b.tnm" --trace "$P/a.trace" --trace "$P/b.trace" --out "$P/p.html" $D > /dev/null &&
    counts=$(check html "$P/p.html" summary weights path traces disagreements findings) && grep -q "A against B" "$P/p.html" &&
    ok "pair page with traces ($counts)" || bad "pair page: $counts"
"$TWINNET" report "$P/a.tnm" "$P/b.tnm" --out "$P/q.html" --json $D > "$SCRATCH/json" && grep -q '"bytes":' "$SCRATCH/json" &&
    grep -q "No traces given" "$P/q.html" && ok "pair page without traces; --json" || bad "pair without traces: $(cat "$SCRATCH/json")"
why=$(check consistent "$P/p.html") && ok "pair page: one convention ($why)" || bad "pair page contradicts itself: $why"
"$TWINNET" report "$P/a.tnm" "$P/b.tnm" $D > "$SCRATCH/out" 2>&1 && [ -s "$P/report.html" ] && ok "report A B writes report.html beside A" ||
    bad "default --out of a pair: $(cat "$SCRATCH/out")"
# A model whose start is not known (imported without --start): the page says so once.
"$TWINNET" export "$P/a.tnm" --npz "$P/a.npz" > /dev/null && "$TWINNET" import "$P/a.npz" --out "$P/ai.tnm" > /dev/null 2>&1 &&
    "$TWINNET" report "$P/ai.tnm" "$P/b.tnm" --out "$P/i.html" $D > /dev/null 2>&1 &&
    expect_eq "an unknown start is said once" "$(grep -o 'start[^.]*not known\|not known[^.]*start' "$P/i.html" | wc -l)" 1

# In a real browser: headless Chromium renders the page with no console error, and a copy with a
# test-only probe script counts the images it decoded and the plots it laid out.
CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$CHROMIUM" ]; then
    echo "skipped: the browser checks: no chromium (apt-get install chromium)"
else
    chrome() { timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --user-data-dir="$SCRATCH/chrome" \
        --enable-logging=stderr --v=0 "$@"; }
    for page in "$SCRATCH/r.html" "$P/p.html"; do
        name=$(basename "$page" .html)
        chrome --screenshot="$SCRATCH/$name.png" --window-size=1200,3000 "file://$page" > /dev/null 2> "$SCRATCH/$name.log"
        if grep -q ':CONSOLE' "$SCRATCH/$name.log"; then bad "$name: console messages: $(grep ':CONSOLE' "$SCRATCH/$name.log")"
        else ok "$name: Chromium loaded the page with no console message"; fi
        shot=$(check png "$SCRATCH/$name.png") && ok "$name: $shot" || bad "$name: $shot"
        check probe "$page" "$SCRATCH/probe.html"
        title=$(chrome --dump-dom "file://$SCRATCH/probe.html" 2> /dev/null | sed -n 's:.*<title>\(IMAGES[^<]*\)</title>.*:\1:p')
        want=$(check html "$page" | sed 's/IMAGES \([0-9]*\) SVG \([0-9]*\)/IMAGES \1 BROKEN 0 SVG \2 EMPTY 0/')
        expect_eq "$name: every image decoded and shown, every plot laid out" "$title" "$want"
    done
    [ -n "${TWINNET_REPORT_SHOT:-}" ] && cp "$SCRATCH/r.png" "$TWINNET_REPORT_SHOT"
fi

# Bad input: one line naming the file, exit 1 (2 for usage errors), and no page written.
fails() { # fails CODE PATTERN DESCRIPTION ARGS...
    code=$1 pattern=$2 what=$3; shift 3
    "$TWINNET" report "$@" > "$SCRATCH/out" 2> "$SCRATCH/err"
    rc=$?
    if [ $rc -eq "$code" ] && grep -q "^twinnet: .*$pattern" "$SCRATCH/err" && [ "$(wc -l < "$SCRATCH/err")" -eq 1 ] &&
        [ ! -e "$SCRATCH/bad.html" ]; then ok "$what: exit $code"; else bad "$what: exit $rc: $(cat "$SCRATCH/err")"; fi
}
before=$(cksum < "$SW/manifest.json")
mkdir -p "$SCRATCH/empty"
fails 1 "not a twinnet sweep" "a directory that is not a sweep" "$SCRATCH/empty" --out "$SCRATCH/bad.html" $D
fails 1 "not a directory" "a file instead of a directory" "$P/a.tnm" --out "$SCRATCH/bad.html" $D
fails 1 "No such file" "a missing directory" "$SCRATCH/nothing" --out "$SCRATCH/bad.html" $D
"$TWINNET" sweep $SLICE --epochs 1 --runs 1 --vary init --quiet --out "$SCRATCH/one" > /dev/null
fails 1 "the sweep has one run" "a sweep of one run" "$SCRATCH/one" --out "$SCRATCH/bad.html" $D
"$TWINNET" sweep $SLICE --epochs 1 --runs 1 --vary init --vary none --quiet --out "$SCRATCH/ones" > /dev/null
fails 1 "one run per source" "one run per source: no pairs" "$SCRATCH/ones" --out "$SCRATCH/bad.html" $D
cp -r "$SW" "$SCRATCH/part" && sed -i '$ s/"fingerprint":"[0-9a-f]*"}$/"fingerprint":null}/' "$SCRATCH/part/manifest.json"
fails 1 "not finished: 8 of 9" "an unfinished sweep" "$SCRATCH/part" --out "$SCRATCH/bad.html" $D
"$TWINNET" train $SLICE --epochs 1 --sizes 784,20,10 --out "$P/c.tnm" --quiet
fails 1 "layer widths 784,20,10 differ" "models of different shapes" "$P/a.tnm" "$P/c.tnm" --out "$SCRATCH/bad.html" $D
fails 2 "no such directory" "a report path in a missing directory" "$SW" --out "$SCRATCH/no/such/bad.html" $D
fails 1 "same file as" "a report onto the sweep's manifest" "$SW" --out "$SW/manifest.json" $D
fails 2 "one for A and one for B" "one trace for a pair" "$P/a.tnm" "$P/b.tnm" --trace "$P/a.trace" --out "$SCRATCH/bad.html" $D
fails 2 "is for a pair" "a trace with a sweep" "$SW" --trace "$P/a.trace" --out "$SCRATCH/bad.html" $D
expect_eq "the sweep's manifest untouched" "$(cksum < "$SW/manifest.json")" "$before"
finish
