"""The Python package (python/twinnet): its pytest suite (python/tests) against this build's
libtwinnet.so, then the package as `make install` places it, imported by /usr/bin/python3 from
the scratch tree and finding the installed library, not the checkout's.
Skips (77) without numpy or pytest, without the shared library, and under the sanitizer build."""
import os
import re
import subprocess
import sys
import tempfile

from pycheck import check, finish, skip

BUILD = os.environ.get("BUILD", "build")
if os.environ.get("TWINNET_SANITIZE"):
    skip("sanitizer build (python3 would need the sanitizer's runtime preloaded to load its libtwinnet.so)")
try:
    import numpy  # noqa: F401
except ImportError:
    skip("numpy is not installed (Debian: python3-numpy)")
try:
    import pytest  # noqa: F401
except ImportError:
    skip("pytest is not installed (Debian: python3-pytest)")
lib = os.path.abspath(os.path.join(BUILD, "libtwinnet.so"))
if not os.path.exists(lib):
    skip("%s is missing (make shared; make test builds it)" % lib)

env = dict(os.environ, TWINNET_LIB=lib, PYTHONPATH=os.path.abspath("python"), PYTHONDONTWRITEBYTECODE="1")
p = subprocess.run([sys.executable, "-m", "pytest", "-q", "-s", "-p", "no:cacheprovider", "-rs", "python/tests"], env=env,
                   capture_output=True, text=True)
print(p.stdout[-6000:] + p.stderr[-2000:])
summary = p.stdout.strip().splitlines()[-1] if p.stdout.strip() else ""
counts = dict((k, int(n)) for n, k in re.findall(r"(\d+) (passed|failed|skipped|error|errors)", summary))
check(p.returncode == 0 and counts.get("passed", 0) > 0, "pytest python/tests", summary)

# ---- the installed package --------------------------------------------------------------------
with tempfile.TemporaryDirectory() as root:
    make = subprocess.run(["make", "-s", "install", "BUILD=" + BUILD, "DESTDIR=" + root, "PREFIX=/usr/local"],
                          capture_output=True, text=True)
    if check(make.returncode == 0, "make install", make.stderr[-800:]):
        site = [os.path.join(d, f) for d, dirs, files in os.walk(root) for f in dirs if f == "dist-packages"]
        check(len(site) == 1, "one dist-packages directory installed", site)
        probe = ("import twinnet, sys\n"
                 "m = twinnet.Model.from_numpy([[[1.0, 2.0]]], [[0.5]])\n"
                 "print(twinnet.__file__, twinnet.library_path, m.fingerprint, m.forward([0.0, 0.0])[0])\n")
        env = {k: v for k, v in os.environ.items() if k not in ("TWINNET_LIB", "PYTHONPATH")}
        env["PYTHONPATH"] = site[0] if site else ""
        run = subprocess.run(["/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable, "-c", probe],
                             env=env, capture_output=True, text=True, cwd=root)
        words = run.stdout.split()
        check(run.returncode == 0 and len(words) == 4, "the installed package imports and runs", run.stderr[-800:])
        if len(words) == 4:
            check(words[0].startswith(root), "it is the installed copy", words[0])
            check(words[1].startswith(root) and "libtwinnet.so" in words[1], "it loads the installed library", words[1])
            check(abs(float(words[3]) - 1 / (1 + 2.718281828459045 ** -0.5)) < 1e-6, "its forward pass", words[3])
    subprocess.run(["make", "-s", "uninstall", "BUILD=" + BUILD, "DESTDIR=" + root, "PREFIX=/usr/local"],
                   capture_output=True)
    left = [os.path.join(d, f) for d, _, files in os.walk(root) for f in files]
    check(not left, "make uninstall removes the package too", left[:3])
print("pytest: " + summary)
sys.exit(finish())
