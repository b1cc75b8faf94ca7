"""Provenance through the command line: compare, align, canon and info say only what is known.
Models whose start is unknown or supplied are made without the import command, by the tool mode
of test_provenance (a twinnet model loaded, its provenance set, saved: model file version 3).
Checked against numpy: a supplied start gives the cosine of A - B with A0 - B0 and how far training
moved each model, from the stored start (and, supplied equal to the seeds' start, the very figures
of the seeds); an unknown start leaves them out with one line that names the model; compare a a
(and an exact copy) is identical; align and canon carry the start along, permuted and negated
as the network; a 3.4e38 parameter is named absurd; an unknown init leaves the baseline out; train
--init torch. Exit 0 passes, 1 fails, 77 skips (numpy or MNIST absent)."""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

from pycheck import check, finish, mnist_dir, need

np = need("numpy", "python3-numpy")

BUILD = os.environ.get("BUILD", "build")
TWINNET = os.environ.get("TWINNET", os.path.join(BUILD, "twinnet"))
TOOL = os.path.join(BUILD, "tests", "test_provenance")
PY = os.environ.get("PY", sys.executable)


def run(*args, rc=0, tool=False):
    p = subprocess.run([TOOL if tool else TWINNET] + [str(a) for a in args], capture_output=True, text=True)
    if p.returncode != rc:
        check(False, "%s: exit %d, want %d: %s" % (" ".join(map(str, args)), p.returncode, rc, p.stderr.strip()))
    return p


def run_json(*args):
    return json.loads(run(*args, "--json").stdout)


def params(model, tmp):
    """A model's parameters as [W1, b1, W2, b2, ...] (float32) through export --npz."""
    path = os.path.join(tmp, os.path.basename(model) + ".npz")
    run("export", model, "--npz", path, "--force")
    z = np.load(path)
    return [z[k] for k in sorted(z.files, key=lambda k: (int(k[1:]), k[0] == "b"))]


def start_params(model, tmp):
    """The start a model records, as parameters: test_provenance start writes it as a network."""
    out = os.path.join(tmp, os.path.basename(model) + ".start.tnm")
    run("start", model, out, tool=True)
    return params(out, tmp)


def flat(p):
    return np.concatenate([x.astype(np.float64).ravel() for x in p])


def moved(p, perm, flip):
    """One hidden layer: B's units in A's order, negated where flip says (sigmoid: the next bias
    takes the outgoing weights), as tn_net_align does."""
    w1, b1, w2, b2 = [x.astype(np.float64) for x in p]
    s = np.where(np.array(flip) == 1, -1.0, 1.0)
    return [w1[perm] * s[:, None], b1[perm] * s, w2[:, perm] * s[None, :], b2 + w2[:, perm][:, s < 0].sum(1)]


def main():
    src = mnist_dir()
    if not os.path.exists(TOOL):
        check(False, "the tool %s is built" % TOOL)
        return finish()
    tmp = tempfile.mkdtemp(prefix="twinnet-provenance.")
    data = []
    for opt, name, n in [("train-images", "train-images-idx3-ubyte", 2000), ("train-labels", "train-labels-idx1-ubyte", 2000),
                         ("test-images", "t10k-images-idx3-ubyte", 500), ("test-labels", "t10k-labels-idx1-ubyte", 500)]:
        subprocess.run([PY, "tests/idx_slice.py", os.path.join(src, name), os.path.join(tmp, opt), str(n)], check=True)
        data += ["--" + opt, os.path.join(tmp, opt)]

    def train(name, *args):
        path = os.path.join(tmp, name + ".tnm")
        run("train", *data, "--sizes", "784,16,10", "--train-size", 0, "--epochs", 1, "--quiet", "--out", path, *args)
        return path

    def tool(mode, model, name, *more):
        out = os.path.join(tmp, name + ".tnm")
        run(mode, model, out, *more, tool=True)
        return out

    a, b, c = train("a", "--seed", 1), train("b", "--seed", 2), train("c", "--seed", 3)
    known = run_json("compare", a, b, *data, "--points", 2)
    check(open(a, "rb").read()[8] == 2, "a twinnet-trained model is written as version 2")

    # ---- unknown start: no start finding, one line why, naming the model ----
    bu = tool("unknown", b, "b-unknown")
    text = run("compare", a, bu, *data, "--points", 2, "--full").stdout
    why = [line for line in text.splitlines() if "start is not known" in line]
    check(len(why) == 1 and "b-unknown.tnm: its start is not known" in why[0], "one line says why", why)
    check("started alike" not in text and "initial weights (cosine" not in text and "B by" not in text,
          "no start finding for an unknown start")
    r = run_json("compare", a, bu, *data, "--points", 2)
    check(r["start"] is None and r["travel_b"] is None and r["start_cosine"] is None and r["blank"]["at_init_b"] is None
          and "b-unknown.tnm" in r["start_reason"], "--json: the start figures are null, with the reason")
    check(r["travel_a"] is not None and abs(r["travel_a"]["relative_distance"] - known["travel_a"]["relative_distance"]) < 1e-9,
          "A's own travel is still measured")
    info = run_json("info", bu)
    check(info["format_version"] == 3 and info["provenance"]["start"] == "unknown", "info --json: an unknown start", info["provenance"])
    check("start        unknown" in run("info", bu).stdout, "info: an unknown start in plain words")

    # ---- supplied start: the figures from the stored start, as numpy computes them ----
    bs = tool("supplied", b, "b-supplied", c)   # c's parameters as B's start: not what its seeds make
    r = run_json("compare", a, bs, *data, "--points", 2)
    pa, pb, a0, b0 = flat(params(a, tmp)), flat(params(b, tmp)), flat(start_params(a, tmp)), flat(params(c, tmp))
    check(np.array_equal(flat(start_params(bs, tmp)), b0), "the supplied start is stored bit for bit")
    d, d0 = pa - pb, a0 - b0
    cosine = d @ d0 / np.sqrt((d @ d) * (d0 @ d0))
    travel_a, travel_b = np.linalg.norm(pa - a0) / np.linalg.norm(pa), np.linalg.norm(pb - b0) / np.linalg.norm(pb)
    check(abs(r["start_cosine"] - cosine) < 1e-6, "cosine of A - B with A0 - B0 (supplied)", (r["start_cosine"], cosine))
    check(abs(r["travel_a"]["relative_distance"] - travel_a) < 1e-6 and abs(r["travel_b"]["relative_distance"] - travel_b) < 1e-6,
          "training moved A and B (supplied)", (r["travel_b"]["relative_distance"], travel_b))
    check(abs(r["start"]["l2"] - np.linalg.norm(d0)) < 1e-6 * np.linalg.norm(d0), "the distance of the starts")
    # The seeds' start supplied explicitly: the same figures as rebuilt from the seeds.
    bseed = tool("supplied", b, "b-seed-start")
    r = run_json("compare", a, bseed, *data, "--points", 2)
    check(all(r[k] == known[k] for k in ["start", "travel_a", "travel_b", "start_cosine", "blank"]),
          "a supplied start equal to the seeds' gives the seeds' figures")
    seeds_cos = (pa - pb) @ (a0 - flat(start_params(b, tmp)))
    seeds_cos /= np.linalg.norm(pa - pb) * np.linalg.norm(a0 - flat(start_params(b, tmp)))
    check(abs(known["start_cosine"] - seeds_cos) < 1e-6, "the seeds' cosine against numpy", (known["start_cosine"], seeds_cos))
    check("start        supplied in the file" in run("info", bs).stdout and run_json("info", bs)["provenance"]["start"] == "supplied",
          "info: a supplied start")

    # ---- identical: a model with itself, and with an exact copy ----
    copy = os.path.join(tmp, "a-copy.tnm")
    shutil.copyfile(a, copy)
    for other in [a, copy]:
        p = run("compare", a, other, *data, "--points", 2)
        lines = [line for line in p.stdout.splitlines() if line and not line.startswith(("A = ", "B = "))]
        check(p.returncode == 0 and len(lines) == 1 and "identical" in lines[0], "compare a %s: identical in one sentence"
              % os.path.basename(other), lines)
        r = run_json("compare", a, other, *data, "--points", 2)
        check(r["identical"] is True and list(r["findings"]) == ["answer"], "--json: identical, no other finding")
    check(known["identical"] is False, "two trainings are not identical")

    # ---- align and canon: the start follows the network ----
    for flips in [[], ["--no-flips"]]:
        out = os.path.join(tmp, "b-aligned.tnm")
        r = json.loads(run("align", a, b, "--out", out, "--force", "--json", *flips).stdout)
        perm, flip = r["permutations"][0], r["flips"][0]
        want_net, want_start = moved(params(b, tmp), perm, flip), moved(start_params(b, tmp), perm, flip)
        got_net, got_start = params(out, tmp), start_params(out, tmp)
        check(run_json("info", out)["provenance"]["start"] == "supplied", "align: a seeds start becomes supplied")
        check(max(np.abs(flat(got_net) - flat(want_net))) < 1e-5, "align: the network as numpy moves it %s" % flips)
        check(max(np.abs(flat(got_start) - flat(want_start))) < 1e-5 and
              np.array_equal(got_start[0], want_start[0].astype(np.float32)),
              "align: the start permuted and negated as the network %s" % flips, max(np.abs(flat(got_start) - flat(want_start))))
        check(sum(flip) > 0 or flips, "align with flips negates some units", sum(flip))
    # canon: B's rows are found again in the canonical model's, up to sign; the start's rows follow
    out = os.path.join(tmp, "b-canon.tnm")
    run("canon", b, "--out", out)
    w, wc, s, sc = params(b, tmp)[0], params(out, tmp)[0], start_params(b, tmp)[0], start_params(out, tmp)[0]
    perm, sign = [], []
    for i in range(len(wc)):
        j = next((j for j in range(len(w)) if np.array_equal(wc[i], w[j]) or np.array_equal(wc[i], -w[j])), None)
        perm.append(j)
        sign.append(1.0 if j is not None and np.array_equal(wc[i], w[j]) else -1.0)
    check(None not in perm and sorted(perm) == list(range(len(w))), "canon: its rows are B's, permuted and negated")
    check(None not in perm and np.array_equal(sc, s[perm] * np.array(sign, np.float32)[:, None]),
          "canon: the start's rows permuted and negated as the network's")
    out = os.path.join(tmp, "bu-canon.tnm")
    run("canon", bu, "--out", out)
    check(run_json("info", out)["provenance"]["start"] == "unknown", "canon: an unknown start stays unknown")

    # ---- absurd magnitudes ----
    big = tool("absurd", b, "b-absurd")
    text = run("compare", a, big, *data, "--points", 2, "--full").stdout
    check("B's parameters reach 3.4e38: no distance between them is meaningful" in text, "3.4e38 is named absurd")
    findings = [line for line in text.splitlines() if line and not line.startswith((" ", "A = ", "B = "))]
    check(not any(re.search(r"\de\+?\d\d", line) for line in findings if "3.4e38" not in line) and
          not any(re.search(r"\d{12}", line) for line in text.splitlines()), "no 40-digit or e+38 distance is printed")
    r = run_json("compare", a, big, *data, "--points", 2)
    check(r["absurd"] is True and "3.4e38" in r["absurd_reason"] and "start" not in r["findings"], "--json: absurd")

    # ---- the baseline: by the models' init scheme, or left out ----
    check(known["baseline_init"] == "normal" and known["baseline"] is not None, "the baseline of two normal models")
    bi = tool("init-unknown", b, "b-init-unknown")
    p = run("compare", a, bi, *data, "--points", 2)
    r = run_json("compare", a, bi, *data, "--points", 2)
    check(r["baseline"] is None and "b-init-unknown.tnm" in r["baseline_reason"] and "two fresh" not in p.stdout,
          "an unknown init: no baseline, and why")
    ta, tb = train("ta", "--seed", 1, "--init", "torch"), train("tb", "--seed", 2, "--init", "torch")
    check(run_json("info", ta)["init"] == "torch", "train --init torch")
    check(run_json("compare", ta, tb, *data, "--points", 2)["baseline_init"] == "torch", "the baseline of two torch models")
    r = run_json("compare", a, tb, *data, "--points", 2)
    check(r["baseline"] is None and "torch" in r["baseline_reason"], "different schemes: no baseline", r.get("baseline_reason"))
    shutil.rmtree(tmp)
    return finish()


if __name__ == "__main__":
    sys.exit(main())
