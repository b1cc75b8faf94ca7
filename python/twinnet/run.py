"""Training and sweeps from Python: one library call each (tn_run, tn_sweep_run), run in a worker
thread so that the GIL is free while C trains and Ctrl-C reaches Python, which then stops the
training through the library's stop flag."""
import ctypes
import json
import os
import threading

from . import _lib as L
from .data import Data, _source
from .model import Model


def _defaults():
    c = L.tn_config()
    L.lib.tn_config_default(ctypes.byref(c))
    return c, json.loads(L.take_text(L.lib.tn_config_to_json(ctypes.byref(c), None), "config"))


def options():
    """Every training option with its default, named as train's flags (--eta-decay: eta_decay),
    from the library's table; plus threads (1) and seed (None: init_seed and order_seed apart)."""
    opts = dict(_defaults()[1])
    opts.update(threads=1, seed=None)
    return opts


def _config(options, what="train"):
    """A tn_config from keyword options: names checked here (TypeError), values by the library
    against the table's types and ranges (twinnet.ArgumentError, a ValueError)."""
    cfg, defaults = _defaults()
    options = dict(options)
    if "lambda_" in options:   # lambda is a Python keyword: train(lambda_=5.0) or train(**{"lambda": 5.0})
        options["lambda"] = options.pop("lambda_")
    threads = options.pop("threads", 1)
    seed = options.pop("seed", None)
    unknown = sorted(set(options) - set(defaults))
    if unknown:
        raise TypeError("%s() got unknown option%s %s (the options: %s)" % (
            what, "s" if len(unknown) > 1 else "", ", ".join(unknown), ", ".join(sorted(defaults) + ["seed", "threads"])))
    for name, value in options.items():
        d = defaults[name]
        if isinstance(d, list):
            good = isinstance(value, (list, tuple)) and all(isinstance(v, int) and not isinstance(v, bool) for v in value)
            kind = "a list of ints"
        elif isinstance(d, bool):
            good, kind = isinstance(value, bool), "a bool"
        elif isinstance(d, str):
            good, kind = isinstance(value, str), "a str"
        else:
            good, kind = isinstance(value, (int, float)) and not isinstance(value, bool), "a number"
        if not good:
            raise TypeError("%s: %s must be %s, not %s" % (what, name, kind, type(value).__name__))
    if seed is not None:
        if not isinstance(seed, int) or isinstance(seed, bool):
            raise TypeError("%s: seed must be an int" % what)
        options.setdefault("init_seed", seed)    # the CLI's --seed: both seeds unless one is named
        options.setdefault("order_seed", seed)
    if not isinstance(threads, int) or isinstance(threads, bool):
        raise TypeError("%s: threads must be an int" % what)
    if not 1 <= threads <= 256:
        raise ValueError("%s: threads must be 1 to 256" % what)
    text = json.dumps(options, allow_nan=False).encode() if all(
        not isinstance(v, float) or v == v and abs(v) != float("inf") for v in options.values()) else None
    if text is None:
        raise ValueError("%s: options must be finite numbers" % what)
    err = L.tn_error()
    L.check(L.lib.tn_config_from_json(ctypes.byref(cfg), text, len(text), ctypes.byref(err)), err)
    cfg.threads = threads
    return cfg


def _epoch_record(e):
    """One epoch as train --json prints it."""
    rec = {"epoch": e.epoch, "test_correct": e.test_correct, "test_total": e.test_total,
           "test_accuracy": e.test_correct / e.test_total if e.test_total else 0.0, "cost": e.test_cost,
           "seconds": e.seconds, "train_seconds": e.train_seconds, "test_seconds": e.test_seconds}
    if e.has_validation:
        rec.update(validation_correct=e.valid_correct, validation_total=e.valid_total,
                   validation_accuracy=e.valid_correct / e.valid_total if e.valid_total else 0.0)
    rec["non_finite"] = bool(e.non_finite)
    return rec


def _run_in_worker(call, stop, pending):
    """call() in a worker thread; the first Ctrl-C sets pending (stop at the next epoch's end), a
    second one the stop flag at once. Returns (the call's result or exception, interrupted)."""
    box, done = {}, threading.Event()

    def work():
        try:
            box["result"] = call()
        except BaseException as e:   # noqa: B902  (handed to the caller's thread)
            box["error"] = e
        finally:
            done.set()

    # Waited for through an Event, not Thread.join: a KeyboardInterrupt inside join can leave the
    # thread's state wrong (is_alive() false while it runs: CPython gh-90882).
    threading.Thread(target=work, name="twinnet", daemon=True).start()
    interrupted = False
    while not done.is_set():
        try:
            done.wait(0.05)
        except KeyboardInterrupt:
            if interrupted:
                stop.value = 1
            interrupted = True
            pending.set()
    if "error" in box:
        raise box["error"]
    return box["result"], interrupted


def train(data=None, out=None, on_epoch=None, trace=None, trace_every=None, trace_log=False, force=False, **options):
    """Trains a network as `twinnet train` does, with its options and defaults (options()):
    train(sizes=[784, 30, 10], epochs=30, eta=3.0, ...). data: a twinnet.Data (twinnet.mnist()),
    a directory of MNIST's four files, or None (the default one). out: a model file to write.
    on_epoch(record) is called after every epoch (in the training's thread) with the history's
    record; a true return stops the training there. Returns (model, history): the model and one dict
    per epoch, as train --json prints them. Ctrl-C stops at the end of the epoch under way (twice:
    at once) and raises KeyboardInterrupt whose .model and .history hold what was trained."""
    cfg = _config(options)
    if on_epoch is not None and not callable(on_epoch):
        raise TypeError("on_epoch must be callable")
    spec = L.tn_run_spec()
    spec.config = cfg
    keep = []
    if trace is not None:
        keep.append(L.fsencode(trace))
        spec.config.trace_path = keep[-1]
        spec.config.trace_log = bool(trace_log)
        if trace_every is not None:
            if not isinstance(trace_every, int) or isinstance(trace_every, bool) or trace_every < 0:
                raise ValueError("trace_every must be an int >= 0")
            spec.config.trace_every = trace_every
    if isinstance(data, Data):
        if data.train is None:
            raise ValueError("data has no training set")
        spec.train, spec.test = data.train._pointer(), data.test._pointer()
    elif data is not None:
        spec.data, more = _source(data, None, None, None, None)
        keep.append(more)
    if out is not None:
        keep.append(L.fsencode(out))
        spec.out = keep[-1]
    spec.force = bool(force)
    stop = ctypes.c_int(0)
    spec.stop_flag = ctypes.pointer(stop)
    pending = threading.Event()
    history, failures = [], []

    def epoch_done(info, user):
        try:
            rec = _epoch_record(info.contents)
            history.append(rec)
            if on_epoch is not None and on_epoch(rec):
                stop.value = 1       # stops before the next step: this epoch's model, "interrupted"
        except BaseException as e:   # noqa: B902  (raised again in the caller's thread)
            failures.append(e)
            stop.value = 1
        if pending.is_set():
            stop.value = 1
        return 0

    spec.on_epoch = L.EPOCH_FN(epoch_done)
    model = Model(L.PRIVATE)
    result = L.tn_train_result()
    err = L.tn_error()

    def call():
        return L.lib.tn_run(ctypes.byref(spec), ctypes.byref(model._c), ctypes.byref(result), ctypes.byref(err))

    status, interrupted = _run_in_worker(call, stop, pending)
    L.check(status, err)
    model._owned = True
    if failures:
        raise failures[0]
    if interrupted:
        e = KeyboardInterrupt("training stopped after %d epochs; .model holds the model" % result.epochs_run)
        e.model, e.history = model, history
        raise e
    return model, history


def sweep(out, runs, vary, data=None, pairs=0, points=10, threads=1, **options):
    """`twinnet sweep`: runs trainings per source of randomness (vary: "init", "order", "both",
    "bit", "none", or a list of them) into the directory out (resumed if it holds some), then the
    attribution table; returns attribution.json's rows (a list of dicts)."""
    cfg = _config(options, "sweep")
    sources = [vary] if isinstance(vary, str) else list(vary)
    for s in sources:
        if not isinstance(s, str):
            raise TypeError("vary must be a str or a list of str")
        if s not in L.VARY:
            raise ValueError("vary must name %s, not %r" % (", ".join(L.VARY), s))
    if len(set(sources)) != len(sources) or not sources:
        raise ValueError("vary: each source once, at least one")
    for name, v, lo in (("runs", runs, 1), ("pairs", pairs, 0), ("points", points, 1)):
        if not isinstance(v, int) or isinstance(v, bool):
            raise TypeError("%s must be an int" % name)
        if v < lo or v > 0xFFFFFFFF:
            raise ValueError("%s must be at least %d" % (name, lo))
    d = data if isinstance(data, Data) else (_load(data))
    sw = L.tn_sweep()
    sw.base, sw.runs, sw.n_sources = cfg, runs, len(sources)
    for k, s in enumerate(sources):
        sw.sources[k] = L.VARY.index(s)
    dir_b = L.fsencode(out)
    sw.dir = dir_b
    err = L.tn_error()
    lock = ctypes.c_int(-1)
    L.check(L.lib.tn_sweep_lock(dir_b, 0, 1, ctypes.byref(lock), ctypes.byref(err)), err)
    try:
        sha = (ctypes.c_uint8 * 32)()
        L.lib.tn_dataset_sha256(d.train._ptr(), sha)
        key = (ctypes.c_char * L.HEX_SIZE)()
        L.lib.tn_sweep_key(ctypes.byref(sw), sha, key)
        total = L.lib.tn_sweep_total(ctypes.byref(sw))
        fps = ((ctypes.c_char * L.HEX_SIZE) * total)()
        done, broken = ctypes.c_uint32(), ctypes.c_uint32()
        L.check(L.lib.tn_sweep_open(ctypes.byref(sw), key, fps, ctypes.byref(done), ctypes.byref(broken),
                                    ctypes.byref(err)), err)
        L.check(L.lib.tn_sweep_write_manifest(ctypes.byref(sw), key, fps, ctypes.byref(err)), err)
        stop = ctypes.c_int(0)
        for r in range(total):
            if fps[r].value:
                continue
            pending = threading.Event()
            status, interrupted = _run_in_worker(
                lambda r=r: L.lib.tn_sweep_run(ctypes.byref(sw), r, d.train._ptr(), d.test._ptr(),
                                               ctypes.pointer(stop), fps[r], ctypes.byref(err)), stop, pending)
            if status == 0:
                L.check(L.lib.tn_sweep_append_run(ctypes.byref(sw), r, fps[r], 0, 1, ctypes.byref(err)), err)
            if interrupted:
                raise KeyboardInterrupt("sweep stopped; the finished runs are kept in %s" % os.fsdecode(dir_b))
            L.check(status, err)
        L.check(L.lib.tn_sweep_write_manifest(ctypes.byref(sw), key, fps, ctypes.byref(err)), err)
        opt = L.tn_attribution_options(points, pairs, threads, None)
        rows = ctypes.create_string_buffer(L.ATTRIBUTION_ROW_BYTES * len(L.VARY))
        status, _ = _run_in_worker(lambda: L.lib.tn_sweep_attribution(ctypes.byref(sw), d.test._ptr(),
                                                                      ctypes.byref(opt), rows, ctypes.byref(err)),
                                   stop, threading.Event())
        L.check(status, err)
        L.check(L.lib.tn_sweep_write_table(ctypes.byref(sw), rows, ctypes.byref(err)), err)
    finally:
        L.lib.tn_sweep_unlock(lock.value)
    with open(os.path.join(os.fsdecode(dir_b), "attribution.json")) as f:
        return json.load(f)


def _load(data):
    from .data import load_data
    return load_data(dir=data)


__all__ = ["train", "sweep", "options"]
