"""Data: MNIST from the cache, IDX files of any type, data sets from numpy."""
import gzip
import os

import numpy as np
import pytest

import twinnet


def test_mnist_shapes(data):
    assert data.train.images.shape == (60000, 28, 28) and data.test.labels.shape == (10000,)
    assert data.train.images.dtype == np.uint8 and set(np.unique(data.test.labels)) == set(range(10))
    with pytest.raises(ValueError):
        data.test.labels[0] = 3   # a view of the library's bytes: read-only


def test_read_idx_equals_the_library(data, tmp_path):
    d = twinnet.default_dir()
    name = "t10k-labels-idx1-ubyte"
    path = os.path.join(d, name) if os.path.exists(os.path.join(d, name)) else os.path.join(d, name + ".gz")
    assert np.array_equal(twinnet.read_idx(path), data.test.labels)
    floats = np.arange(24, dtype=">f4").reshape(2, 3, 4)
    raw = b"\0\0\x0d\x03" + b"".join(int(n).to_bytes(4, "big") for n in floats.shape) + floats.tobytes()
    (tmp_path / "f.idx.gz").write_bytes(gzip.compress(raw))
    got = twinnet.read_idx(tmp_path / "f.idx.gz")
    assert got.shape == (2, 3, 4) and np.array_equal(got, floats)
    (tmp_path / "bad.idx").write_bytes(raw[:-1])
    with pytest.raises(twinnet.FormatError, match="bad.idx"):
        twinnet.read_idx(tmp_path / "bad.idx")


def test_dataset_from_numpy_trains_like_idx(data, tmp_path):
    images, labels = np.array(data.train.images[:600]), np.array(data.train.labels[:600])
    test = twinnet.Dataset.from_numpy(np.array(data.test.images[:500]), np.array(data.test.labels[:500]))
    mine = twinnet.Data(twinnet.Dataset.from_numpy(images, labels), test)
    a, _ = twinnet.train(data=mine, train_size=600, epochs=1)
    b, _ = twinnet.train(data=data, train_size=600, epochs=1)
    assert a.fingerprint == b.fingerprint   # the same examples, hence the same bits
    with pytest.raises(TypeError):
        twinnet.Dataset.from_numpy(images.astype(np.float32), labels)
    with pytest.raises(ValueError):
        twinnet.Dataset.from_numpy(images, labels[:5])
