"""Reads the logs of bench/run.sh and prints the table (also written to --out)."""
import argparse
import glob
import json
import os
import statistics

NOTES_PEER = {
    "twinnet": "twinnet train --json: train_seconds per epoch; eval = test_seconds, the "
               "evaluation of the test set (the validation set's is not counted)",
    "torch-openblas": "PyTorch nn.Sequential + optim.SGD, libblas.so.3 from OpenBLAS (pthread)",
    "torch-refblas": "PyTorch nn.Sequential + optim.SGD, libblas.so.3 = Debian reference BLAS",
    "numpy-vec": "numpy, mini-batch as one float32 matrix, OpenBLAS",
    "numpy-loop": "numpy, network.py's per-example backprop, float64, OpenBLAS",
    "fann": "FANN 2.2 float, FANN_TRAIN_INCREMENTAL: one update per example, "
            "learning rate eta/batch, no mini-batch",
}


def read_jsonl(path):
    out = []
    if not os.path.exists(path):
        return out
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line.startswith("{"):
                try:
                    out.append(json.loads(line))
                except ValueError:
                    pass
    return out


def fmt_s(x):
    if x is None:
        return "-"
    return f"{x:.3f}" if x < 10 else f"{x:.2f}" if x < 100 else f"{x:.1f}"


def cell(job, peer, logs, train_size):
    na = os.path.join(logs, f"{job}.{peer}.na")
    if os.path.exists(na):
        with open(na) as f:
            return {"na": f.read().strip() or "cannot run"}
    runs = sorted(glob.glob(os.path.join(logs, f"{job}.{peer}.*.jsonl")))
    if not runs:
        return None
    train, evals, accs, rss, info, errors, epochs = [], [], [], [], None, [], []
    for r in runs:
        base = r[:-len(".jsonl")]
        lines = read_jsonl(r)
        rc = open(base + ".rc").read().strip() if os.path.exists(base + ".rc") else "?"
        eps = [x for x in lines if "epoch" in x]
        if rc != "0" or not eps:
            err = open(base + ".err").read().strip().splitlines() if os.path.exists(base + ".err") else []
            errors.append(f"{os.path.basename(base)}: exit {rc}: {err[-1] if err else ''}")
            continue
        epochs.append(len(eps))
        for x in eps:
            train.append(x["train_seconds"])
            ev = x.get("eval_seconds", x.get("test_seconds"))
            if ev is None and "seconds" in x:
                ev = x["seconds"] - x["train_seconds"]
            evals.append(ev)
        accs.append(eps[-1]["test_accuracy"])
        for x in lines:
            if "info" in x and info is None:
                info = x["info"]
        kb = None
        if os.path.exists(base + ".time"):
            try:
                kb = int(open(base + ".time").read().split()[-1])
            except (ValueError, IndexError):
                kb = None
        if kb is None:
            kb = next((x.get("maxrss_kb") for x in lines if x.get("done")), None)
        if kb is not None:
            rss.append(kb)
    if not train:
        return {"na": "failed: " + "; ".join(errors)}
    med = statistics.median(train)
    return {
        "runs": f"{len(epochs)}x{epochs[0]}" if len(set(epochs)) == 1 else f"{len(epochs)}x{epochs}",
        "median": med, "min": min(train), "max": max(train),
        "eval": statistics.median(evals), "evals": evals, "eps": train_size / med,
        "acc": accs, "rss_mb": max(rss) / 1024 if rss else None, "info": info, "errors": errors,
    }


def eval_section(logs, j1_cells, peers):
    """Evaluation of the 10,000 test images on J1's network: each peer's median eval time in
    training (from the J1 table's cells), and twinnet's standalone 'twinnet eval' runs (fresh
    process, cold caches)."""
    if j1_cells is None:
        return []
    rows = []
    for peer in peers:
        c = j1_cells[peer]
        if c and "na" not in c and c["evals"]:
            rows.append((f"{peer} (in training)", c["evals"]))
        if peer == "twinnet":
            runs = {}
            for path in sorted(glob.glob(os.path.join(logs, "eval.twinnet-t*.json"))):
                threads = os.path.basename(path).split(".")[1][len("twinnet-t"):]
                for x in read_jsonl(path):
                    if "seconds" in x:
                        runs.setdefault(threads, []).append(x["seconds"])
            for threads in sorted(runs, key=int):
                rows.append((f"twinnet eval --threads {threads} (fresh process)", runs[threads]))
    if not rows:
        return []
    base = statistics.median(rows[0][1]) if rows[0][0].startswith("twinnet") else None
    out = ["Evaluation of the 10,000 test images, [784,30,10] (J1's networks): milliseconds",
           f"{'how':<42} {'n':>4} {'median':>8} {'min':>8} {'max':>8} {'peer/twinnet':>12}"]
    for name, xs in rows:
        med = statistics.median(xs)
        ratio = f"{med / base:.1f}" if base else "-"
        out.append(f"{name:<42} {len(xs):>4} {1000 * med:>8.2f} {1000 * min(xs):>8.2f} "
                   f"{1000 * max(xs):>8.2f} {ratio:>12}")
    out.append("(n = evaluations: in training one per epoch of every repetition; peer/twinnet = the "
               "peer's median over twinnet's in training)")
    out.append("")
    return out


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--logs", required=True)
    p.add_argument("--meta", required=True)
    p.add_argument("--jobs", required=True)
    p.add_argument("--peers", required=True)
    p.add_argument("--train-size", type=int, default=50000)
    p.add_argument("--out")
    a = p.parse_args()
    meta = open(a.meta).read().splitlines()
    job_desc = {}
    for line in meta:
        if line.startswith("job: "):
            name, _, args = line[5:].partition(" ")
            job_desc[name] = args
    jobs, peers = a.jobs.split(), a.peers.split()

    out = ["twinnet bench: seconds per training epoch (evaluation timed separately), "
           "one process per (job, peer, repetition), peers alternated within each repetition",
           ""]
    out += [line for line in meta if not line.startswith("job: ")]
    out.append("")
    hdr = (f"{'peer':<15} {'runs':>5} {'train s/epoch':>13} {'min':>8} {'max':>8} {'eval s':>7} "
           f"{'examples/s':>11} {'test acc':>13} {'RSS MB':>7} {'peer/twinnet':>12}")
    notes, infos, all_cells = [], {}, {}
    for job in jobs:
        out.append(f"{job}: {job_desc.get(job, '')}")
        out.append(hdr)
        out.append("-" * len(hdr))
        cells = {peer: cell(job, peer, a.logs, a.train_size) for peer in peers}
        all_cells[job] = cells
        base = cells.get("twinnet")
        base_med = base.get("median") if base and "na" not in base else None
        for peer in peers:
            c = cells[peer]
            if c is None:
                out.append(f"{peer:<15} (not run)")
                continue
            if "na" in c:
                out.append(f"{peer:<15} {'n/a':>5}  {c['na'][:110]}")
                continue
            accs = c["acc"]
            acc = f"{accs[0]:.4f}" if len(set(accs)) == 1 else f"{min(accs):.4f}-{max(accs):.4f}"
            ratio = f"{c['median'] / base_med:.2f}" if base_med else "-"
            rss = f"{c['rss_mb']:.0f}" if c["rss_mb"] is not None else "-"
            out.append(f"{peer:<15} {c['runs']:>5} {fmt_s(c['median']):>13} {fmt_s(c['min']):>8} "
                       f"{fmt_s(c['max']):>8} {fmt_s(c['eval']):>7} {c['eps']:>11,.0f} {acc:>13} "
                       f"{rss:>7} {ratio:>12}")
            for e in c["errors"]:
                notes.append(f"{job} {peer}: {e}")
            if c["info"]:
                infos.setdefault(peer, {})[job] = c["info"]
        out.append("")
    out += eval_section(a.logs, all_cells.get("J1"), peers)
    out.append("columns: runs = repetitions x epochs; train s/epoch = median over all epochs of all "
               "repetitions (min, max alongside); eval s = median time of one test-set evaluation; "
               "examples/s = training examples / median train s; test acc = after the last epoch "
               "(a range when repetitions differ); RSS = peak resident set of the process "
               "(GNU time %M, max over repetitions); peer/twinnet = peer median / twinnet median "
               "(above 1: twinnet is faster).")
    out.append("")
    out.append("peers (BLAS as read from /proc/self/maps of the peer process):")
    for peer in peers:
        out.append(f"  {peer}: {NOTES_PEER.get(peer, '')}")
        per_job = infos.get(peer, {})
        if not per_job:
            continue
        info = next(iter(per_job.values()))
        if peer == "fann":
            lrs = ", ".join(f"{j} {i.get('learning_rate')}" for j, i in per_job.items())
            out.append(f"    learning rate per job: {lrs}")
            continue
        parts = []
        if "torch" in info:
            parts.append(f"torch {info['torch']}, set_num_threads {info['torch_threads']}, "
                         f"interop threads {info['interop_threads']}")
        if "numpy" in info:
            parts.append(f"numpy {info['numpy']}")
        libs = info.get("blas_libs", [])
        has_ob = any("openblas" in os.path.basename(x) for x in libs)
        parts.append("mapped: " + (", ".join(libs) or "no BLAS library"))
        if "openblas_core" in info:
            parts.append(f"OpenBLAS kernel {info['openblas_core']} ({info['openblas_config']}), "
                         f"{info['openblas_threads']} thread(s)")
        tpc = info.get("threadpoolctl")
        parts.append("threadpoolctl: " + (json.dumps(tpc) if isinstance(tpc, list) else str(tpc)))
        out.append("    " + "; ".join(parts))
        want_ob = peer != "torch-refblas"
        if has_ob != want_ob:
            notes.append(f"{peer}: expected {'OpenBLAS' if want_ob else 'no OpenBLAS'} but "
                         f"mapped {libs}")
    if notes:
        out.append("")
        out.append("failures and warnings:")
        out += ["  " + n for n in notes]
    text = "\n".join(out) + "\n"
    print(text, end="")
    if a.out:
        with open(a.out, "w") as f:
            f.write(text)


if __name__ == "__main__":
    main()
