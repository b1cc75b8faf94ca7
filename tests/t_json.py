"""Every command's --json output is valid JSON (RFC 8259, strict: no NaN, no raw control
characters, valid UTF-8) for file names with quotes, backslashes, tabs, newlines, control
characters and invalid UTF-8, and for a training whose numbers diverge to NaN: names come back
as given (invalid bytes as U+FFFD) and non-finite numbers as null."""
import json, os, struct, subprocess, sys, tempfile

from pycheck import check, finish

TWINNET = os.environ.get("TWINNET", os.path.join(os.environ.get("BUILD", "build"), "twinnet")).encode()


def reject_constant(name):
    raise ValueError("non-finite number " + name + " in JSON")


def parse_lines(raw, what):
    """Each line one strict JSON value; returns them, or [] after a failure."""
    try:
        text = raw.decode("utf-8")  # strict: invalid UTF-8 in the output is a failure
        values = [json.loads(line, parse_constant=reject_constant) for line in text.splitlines()]
    except ValueError as e:
        check(False, "%s: not valid JSON (%s): %r" % (what, e, raw[:300]))
        return []
    check(len(values) > 0, what + ": some output")
    return values


def run(args, what, parse=True):
    p = subprocess.run([TWINNET] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    check(p.returncode == 0, "%s: exit %d: %r" % (what, p.returncode, p.stderr[:300]))
    return parse_lines(p.stdout, what) if parse else []


def shown(name):
    """What a file name should read as in the JSON: the bytes as UTF-8, invalid ones U+FFFD."""
    return name.decode("utf-8", errors="replace")


def write_idx(path, n, labels):
    with open(path, "wb") as f:
        if labels:
            f.write(struct.pack(">BBBBI", 0, 0, 8, 1, n) + bytes(i % 10 for i in range(n)))
        else:
            pix = bytes((i * 37 + e * 11) % 256 if (i + e) % 3 else 0 for e in range(n) for i in range(784))
            f.write(struct.pack(">BBBBIII", 0, 0, 8, 3, n, 28, 28) + pix)


def write_pgm(path, seed):
    with open(path, "wb") as f:
        f.write(b"P5\n28 28\n255\n" + bytes((i * seed) % 256 for i in range(784)))


NAMES = [b'q"uote', b"back\\slash", b"tab\there", b"new\nline", b"ctrl\x01\x1f", b"bad\xff\xfeutf8",
         b"cut\xe2\x82", b"surrogate\xed\xa0\x80", "ünïcødé ✓".encode()]

with tempfile.TemporaryDirectory() as tmp:
    d = tmp.encode()
    for i, name in enumerate(NAMES):
        base = d + b"/" + name
        ti, tl, vi, vl = base + b"-ti", base + b"-tl", base + b"-vi", base + b"-vl"
        write_idx(ti, 60, False); write_idx(tl, 60, True); write_idx(vi, 20, False); write_idx(vl, 20, True)
        data = [b"--train-images", ti, b"--train-labels", tl, b"--test-images", vi, b"--test-labels", vl]
        model, trace = base + b".tnm", base + b".trace"
        small = [b"--sizes", b"784,10", b"--epochs", b"2", b"--batch", b"10", b"--trace-every", b"2"]
        lines = run([b"train"] + data + small + [b"--trace", trace, b"--out", model, b"--json"], "train %r" % name)
        if lines:
            check(lines[-1].get("out") == shown(model), "train %r: out %r" % (name, lines[-1].get("out")))
            check(all(isinstance(l.get("epoch"), int) for l in lines[:-1]), "train %r: epoch lines" % name)
        run([b"info", model, b"--json"], "info %r" % name)
        ev = run([b"eval", model, b"--test-images", vi, b"--test-labels", vl, b"--json"], "eval %r" % name)
        check(bool(ev) and ev[0].get("total") == 20, "eval %r: total" % name)
        img = base + b".pgm"
        write_pgm(img, 7 + i)
        pr = run([b"predict", model, img, b"--json"], "predict %r" % name)
        check(bool(pr) and pr[0].get("file") == shown(img), "predict %r: file %r" % (name, pr and pr[0].get("file")))
        other = base + b"-b.trace"
        run([b"train"] + data + small + [b"--seed", b"2", b"--trace", other, b"--out", base + b"-b.tnm", b"--quiet"],
            "train %r, seed 2" % name, parse=False)
        dv = run([b"diverge", trace, other, b"--json"], "diverge %r" % name)
        check(bool(dv) and dv[0].get("first_diverging_step") == 0, "diverge %r: diverges at step 0" % name)
        cmp = run([b"compare", model, base + b"-b.tnm", b"--points", b"2", b"--json"] + data, "compare %r" % name)
        check(bool(cmp) and "raw" in cmp[0] and "disagreement" in cmp[0], "compare %r: fields" % name)
        run([b"align", model, base + b"-b.tnm", b"--out", base + b"-al.tnm", b"--json"], "align %r" % name)
        run([b"canon", model, b"--out", base + b"-canon.tnm", b"--json"], "canon %r" % name)
        run([b"export", model, b"--npz", base + b".npz", b"--json"], "export %r" % name)
        if i < 2:  # a sweep and its report, in a directory with the hostile name
            sw = run([b"sweep", b"--runs", b"2", b"--vary", b"init", b"--vary", b"none", b"--epochs", b"1", b"--sizes",
                      b"784,10", b"--jobs", b"1", b"--points", b"2", b"--out", base + b"-sweep", b"--json"] + data,
                     "sweep %r" % name)
            check(bool(sw) and sw[0].get("dir") == shown(base + b"-sweep") and len(sw[0].get("attribution", [])) == 2,
                  "sweep %r: dir and table" % name)
            run([b"report", base + b"-sweep", b"--out", base + b".html", b"--json"] + data, "report %r" % name)

    # A training whose numbers blow up: costs are NaN, and JSON says null.
    base = d + b"/x"
    data = [b"--train-images", base + b"-ti", b"--train-labels", base + b"-tl", b"--test-images", base + b"-vi",
            b"--test-labels", base + b"-vl"]
    for suffix, labels, n in ((b"-ti", False, 60), (b"-tl", True, 60), (b"-vi", False, 20), (b"-vl", True, 20)):
        write_idx(base + suffix, n, labels)
    blown = [b"--sizes", b"784,30,10", b"--cost", b"cross-entropy", b"--lambda", b"1e6", b"--eta", b"1e6", b"--epochs", b"2"]
    p = subprocess.run([TWINNET, b"train"] + data + blown + [b"--out", base + b".tnm", b"--json"], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE)
    lines = parse_lines(p.stdout, "diverged training")
    costs = [l.get("cost") for l in lines if "epoch" in l]
    check(len(costs) == 0 or all(c is None or isinstance(c, float) for c in costs), "diverged costs: %r" % costs)
    print("diverged training: exit %d, costs %r" % (p.returncode, costs))

sys.exit(finish())
