"""Reads the MNIST IDX files for the bench peers (uint8 images, labels), and the common options."""
import argparse
import json
import os
import struct
import sys

import numpy as np


def read_idx(path):
    with open(path, "rb") as f:
        raw = f.read()
    zero, dtype, ndim = struct.unpack(">HBB", raw[:4])
    if zero != 0 or dtype != 0x08:
        raise SystemExit(f"{path}: not an unsigned-byte IDX file")
    dims = struct.unpack(">" + "I" * ndim, raw[4:4 + 4 * ndim])
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def load(data_dir, train_size):
    """(train images (n,784) uint8, train labels (n,) uint8, test images, test labels)."""
    tx = read_idx(os.path.join(data_dir, "train-images-idx3-ubyte"))
    ty = read_idx(os.path.join(data_dir, "train-labels-idx1-ubyte"))
    sx = read_idx(os.path.join(data_dir, "t10k-images-idx3-ubyte"))
    sy = read_idx(os.path.join(data_dir, "t10k-labels-idx1-ubyte"))
    n = train_size or len(ty)
    return (tx[:n].reshape(n, -1), ty[:n], sx.reshape(len(sy), -1), sy)


def parser(description):
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--data", required=True)
    p.add_argument("--sizes", default="784,30,10")
    p.add_argument("--epochs", type=int, default=2)
    p.add_argument("--batch", type=int, default=10)
    p.add_argument("--eta", type=float, default=3.0)
    p.add_argument("--cost", choices=["quadratic", "cross-entropy"], default="quadratic")
    p.add_argument("--lambda", dest="lmbda", type=float, default=0.0)
    p.add_argument("--init", choices=["normal", "scaled"], default="normal")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--train-size", type=int, default=50000)
    return p


def emit(obj):
    print(json.dumps(obj), flush=True)


def mapped_libs(words):
    """Paths of the shared objects mapped in this process whose file name contains one of words."""
    seen = []
    with open("/proc/self/maps") as f:
        for line in f:
            parts = line.split()
            if len(parts) < 6:
                continue
            path = parts[5]
            name = os.path.basename(path)
            if any(w in name for w in words) and path not in seen:
                seen.append(path)
    return seen


def blas_report():
    """Which BLAS is loaded (from /proc/self/maps) and, for OpenBLAS, its kernel and threads."""
    libs = mapped_libs(["blas", "lapack"])
    out = {"blas_libs": libs}
    try:
        import threadpoolctl  # optional
        info = [
            {k: d.get(k) for k in ("internal_api", "version", "architecture", "num_threads")}
            for d in threadpoolctl.threadpool_info()
            if d.get("user_api") == "blas"
        ]
        out["threadpoolctl"] = info
    except ImportError:
        out["threadpoolctl"] = "not installed"
    for path in libs:
        if "libopenblas" in os.path.basename(path):
            import ctypes
            lib = ctypes.CDLL(path)
            lib.openblas_get_corename.restype = ctypes.c_char_p
            lib.openblas_get_config.restype = ctypes.c_char_p
            out["openblas_core"] = lib.openblas_get_corename().decode()
            out["openblas_config"] = lib.openblas_get_config().decode().strip()
            out["openblas_threads"] = lib.openblas_get_num_threads()
    out["env"] = {k: os.environ[k] for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE",
                                             "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS",
                                             "LD_LIBRARY_PATH") if k in os.environ}
    return out


def one_hot(labels, dtype):
    y = np.zeros((len(labels), 10), dtype=dtype)
    y[np.arange(len(labels)), labels] = 1
    return y


def fail(msg):
    print(msg, file=sys.stderr)
    sys.exit(1)
