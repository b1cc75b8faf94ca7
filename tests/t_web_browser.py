"""make web's page in headless Chromium, opened from file:// (no server, no network), driven
through WebDriver (chromedriver, Debian's chromium-driver: plain HTTP, no client library).

The test draws a 7 on the page's pad with real pointer input (WebDriver actions: press, move,
release), then reads what the page shows and computed. Checks: both networks answer 7 (and B
aligned answers as B); the page's fingerprints are the native ones; native `twinnet predict` on
the page's own drawing (its canvas as PNG) gives the same digits and the same probabilities to
the 9 digits it prints, and `predict --raw` on the page's 28x28 image too, so the preprocessing
and the networks agree with the native build. Prints the page's size and its load time
(navigation start to ready, median of 3 loads); saves a screenshot in $BUILD/web/selftest.png.

Then, at 360x740, 390x844, 768x1024, 1280x800 and 1920x1080: the page opens an MNIST test image on
which A and B disagree (the first one, found by tests/web_disagree.mjs through the page's own
module) through its file input. At each size: no horizontal overflow
(document.documentElement.scrollWidth <= innerWidth), no console errors, unit pictures at least
84 px wide (72 px below 768 px), the page's digits are
the module's, and the sentence "A reads X, B reads Y" names the matched units that react most
differently (the page's own numbers); at 1280x800 that sentence is inside the first screen.
Screenshots: $BUILD/web/page-390.png, page-390-answers.png (scrolled to the answers) and
page-1280.png (docs/web-*.png are copies of these).
Skips (77) without chromium and chromedriver, node or wasi-libc, and under sanitizers.
"""
import base64
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

from pycheck import check, finish, skip
from webdriver import Browser

BUILD = os.environ.get("BUILD", "build")
TWINNET = os.environ.get("TWINNET", os.path.join(BUILD, "twinnet"))


if os.environ.get("TWINNET_SANITIZE"):
    skip("the WebAssembly build has no sanitizer build")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
if not CHROMIUM or not DRIVER:
    skip("no chromium or chromedriver (apt-get install chromium chromium-driver)")
if not shutil.which("node") or not os.path.exists("/usr/lib/wasm32-wasi/libc.a") or not shutil.which("wasm-ld"):
    skip("make web needs node, wasi-libc and lld (apt-get install wasi-libc libclang-rt-14-dev-wasm32 lld)")

made = subprocess.run(["make", "-s", "BUILD=" + BUILD, "web"], capture_output=True, text=True)
if made.returncode != 0:
    print(made.stdout[-2000:], made.stderr[-2000:])
    check(False, "make web")
    sys.exit(finish())
page = os.path.abspath(os.path.join(BUILD, "web", "twinnet.html"))
model_a = os.path.join(BUILD, "web", "model-a.tnm")
model_b = os.path.join(BUILD, "web", "model-b.tnm")
scratch = tempfile.mkdtemp(prefix="twinnet-web-")



class WebDriver(Browser):
    """webdriver.py's session (start, calls, screenshot, close), and what this test adds."""

    def element(self, css):
        return list(self.do("POST", "/element", {"using": "css selector", "value": css}).values())[0]

    def resize(self, width, height):
        """The viewport to width x height CSS pixels (the window, less what the browser takes)."""
        rect = {"width": width, "height": height}
        for _ in range(3):
            self.do("POST", "/window/rect", rect)
            inner, before = None, []
            for _ in range(40):  # the window's new size reaches the page a little later
                time.sleep(0.05)
                inner, before = self.script("return [window.innerWidth, window.innerHeight]"), inner
                if inner == before:
                    break
            if inner == [width, height]:
                return
            rect = {"width": rect["width"] + width - inner[0], "height": rect["height"] + height - inner[1]}
        raise RuntimeError("the viewport is %s, not %dx%d" % (inner, width, height))

    def console_errors(self):
        """The console's errors since the last call (chromedriver's browser log, level SEVERE)."""
        return [e["message"] for e in self.do("POST", "/se/log", {"type": "browser"}) if e["level"] == "SEVERE"]


def open_page(wd):
    """Loads the page afresh and waits until it is ready; its load time in ms."""
    wd.do("POST", "/url", {"url": "file://" + page})
    for _ in range(600):
        ready = wd.script("return window.twinnetReadyMs === undefined ? null : window.twinnetReadyMs")
        if ready is not None:
            return ready
        status = wd.script("return document.getElementById('status').textContent")
        if "could not start" in status:
            raise RuntimeError(status)
        time.sleep(0.05)
    raise RuntimeError("the page was not ready after 30 s")


def draw_seven(wd):
    """Press, move and release on the pad, in the pad's pixels (280x280, origin top left)."""
    origin = {"element-6066-11e4-a52e-4f735466cecf": wd.element("#pad")}
    at = lambda x, y, ms=0: {"type": "pointerMove", "duration": ms, "origin": origin, "x": x - 140, "y": y - 140}
    stroke = [(70, 60), (210, 60), (190, 110), (160, 170), (135, 235)]
    actions = [at(*stroke[0]), {"type": "pointerDown", "button": 0}]
    for (x0, y0), (x1, y1) in zip(stroke, stroke[1:]):
        actions += [at(round(x0 + (x1 - x0) * k / 8), round(y0 + (y1 - y0) * k / 8), 10) for k in range(1, 9)]
    actions.append({"type": "pointerUp", "button": 0})
    wd.do("POST", "/actions", {"actions": [{"type": "pointer", "id": "pen", "parameters": {"pointerType": "mouse"},
                                            "actions": actions}]})


def open_file(wd, path):
    """The page's file input given path, as a user picking it; the page's report once it answered."""
    wd.do("POST", "/element/%s/value" % wd.element("#file"), {"text": path})
    for _ in range(200):
        r = json.loads(wd.script("return window.twinnetReport()"))
        if r.get("ok") or r.get("message"):
            return r
        time.sleep(0.05)
    return r


# An MNIST test image on which A and B disagree, as a PNG, found through the page's own module.
disagree_png = os.path.join(scratch, "disagree.png")
mnist = os.environ.get("TWINNET_DATA") or os.path.join(
    os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "twinnet", "mnist")  # where make web's data went
found = subprocess.run(["node", "--no-warnings", "tests/web_disagree.mjs", page, os.path.join(mnist, "t10k-images-idx3-ubyte"),
                        disagree_png], capture_output=True, text=True)
disagree = json.loads(found.stdout) if found.returncode == 0 else None
if not disagree:
    print(found.stderr)
SIZES = [(360, 740), (390, 844), (768, 1024), (1280, 800), (1920, 1080)]
views = {}
wd = WebDriver()
try:
    loads = [open_page(wd) for _ in range(3)]
    draw_seven(wd)
    r = json.loads(wd.script("return window.twinnetReport()"))
    shown = [wd.script("return document.getElementById('digit-%s').textContent" % w) for w in "ab"]
    shot = os.path.join(BUILD, "web", "selftest.png")
    wd.screenshot(shot)
    errors_first = wd.console_errors()
    for width, height in SIZES if disagree else []:
        wd.resize(width, height)
        open_page(wd)
        report = open_file(wd, disagree_png)
        views[width] = dict(report=report, errors=wd.console_errors(), tile=wd.script(
            "return Math.min(...Array.from(document.querySelectorAll('.unit canvas'), (c) => c.getBoundingClientRect().width))"),
            verdict_bottom=wd.script(
            "return document.getElementById('verdict').getBoundingClientRect().bottom"), size=wd.script(
            "return [document.documentElement.scrollWidth, window.innerWidth, window.innerHeight]"))
        if width in (390, 1280):
            wd.screenshot(os.path.join(BUILD, "web", "page-%d.png" % width))
        if width == 390:
            wd.script("document.getElementById('answers').scrollIntoView()")
            wd.screenshot(os.path.join(BUILD, "web", "page-390-answers.png"))
finally:
    wd.close()
check(not errors_first, "no console errors after drawing a 7", "; ".join(errors_first))
check(r.get("ok") is True, "the page answered the drawing", r.get("message", ""))
if not r.get("ok"):
    sys.exit(finish())
print("page: %d bytes; ready %.0f ms after navigation start (median of %s ms)"
      % (os.path.getsize(page), statistics.median(loads), ", ".join("%.0f" % x for x in loads)))
check(r["answer_a"] == 7 and shown[0] == "7", "A answers 7 (shown on the page)", "%s, shown %s" % (r["answer_a"], shown[0]))
check(r["answer_b"] == 7 and shown[1] == "7", "B answers 7 (shown on the page)", "%s, shown %s" % (r["answer_b"], shown[1]))
check(r["answer_b_aligned"] == r["answer_b"], "B aligned answers as B")


def native(*args):
    out = subprocess.run([TWINNET] + list(args), capture_output=True, text=True)
    if out.returncode != 0:
        print(out.stderr)
    return out


for name, model in (("a", model_a), ("b", model_b)):
    info = json.loads(native("info", model, "--json").stdout)
    check(info["fingerprint"] == r["fingerprint_" + name], "fingerprint of %s is the native one" % name.upper())

# The page's drawing as a PNG file, and its 28x28 image as a PGM: what native predict says.
png = os.path.join(scratch, "drawing.png")
with open(png, "wb") as f:
    f.write(base64.b64decode(r["png"].split(",", 1)[1]))
seen = bytes.fromhex(r["seen"])
check(len(seen) == 784 and max(seen) > 128, "the page's 28x28 image has 784 pixels with ink")
pgm = os.path.join(scratch, "seen.pgm")
with open(pgm, "wb") as f:
    f.write(b"P5\n28 28\n255\n" + seen)


def same9(page_values, native_values):
    """The page's doubles printed as predict prints them (%.9g) are predict's numbers."""
    return len(page_values) == len(native_values) and all(
        float("%.9g" % p) == float(n) for p, n in zip(page_values, native_values))


for name, model in (("a", model_a), ("b", model_b)):
    for what, args in (("drawing.png", [png]), ("the page's 28x28 image --raw", ["--raw", pgm])):
        out = native("predict", model, *args, "--json")
        got = json.loads(out.stdout) if out.returncode == 0 else {}
        check(got.get("digit") == r["answer_" + name], "native predict %s on %s: the page's digit" % (name.upper(), what),
              "%s vs %s" % (got.get("digit"), r["answer_" + name]))
        check(same9(r["probabilities_" + name], [float(v) for v in got.get("probabilities", [])]),
              "native predict %s on %s: the page's probabilities (9 digits)" % (name.upper(), what))

check(disagree is not None, "an MNIST test image on which A and B disagree (tests/web_disagree.mjs)")
if disagree:
    print("test image %d: A reads %d, B reads %d" % (disagree["index"], disagree["a"], disagree["b"]))
for width, height in SIZES if disagree else []:
    v, at = views[width], "%dx%d" % (width, height)
    scroll, inner, _ = v["size"]
    check(scroll <= inner, at + ": no horizontal overflow", "scrollWidth %d, innerWidth %d" % (scroll, inner))
    check(not v["errors"], at + ": no console errors", "; ".join(v["errors"]))
    least = 84 if width >= 768 else 72
    check(v["tile"] >= least, at + ": unit pictures at least %d px wide" % least, "the smallest %.0f px" % v["tile"])
    rep = v["report"]
    if not check(rep.get("ok") is True, at + ": the page answered the test image", rep.get("message", "")):
        continue
    check((rep["answer_a"], rep["answer_b"]) == (disagree["a"], disagree["b"]), at + ": the page's digits are the module's",
          "%s, %s" % (rep["answer_a"], rep["answer_b"]))
    said = "A reads %d, B reads %d" % (rep["answer_a"], rep["answer_b"])
    good = rep["verdict"].startswith(said + ": they disagree.")
    check(good, at + ": the sentence says '%s'" % said, "" if good else rep["verdict"])
    a, b, b2, perm, flip = (rep[k] for k in ("activations_a", "activations_b", "activations_b_aligned", "perm", "flip"))
    check(all(abs(b2[i] - (1 - b[perm[i]] if flip[i] else b[perm[i]])) < 1e-5 for i in range(len(a))),
          at + ": B aligned's unit i is B's unit perm[i] (1 - its activation where flipped)")
    most = sorted(range(len(a)), key=lambda i: -abs(a[i] - b2[i]))[:3]
    check([u["unit_a"] for u in rep["most_different"]] == most, at + ": the 3 pairs named are the 3 most different of %d" % len(a))
    acts = [abs(u["activation_a"] - u["activation_b_aligned"]) for u in rep["most_different"]]
    named = ["A's unit %d at %.2f against B's unit %d%s at %.2f" % (
        u["unit_a"] + 1, u["activation_a"], u["unit_b"] + 1, " (flipped)" if u["flipped"] else "", u["activation_b_aligned"])
        for u in rep["most_different"]]
    good = len(named) == 3 and acts == sorted(acts, reverse=True) and all(n in rep["verdict"] for n in named)
    check(good, at + ": it names the 3 matched units that react most differently, with their activations",
          "" if good else rep["verdict"] + " (expected: " + "; ".join(named) + ")")
    if width == 1280:
        check(v["verdict_bottom"] <= height, at + ": the sentence is inside the first screen", "its bottom at %.0f px" % v["verdict_bottom"])
if disagree and views.get(390, {}).get("report", {}).get("ok"):
    print("the sentence: " + views[390]["report"]["verdict"])

ok_shot = os.path.getsize(shot) > 20000
check(ok_shot, "screenshot of the page after drawing in " + shot, "%d bytes" % os.path.getsize(shot))
shutil.rmtree(scratch, ignore_errors=True)
sys.exit(finish())
