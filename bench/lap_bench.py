"""Linear assignment speed: tn_lap_solve (`$BUILD/tests/test_lap --bench N REPS`, which solves
REPS random N x N float64 matrices made by its own xorshift64* and prints the median
milliseconds of the solves alone) against scipy.optimize.linear_sum_assignment on REPS numpy
matrices of the same distribution, uniform [0, 1) (median of the calls alone). One process each,
one thread; prints a line per size with both medians and the ratio scipy / twinnet.

usage: lap_bench.py [--build DIR] [--reps N] [--sizes 100,1000]
"""
import argparse
import statistics
import subprocess
import sys
import time

try:
    import numpy as np
    from scipy.optimize import linear_sum_assignment
except Exception as e:  # not installed, or installed but broken
    print(f"lap_bench: scipy or numpy not importable ({e}): nothing timed")
    sys.exit(0)


def twinnet_ms(build, n, reps):
    out = subprocess.run([f"{build}/tests/test_lap", "--bench", str(n), str(reps)],
                         capture_output=True, text=True, check=True)
    return float(out.stdout.split()[0])


def scipy_ms(n, reps):
    rng = np.random.default_rng(n)
    times = []
    for _ in range(reps):
        cost = rng.random((n, n))
        t0 = time.perf_counter()
        linear_sum_assignment(cost)
        times.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(times)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--build", default="build")
    ap.add_argument("--reps", type=int, default=7)
    ap.add_argument("--sizes", default="100,1000")
    args = ap.parse_args()
    import scipy
    print(f"linear assignment, random uniform [0,1) float64, median of {args.reps} solves "
          f"(scipy {scipy.__version__}, numpy {np.__version__})")
    for n in (int(s) for s in args.sizes.split(",")):
        ours = twinnet_ms(args.build, n, args.reps)
        theirs = scipy_ms(n, args.reps)
        print(f"  {n:5d} x {n:<5d}  twinnet {ours:9.3f} ms   scipy {theirs:9.3f} ms   "
              f"scipy/twinnet {theirs / ours:5.2f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
