"""twinnet: train Nielsen's digit networks bit-reproducibly, and explain why two runs differ.

The library libtwinnet.so through ctypes (the standard library: nothing to compile, no package
beyond numpy): numpy arrays in and out, the same bits as the command line.

    import twinnet
    data = twinnet.mnist()
    a, history = twinnet.train(data=data, seed=1)
    b, _ = twinnet.train(data=data, seed=2)
    print(twinnet.compare(a, b, data=data)["findings"]["answer"])
"""
from ._lib import ArgumentError, Error, FormatError, FileError, OutOfMemory
from ._lib import path as library_path
from .data import Data, Dataset, default_dir, load_data, load_idx, mnist, read_idx
from .instruments import align, canon, compare, diverge, report
from .model import Model, load
from .run import options, sweep, train

__version__ = "0.1.0"
__all__ = ["Error", "FileError", "FormatError", "ArgumentError", "OutOfMemory", "Model", "load", "train", "options",
           "sweep", "compare", "align", "canon", "diverge", "report", "mnist", "load_data", "load_idx", "read_idx",
           "Data", "Dataset", "default_dir", "library_path"]
