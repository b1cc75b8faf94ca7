"""One SGD step of twinnet against PyTorch: build/tests/test_torch_step dumps a network, a
mini-batch of 10 and the parameters after tn_sgd_step; here the same step is redone in float64
with network.py's backprop formulas and again with torch autograd, for every cost and hidden
activation, with and without L2; every parameter must agree to 1e-5 of its tensor's scale."""
import os
import subprocess
import sys
import tempfile

from pycheck import check, finish

try:
    import numpy as np
    import torch
except Exception:  # not installed, or installed but broken
    print("skipped: PyTorch (python3-torch) not installed")
    sys.exit(77)

BUILD = os.environ.get("BUILD", "build")
HELPER = os.path.join(BUILD, "tests", "test_torch_step")
BATCH = 10

# Parameters after the step: |twinnet - reference| <= PARAM_TOL * max(|reference|, scale), where
# scale is the largest |parameter| of the tensor. Single elements are not held to 1e-5 of their
# own size: float32 derivatives such as tanh's 1 - a^2 lose relative precision when a unit
# saturates, and a weight stepped near 0 keeps the rounding of its old size.
PARAM_TOL = 1e-5
# The step itself (after - before) per tensor: its error over the largest step of the tensor,
# plus the float32 rounding of the parameters it is read from (2 ulps of the largest |param|).
STEP_TOL = 1e-4


def load_f32(path):
    return np.fromfile(path, dtype="<f4").astype(np.float64)


def split_canonical(flat, sizes):
    """Canonical order: per layer W (out, in) row-major, then b (out)."""
    layers, k = [], 0
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        W = flat[k:k + n_in * n_out].reshape(n_out, n_in)
        k += n_in * n_out
        b = flat[k:k + n_out]
        k += n_out
        layers.append((W, b))
    assert k == flat.size, (k, flat.size)
    return layers


def hidden(act, z):
    if act == "sigmoid":
        return torch.sigmoid(z)
    if act == "tanh":
        return torch.tanh(z)
    return torch.relu(z)


def hidden_prime(act, z):
    if act == "sigmoid":
        s = torch.sigmoid(z)
        return s * (1 - s)
    if act == "tanh":
        return 1 - torch.tanh(z) ** 2
    return (z > 0).to(z.dtype)  # relu: derivative 0 at the kink, as twinnet


def step_network_py(layers, x, y, cost, act, eta, lam, n_train):
    """network.py / network2.py: backprop per example (here as columns of a batch), nabla
    summed, then w <- (1 - eta lam/n) w - eta/m nabla_w and b <- b - eta/m nabla_b."""
    Ws = [torch.tensor(W) for W, _ in layers]
    bs = [torch.tensor(b) for _, b in layers]
    a, activations, zs = x, [x], []
    for l, (W, b) in enumerate(zip(Ws, bs)):
        z = a @ W.T + b
        zs.append(z)
        if l < len(Ws) - 1:
            a = hidden(act, z)
        elif cost == "log-likelihood":
            a = torch.softmax(z, dim=1)
        else:
            a = torch.sigmoid(z)
        activations.append(a)
    if cost == "quadratic":  # (a - y) sigma'(z)
        delta = (a - y) * torch.sigmoid(zs[-1]) * (1 - torch.sigmoid(zs[-1]))
    else:  # cross-entropy with sigmoid, log-likelihood with softmax: a - y
        delta = a - y
    nabla_w, nabla_b = [None] * len(Ws), [None] * len(Ws)
    for l in range(len(Ws) - 1, -1, -1):
        if l < len(Ws) - 1:
            delta = (delta @ Ws[l + 1]) * hidden_prime(act, zs[l])
        nabla_w[l] = delta.T @ activations[l]  # summed over the batch
        nabla_b[l] = delta.sum(dim=0)
    m = x.shape[0]
    decay = 1 - eta * lam / n_train
    return [(decay * W - eta / m * nw, b - eta / m * nb)
            for W, b, nw, nb in zip(Ws, bs, nabla_w, nabla_b)]


def step_autograd(layers, x, labels, cost, act, eta, lam, n_train):
    """The same step from torch autograd of the summed per-example cost."""
    params = [(torch.tensor(W, requires_grad=True), torch.tensor(b, requires_grad=True)) for W, b in layers]
    a = x
    for l, (W, b) in enumerate(params):
        z = a @ W.T + b
        a = hidden(act, z) if l < len(params) - 1 else z
    y = torch.nn.functional.one_hot(labels, a.shape[1]).to(a.dtype)
    if cost == "quadratic":
        loss = 0.5 * ((torch.sigmoid(a) - y) ** 2).sum()
    elif cost == "cross-entropy":
        loss = torch.nn.functional.binary_cross_entropy_with_logits(a, y, reduction="sum")
    else:
        loss = torch.nn.functional.cross_entropy(a, labels, reduction="sum")
    loss.backward()
    m = x.shape[0]
    decay = 1 - eta * lam / n_train
    with torch.no_grad():
        return [(decay * W - eta / m * W.grad, b - eta / m * b.grad) for W, b in params]


def compare(before, got, want):
    """Max error of the parameters after the step (relative, with a floor) and of the step."""
    scale = max(np.abs(want).max(), 1e-30)
    param_err = (np.abs(got - want) / np.maximum(np.abs(want), scale)).max()
    step_want, step_got = want - before, got - before
    step_scale = np.abs(step_want).max()
    ulp_floor = 2 * np.spacing(np.float32(np.abs(before).max() + step_scale))
    step_err = np.abs(step_got - step_want).max() / (step_scale + 1e-300)
    step_ok = np.abs(step_got - step_want).max() <= STEP_TOL * step_scale + ulp_floor
    return param_err, step_err, step_scale, bool(param_err <= PARAM_TOL and step_ok)


def run_case(tmp, sizes, cost, act, init, eta, lam, n_train, seed):
    args = [HELPER, "dump", tmp, ",".join(map(str, sizes)), cost, act, init,
            repr(eta), repr(lam), str(n_train), str(seed)]
    proc = subprocess.run(args, capture_output=True, text=True)
    if proc.returncode != 0:
        return False, f"{' '.join(args)} exited {proc.returncode}: {proc.stderr.strip()}"
    before = load_f32(os.path.join(tmp, "params0.f32"))
    after = load_f32(os.path.join(tmp, "params1.f32"))
    pixels = np.fromfile(os.path.join(tmp, "pixels.u8"), dtype=np.uint8).reshape(BATCH, sizes[0])
    labels = torch.tensor(np.fromfile(os.path.join(tmp, "labels.u8"), dtype=np.uint8).astype(np.int64))
    # twinnet scales a pixel v to (float)v / 255.0f: use those float32 values exactly.
    x = torch.tensor((pixels.astype(np.float32) / np.float32(255.0)).astype(np.float64))
    y = torch.nn.functional.one_hot(labels, sizes[-1]).to(torch.float64)
    layers0 = split_canonical(before, sizes)
    layers1 = split_canonical(after, sizes)
    ref = step_network_py(layers0, x, y, cost, act, eta, lam, n_train)
    auto = step_autograd(layers0, x, labels, cost, act, eta, lam, n_train)
    ok = True
    worst_param = worst_step = 0.0
    formulas_vs_autograd = 0.0
    for l, ((W0, b0), (W1, b1), (Wr, br), (Wa, ba)) in enumerate(zip(layers0, layers1, ref, auto)):
        for name, p0, p1, pr, pa in ((f"W{l + 1}", W0, W1, Wr, Wa), (f"b{l + 1}", b0, b1, br, ba)):
            pr, pa = pr.numpy(), pa.numpy()
            formulas_vs_autograd = max(formulas_vs_autograd,
                                       np.abs(pr - pa).max() / max(np.abs(pr - p0).max(), 1e-300))
            param_err, step_err, step_scale, good = compare(p0, p1, pr)
            worst_param, worst_step = max(worst_param, param_err), max(worst_step, step_err)
            if step_scale < 1e-6:
                print(f"FAIL {name}: the reference step is only {step_scale:.3g}: nothing is tested")
                good = False
            if not good:
                print(f"FAIL {name}: param error {param_err:.3g} (tol {PARAM_TOL}), "
                      f"step error {step_err:.3g} of max step {step_scale:.3g}")
            ok = ok and good
    if formulas_vs_autograd > 1e-9:
        print(f"FAIL network.py formulas and autograd disagree by {formulas_vs_autograd:.3g}")
        ok = False
    return ok, (f"{','.join(map(str, sizes)):<12} {cost:<14} {act:<7} {init:<6} "
                f"eta {eta:<3} lambda {lam:<3}: max param error {worst_param:.2e}, "
                f"max step error {worst_step:.2e} (formulas vs autograd {formulas_vs_autograd:.1e})")


def main():
    if not check(os.access(HELPER, os.X_OK), f"{HELPER} built (make tests)"):
        return finish()
    torch.set_num_threads(1)
    cases = []
    for cost in ("quadratic", "cross-entropy", "log-likelihood"):
        for act in ("sigmoid", "tanh", "relu"):
            # network.py (eta 3, no L2) and network2.py (eta 0.5, lambda 5 over n = 50000)
            cases.append(([784, 30, 10], cost, act, "scaled", 3.0, 0.0, 50000, 1))
            cases.append(([784, 30, 10], cost, act, "scaled", 0.5, 5.0, 50000, 2))
        cases.append(([784, 30, 20, 10], cost, "relu", "scaled", 0.5, 5.0, 1000, 3))
        cases.append(([784, 30, 20, 10], cost, "tanh", "scaled", 3.0, 0.0, 50000, 4))
    cases.append(([784, 30, 10], "quadratic", "sigmoid", "normal", 3.0, 0.0, 50000, 1))  # network.py as is
    with tempfile.TemporaryDirectory(prefix="twinnet-torch-") as tmp:
        for case in cases:
            check(*run_case(tmp, *case))
    return finish()


if __name__ == "__main__":
    sys.exit(main())
