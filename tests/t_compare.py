"""compare, align, canon and export through the command line, on small models trained on a slice
of MNIST, checked against numpy and scipy: the .npz export value by value (its SHA-256 is the
fingerprint), the distances and blank-input share, weight matching against
scipy.optimize.linear_sum_assignment, linear CKA of real activations against a numpy
implementation, the function and path figures, the permutation test (a model put in canonical
order, that is permuted and negated, is matched back to distance 0, one and two hidden layers),
aligned models computing the same function, canonical fingerprints, and bad input.
Exit 0 passes, 1 fails, 77 skips (numpy, scipy or MNIST absent)."""
import hashlib
import json
import os
import struct
import subprocess
import sys
import tempfile

from pycheck import check, finish, mnist_dir

try:
    import numpy as np
    from scipy.optimize import linear_sum_assignment
except ImportError:
    print("skipped: numpy or scipy is not installed (Debian: python3-numpy python3-scipy)")
    sys.exit(77)

TWINNET = os.environ.get("TWINNET", "build/twinnet")
PY = os.environ.get("PY", sys.executable)


def run(*args, rc=0):
    p = subprocess.run([TWINNET] + [str(a) for a in args], capture_output=True, text=True)
    if p.returncode != rc:
        check(False, "%s: exit %d, want %d: %s" % (" ".join(map(str, args)), p.returncode, rc, p.stderr.strip()))
    return p


def run_json(*args):
    return json.loads(run(*args, "--json").stdout)


def idx_images(path):
    data = open(path, "rb").read()
    n, rows, cols = struct.unpack(">3I", data[4:16])
    return np.frombuffer(data, np.uint8, offset=16).reshape(n, rows * cols)


def idx_labels(path):
    return np.frombuffer(open(path, "rb").read(), np.uint8, offset=8)


def npz(model, tmp):
    path = os.path.join(tmp, os.path.basename(model) + ".npz")
    run("export", model, "--npz", path)
    z = np.load(path)
    return [z[k] for k in sorted(z.files, key=lambda k: (int(k[1:]), k[0] == "b"))]


def flat(params):
    return np.concatenate([p.astype(np.float64).ravel() for p in params])


def forward(params, x, act="sigmoid"):
    """Activations of every layer in float32 (numpy's own rounding: close to twinnet's, not equal)."""
    f = {"sigmoid": lambda z: 1 / (1 + np.exp(-z)), "tanh": np.tanh}[act]
    out, a = [], x
    for i in range(0, len(params), 2):
        z = a @ params[i].T + params[i + 1]
        a = f(z) if i + 2 < len(params) else 1 / (1 + np.exp(-z))
        out.append(a.astype(np.float32))
    return out


def linear_cka(x, y):
    x = x.astype(np.float64) - x.mean(0)
    y = y.astype(np.float64) - y.mean(0)
    return np.linalg.norm(y.T @ x) ** 2 / (np.linalg.norm(x.T @ x) * np.linalg.norm(y.T @ y))


def weight_similarity(pa, pb):
    fa = np.hstack([pa[0], pa[1][:, None], pa[2].T]).astype(np.float64)
    fb = np.hstack([pb[0], pb[1][:, None], pb[2].T]).astype(np.float64)
    return fa @ fb.T


def close(x, y, tol):  # JSON numbers carry 9 significant digits
    return abs(x - y) <= tol * max(1.0, abs(y))


def main():
    np.seterr(over="ignore")
    src = mnist_dir()
    tmp = tempfile.mkdtemp(prefix="twinnet-compare.")
    names = {"train-images": ("train-images-idx3-ubyte", 4000), "train-labels": ("train-labels-idx1-ubyte", 4000),
             "test-images": ("t10k-images-idx3-ubyte", 1000), "test-labels": ("t10k-labels-idx1-ubyte", 1000)}
    data = []
    for opt, (name, n) in names.items():
        subprocess.run([PY, "tests/idx_slice.py", os.path.join(src, name), os.path.join(tmp, opt), str(n)], check=True)
        data += ["--" + opt, os.path.join(tmp, opt)]
    train_x, test_x = idx_images(os.path.join(tmp, "train-images")), idx_images(os.path.join(tmp, "test-images"))
    test_y = idx_labels(os.path.join(tmp, "test-labels"))
    x = test_x.astype(np.float32) / np.float32(255)

    def train(name, *args, epochs=3):  # an option given twice is a usage error: epochs here
        path = os.path.join(tmp, name + ".tnm")
        run("train", *data, "--train-size", 0, "--epochs", epochs, "--quiet", "--out", path, *args)
        return path

    a, b = train("a", "--seed", 1), train("b", "--seed", 2)
    trace = lambda name, seed: train(name, "--seed", seed, "--trace", os.path.join(tmp, name + ".trace"), "--trace-every", 0, epochs=1)
    trace("t1", 1), trace("t2", 2)
    r = run_json("compare", a, b, *data)

    # DESIGN.md section 1's fields, and the ones this test reads.
    for path in ["raw.relative_distance", "weight_matching.relative_distance", "weight_matching.permutations",
                 "activation_matching.relative_distance", "disagreement", "cka", "barrier.raw",
                 "barrier.weight_matching", "barrier.activation_matching"]:
        v = r
        for key in path.split("."):
            v = v.get(key) if isinstance(v, dict) else None
        check(v is not None, "compare --json has %s" % path)
    check(sorted(r["weight_matching"]["permutations"][0]) == list(range(30)), "a permutation of the 30 hidden units")

    # The export: every value, through the fingerprint.
    pa, pb = npz(a, tmp), npz(b, tmp)
    fp = hashlib.sha256(b"".join(p.astype("<f4").tobytes() for p in pa)).hexdigest()
    check(fp == run_json("info", a)["fingerprint"], "SHA-256 of the exported arrays is the fingerprint")
    check([p.shape for p in pa] == [(30, 784), (30,), (10, 30), (10,)] and pa[0].dtype == np.float32, "shapes and dtype")

    # Distances and the blank inputs.
    fa, fb = flat(pa), flat(pb)
    rel = np.linalg.norm(fa - fb) / np.linalg.norm(fa)
    check(close(r["raw"]["relative_distance"], rel, 1e-8), "raw distance %.9g vs numpy %.9g" % (r["raw"]["relative_distance"], rel))
    cos = fa @ fb / (np.linalg.norm(fa) * np.linalg.norm(fb))
    check(close(r["raw"]["total"]["cosine"], cos, 1e-8), "cosine")
    check(close(r["raw"]["layers"][1]["max_abs"], np.abs(flat(pa[2:]) - flat(pb[2:])).max(), 1e-7), "layer 2 max |a-b|")
    blank = train_x.max(0) == 0
    share = ((pa[0] - pb[0])[:, blank].astype(np.float64) ** 2).sum() / ((fa - fb) ** 2).sum()
    check(r["blank"]["inputs"] == blank.sum() and close(r["raw"]["total"]["blank_share"], share, 1e-8),
          "%d blank inputs carry %.4f of the squared distance" % (blank.sum(), share))
    check(r["blank"]["at_init_a"] == r["blank"]["weights"], "blank-input weights keep their initial values")
    steps = run_json("diverge", os.path.join(tmp, "t1.trace"), os.path.join(tmp, "t2.trace"))["distance"]
    check(close(r["baseline"]["total"]["l2"], steps[0]["l2"], 1e-8) and close(r["start"]["l2"], steps[0]["l2"], 1e-8),
          "the baseline (seeds 1, 2) and the start are the initial parameters of seeds 1 and 2 (diverge, step 0)")

    # Weight matching against scipy, with and without flips.
    s = weight_similarity(pa, pb)
    _, col = linear_sum_assignment(-s)
    check(r["weight_matching"]["permutations"][0] == col.tolist(), "weight matching = scipy's assignment")
    _, col = linear_sum_assignment(-np.abs(s))
    flips = (s[np.arange(30), col] < 0).astype(int)
    check(r["weight_matching_flips"]["permutations"][0] == col.tolist() and r["weight_matching_flips"]["flips"][0] == flips.tolist(),
          "weight matching with flips = scipy's assignment on |similarity|, sign per pair")
    w1, b1, w2, b2 = (p.astype(np.float64) for p in pb)
    f = flips.astype(bool)[:, None]
    moved = [np.where(f, -w1[col], w1[col]), np.where(f[:, 0], -b1[col], b1[col]), np.where(f.T, -w2[:, col], w2[:, col]),
             b2 + (w2[:, col] * f.T).sum(1)]
    rel = np.linalg.norm(fa - flat([m.astype(np.float32) for m in moved])) / np.linalg.norm(fa)
    check(close(r["weight_matching_flips"]["relative_distance"], rel, 1e-6), "aligned distance %.9g vs numpy %.9g" % (
        r["weight_matching_flips"]["relative_distance"], rel))

    # Representation: CKA and activation matching on real activations.
    ha, hb = forward(pa, x)[0], forward(pb, x)[0]
    cka = linear_cka(ha, hb)
    check(abs(r["cka"][0] - cka) < 1e-4, "CKA %.6f vs numpy %.6f" % (r["cka"][0], cka))
    corr = np.corrcoef(ha.T.astype(np.float64), hb.T.astype(np.float64))[:30, 30:]
    _, col = linear_sum_assignment(-corr)
    got = r["activation_matching"]["permutations"][0]
    check(abs(corr[np.arange(30), got].sum() - corr[np.arange(30), col].sum()) < 1e-4, "activation matching's total correlation = scipy's")

    # Function and path.
    ea, eb = run_json("eval", a, *data), run_json("eval", b, *data)
    check(r["accuracy_a"] == ea["accuracy"] and r["cost_a"] == ea["cost"] and r["cost_b"] == eb["cost"], "accuracy and cost as eval's")
    pred_a, pred_b = forward(pa, x)[-1].argmax(1), forward(pb, x)[-1].argmax(1)
    check(abs(r["disagreement"] - (pred_a != pred_b).mean()) <= 0.003, "disagreement %.4f vs numpy %.4f" % (r["disagreement"], (pred_a != pred_b).mean()))
    wrong = (pred_a != test_y) & (pred_b != test_y)
    check(abs(r["both_wrong"] - wrong.sum()) <= 3, "both wrong: %d vs numpy %d" % (r["both_wrong"], wrong.sum()))
    for view in ["raw", "weight_matching", "activation_matching_flips"]:
        pts = r[view]["path"]
        t = np.array([p["t"] for p in pts])
        c = np.array([p["cost"] for p in pts])
        check(len(pts) == 21 and close(r["barrier"][view], max(0, (c - ((1 - t) * c[0] + t * c[-1])).max()), 1e-7), view + " barrier from its path")
    check(r["raw"]["path"][0]["cost"] == ea["cost"] and r["raw"]["path"][-1]["cost"] == eb["cost"], "the path ends at A and B")

    # The permutation test: canon permutes and negates; compare finds the way back (1 and 2 hidden layers).
    c2 = train("c2", "--sizes", "784,20,12,10", "--activation", "tanh", "--eta", "0.5", "--seed", 3)
    for model, act, tol in [(a, "sigmoid", 1e-6), (c2, "tanh", 0.0)]:
        canon = model + ".canon.tnm"
        info = run_json("canon", model, "--out", canon)
        check(info["moved"] > 0 and info["flipped"] > 0, "%s: canon moved %d and negated %d units" % (act, info["moved"], info["flipped"]))
        p0, p1 = npz(model, tmp), npz(canon, tmp)
        r2 = run_json("compare", model, canon, *data)
        view = r2["weight_matching_flips"]
        check(view["relative_distance"] <= tol, "%s: aligned distance %g" % (act, view["relative_distance"]))
        for layer, perm in enumerate(view["permutations"]):
            want = [int(np.where((np.abs(p1[2 * layer]) == np.abs(p0[2 * layer][i])).all(1))[0][0]) if layer == 0 else None
                    for i in range(len(perm))]
            if layer == 0:
                check(perm == want, "%s: layer 1's permutation recovered" % act)
        check(r2["disagreement"] == 0 and r2["barrier"]["weight_matching_flips"] < 1e-6, "%s: same function, no barrier" % act)
        check(r2["activation_matching_flips"]["permutations"] == view["permutations"], "%s: activation matching agrees" % act)
        again = run_json("canon", canon)
        check(again["fingerprint"] == info["fingerprint"] and again["moved"] == 0, "%s: canon is a fixpoint" % act)

    # Aligned models compute the same function; canonical fingerprints (tanh flips are exact).
    d2 = train("d2", "--sizes", "784,20,12,10", "--activation", "tanh", "--eta", "0.5", "--seed", 4)
    for x_model, y_model, exact in [(a, b, False), (c2, d2, True)]:
        out = y_model + ".aligned.tnm"
        al = run_json("align", x_model, y_model, "--out", out)
        r3 = run_json("compare", y_model, out, *data)
        check(r3["disagreement"] == 0 and r3["output_distance"] < 1e-5 and al["relative_distance"] < al["relative_distance_before"],
              "%s: the aligned model computes the same function (output distance %g)" % (y_model, r3["output_distance"]))
        fy, fo = run_json("canon", y_model)["fingerprint"], run_json("canon", out)["fingerprint"]
        if exact:
            check(fy == fo, "tanh: equal up to symmetry, equal canonical fingerprints")
        act = run_json("align", x_model, y_model, "--out", out, "--method", "activation", *data[4:])
        check(sorted(act["permutations"][0]) == list(range(len(act["permutations"][0]))), "activation alignment written")

    # Bad input: one line "twinnet: FILE: ...", exit 1 (runtime) or 2 (usage).
    def bad(args, rc, words):
        p = run(*args, rc=rc)
        line = p.stderr.strip()
        check(p.returncode == rc and line.startswith("twinnet: ") and "\n" not in line and all(w in line for w in words),
              "%s -> %d: %s" % (" ".join(os.path.basename(str(s)) for s in args), rc, line))
    e = train("e", "--sizes", "784,30,10", "--activation", "tanh", "--eta", "0.5")
    f = train("f", "--sizes", "784,30,10", "--cost", "cross-entropy", "--eta", "0.5")
    g, g2 = train("g", "--sizes", "784,10"), train("g2", "--sizes", "784,10", "--seed", 2)
    bad(["compare", a, c2] + data, 1, [c2, "widths"])
    bad(["compare", a, e] + data, 1, [e, "tanh"])
    bad(["compare", a, f] + data, 1, [f, "cross-entropy"])
    bad(["compare", a] + data, 2, ["two MODEL"])
    bad(["compare", a, b, "--points", 0] + data, 2, ["--points"])
    bad(["compare", a, os.path.join(tmp, "missing.tnm")] + data, 1, ["missing.tnm"])
    bad(["align", a, b], 2, ["--out"])
    bad(["align", a, c2, "--out", os.path.join(tmp, "x.tnm")], 1, [c2, "widths"])
    bad(["export", a, "--npz", os.path.join(tmp, "no", "dir", "a.npz")], 2, ["a.npz"])  # outputs are checked first: a usage error
    small = os.path.join(tmp, "small-images")
    with open(small, "wb") as out:
        out.write(struct.pack(">4I", 0x803, 1000, 10, 10) + bytes(100 * 1000))
    bad(["compare", a, b, "--test-images", small, "--test-labels", os.path.join(tmp, "test-labels")], 1, ["small-images", "pixels"])
    p = run("compare", g, g2, *data)
    check("alignment is the identity" in p.stdout and "Why the weights differ" in p.stdout, "no hidden layer: says so, still answers")
    r4 = run_json("compare", g, g2, *data)
    check(r4["weight_matching_flips"] is None and r4["cka"] == [] and r4["barrier"]["raw"] >= 0, "no hidden layer: JSON")
    p = run("compare", a, b, "--test-images", os.path.join(tmp, "test-images"), "--test-labels", os.path.join(tmp, "test-labels"))
    check("training examples" not in p.stdout and "Why the weights differ" in p.stdout, "test set alone: no blank inputs, still answers")

    return finish()


if __name__ == "__main__":
    sys.exit(main())
