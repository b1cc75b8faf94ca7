"""The instruments of `twinnet compare, align, canon, diverge, report`, one library call each:
compare returns the dict that compare --json prints (the library writes that text)."""
import ctypes
import json
import os
import threading
import time

from . import _lib as L
from .data import Data, load_data
from .model import Model, load
from .run import _run_in_worker


def _model(m, what):
    """(Model, its name for messages): a Model, or a path that is loaded."""
    if isinstance(m, Model):
        m._ptr()
        return m, None
    if isinstance(m, (str, bytes)) or hasattr(m, "__fspath__"):
        return load(m), os.fsdecode(m)
    raise TypeError("%s must be a twinnet.Model or a path, not %s" % (what, type(m).__name__))


def _data(data, need_train=True):
    if isinstance(data, Data):
        return data
    if data is None or isinstance(data, (str, bytes)) or hasattr(data, "__fspath__"):
        return load_data(dir=data)
    raise TypeError("data must be a twinnet.Data (twinnet.mnist()), a directory or None, not %s" % type(data).__name__)


def _count(v, name, lo, hi):
    if not isinstance(v, int) or isinstance(v, bool):
        raise TypeError("%s must be an int" % name)
    if not lo <= v <= hi:
        raise ValueError("%s must be %d to %d" % (name, lo, hi))
    return v


def _in_worker(call):
    """A long C call in a worker thread (GIL free, Ctrl-C raises once it returns)."""
    stop = ctypes.c_int(0)
    result, interrupted = _run_in_worker(call, stop, threading.Event())
    if interrupted:
        raise KeyboardInterrupt
    return result


def compare(a, b, data=None, points=20, threads=1):
    """Why two networks of one shape differ: the dict `twinnet compare A B --json` prints (a and b
    hold the paths given, or "A" and "B" for Model objects). data: twinnet.Data (a training set
    for the blank inputs, may be None, and the test set), a directory, or None (MNIST's cache)."""
    ma, name_a = _model(a, "a")
    mb, name_b = _model(b, "b")
    d = _data(data)
    opt = L.tn_compare_options()
    L.lib.tn_compare_options_default(ctypes.byref(opt))
    opt.points = _count(points, "points", 1, 1000)
    opt.threads = _count(threads, "threads", 1, 256)
    na, nb = (name_a or "A").encode(), (name_b or "B").encode()
    opt.name_a, opt.name_b = na, nb
    res = ctypes.create_string_buffer(L.COMPARE_RESULT_BYTES)
    err = L.tn_error()
    train = d.train._ptr() if d.train is not None else None
    t0 = time.perf_counter()
    status = _in_worker(lambda: L.lib.tn_compare(ma._ptr(), mb._ptr(), train, d.test._ptr(), ctypes.byref(opt), res,
                                                 ctypes.byref(err)))
    seconds = time.perf_counter() - t0
    L.check(status, err)
    try:
        text = L.take_text(L.lib.tn_compare_json(res, na, nb, seconds, None), "compare")
    finally:
        L.lib.tn_compare_result_free(res)
    return json.loads(text)


def _copy(m):
    """A copy of model m (through its bytes, as tn_model_save writes them)."""
    data = ctypes.POINTER(ctypes.c_uint8)()
    size = ctypes.c_size_t()
    err = L.tn_error()
    L.check(L.lib.tn_model_to_bytes(m._ptr(), ctypes.byref(data), ctypes.byref(size), ctypes.byref(err)), err)
    try:
        return Model._fill(L.lib.tn_model_from_bytes, b"model", data, size.value)
    finally:
        L.libc.free(data)


def _with_net(m, net, al):
    """A copy of m holding net (which it then owns) instead of its network, its start moved as
    al says (tn_model_align_start), as align and canon write their outputs."""
    out = _copy(m)
    original = L.tn_net.from_buffer_copy(out._c.net)
    out._c.net = net
    L.lib.tn_net_free(ctypes.byref(original))
    err = L.tn_error()
    try:
        L.check(L.lib.tn_model_align_start(out._ptr(), ctypes.byref(al), ctypes.byref(err)), err)
    except BaseException:
        out.close()
        raise
    return out


def _alignment(al):
    hidden = range(1, al.n_sizes - 1)
    return {"permutations": [[al.perm[l][i] for i in range(al.sizes[l])] for l in hidden],
            "flips": [[al.flip[l][i] for i in range(al.sizes[l])] for l in hidden],
            "moved": al.moved, "flipped": al.flipped, "units": al.units}


def align(a, b, method="activation", flips=True, data=None, threads=1):
    """B with its hidden units put in A's order (and negated where flips allow), as `twinnet
    align` does: (the aligned model, a dict of what moved and the distances before and after,
    relative to ||A||). method "activation" (the default: matched on the test set's activations)
    or "weight"."""
    ma, _ = _model(a, "a")
    mb, _ = _model(b, "b")
    if method not in ("activation", "weight"):
        raise ValueError("method must be 'activation' or 'weight', not %r" % (method,))
    if not isinstance(flips, bool):
        raise TypeError("flips must be a bool")
    _count(threads, "threads", 1, 256)
    al = L.tn_alignment()
    err = L.tn_error()
    if method == "activation":
        d = _data(data)
        status = _in_worker(lambda: L.lib.tn_align_activations(ma._net(), mb._net(), d.test._ptr(), int(flips), threads,
                                                               ctypes.byref(al), ctypes.byref(err)))
    else:
        status = _in_worker(lambda: L.lib.tn_align_weights(ma._net(), mb._net(), int(flips), ctypes.byref(al),
                                                           ctypes.byref(err)))
    L.check(status, err)
    try:
        info = _alignment(al)
        aligned = L.tn_net()
        L.check(L.lib.tn_net_align(mb._net(), ctypes.byref(al), ctypes.byref(aligned), ctypes.byref(err)), err)
        out = _with_net(mb, aligned, al)
    finally:
        L.lib.tn_alignment_free(ctypes.byref(al))
    before, after = L.tn_distances(), L.tn_distances()
    L.check(L.lib.tn_net_distance(ma._net(), mb._net(), None, ctypes.byref(before), ctypes.byref(err)), err)
    L.check(L.lib.tn_net_distance(ma._net(), out._net(), None, ctypes.byref(after), ctypes.byref(err)), err)
    info.update(method=method, sign_flips=bool(flips and L.lib.tn_sign_symmetry(mb._c.net.activation)),
                fingerprint=out.fingerprint, relative_distance_before=before.total.relative,
                relative_distance=after.total.relative)
    return out, info


def canon(model):
    """The canonical form (`twinnet canon`): networks equal up to permutations and sign flips of
    hidden units get the same one. Returns (the canonical model, a dict of what moved)."""
    m, _ = _model(model, "model")
    al = L.tn_alignment()
    net = L.tn_net()
    err = L.tn_error()
    L.check(L.lib.tn_net_canonical(m._net(), ctypes.byref(net), ctypes.byref(al), ctypes.byref(err)), err)
    try:
        info = _alignment(al)
        out = _with_net(m, net, al)
    finally:
        L.lib.tn_alignment_free(ctypes.byref(al))
    info.update(fingerprint=out.fingerprint, original_fingerprint=m.fingerprint, hidden_units=info.pop("units"))
    return out, info


def diverge(trace_a, trace_b):
    """Where two training traces (train(trace=...)) part: a dict with every common step."""
    err = L.tn_error()
    r = L.tn_diverge_result()
    L.check(L.lib.tn_diverge(L.fsencode(trace_a), L.fsencode(trace_b), ctypes.byref(r), ctypes.byref(err)), err)
    try:
        points = [{"step": p.step, "epoch": p.epoch, "equal": bool(p.equal), "l2": p.l2, "relative": p.relative,
                   "max_abs": p.max_abs, "differing": p.differing} for p in r.points[:r.n_points]]
        out = {"sizes": list(r.sizes[:r.n_sizes]), "diverged": bool(r.diverged), "points": points,
               "last_equal_step": r.last_equal_step if r.has_last_equal else None}
        if r.diverged:
            out.update(first_diverging_step=r.first_diverging_step, first_index=r.first_index,
                       first_layer=r.first_layer, first_is_bias=bool(r.first_is_bias), first_row=r.first_row,
                       first_col=r.first_col, first_a=r.first_a, first_b=r.first_b)
        return out
    finally:
        L.lib.tn_diverge_result_free(ctypes.byref(r))


def report(out, sweep=None, a=None, b=None, trace_a=None, trace_b=None, data=None, points=20, images=24, threads=1,
           force=False, curve=None):
    """`twinnet report`: one self-contained HTML page on a finished sweep's directory, or on the
    pair of model files a and b (with their traces, both or none); curve: a bend of the pair
    (twinnet connect), as report --curve. Returns the page's size."""
    if (sweep is None) == (a is None and b is None) or (a is None) != (b is None):
        raise ValueError("report: a sweep directory, or two model files a and b")
    if (trace_a is None) != (trace_b is None):
        raise ValueError("report: both traces or none")
    d = _data(data)
    spec = L.tn_report_spec()
    L.lib.tn_report_spec_default(ctypes.byref(spec))
    keep = [L.fsencode(x) if x is not None else None for x in (sweep, a, b, trace_a, trace_b, out, curve)]
    spec.sweep_dir, spec.model_a, spec.model_b, spec.trace_a, spec.trace_b = keep[:5]
    spec.train = d.train._pointer() if d.train is not None else None
    spec.test = d.test._pointer()
    spec.path_points = _count(points, "points", 1, 1000)
    spec.max_images = _count(images, "images", 0, 100000)
    spec.threads = _count(threads, "threads", 1, 256)
    spec.force = bool(force)
    spec.curve = keep[6]
    size = ctypes.c_size_t()
    err = L.tn_error()
    status = _in_worker(lambda: L.lib.tn_report_write(ctypes.byref(spec), keep[5], ctypes.byref(size),
                                                      ctypes.byref(err)))
    L.check(status, err)
    return size.value


__all__ = ["compare", "align", "canon", "diverge", "report"]
