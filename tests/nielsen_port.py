"""Our own numpy port of the training that network.py (Nielsen, chapter 1) does, for tests that
bring outside networks into twinnet: N(0,1) weights and biases drawn with numpy's global
generator in network.py's order (all biases, then all weights, layer by layer), sigmoid units,
the quadratic cost, mini-batch SGD that shuffles the training list each epoch with
random.shuffle and steps w -= eta/m * sum of the batch's gradients. Float64 throughout, as
network.py. Inputs are k/256, as in Nielsen's mnist.pkl.gz (twinnet feeds k/255: the import's
input scaling folds the difference into the first layer).

    python3 nielsen_port.py --data DIR --seed 1 --epochs 2 --train-size 10000 \
        --start a0.npz --out a.npz          # Nielsen's lists: np.savez(f, *weights, *biases)
prints one JSON line: test accuracy of the final network on the 10,000 test images."""
import argparse
import gzip
import json
import os
import random
import struct

import numpy as np


def read_idx(path):
    """An IDX ubyte file (raw or .gz) as a numpy array of its shape."""
    opener = gzip.open if path.endswith(".gz") else open
    if not os.path.exists(path) and os.path.exists(path + ".gz"):
        path, opener = path + ".gz", gzip.open
    with opener(path, "rb") as f:
        data = f.read()
    zero, dtype, ndim = struct.unpack(">HBB", data[:4])
    if zero != 0 or dtype != 0x08:
        raise ValueError(f"{path}: not an IDX ubyte file")
    dims = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def mnist(data_dir, divisor=256.0):
    """(train_x, train_y, test_x, test_y): x as (n, 784) floats k/divisor, y as ints."""
    def images(name):
        return read_idx(os.path.join(data_dir, name)).reshape(-1, 784).astype(np.float64) / divisor

    def labels(name):
        return read_idx(os.path.join(data_dir, name)).astype(np.int64)
    return (images("train-images-idx3-ubyte"), labels("train-labels-idx1-ubyte"),
            images("t10k-images-idx3-ubyte"), labels("t10k-labels-idx1-ubyte"))


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def init(sizes, seed):
    """network.py's start: biases (n, 1) then weights (out, in), N(0,1), from np.random.seed."""
    np.random.seed(seed)
    random.seed(seed)
    biases = [np.random.randn(n, 1) for n in sizes[1:]]
    weights = [np.random.randn(n, m) for m, n in zip(sizes[:-1], sizes[1:])]
    return weights, biases


def forward(weights, biases, x):
    """Outputs for a batch x of shape (n, inputs): (n, outputs)."""
    a = x.T
    for w, b in zip(weights, biases):
        a = sigmoid(w @ a + b)
    return a.T


def step(weights, biases, x, y, eta):
    """One mini-batch: the summed gradient of the quadratic cost, w -= eta/m * it."""
    m = x.shape[0]
    acts, zs = [x.T], []
    for w, b in zip(weights, biases):
        zs.append(w @ acts[-1] + b)
        acts.append(sigmoid(zs[-1]))
    target = np.zeros_like(acts[-1])
    target[y, np.arange(m)] = 1.0
    delta = (acts[-1] - target) * acts[-1] * (1 - acts[-1])
    for l in range(len(weights) - 1, -1, -1):
        grad_w, grad_b = delta @ acts[l].T, delta.sum(axis=1, keepdims=True)
        if l > 0:
            delta = (weights[l].T @ delta) * acts[l] * (1 - acts[l])
        weights[l] -= (eta / m) * grad_w
        biases[l] -= (eta / m) * grad_b


def train(sizes, seed, epochs, train_x, train_y, batch=10, eta=3.0):
    weights, biases = init(sizes, seed)
    start = ([w.copy() for w in weights], [b.copy() for b in biases])
    order = list(range(train_x.shape[0]))
    for _ in range(epochs):
        random.shuffle(order)
        for k in range(0, len(order), batch):
            idx = order[k:k + batch]
            step(weights, biases, train_x[idx], train_y[idx], eta)
    return start, (weights, biases)


def accuracy(weights, biases, x, y):
    return int((forward(weights, biases, x).argmax(axis=1) == y).sum())


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--data", required=True)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--epochs", type=int, default=2)
    p.add_argument("--train-size", type=int, default=50000)
    p.add_argument("--sizes", default="784,30,10")
    p.add_argument("--start", help="write the start here (Nielsen's lists)")
    p.add_argument("--out", required=True, help="the trained network (Nielsen's lists)")
    a = p.parse_args()
    sizes = [int(s) for s in a.sizes.split(",")]
    train_x, train_y, test_x, test_y = mnist(a.data)
    start, (weights, biases) = train(sizes, a.seed, a.epochs, train_x[:a.train_size], train_y[:a.train_size])
    if a.start:
        np.savez(a.start, *start[0], *start[1])
    np.savez(a.out, *weights, *biases)
    print(json.dumps({"correct": accuracy(weights, biases, test_x, test_y), "total": int(test_x.shape[0])}))


if __name__ == "__main__":
    main()
