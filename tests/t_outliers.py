"""Outlier runs, end to end, on a sweep made to fail: 16 initialisations of a [784,16,10] network
trained 5 epochs on 3,000 MNIST images, where some starts leave a digit unlearned. The rule is
computed again here, independently: each run's accuracy and per-digit accuracy from `twinnet eval
--json` (its confusion matrix), its per-epoch accuracy from NAME.epochs.jsonl, the median and the
robust sd (1.4826 MAD, at least sqrt(p (1 - p) / n)) in Python. Checks: the sweep names exactly
those runs, with those digits and epochs, after its table; the report names them in its outlier
section and its answer card says "k of 16"; the crafted sweep has at least one outlier (else this
test proves nothing)."""
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile

from pycheck import check, finish, mnist_slice

BUILD = os.environ.get("BUILD", "build")
TWINNET = os.environ.get("TWINNET", os.path.join(BUILD, "twinnet"))
RUNS, SDS = 16, 3.0

scratch = tempfile.mkdtemp(prefix="twinnet-outliers-")
train_data, test_data = mnist_slice(scratch, 3000, 1000)
data = train_data + test_data
sweep = os.path.join(scratch, "sweep")
out = subprocess.run([TWINNET, "sweep"] + data + ["--sizes", "784,16,10", "--epochs", "5", "--runs", str(RUNS), "--vary", "init",
                                                  "--jobs", "2", "--quiet", "--out", sweep], capture_output=True, text=True)
check(out.returncode == 0, "the sweep made to fail", out.stderr[-500:])


def band(values, images):
    """median and robust sd of values (accuracies on `images` images)"""
    median = statistics.median(values)
    sd = 1.4826 * statistics.median([abs(v - median) for v in values])
    floor = (median * (1 - median) / images) ** 0.5 if 0 < median < 1 else 0.0
    return median, max(sd, floor)


acc, digits, epochs = [], [], []
for r in range(RUNS):
    name = "init-%03d" % r
    ev = json.loads(subprocess.run([TWINNET, "eval", os.path.join(sweep, name + ".tnm")] + test_data + ["--json"],
                                   capture_output=True, text=True, check=True).stdout)
    acc.append(ev["accuracy"])
    digits.append([row[d] / sum(row) for d, row in enumerate(ev["confusion"])])
    with open(os.path.join(sweep, name + ".epochs.jsonl")) as f:
        epochs.append([json.loads(line)["test_accuracy"] for line in f if '"epoch"' in line])
median, sd = band(acc, 1000)
counts = [sum(row) for row in json.loads(subprocess.run(
    [TWINNET, "eval", os.path.join(sweep, "init-000.tnm")] + test_data + ["--json"], capture_output=True, text=True).stdout)["confusion"]]
want = {}
for r in range(RUNS):
    if acc[r] >= median - SDS * sd:
        continue
    failed = []
    for d in range(10):
        m, s = band([digits[k][d] for k in range(RUNS)], counts[d])
        if digits[r][d] < m - SDS * s:
            failed.append(d)
    start = 0
    for e in range(len(epochs[r]) - 1, -1, -1):
        m, s = band([epochs[k][e] for k in range(RUNS)], 1000)
        if not epochs[r][e] < m - SDS * s:
            break
        start = e + 1
    want["init-%03d" % r] = (failed, start)
print("computed here: median %.4f, sd %.4f; outliers %s" % (median, sd, want))
check(len(want) >= 1, "the crafted sweep has an outlier run (else this test proves nothing)", "%d found" % len(want))

named = {}
lines = out.stdout.splitlines()
at = next((i for i, line in enumerate(lines) if line.startswith("outlier runs (")), None)
check(at is not None, "the sweep prints its outlier runs after the table")
for line in lines[at + 1:] if at is not None else []:
    m = re.match(r"  (init-\d{3}): .*?(?:fails the digit ([^;]*))?; (?:below the others from epoch (\d+)|from which)", line)
    if m:
        failed = [int(x) for x in re.findall(r"(?:^|, )(\d) \(", m.group(2))] if m.group(2) else []
        named[m.group(1)] = (failed, int(m.group(3) or 0))
check(named == want, "the sweep names the runs, digits and epochs computed here", "%s against %s" % (named, want))
check(("init: %d of %d runs" % (len(want), RUNS)) in out.stdout, "the sweep counts them for the source")

page = os.path.join(scratch, "report.html")
rep = subprocess.run([TWINNET, "report", sweep, "--out", page] + test_data, capture_output=True, text=True)
check(rep.returncode == 0, "report on the sweep", rep.stderr)
text = open(page, encoding="utf-8").read() if rep.returncode == 0 else ""
section = text[text.find('id="outliers"'):text.find("</section>", text.find('id="outliers"'))]
check(all(name in section for name in want) and section.count("<li>") == len(want),
      "the report's outlier section names exactly those runs")
card = text[text.find('id="answer"'):text.find("</section>", text.find('id="answer"'))]
check(re.search(r"init <b>%d of %d</b>" % (len(want), RUNS), card) is not None, "the answer card says how often an initialisation fails")
subprocess.run(["rm", "-rf", scratch])
sys.exit(finish())
