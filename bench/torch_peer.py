"""Bench peer: the job in PyTorch (nn.Sequential, torch.optim.SGD), one process, JSON Lines out.

Quadratic cost: 0.5*||a-y||^2 summed over the outputs of an example, averaged over the mini-batch,
so SGD(lr=eta) is network.py's w -= (eta/m) * sum of per-example gradients.
Cross-entropy: network2.py's cost sum(-y ln a - (1-y) ln(1-a)) per example, averaged over the
batch, computed from the logits (BCEWithLogits: the same function, and its gradient a-y);
L2 as network2.py: weights (not biases) get weight_decay=lambda/n.
Initial parameters: N(0,1) ('normal', network.py) or weights N(0,1/n_in) ('scaled', network2.py),
biases N(0,1), drawn from torch's generator with --seed (values differ from twinnet's).
"""
import os
import resource
import time

import numpy as np
import torch

import mnist_idx


def main():
    p = mnist_idx.parser(__doc__)
    p.add_argument("--threads", type=int, default=1)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.set_num_interop_threads(1)
    torch.manual_seed(a.seed)
    sizes = [int(s) for s in a.sizes.split(",")]
    if len(sizes) != 3:
        mnist_idx.fail("torch_peer: --sizes must have 3 layers")

    tx, ty, sx, sy = mnist_idx.load(a.data, a.train_size)
    x = torch.from_numpy(tx.astype(np.float32) / np.float32(255))
    y = torch.from_numpy(mnist_idx.one_hot(ty, np.float32))
    xs = torch.from_numpy(sx.astype(np.float32) / np.float32(255))
    ys = torch.from_numpy(sy.astype(np.int64))
    n = len(ty)

    layers = [torch.nn.Linear(sizes[0], sizes[1]), torch.nn.Sigmoid(),
              torch.nn.Linear(sizes[1], sizes[2])]
    if a.cost == "quadratic":
        layers.append(torch.nn.Sigmoid())
    model = torch.nn.Sequential(*layers)
    with torch.no_grad():
        for lin in (layers[0], layers[2]):
            std = 1.0 if a.init == "normal" else 1.0 / np.sqrt(lin.in_features)
            lin.weight.normal_(0.0, std)
            lin.bias.normal_(0.0, 1.0)
    weights = [layers[0].weight, layers[2].weight]
    biases = [layers[0].bias, layers[2].bias]
    opt = torch.optim.SGD([{"params": weights, "weight_decay": a.lmbda / n},
                           {"params": biases, "weight_decay": 0.0}], lr=a.eta)
    bce = torch.nn.BCEWithLogitsLoss(reduction="sum")

    info = {"peer": "torch", "torch": torch.__version__, "torch_threads": torch.get_num_threads(),
            "interop_threads": torch.get_num_interop_threads(), "omp_threads_env":
            os.environ.get("OMP_NUM_THREADS")}
    info.update(mnist_idx.blas_report())
    mnist_idx.emit({"info": info})

    gen = torch.Generator().manual_seed(a.seed)
    for epoch in range(1, a.epochs + 1):
        t0 = time.perf_counter()
        model.train()
        order = torch.randperm(n, generator=gen)
        for k in range(0, n, a.batch):
            idx = order[k:k + a.batch]
            xb, yb = x[idx], y[idx]
            out = model(xb)
            if a.cost == "quadratic":
                loss = 0.5 * ((out - yb) ** 2).sum() / len(idx)
            else:
                loss = bce(out, yb) / len(idx)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
        t1 = time.perf_counter()
        model.eval()
        with torch.no_grad():
            correct = int((model(xs).argmax(1) == ys).sum())
        t2 = time.perf_counter()
        mnist_idx.emit({"epoch": epoch, "train_seconds": t1 - t0, "eval_seconds": t2 - t1,
                        "test_correct": correct, "test_accuracy": correct / len(sy)})
    mnist_idx.emit({"done": True, "maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss})


if __name__ == "__main__":
    main()
