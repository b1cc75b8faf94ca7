"""Bench peer: the job in numpy, two ways, JSON Lines out.

--mode vec:  the whole mini-batch as one float32 matrix (rows are examples), network.py's
             algorithm (or network2.py's cost and L2) with matrix products.
--mode loop: network.py as written (network2.py's cost and L2 with --cost cross-entropy):
             column vectors, backprop one example at a time, nablas summed over the mini-batch,
             float64 parameters (inputs float32, as mnist.pkl.gz stores them), np.random.randn
             initial parameters and random.shuffle of the list of (x, y) pairs.
"""
import random
import resource
import time

import numpy as np

import mnist_idx


# ----- vectorised float32 -----

def sigmoid_inplace(z):
    np.negative(z, out=z)
    np.exp(z, out=z)
    z += 1
    np.reciprocal(z, out=z)
    return z


def run_vec(a, tx, ty, sx, sy, sizes):
    f32 = np.float32
    rng = np.random.default_rng(a.seed)
    n = len(ty)
    x = tx.astype(f32) / f32(255)
    y = mnist_idx.one_hot(ty, f32)
    xs = sx.astype(f32) / f32(255)
    W, B = [], []
    for nin, nout in zip(sizes[:-1], sizes[1:]):
        std = 1.0 if a.init == "normal" else 1.0 / np.sqrt(nin)
        W.append((rng.standard_normal((nout, nin)) * std).astype(f32))
        B.append(rng.standard_normal(nout).astype(f32))
    decay = f32(1.0 - a.eta * a.lmbda / n)

    def forward(xb):
        acts = [xb]
        for w, b in zip(W, B):
            z = acts[-1] @ w.T
            z += b
            acts.append(sigmoid_inplace(z))
        return acts

    for epoch in range(1, a.epochs + 1):
        t0 = time.perf_counter()
        order = rng.permutation(n)
        for k in range(0, n, a.batch):
            idx = order[k:k + a.batch]
            m = len(idx)
            acts = forward(x[idx])
            out = acts[-1]
            delta = out - y[idx]
            if a.cost == "quadratic":
                delta *= out * (1 - out)
            step = f32(a.eta / m)
            for l in range(len(W) - 1, -1, -1):
                nw = delta.T @ acts[l]
                nb = delta.sum(axis=0)
                if l > 0:
                    prev = acts[l]
                    delta = (delta @ W[l]) * (prev * (1 - prev))
                if a.lmbda:
                    W[l] *= decay
                W[l] -= step * nw
                B[l] -= step * nb
        t1 = time.perf_counter()
        correct = int((forward(xs)[-1].argmax(axis=1) == sy).sum())
        t2 = time.perf_counter()
        mnist_idx.emit({"epoch": epoch, "train_seconds": t1 - t0, "eval_seconds": t2 - t1,
                        "test_correct": correct, "test_accuracy": correct / len(sy)})


# ----- network.py, per example, float64 -----

def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def sigmoid_prime(z):
    return sigmoid(z) * (1 - sigmoid(z))


class Network:
    def __init__(self, sizes, init, cost):
        self.num_layers = len(sizes)
        self.sizes = sizes
        self.cost = cost
        self.biases = [np.random.randn(y, 1) for y in sizes[1:]]
        if init == "normal":
            self.weights = [np.random.randn(y, x) for x, y in zip(sizes[:-1], sizes[1:])]
        else:
            self.weights = [np.random.randn(y, x) / np.sqrt(x)
                            for x, y in zip(sizes[:-1], sizes[1:])]

    def feedforward(self, a):
        for b, w in zip(self.biases, self.weights):
            a = sigmoid(np.dot(w, a) + b)
        return a

    def update_mini_batch(self, mini_batch, eta, lmbda, n):
        nabla_b = [np.zeros(b.shape) for b in self.biases]
        nabla_w = [np.zeros(w.shape) for w in self.weights]
        for x, y in mini_batch:
            delta_nabla_b, delta_nabla_w = self.backprop(x, y)
            nabla_b = [nb + dnb for nb, dnb in zip(nabla_b, delta_nabla_b)]
            nabla_w = [nw + dnw for nw, dnw in zip(nabla_w, delta_nabla_w)]
        self.weights = [(1 - eta * (lmbda / n)) * w - (eta / len(mini_batch)) * nw
                        for w, nw in zip(self.weights, nabla_w)]
        self.biases = [b - (eta / len(mini_batch)) * nb for b, nb in zip(self.biases, nabla_b)]

    def backprop(self, x, y):
        nabla_b = [np.zeros(b.shape) for b in self.biases]
        nabla_w = [np.zeros(w.shape) for w in self.weights]
        activation = x
        activations = [x]
        zs = []
        for b, w in zip(self.biases, self.weights):
            z = np.dot(w, activation) + b
            zs.append(z)
            activation = sigmoid(z)
            activations.append(activation)
        if self.cost == "quadratic":
            delta = (activations[-1] - y) * sigmoid_prime(zs[-1])
        else:
            delta = activations[-1] - y
        nabla_b[-1] = delta
        nabla_w[-1] = np.dot(delta, activations[-2].transpose())
        for l in range(2, self.num_layers):
            z = zs[-l]
            sp = sigmoid_prime(z)
            delta = np.dot(self.weights[-l + 1].transpose(), delta) * sp
            nabla_b[-l] = delta
            nabla_w[-l] = np.dot(delta, activations[-l - 1].transpose())
        return (nabla_b, nabla_w)

    def evaluate(self, test_data):
        return sum(int(np.argmax(self.feedforward(x)) == y) for (x, y) in test_data)


def run_loop(a, tx, ty, sx, sy, sizes):
    random.seed(a.seed)
    np.random.seed(a.seed)
    x = tx.astype(np.float32) / np.float32(255)
    xs = sx.astype(np.float32) / np.float32(255)
    training_data = []
    for i in range(len(ty)):
        e = np.zeros((10, 1))
        e[ty[i]] = 1.0
        training_data.append((x[i].reshape(784, 1), e))
    test_data = [(xs[i].reshape(784, 1), int(sy[i])) for i in range(len(sy))]
    net = Network(sizes, a.init, a.cost)
    n = len(training_data)
    for epoch in range(1, a.epochs + 1):
        t0 = time.perf_counter()
        random.shuffle(training_data)
        mini_batches = [training_data[k:k + a.batch] for k in range(0, n, a.batch)]
        for mini_batch in mini_batches:
            net.update_mini_batch(mini_batch, a.eta, a.lmbda, n)
        t1 = time.perf_counter()
        correct = net.evaluate(test_data)
        t2 = time.perf_counter()
        mnist_idx.emit({"epoch": epoch, "train_seconds": t1 - t0, "eval_seconds": t2 - t1,
                        "test_correct": correct, "test_accuracy": correct / len(sy)})


def main():
    p = mnist_idx.parser(__doc__)
    p.add_argument("--mode", choices=["vec", "loop"], required=True)
    a = p.parse_args()
    sizes = [int(s) for s in a.sizes.split(",")]
    tx, ty, sx, sy = mnist_idx.load(a.data, a.train_size)
    info = {"peer": "numpy-" + a.mode, "numpy": np.__version__}
    info.update(mnist_idx.blas_report())
    mnist_idx.emit({"info": info})
    with np.errstate(over="ignore"):
        (run_vec if a.mode == "vec" else run_loop)(a, tx, ty, sx, sy, sizes)
    mnist_idx.emit({"done": True, "maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss})


if __name__ == "__main__":
    main()
