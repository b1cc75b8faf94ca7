"""Shared fixtures of the package's tests: the checkout's twinnet (the CLI, to compare against),
MNIST from the cache, and small trainings (2,000 examples, 2 epochs) to keep them quick.
Run by tests/t_python.py (make test), or: TWINNET_LIB=build/libtwinnet.so PYTHONPATH=python
python3 -m pytest python/tests"""
import json
import os
import subprocess
import sys

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "python"))
np = pytest.importorskip("numpy")
import twinnet  # noqa: E402

SMALL = {"train_size": 2000, "epochs": 2}


def cli_path():
    return os.path.join(ROOT, os.environ.get("TWINNET", os.path.join(os.environ.get("BUILD", "build"), "twinnet")))


def cli(*args, json_lines=False):
    """Runs the checkout's twinnet; its standard output (parsed when json_lines)."""
    p = subprocess.run([cli_path()] + [str(a) for a in args], capture_output=True, text=True, cwd=ROOT)
    assert p.returncode == 0, "twinnet %s: %s" % (" ".join(map(str, args)), p.stderr)
    if json_lines:
        return [json.loads(line) for line in p.stdout.splitlines() if line.strip()]
    return p.stdout


def flags(options):
    """Keyword options as train's flags: eta_decay=0.1 -> --eta-decay 0.1."""
    out = []
    for k, v in options.items():
        out.append("--" + k.replace("_", "-"))
        out.append(",".join(map(str, v)) if isinstance(v, (list, tuple)) else str(v))
    return out


@pytest.fixture(scope="session")
def data():
    try:
        return twinnet.mnist(fetch=False)
    except twinnet.Error as e:
        pytest.skip("MNIST not in the cache (make data): %s" % e)


@pytest.fixture(scope="session")
def pair(data, tmp_path_factory):
    """Two small networks trained by the CLI (seeds 1 and 2), as files, with traces."""
    d = tmp_path_factory.mktemp("pair")
    paths = []
    for seed in (1, 2):
        out, trace = d / ("s%d.tnm" % seed), d / ("s%d.trace" % seed)
        cli("train", "--quiet", "--out", out, "--trace", trace, "--seed", seed, *flags(SMALL))
        paths.append((str(out), str(trace)))
    return paths
