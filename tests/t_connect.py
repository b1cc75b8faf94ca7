"""twinnet connect and compare --curve through the command line, against numpy: phi(t) built by hand
from the exported A, B aligned (twinnet align, activation matching with flips) and the bend gives the
test cost twinnet's profile reports; the bend's fingerprint is the same at 1 and 2 threads; every
profile point is finite; a curve from a model to itself has no barrier; compare --curve sets the
straight barriers beside the curve's; bad input (other shapes, a bend of other models, swapped
ends, a diverging curve training) is one line, and the last finite bend is kept.
Exit 0 passes, 1 fails, 77 skips (numpy or MNIST absent)."""
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile

from pycheck import check, finish, mnist_dir, need

np = need("numpy", "python3-numpy")

BUILD = os.environ.get("BUILD", "build")
TWINNET = os.environ.get("TWINNET", os.path.join(BUILD, "twinnet"))
PY = os.environ.get("PY", sys.executable)


def run(*args, rc=0, env=None):
    p = subprocess.run([TWINNET] + [str(a) for a in args], capture_output=True, text=True, env=env)
    if p.returncode != rc:
        check(False, "%s: exit %d, want %d: %s" % (" ".join(map(str, args)), p.returncode, rc, p.stderr.strip()))
    return p


def last_json(p):
    return json.loads(p.stdout.strip().splitlines()[-1]) if p.stdout.strip() else {}


def params(model, tmp):
    """[W1, b1, W2, b2] (float32) through export --npz."""
    path = os.path.join(tmp, os.path.basename(model) + ".npz")
    run("export", model, "--npz", path, "--force")
    z = np.load(path)
    return [z[k] for k in ("W1", "b1", "W2", "b2")]


def read_idx(path):
    data = open(path, "rb").read()
    ndims = data[3]
    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(ndims)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndims).reshape(dims)


def bezier(a, theta, b, t):
    """twinnet's phi(t): the weights rounded to float32, then w_a a + w_t theta + w_b b in float32, left to right."""
    wa, wt, wb = (np.float32((1 - t) * (1 - t)), np.float32(2 * t * (1 - t)), np.float32(t * t))
    return [(wa * x + wt * y) + wb * z for x, y, z in zip(a, theta, b)]


def quadratic_cost(p, images, labels):
    """Mean 0.5 ||sigmoid net(x) - y||^2 over the test set, in float64, and the error rate."""
    x = images.reshape(len(images), -1).astype(np.float64) / 255.0
    h = 1 / (1 + np.exp(-(x @ p[0].astype(np.float64).T + p[1])))
    out = 1 / (1 + np.exp(-(h @ p[2].astype(np.float64).T + p[3])))
    y = np.zeros_like(out)
    y[np.arange(len(labels)), labels] = 1
    return float(np.mean(0.5 * np.sum((out - y) ** 2, axis=1))), float(np.mean(out.argmax(axis=1) != labels))


def main():
    src = mnist_dir()
    tmp = tempfile.mkdtemp(prefix="twinnet-connect.")
    data = []
    for opt, name, n in [("train-images", "train-images-idx3-ubyte", 3000), ("train-labels", "train-labels-idx1-ubyte", 3000),
                         ("test-images", "t10k-images-idx3-ubyte", 1000), ("test-labels", "t10k-labels-idx1-ubyte", 1000)]:
        subprocess.run([PY, "tests/idx_slice.py", os.path.join(src, name), os.path.join(tmp, opt), str(n)], check=True)
        data += ["--" + opt, os.path.join(tmp, opt)]

    def train(name, *args, epochs=3):
        path = os.path.join(tmp, name + ".tnm")
        run("train", *data, "--train-size", 0, "--epochs", epochs, "--quiet", "--out", path, *args)
        return path

    a, b = train("a", "--seed", 1), train("b", "--seed", 2)
    bend = os.path.join(tmp, "bend.tnm")
    done = last_json(run("connect", a, b, *data, "--epochs", 2, "--out", bend, "--json"))
    done2 = last_json(run("connect", a, b, *data, "--epochs", 2, "--threads", 2, "--out", bend + "2", "--json"))
    generic = last_json(run("connect", a, b, *data, "--epochs", 2, "--out", bend + "3", "--json",
                            env=dict(os.environ, TWINNET_SIMD="generic")))
    check(done.get("fingerprint") and done.get("fingerprint") == done2.get("fingerprint") == generic.get("fingerprint"),
          "the same bend at 1 and 2 threads and on the generic kernels", (done.get("fingerprint"), done2.get("fingerprint"),
                                                                         generic.get("fingerprint")))
    curve = done.get("curve", {})
    path = curve.get("path", [])
    check(len(path) == 21 and all(isinstance(p["cost"], float) and math.isfinite(p["cost"]) for p in path) and curve.get("finite"),
          "21 points, every one finite", len(path))
    info = json.loads(run("info", bend, "--json").stdout)
    prov = info.get("provenance", {})
    fa, fb = (json.loads(run("info", m, "--json").stdout)["fingerprint"] for m in (a, b))
    check(prov.get("parents") == [fa, fb] and prov.get("curve", {}).get("type") == "bezier", "the bend names A and B", prov)

    # ---- numpy: phi(t) by hand from the exported arrays, its test cost against the profile ----
    aligned = os.path.join(tmp, "b-aligned.tnm")
    al = json.loads(run("align", a, b, "--method", "activation", "--out", aligned, "--json", *data[4:]).stdout)
    check(al.get("fingerprint") == prov.get("curve", {}).get("end"), "the curve ends at B aligned by activation matching (align)")
    pa, pb, pt = params(a, tmp), params(aligned, tmp), params(bend, tmp)
    images, labels = read_idx(os.path.join(tmp, "test-images")), read_idx(os.path.join(tmp, "test-labels"))
    worst = 0.0
    for k in (0, 5, 10, 16, 20):
        cost, error = quadratic_cost(bezier(pa, pt, pb, k / 20), images, labels)
        rel = abs(cost - path[k]["cost"]) / cost
        worst = max(worst, rel)
        check(rel < 1e-5 and abs(error - path[k]["error"]) <= 2 / len(labels),
              "numpy's phi(%g): cost %.7f error %.4f, twinnet's %.7f %.4f" % (k / 20, cost, error, path[k]["cost"], path[k]["error"]))
    print("numpy check: largest relative difference of the test cost %.2g" % worst)

    # ---- compare --curve: the curve beside the straight paths; the text says it too ----
    cmp = json.loads(run("compare", a, b, *data, "--curve", bend, "--json").stdout)
    bars = cmp.get("curve_barriers", {})
    check(bars.get("straight_raw", {}).get("error") == cmp["error_barrier"]["raw"] and
          bars.get("straight_aligned", {}).get("error") == cmp["error_barrier"]["activation_matching_flips"] and
          bars.get("curve", {}).get("error") == curve.get("error_barrier"), "compare --curve: three barriers side by side", bars)
    check(cmp.get("curve", {}).get("path") == path, "compare --curve's profile is connect's")
    text = run("compare", a, b, *data, "--curve", bend).stdout
    check("straight, raw" in text and "curve" in text and ("one valley" in text or "does not show" in text), "compare --curve's text")

    # ---- report --curve: the curve's section and the card's sentence, with the barrier compare measured ----
    page = os.path.join(tmp, "curve.html")
    run("report", a, b, *data, "--curve", bend, "--out", page, "--images", 0)
    html = open(page, encoding="utf-8").read()
    x = "%.1f points" % (100 * curve.get("error_barrier", float("nan")))
    card = html[html.find('id="answer"'):html.find("</section>", html.find('id="answer"'))]
    check('id="curve"' in html and ("joined by a curve" in card or "No low curve" in card),
          "report --curve: a curve section and the sentence in the answer card")
    check(x in card and "aligned to A" in card, "the card's sentence gives the curve's error barrier (%s) and says B was aligned" % x)

    # ---- a curve from a model to itself stays at it ----
    self_curve = last_json(run("connect", a, a, *data, "--epochs", 1, "--align", "none", "--out", os.path.join(tmp, "self.tnm"),
                               "--json"))
    cost_a = json.loads(run("eval", a, *data[4:], "--json").stdout)["cost"]
    costs = [p["cost"] for p in self_curve.get("curve", {}).get("path", [])]
    # The bend trains along the cost's gradient at A, so the curve may dip below A but never rises
    # above it in cost; its test error may move by a few of the 1000 images (under 1 point).
    check(len(costs) == 21 and max(costs) < cost_a * 1.01 and self_curve["curve"]["error_barrier"] < 0.01,
          "a curve from A to A has no barrier", (cost_a, max(costs) if costs else None, self_curve.get("curve", {}).get("error_barrier")))

    # ---- bad input: one line each ----
    c = train("c", "--seed", 3)
    p = run("compare", a, c, *data, "--curve", bend, rc=1)
    check(p.stderr.count("\n") == 1 and "not between A" in p.stderr, "a bend of other models", p.stderr.strip())
    p = run("compare", b, a, *data, "--curve", bend, rc=1)
    check("from B to A" in p.stderr, "swapped ends", p.stderr.strip())
    p = run("compare", a, b, *data, "--curve", a, rc=1)
    check("not a curve's bend" in p.stderr, "a model that is no bend", p.stderr.strip())
    wide = train("wide", "--sizes", "784,20,10")
    p = run("connect", a, wide, *data, "--out", os.path.join(tmp, "no.tnm"), rc=1)
    check(p.stderr.count("\n") == 1 and "one shape" in p.stderr and not os.path.exists(os.path.join(tmp, "no.tnm")),
          "models of different shapes", p.stderr.strip())
    p = run("report", a, c, *data, "--curve", bend, "--out", os.path.join(tmp, "other.html"), rc=1)
    check("not between A" in p.stderr and not os.path.exists(os.path.join(tmp, "other.html")), "report --curve: a bend of other models",
          p.stderr.strip())
    decayed = train("decayed", "--lambda", 1000, "--eta", 0.001, epochs=1)
    blown = os.path.join(tmp, "blown.tnm")
    p = run("connect", decayed, b, *data, "--eta", 1e6, "--epochs", 2, "--out", blown, rc=1)
    kept = run("eval", blown, *data[4:], "--json")
    check(p.stderr.count("\n") == 1 and "diverged" in p.stderr and kept.returncode == 0 and
          math.isfinite(json.loads(kept.stdout or "{}").get("cost") or math.nan),
          "a diverging curve training: one line, the last finite bend kept", p.stderr.strip())
    shutil.rmtree(tmp)
    return finish()


if __name__ == "__main__":
    sys.exit(main())
