"""The report in headless Chromium at 360x740, a phone's 390x844, a laptop's 1280x800 and 1920x1080
(the viewport set exactly, as a phone would lay it out; tests/webdriver.py): on a small
sweep's page and a pair's, at each size document.documentElement.scrollWidth <= innerWidth (no horizontal overflow)
with innerWidth the size asked (the page declares its viewport), no console message, and at
1280x800 the answer card's figure inside the first screen. Prints what it measured, and names
the widest element when a page overflows. Skips (77) without chromium and chromedriver."""
import os
import subprocess
import sys
import tempfile

from pycheck import check, finish, mnist_slice, skip

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import webdriver  # noqa: E402

BUILD = os.environ.get("BUILD", "build")
TWINNET = os.environ.get("TWINNET", os.path.join(BUILD, "twinnet"))
if not webdriver.CHROMIUM or not webdriver.DRIVER:
    skip("no chromium or chromedriver (apt-get install chromium chromium-driver)")

scratch = tempfile.mkdtemp(prefix="twinnet-report-browser-")
train_data, test_data = mnist_slice(scratch, 3000, 500)


def run(*args):
    out = subprocess.run([TWINNET] + list(args), capture_output=True, text=True)
    check(out.returncode == 0, " ".join(args[:1]) + " for the pages", out.stderr[-300:])


sweep = os.path.join(scratch, "sweep")
run("sweep", *train_data, *test_data, "--epochs", "2", "--runs", "3", "--vary", "init", "--vary", "bit", "--vary", "none",
    "--jobs", "2", "--quiet", "--out", sweep)
run("report", sweep, *test_data)
pages = {"sweep": os.path.join(sweep, "report.html")}
for name, seed in (("a", "5"), ("b", "6")):
    run("train", *train_data, *test_data, "--epochs", "1", "--seed", seed, "--quiet", "--out", os.path.join(scratch, name + ".tnm"))
run("report", os.path.join(scratch, "a.tnm"), os.path.join(scratch, "b.tnm"), *test_data)
pages["pair"] = os.path.join(scratch, "report.html")

browser = webdriver.Browser()
try:
    for name, page in pages.items():
        if not check(os.path.exists(page), "the %s page was written" % name):
            continue
        for width, height in ((360, 740), (390, 844), (1280, 800), (1920, 1080)):
            logs = browser.page(page, width, height)
            m = webdriver.measure(browser)
            where = "%s page at %dx%d" % (name, width, height)
            print("%s: scrollWidth %d, innerWidth %d, widest %s (right edge %.0f), answer figure %s" % (
                where, m["scroll_width"], m["inner_width"], m["widest"], m["widest_right"], m["card"]))
            fits = m["scroll_width"] <= m["inner_width"]
            check(m["inner_width"] == width, where + ": laid out at the screen's width (viewport declared)",
                  "" if m["inner_width"] == width else "innerWidth %d" % m["inner_width"])
            check(fits, where + ": no horizontal overflow",
                  "" if fits else "scrollWidth %d > %d (widest: %s)" % (m["scroll_width"], m["inner_width"], m["widest"]))
            check(not logs, where + ": no console message", logs or "")
            if width == 1280:
                c = m["card"]
                inside = c is not None and c["top"] >= 0 and c["bottom"] <= height and c["left"] >= 0 and c["right"] <= width
                check(inside, where + ": the answer card's figure is inside the first screen", "" if inside else c)
finally:
    browser.close()
subprocess.run(["rm", "-rf", scratch])
sys.exit(finish())
