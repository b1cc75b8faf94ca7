"""The one check helper of the Python tests (tests/t_*.py), as tests/common.sh is the shell tests':
check(good, what, detail) prints "ok: what" or "FAIL: what" (": detail" after it when given) and
counts; finish() prints "N checks, N failed" and returns the exit status, 0 or 1; skip(why) says
"skipped: why" and exits 77 (tests/run.sh prints that last line); mnist_dir() is common.sh's.
Run from the top of the tree, as tests/run.sh does."""
import subprocess
import sys

checks = 0
failures = 0


def check(good, what, detail=""):
    """Counts one check; returns good, so that a test can stop after a check it cannot go past."""
    global checks, failures
    checks += 1
    if not good:
        failures += 1
    print(("ok: " if good else "FAIL: ") + what + (": " + str(detail) if detail else ""), flush=True)
    return bool(good)


def finish():
    print("%d checks, %d failed" % (checks, failures), flush=True)
    return 1 if failures else 0


def skip(why):
    print("skipped: " + why, flush=True)
    sys.exit(77)


def need(module, package):
    """module imported, or the test skips (77) naming the Debian package that has it."""
    import importlib
    try:
        return importlib.import_module(module)
    except ImportError:
        skip("%s is not installed (Debian: %s)" % (module, package))


def mnist_dir():
    """MNIST's directory, from tests/common.sh's mnist_dir (the cache, SHA-256 checked); skips if
    it cannot be had."""
    p = subprocess.run(["sh", "-c", ". tests/common.sh && mnist_dir"], capture_output=True, text=True)
    lines = p.stdout.strip().splitlines()
    if p.returncode != 0:
        skip(lines[-1][len("skipped: "):] if lines and lines[-1].startswith("skipped: ") else "MNIST not available")
    return lines[-1]


def mnist_slice(scratch, n_train, n_test):
    """The first n_train training and n_test test examples of MNIST as IDX files in scratch (as
    common.sh's make_slice); returns (training options, test options) for the CLI."""
    import os
    mnist = mnist_dir()
    files = {}
    for src, dst, n in (("train-images-idx3-ubyte", "train-images", n_train), ("train-labels-idx1-ubyte", "train-labels", n_train),
                        ("t10k-images-idx3-ubyte", "test-images", n_test), ("t10k-labels-idx1-ubyte", "test-labels", n_test)):
        files[dst] = os.path.join(scratch, dst)
        subprocess.run([sys.executable, "tests/idx_slice.py", os.path.join(mnist, src), files[dst], str(n)], check=True)
    return (["--train-images", files["train-images"], "--train-labels", files["train-labels"], "--train-size", "0"],
            ["--test-images", files["test-images"], "--test-labels", files["test-labels"]])
