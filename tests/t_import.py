"""twinnet import and the writers behind export --network2-json and --safetensors, against
networks trained outside twinnet: a network.py pair trained by our own numpy port
(tests/nielsen_port.py) saved as Nielsen's lists, with and without their starts; a PyTorch
[784,100,10] ReLU network (softmax, cross-entropy, torchvision's normalisation) saved as
safetensors written by hand (F32, F64, F16, BF16), and a copy with its hidden units permuted;
network2.py's JSON written from numpy and read back by our own reader; round trips of the
fingerprint; and bad files, each refused with one line naming the key.
Exit 0 passes, 1 fails, 77 skips (numpy, torch or MNIST absent)."""
import hashlib
import json
import os
import struct
import subprocess
import sys
import tempfile
import zipfile

from pycheck import check, finish, mnist_dir

try:
    import numpy as np
except ImportError:
    print("skipped: numpy is not installed (Debian: python3-numpy)")
    sys.exit(77)

TWINNET = os.environ.get("TWINNET", "build/twinnet")
PY = sys.executable
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import nielsen_port  # noqa: E402  (our own numpy port of network.py's training)


def run(*args, rc=0):
    p = subprocess.run([TWINNET] + [str(a) for a in args], capture_output=True, text=True)
    if rc is not None and p.returncode != rc:
        check(False, "%s: exit %d, want %d: %s" % (" ".join(map(str, args)), p.returncode, rc, p.stderr.strip()))
    return p


def run_json(*args):
    return json.loads(run(*args, "--json").stdout)


def sha_f32(arrays):
    return hashlib.sha256(b"".join(np.ascontiguousarray(a, dtype="<f4").tobytes() for a in arrays)).hexdigest()


def fold(weights, biases, scale, mean, std):
    """The import's folding in double (W' = W s/std, b' = b - (mean/std) * row sums in index order),
    then float32: canonical order W1, b1, W2, b2, ..."""
    out = []
    for l, (w, b) in enumerate(zip(weights, biases)):
        w, b = np.asarray(w, np.float64), np.asarray(b, np.float64).reshape(-1)
        if l == 0:
            sums = np.cumsum(w, axis=1)[:, -1]
            w = w * (scale / std)
            if mean != 0:
                b = b - (mean / std) * sums
        out += [w.astype(np.float32), b.astype(np.float32)]
    return out


def safetensors(path, tensors, dtype="F32"):
    """tensors: [(key, float array)], written as safetensors does: u64 header length, JSON, data."""
    header, data = {}, b""
    for key, a in tensors:
        if dtype == "BF16":
            raw = (np.ascontiguousarray(a, "<f4").view("<u4") >> 16).astype("<u2").tobytes()
        else:
            raw = np.ascontiguousarray(a, {"F32": "<f4", "F64": "<f8", "F16": "<f2"}[dtype]).tobytes()
        header[key] = {"dtype": dtype, "shape": list(a.shape), "data_offsets": [len(data), len(data) + len(raw)]}
        data += raw
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + data)


def read_safetensors(path):
    raw = open(path, "rb").read()
    n = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8:8 + n])
    header.pop("__metadata__", None)
    return {k: np.frombuffer(raw[8 + n + v["data_offsets"][0]:8 + n + v["data_offsets"][1]], "<f4").reshape(v["shape"])
            for k, v in header.items()}


def one_line_error(args, rc, *words, what=None):
    p = run(*args, rc=None)
    err = p.stderr.strip()
    good = p.returncode == rc and len(err.splitlines()) == 1 and all(w in err for w in words)
    check(good, what or "refused: " + " ".join(words), "exit %d, %r" % (p.returncode, err))


data = mnist_dir()
train_x, train_y, test_x, test_y = nielsen_port.mnist(data, divisor=255.0)
tmp = tempfile.mkdtemp(prefix="t_import.")
T = lambda name: os.path.join(tmp, name)  # noqa: E731

# ---- network.py: seeds 1 and 2, 2 epochs on 10,000 examples, Nielsen's lists ---------------
nielsen_x = train_x[:10000] * (255.0 / 256.0)   # k/256, as mnist.pkl.gz holds
nets = {}
for seed in (1, 2):
    start, (weights, biases) = nielsen_port.train([784, 30, 10], seed, 2, nielsen_x, train_y[:10000])
    np.savez(T("n%d.npz" % seed), *weights, *biases)
    np.savez(T("n%d-start.npz" % seed), *start[0], *start[1])
    correct = nielsen_port.accuracy(weights, biases, test_x * (255.0 / 256.0), test_y)
    nets[seed] = (start, weights, biases, correct)

for seed in (1, 2):
    start, weights, biases, correct = nets[seed]
    p = run("import", T("n%d.npz" % seed), "--out", T("n%d.tnm" % seed), "--inputs", "nielsen", "--json")
    info = json.loads(p.stdout)
    check(info["format"] == "npz" and info["layout"].startswith("arr_0") and info["dtypes"] == "F64",
          "n%d.npz: read as Nielsen's lists of float64" % seed, info["layout"])
    check(info["start"] == "unknown" and info["data_unknown"] and info["init"] == "normal",
          "n%d.npz without --start: start unknown, data unknown, init normal (network.py)" % seed)
    check(not info["activation_stated"] and "taken as sigmoid and quadratic" in p.stderr,
          "activation and cost assumed, and said so on stderr", p.stderr.strip())
    check(info["fingerprint"] == sha_f32(fold(weights, biases, 255 / 256, 0, 1)),
          "n%d: the parameters are numpy's, k/256 folded, rounded to float32" % seed)
    check(0 < info["max_rounding"] <= 2.0 ** -24, "largest relative rounding reported: %.3g" % info["max_rounding"])
    ev = run_json("eval", T("n%d.tnm" % seed))
    check(abs(ev["correct"] - correct) <= 1, "n%d: eval %d correct, numpy's forward pass on k/256: %d" % (seed, ev["correct"], correct))
    info = run_json("import", T("n%d.npz" % seed), "--out", T("n%d-s.tnm" % seed), "--inputs", "nielsen",
                    "--start", T("n%d-start.npz" % seed))
    check(info["start"] == "supplied" and info["start_fingerprint"] == sha_f32(fold(start[0], start[1], 255 / 256, 0, 1)),
          "n%d with --start: start supplied, numpy's start (folded alike) rounded to float32" % seed)
    check(info["fingerprint"] == run_json("info", T("n%d.tnm" % seed))["fingerprint"], "the start changes nothing in the network")

# ---- what compare says of the pair: nothing about the starts without them; with them, numpy's figures
def flat_folded(ws, bs):
    ws = [w.copy() for w in ws]
    ws[0] = ws[0] * (255.0 / 256.0)   # the import folds k/256 into layer 1; the start alike
    return np.concatenate([np.concatenate([w.ravel(), np.ravel(b)]) for w, b in zip(ws, bs)])


p = run("compare", T("n1.tnm"), T("n2.tnm"), "--full")
check("its start is not known" in p.stdout and "Training moved" not in p.stdout and "cosine of" not in p.stdout,
      "compare without starts: no start finding, one line why",
      [l for l in p.stdout.splitlines() if "start" in l][:2])
blank = [l for l in p.stdout.splitlines() if "inputs are 0" in l]
check(len(blank) == 1 and "trained on is not known" in blank[0] and "get no gradient from the data" not in blank[0],
      "compare of imported models: the blank inputs' lack of gradient is not stated as fact (data not known)", blank)
cj = run_json("compare", T("n1.tnm"), T("n2.tnm"))
check(cj["start_cosine"] is None and cj["travel_a"] is None and cj.get("start_reason"),
      "compare --json without starts: start_cosine and travel null, with the reason")
info_text = run("info", T("n1.tnm")).stdout
check("training     not known (imported" in info_text and "seeds        init" not in info_text,
      "info on an imported model: its training and seeds are not known, not 0 epochs and seed 0")
run("report", T("n1.tnm"), T("n2.tnm"), "--data", data, "--out", T("n.html"))
page = open(T("n.html"), encoding="utf-8").read()
check("A imported from npz" in page and "B imported from npz" in page and "how they were trained is not known" in page
      and "epochs of mini-batches" not in page,
      "report on imported models: no epochs, batch or learning rate claimed, 'how it was trained is not known'")
cj = run_json("compare", T("n1-s.tnm"), T("n2-s.tnm"))
a, b = flat_folded(nets[1][1], nets[1][2]), flat_folded(nets[2][1], nets[2][2])
a0, b0 = flat_folded(*nets[1][0]), flat_folded(*nets[2][0])
cos = (a - b) @ (a0 - b0) / np.linalg.norm(a - b) / np.linalg.norm(a0 - b0)
moved_a, moved_b = np.linalg.norm(a - a0) / np.linalg.norm(a), np.linalg.norm(b - b0) / np.linalg.norm(b)
check(abs(cj["start_cosine"] - cos) < 1e-3, "with starts: cosine of A-B with A0-B0 %.6f, numpy's %.6f" % (cj["start_cosine"], cos))
check(abs(cj["travel_a"]["relative_distance"] - moved_a) < 1e-3 and abs(cj["travel_b"]["relative_distance"] - moved_b) < 1e-3,
      "with starts: training moved A %.6f, B %.6f; numpy's %.6f, %.6f"
      % (cj["travel_a"]["relative_distance"], cj["travel_b"]["relative_distance"], moved_a, moved_b))

# compressed archive, and npz with nn.Sequential's keys (what a .pt user converts)
_, w1, b1, _ = nets[1]
np.savez_compressed(T("n1z.npz"), *w1, *b1)
check(run_json("import", T("n1z.npz"), "--out", T("n1z.tnm"), "--inputs", "nielsen")["fingerprint"]
      == run_json("info", T("n1.tnm"))["fingerprint"], "np.savez_compressed: the same network")
np.savez(T("seq.npz"), **{"0.weight": w1[0], "0.bias": b1[0].ravel(), "2.weight": w1[1], "2.bias": b1[1].ravel()})
info = run_json("import", T("seq.npz"), "--out", T("seq.tnm"), "--inputs", "nielsen")
check(info["layout"].startswith("nn.Sequential") and info["fingerprint"] == run_json("info", T("n1.tnm"))["fingerprint"],
      "npz with nn.Sequential's keys: the same network", info["layout"])

# ---- network2.py's JSON: written from numpy as its save() does, and read back ---------------
with open(T("n1.json"), "w") as f:
    json.dump({"sizes": [784, 30, 10], "weights": [w.tolist() for w in w1], "biases": [b.tolist() for b in b1],
               "cost": "CrossEntropyCost"}, f)
info = run_json("import", T("n1.json"), "--out", T("n1j.tnm"), "--inputs", "nielsen")
check(info["format"] == "network2-json" and info["cost"] == "cross-entropy" and info["cost_stated"] and info["activation_stated"],
      "network2 JSON: its cost read, sigmoid stated")
check(info["fingerprint"] == run_json("info", T("n1.tnm"))["fingerprint"], "network2 JSON: the same parameters as the .npz")
one_line_error(["import", T("n1.json"), "--out", T("x.tnm"), "--activation", "relu"], 2, "sigmoid", "contradicts")
one_line_error(["import", T("n1.json"), "--out", T("x.tnm"), "--cost", "quadratic"], 2, "cross-entropy", "contradicts")

run("train", "--train-size", 2000, "--epochs", 1, "--quiet", "--out", T("tw.tnm"))
fp = run_json("info", T("tw.tnm"))["fingerprint"]
run("export", T("tw.tnm"), "--network2-json", T("tw.json"))
doc = json.load(open(T("tw.json")))
check(sorted(doc) == ["biases", "cost", "sizes", "weights"] and doc["cost"] == "QuadraticCost"
      and np.asarray(doc["biases"][0]).shape == (30, 1), "export --network2-json: network2.py's keys and shapes")
ws = [np.asarray(w, np.float64) for w in doc["weights"]]
bs = [np.asarray(b, np.float64) for b in doc["biases"]]
pick = test_x[:5]
ours = nielsen_port.forward(ws, bs, pick)
for k in range(5):
    img = T("img%d.pgm" % k)
    with open(img, "wb") as f:
        f.write(b"P5 28 28 255\n" + (pick[k] * 255).round().astype(np.uint8).tobytes())
pred = [json.loads(line) for line in run("predict", T("tw.tnm"), *[T("img%d.pgm" % k) for k in range(5)], "--raw", "--json").stdout.splitlines()]
diff = max(float(np.abs(np.asarray(p["probabilities"]) - ours[k] / ours[k].sum()).max()) for k, p in enumerate(pred))
check(diff < 1e-5, "our reader of the exported JSON gives twinnet's outputs on 5 images (max difference %.2g)" % diff)
check(run_json("import", T("tw.json"), "--out", T("tw2.tnm"))["fingerprint"] == fp, "twinnet -> network2 JSON -> twinnet: the same fingerprint")
run("export", T("tw.tnm"), "--safetensors", T("tw.safetensors"))
st = read_safetensors(T("tw.safetensors"))
check(sorted(st) == ["0.bias", "0.weight", "2.bias", "2.weight"] and st["0.weight"].shape == (30, 784),
      "export --safetensors: nn.Sequential's keys and shapes")
check(run_json("import", T("tw.safetensors"), "--out", T("tw3.tnm"))["fingerprint"] == fp, "twinnet -> safetensors -> twinnet: the same fingerprint")

# ---- PyTorch: [784,100,10] ReLU, softmax and cross-entropy, torchvision's normalisation -----
try:
    import torch
except ImportError:
    torch = None
    check(True, "PyTorch is not installed: its part is left out")
if torch is not None:
    torch.manual_seed(1)
    torch.set_num_threads(1)
    model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(784, 100), torch.nn.ReLU(), torch.nn.Linear(100, 10))
    norm = lambda x: torch.tensor(((x - 0.1307) / 0.3081).astype(np.float32))  # noqa: E731  ToTensor + Normalize, by hand
    xs, ys = norm(train_x[:10000]), torch.tensor(train_y[:10000])
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    order = torch.randperm(10000)
    for k in range(0, 10000, 32):
        idx = order[k:k + 32]
        opt.zero_grad()
        torch.nn.functional.cross_entropy(model(xs[idx]), ys[idx]).backward()
        opt.step()
    with torch.no_grad():
        torch_correct = int((model(norm(test_x)).argmax(1).numpy() == test_y).sum())
    sd = {k: v.detach().numpy() for k, v in model.state_dict().items()}
    opts = ["--inputs", "torchvision-mnist", "--activation", "relu", "--cost", "log-likelihood"]
    results = {}
    for dtype in ("F32", "F64", "F16", "BF16"):
        safetensors(T("pt-%s.safetensors" % dtype), [(k, sd[k]) for k in ("1.weight", "1.bias", "3.weight", "3.bias")], dtype)
        info = run_json("import", T("pt-%s.safetensors" % dtype), "--out", T("pt-%s.tnm" % dtype), *opts)
        results[dtype] = (run_json("eval", T("pt-%s.tnm" % dtype))["correct"], info)
    got, info = results["F32"]
    check(info["layout"].startswith("nn.Sequential: 1.weight") and info["init"] == "torch" and info["input_mean"] == 0.1307,
          "safetensors: keys 1.weight ... (after Flatten), torchvision's scaling recorded, init torch (nn.Linear's default)", info["layout"])
    check(abs(got - torch_correct) <= 1, "PyTorch F32: eval %d correct, PyTorch's own %d" % (got, torch_correct))
    check(results["F64"][1]["dtypes"] == "F64" and results["F64"][1]["fingerprint"] == info["fingerprint"],
          "F64 copy: the same network (%d correct)" % results["F64"][0])
    check(abs(results["F16"][0] - torch_correct) <= 5, "F16 copy: %d correct (PyTorch %d)" % (results["F16"][0], torch_correct))
    check(abs(results["BF16"][0] - torch_correct) <= 50, "BF16 copy: %d correct (PyTorch %d)" % (results["BF16"][0], torch_correct))
    perm = np.random.RandomState(7).permutation(100)
    permuted = [("1.weight", sd["1.weight"][perm]), ("1.bias", sd["1.bias"][perm]), ("3.weight", sd["3.weight"][:, perm]),
                ("3.bias", sd["3.bias"])]
    safetensors(T("pt-perm.safetensors"), [(("model." + k), v) for k, v in permuted])
    info = run_json("import", T("pt-perm.safetensors"), "--out", T("pt-perm.tnm"), *opts)
    check(info["layout"].startswith("nn.Sequential: model.1.weight"), "a common prefix (model.) is accepted", info["layout"])
    cmp = run_json("compare", T("pt-F32.tnm"), T("pt-perm.tnm"))
    raw, aligned = cmp["raw"]["relative_distance"], cmp["weight_matching"]["relative_distance"]
    check(raw > 0.1 and aligned <= 1e-6, "a permuted copy: raw distance %.3g, after weight matching %.3g" % (raw, aligned))

# ---- bad input: one line naming the key, exit 1 (2 for bad flags) --------------------------
def npz_of(path, **arrays):
    np.savez(path, **arrays)
    return path


good = {"W1": np.ones((3, 4), np.float32), "b1": np.zeros(3, np.float32), "W2": np.ones((2, 3), np.float32), "b2": np.zeros(2, np.float32)}
cases = [
    ("wrong shape", dict(good, W1=np.ones((3, 4, 1), np.float32)), ["W1", "2 dimensions"]),
    ("inconsistent widths", dict(good, W2=np.ones((2, 5), np.float32)), ["W2", "takes 5 inputs", "W1"]),
    ("bias of the wrong size", dict(good, b2=np.zeros(3, np.float32)), ["b2"]),
    ("NaN", dict(good, W2=np.array([[1, np.nan, 0], [0, 0, 0]], np.float32)), ["W2", "NaN"]),
    ("Inf", dict(good, b1=np.array([0, np.inf, 0], np.float64)), ["b1", "infinite"]),
    ("integer dtype", dict(good, b1=np.zeros(3, np.int32)), ["b1", "<i4"]),
    ("missing key", {k: v for k, v in good.items() if k != "b2"}, ["b2", "missing"]),
    ("extra key", dict(good, extra=np.zeros(1)), ["extra"]),
    ("beyond float32", dict(good, W1=np.full((3, 4), 1e39)), ["W1", "float32"]),
]
for what, arrays, words in cases:
    one_line_error(["import", npz_of(T("bad.npz"), **arrays), "--out", T("bad.tnm")], 1, "bad.npz", *words, what="npz, " + what)
npz_of(T("miss.npz"), W1=good["W1"], b1=good["b1"], W2=good["W2"], W3=np.ones((2, 2)))
one_line_error(["import", T("miss.npz"), "--out", T("bad.tnm")], 1, "b2", "missing", what="npz, b2 missing: named")
np.save(T("f.npy"), np.asfortranarray(np.ones((3, 4), np.float32)))
with zipfile.ZipFile(T("fortran.npz"), "w") as z:
    z.write(T("f.npy"), "W1.npy")
    for k in ("b1", "W2", "b2"):
        np.save(T("g.npy"), good[k])
        z.write(T("g.npy"), k + ".npy")
one_line_error(["import", T("fortran.npz"), "--out", T("bad.tnm")], 1, "W1", "Fortran", what="npz, fortran_order True")
st_good = [("0.weight", good["W1"]), ("0.bias", good["b1"]), ("2.weight", good["W2"]), ("2.bias", good["b2"])]
safetensors(T("m.safetensors"), st_good[:3])
one_line_error(["import", T("m.safetensors"), "--out", T("bad.tnm")], 1, "2.bias", "missing", what="safetensors, missing key")
safetensors(T("e.safetensors"), st_good + [("head", np.ones(2, np.float32))])
one_line_error(["import", T("e.safetensors"), "--out", T("bad.tnm")], 1, "head", what="safetensors, extra key")
raw = open(T("tw.safetensors"), "rb").read()
for what, data, words in [
    ("truncated", raw[:len(raw) - 7], ["2.bias", "truncated"]),
    ("unknown dtype", raw.replace(b'"F32"', b'"I32"', 1), ["0.weight", "I32"]),
    ("header beyond the file", struct.pack("<Q", 10 ** 7) + raw[8:200], ["truncated"]),
    ("header over 100 MB", struct.pack("<Q", 2 * 10 ** 8) + raw[8:], ["100 MB"]),
    ("overlapping ranges", raw.replace(b'"data_offsets":[94080,94200]', b'"data_offsets":[94076,94196]', 1), ["overlaps"]),
    ("non-finite value", raw[:-4] + struct.pack("<f", float("inf")), ["2.bias", "infinite"]),
]:
    open(T("bad.safetensors"), "wb").write(data)
    one_line_error(["import", T("bad.safetensors"), "--out", T("bad.tnm")], 1, "bad.safetensors", *words, what="safetensors, " + what)
for what, data in [("truncated npz", open(T("n1.npz"), "rb").read()[:5000]), ("truncated JSON", open(T("n1.json"), "rb").read()[:5000])]:
    open(T("cut.bin"), "wb").write(data)
    one_line_error(["import", T("cut.bin"), "--out", T("bad.tnm")], 1, "cut.bin", what=what)
one_line_error(["import", T("n1.npz"), "--out", T("x.tnm"), "--activation", "softplus"], 2, "--activation", what="a bad flag: exit 2")
one_line_error(["import", T("n1.npz"), "--out", T("x.tnm"), "--inputs", "cifar"], 2, "--inputs", what="an unknown preset: exit 2")
one_line_error(["compare", T("n1.npz"), T("n2.tnm")], 1, "NumPy archive", "twinnet import", what="compare on an .npz points to import")
one_line_error(["eval", T("tw.safetensors")], 1, "safetensors", "twinnet import", what="eval on safetensors points to import")
one_line_error(["report", T("n1.npz"), T("n2.tnm"), "--out", T("r.html")], 1, "NumPy archive", "twinnet import",
               what="report on an .npz points to import")
run("train", "--train-size", 500, "--epochs", 1, "--quiet", "--activation", "relu", "--out", T("relu.tnm"))
one_line_error(["export", T("relu.tnm"), "--network2-json", T("relu.json")], 2, "sigmoid", what="network2 JSON of a ReLU network: refused")
sys.exit(finish())
