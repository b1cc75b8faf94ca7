"""tn_lap_solve against scipy.optimize.linear_sum_assignment: random square and wide cost
matrices of 1 to 1000 rows (float, small integers with many ties, all zero, mixed signs),
minimised and maximised, solved by `$BUILD/tests/test_lap --solve FILE`. The assignment must be
an injection whose costs add up (in row order) to the printed total, and that total must be
scipy's: exactly for integer costs, within 1e-12 of the size of its terms otherwise."""
import os
import subprocess
import sys
import tempfile

from pycheck import check, finish

try:
    import numpy as np
    from scipy.optimize import linear_sum_assignment
except Exception:  # not installed, or installed but broken
    print("skipped: scipy or numpy (python3-scipy, python3-numpy) not installed")
    sys.exit(77)

BUILD = os.environ.get("BUILD", "build")
DRIVER = os.path.join(BUILD, "tests", "test_lap")
REL_TOL = 1e-12
rng = np.random.default_rng(20240607)


def cases():
    """(name, cost matrix, maximise); integer matrices have an integer dtype."""
    yield "1x1 float", rng.random((1, 1)), False
    yield "1x1000 float", rng.random((1, 1000)), False
    yield "2x3 float", rng.random((2, 3)), True
    for n_rows, n_cols in [(3, 3), (5, 9), (7, 7), (10, 10), (17, 40), (64, 64), (100, 100), (150, 151)]:
        yield f"{n_rows}x{n_cols} float", rng.random((n_rows, n_cols)), False
        yield f"{n_rows}x{n_cols} integers 0..2", rng.integers(0, 3, (n_rows, n_cols)), n_rows % 2 == 1
    for k in range(12):  # random shapes, square every other time
        n_rows = int(rng.integers(1, 400))
        n_cols = n_rows if k % 2 else int(rng.integers(n_rows, 600))
        yield f"{n_rows}x{n_cols} normal", rng.normal(0.0, 100.0, (n_rows, n_cols)), k % 3 == 0
    yield "300x1000 float", rng.random((300, 1000)), False
    yield "300x1000 float", rng.random((300, 1000)), True
    yield "999x1000 float", rng.random((999, 1000)), False
    yield "500x500 integers 0..99", rng.integers(0, 100, (500, 500)), False
    yield "400x600 integers 0..9999", rng.integers(0, 10000, (400, 600)), False
    i, j = np.meshgrid(np.arange(240), np.arange(300), indexing="ij")
    yield "240x300 (i*j) mod 7", (i * j) % 7, True
    yield "1000x1000 float", rng.random((1000, 1000)), False
    yield "1000x1000 float", rng.random((1000, 1000)), True
    yield "1000x1000 integers 0..9", rng.integers(0, 10, (1000, 1000)), False
    yield "1000x1000 integers 0..9", rng.integers(0, 10, (1000, 1000)), True
    yield "1000x1000 all zero", np.zeros((1000, 1000)), False
    yield "1000x1000 lognormal", rng.lognormal(0.0, 3.0, (1000, 1000)), False


def write_matrix(path, cost, maximise):
    with open(path, "w") as f:
        f.write(f"{cost.shape[0]} {cost.shape[1]} {int(maximise)}\n")
        # repr is the shortest text that reads back as the same double
        f.write("\n".join(map(repr, cost.ravel().tolist())))
        f.write("\n")


def solve_case(cost, maximise, path):
    """One case: returns whether it holds, and a line saying what is wrong or what was found."""
    write_matrix(path, cost, maximise)
    run = subprocess.run([DRIVER, "--solve", path], capture_output=True, text=True)
    if run.returncode != 0:
        return False, f"exit {run.returncode}: {run.stderr.strip()}"
    words = run.stdout.split()
    total = float(words[0])
    cols = [int(w) for w in words[1:]]
    n_rows, n_cols = cost.shape
    if len(cols) != n_rows or len(set(cols)) != n_rows or not all(0 <= c < n_cols for c in cols):
        return False, f"not an injection of {n_rows} rows into {n_cols} columns: {words[1:12]}..."
    row_order_sum = 0.0
    for r, c in enumerate(cols):
        row_order_sum += float(cost[r, c])
    if row_order_sum != total:
        return False, f"printed total {total!r}, but the columns' costs add up to {row_order_sum!r}"
    rows, want_cols = linear_sum_assignment(cost, maximize=maximise)
    want = cost[rows, want_cols].sum()
    if np.issubdtype(cost.dtype, np.integer):
        ok = total == float(want)
        bound = 0.0
    else:
        bound = REL_TOL * float(np.abs(cost[rows, want_cols]).sum())
        ok = abs(total - float(want)) <= bound
    if not ok:
        return False, f"total {total!r} is not scipy's {float(want)!r} (within {bound:g})"
    return True, f"total {total!r}, scipy {float(want)!r}"


def main():
    if not os.access(DRIVER, os.X_OK):
        print(f"{DRIVER} missing: run make tests first")
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "cost.txt")
        for name, cost, maximise in cases():
            good, detail = solve_case(cost, maximise, path)
            check(good, f"{name}{' maximised' if maximise else ''}", detail)
        bad = np.ones((2, 3))
        bad[1, 2] = np.nan  # the driver reports the refusal and exits 1
        write_matrix(path, bad, False)
        run = subprocess.run([DRIVER, "--solve", path], capture_output=True, text=True)
        check(run.returncode == 1 and "cost[1][2]" in run.stderr, "NaN cost refused",
              f"exit {run.returncode}, stderr {run.stderr.strip()!r}")
    return finish()


if __name__ == "__main__":
    sys.exit(main())
