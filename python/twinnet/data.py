"""Data sets: MNIST from the cache `make data` fills, any IDX pair, or numpy arrays, each held as
the library's tn_dataset (so training and the instruments read the very same bytes as the CLI)
with numpy views of its images and labels."""
import ctypes
import os
import subprocess

import numpy as np

from . import _lib as L


class Dataset(L.Owned):
    """Images (n, rows, cols) uint8 and labels (n,) uint8 as numpy arrays (read-only), and the
    library's tn_dataset that training and the instruments read."""

    _struct, _free = L.tn_dataset, "tn_dataset_free"
    _how = "use twinnet.mnist, twinnet.load_data, twinnet.load_idx or Dataset.from_numpy"

    @classmethod
    def from_numpy(cls, images, labels):
        """From uint8 images (n, rows, cols) or (n, pixels) and uint8 labels (n,); copied."""
        images, labels = np.asarray(images), np.asarray(labels)
        if images.dtype != np.uint8 or labels.dtype != np.uint8:
            raise TypeError("images and labels must be uint8, not %s and %s" % (images.dtype, labels.dtype))
        if images.ndim not in (2, 3) or labels.ndim != 1 or images.shape[0] != labels.shape[0] or not images.size:
            raise ValueError("images (n, rows, cols) or (n, pixels) and labels (n,) of one non-zero n, not %s and %s"
                             % (images.shape, labels.shape))
        rows, cols = (images.shape[1], images.shape[2]) if images.ndim == 3 else (1, images.shape[1])
        images, labels = np.ascontiguousarray(images), np.ascontiguousarray(labels)
        return cls._fill(L.lib.tn_dataset_from_memory, images.shape[0], rows, cols, images.ctypes.data,
                         labels.ctypes.data)

    def __len__(self):
        return int(self._c.n) if self._owned else 0

    @property
    def images(self):
        """(n, rows, cols) uint8, read-only: a copy made once, so that it outlives the data set."""
        if "_images" not in self.__dict__:
            self._ptr()
            d = self._c
            self._images = np.ctypeslib.as_array(d.pixels, shape=(d.n, d.rows, d.cols)).copy()
            self._images.flags.writeable = False
        return self._images

    @property
    def labels(self):
        """(n,) uint8, read-only (a copy made once)."""
        if "_labels" not in self.__dict__:
            self._ptr()
            self._labels = np.ctypeslib.as_array(self._c.labels, shape=(self._c.n,)).copy()
            self._labels.flags.writeable = False
        return self._labels

    @property
    def x(self):
        """The inputs as the networks take them: (n, rows*cols) float32, pixels / 255."""
        return self.images.reshape(len(self), -1).astype(np.float32) / np.float32(255)

    def __repr__(self):
        return "<twinnet.Dataset %d images %dx%d>" % (len(self), self._c.rows, self._c.cols)



class Data:
    """A training set and a test set (train may be None)."""

    def __init__(self, train, test):
        self.train, self.test = train, test

    def __repr__(self):
        return "<twinnet.Data train=%r test=%r>" % (self.train, self.test)


def default_dir():
    """$TWINNET_DATA, else ~/.cache/twinnet/mnist: where `make data` puts MNIST."""
    buf = ctypes.create_string_buffer(L.TN_PATH_CAP)
    return os.fsdecode(L.lib.tn_data_default_dir(buf, len(buf)))


def mnist(dir=None, fetch=True):
    """MNIST's 60,000 training and 10,000 test images from dir (default: default_dir()); when the
    files are missing and fetch is true, scripts/fetch-mnist.sh of this checkout fetches them as
    `make data` does (SHA-256 checked)."""
    d = default_dir() if dir is None else os.fsdecode(L.fsencode(dir))
    first = os.path.join(d, "train-images-idx3-ubyte")
    if fetch and not (os.path.exists(first) or os.path.exists(first + ".gz")):
        script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts", "fetch-mnist.sh")
        if not os.path.exists(script):
            raise L.FileError("%s: MNIST is not there; run `make data` in a twinnet checkout" % d)
        env = dict(os.environ, TWINNET_DATA=d)
        subprocess.run(["sh", script], check=True, env=env)
    return load_data(dir=d)


def load_data(dir=None, train_images=None, train_labels=None, test_images=None, test_labels=None):
    """A training and a test set as train's --data DIR or --train-images F ... name them (the four
    files, raw or .gz); the test files alone: Data with train None."""
    src, keep = _source(dir, train_images, train_labels, test_images, test_labels)
    only_test = test_images is not None and train_images is None and dir is None
    train = None if only_test else Dataset(L.PRIVATE)
    test = Dataset(L.PRIVATE)
    err = L.tn_error()
    L.check(L.lib.tn_data_load(ctypes.byref(src), ctypes.byref(train._c) if train is not None else None, ctypes.byref(test._c),
                               ctypes.byref(err)), err)
    if train is not None:
        train._owned = True
    test._owned = True
    del keep
    return Data(train, test)


def _source(dir, train_images, train_labels, test_images, test_labels):
    src = L.tn_data_source()
    keep = []
    for name, value in (("dir", dir), ("train_images", train_images), ("train_labels", train_labels),
                        ("test_images", test_images), ("test_labels", test_labels)):
        if value is not None:
            b = L.fsencode(value)
            keep.append(b)
            setattr(src, name, b)
    if (train_images is None) != (train_labels is None) or (test_images is None) != (test_labels is None):
        raise ValueError("images and labels go in pairs: train_images with train_labels, test_images with test_labels")
    return src, keep


def load_idx(images, labels):
    """One data set from an IDX image file (ubyte, 3 dimensions) and its label file (raw or .gz)."""
    return Dataset._fill(L.lib.tn_dataset_load, L.fsencode(images), L.fsencode(labels))


_IDX_TYPES = {0x08: np.uint8, 0x09: np.int8, 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


def read_idx(path, max_bytes=1 << 32):
    """Any IDX file (raw or gzip, read by the library's bounded reader) as a numpy array of its
    type and shape."""
    p = L.fsencode(path)
    out = ctypes.POINTER(ctypes.c_uint8)()
    size = ctypes.c_size_t()
    err = L.tn_error()
    L.check(L.lib.tn_read_file(p, max_bytes, ctypes.byref(out), ctypes.byref(size), ctypes.byref(err)), err)
    try:
        raw = ctypes.string_at(out, size.value)
    finally:
        L.libc.free(out)
    name = os.fsdecode(p)
    if len(raw) < 4 or raw[0] or raw[1] or raw[2] not in _IDX_TYPES or not 1 <= raw[3] <= 8:
        raise L.FormatError("%s: not an IDX file (magic %s)" % (name, raw[:4].hex()))
    dims = raw[3]
    if len(raw) < 4 + 4 * dims:
        raise L.FormatError("%s: truncated IDX header" % name)
    shape = tuple(int.from_bytes(raw[4 + 4 * k:8 + 4 * k], "big") for k in range(dims))
    dtype = np.dtype(_IDX_TYPES[raw[2]])
    need = int(np.prod(shape, dtype=np.uint64)) * dtype.itemsize
    if len(raw) - 4 - 4 * dims != need:
        raise L.FormatError("%s: IDX data holds %d bytes, the header's shape %s needs %d"
                            % (name, len(raw) - 4 - 4 * dims, shape, need))
    return np.frombuffer(raw, dtype=dtype, offset=4 + 4 * dims).reshape(shape).astype(dtype.newbyteorder("="))
