"""A twinnet model in Python: a tn_model of the library's, its parameters as numpy float32 arrays
W (out, in) and b (out,), loaded and saved in every format the library reads and writes."""
import ctypes
import io
import json
import os

import numpy as np

from . import _lib as L

_WRITERS = {".tnm": "tnm", ".npz": "npz", ".json": "network2-json", ".safetensors": "safetensors"}


def _enum(value, names, what, allow_none=False):
    """The code of a name in one of the library's tables (TypeError, ValueError otherwise)."""
    if value is None and allow_none:
        return -1
    if not isinstance(value, str):
        raise TypeError("%s must be a str (one of %s), not %s" % (what, ", ".join(names), type(value).__name__))
    if value not in names:
        raise ValueError("%s must be one of %s, not %r" % (what, ", ".join(names), value))
    return names.index(value)


def _float_arrays(arrays, what, dims):
    """Each array as float32 or float64 numpy, C-contiguous, finite, of `dims` dimensions."""
    if isinstance(arrays, np.ndarray) or not hasattr(arrays, "__len__"):
        raise TypeError("%s must be a list of arrays, one per layer" % what)
    out = []
    for k, a in enumerate(arrays):
        a = np.asarray(a)
        if a.dtype not in (np.float32, np.float64):
            raise TypeError("%s[%d] must hold float32 or float64, not %s" % (what, k, a.dtype))
        if a.ndim != dims or 0 in a.shape:
            raise ValueError("%s[%d] must have %d non-empty dimensions, not shape %s" % (what, k, dims, a.shape))
        if not np.all(np.isfinite(a)):
            raise ValueError("%s[%d] holds NaN or infinite values" % (what, k))
        out.append(np.ascontiguousarray(a))
    return out


def _npz_bytes(weights, biases):
    """W1, b1, W2, b2, ...: the arrays as twinnet's export names them, in a NumPy archive."""
    weights = _float_arrays(weights, "weights", 2)
    biases = _float_arrays(biases, "biases", 1)
    if len(weights) != len(biases) or not weights:
        raise ValueError("weights and biases must be lists of the same, non-zero length (%d and %d)"
                         % (len(weights), len(biases)))
    if len(weights) + 1 > L.MAX_LAYERS:
        raise ValueError("at most %d layers" % (L.MAX_LAYERS - 1))
    for k, (w, b) in enumerate(zip(weights, biases)):
        if b.shape[0] != w.shape[0]:
            raise ValueError("biases[%d] has %d entries, weights[%d] %d rows" % (k, b.shape[0], k, w.shape[0]))
        if k and w.shape[1] != weights[k - 1].shape[0]:
            raise ValueError("weights[%d] takes %d inputs, weights[%d] gives %d outputs"
                             % (k, w.shape[1], k - 1, weights[k - 1].shape[0]))
    buf = io.BytesIO()
    np.savez(buf, **{("W%d" % (k + 1)): w for k, w in enumerate(weights)},
             **{("b%d" % (k + 1)): b for k, b in enumerate(biases)})
    return buf.getvalue()


class Model(L.Owned):
    """A network and what is known of how it came to be. Free it early with close(); it is freed
    when collected, and using a closed model raises ValueError."""

    _struct, _free = L.tn_model, "tn_model_free"
    _how = "use twinnet.load, twinnet.train, Model.from_numpy or Model.from_torch"

    def _net(self):
        self._ptr()
        return ctypes.byref(self._c.net)

    # ---- reading and writing -------------------------------------------------------------------
    def save(self, path, format=None):
        """Writes the model: .tnm (twinnet's file, everything it knows), .npz (W1, b1, ...),
        .json (network2.py's save format) or .safetensors (nn.Sequential's keys); format (one of
        "tnm", "npz", "network2-json", "safetensors") overrides the extension. Atomic."""
        p = L.fsencode(path)
        if format is None:
            format = _WRITERS.get(os.path.splitext(os.fsdecode(p))[1].lower(), "tnm")
        calls = {"tnm": (L.lib.tn_model_save, self._ptr), "npz": (L.lib.tn_export_npz, self._net),
                 "network2-json": (L.lib.tn_export_network2_json, self._net),
                 "safetensors": (L.lib.tn_export_safetensors, self._net)}
        if format not in calls:
            raise ValueError("format must be one of %s, not %r" % (", ".join(calls), format))
        call, ptr = calls[format]
        err = L.tn_error()
        L.check(call(ptr(), p, ctypes.byref(err)), err)

    @classmethod
    def from_numpy(cls, weights, biases, activation="sigmoid", cost="quadratic", start=None, init=None,
                   name="numpy arrays"):
        """A model from W (out, in) and b (out,) per layer (float32, or float64 rounded once to
        float32), through the library's import; start: (weights, biases) the network began from,
        or None (then unknown); init: the scheme that drew that start, if known."""
        act = _enum(activation, L.ACTIVATIONS, "activation")
        cst = _enum(cost, L.COSTS, "cost")
        ini = _enum(init, L.INITS, "init", allow_none=True)
        if not isinstance(name, str):
            raise TypeError("name must be a str")
        data = _npz_bytes(weights, biases)
        start_data = _npz_bytes(*start) if start is not None else None
        opt = L.tn_import_options()
        L.lib.tn_import_options_default(ctypes.byref(opt))
        opt.format, opt.activation, opt.cost, opt.init = L.FORMATS.index("npz"), act, cst, ini
        opt.name = name.encode()
        if start_data is not None:
            sbuf = ctypes.create_string_buffer(start_data, len(start_data))
            opt.start = ctypes.cast(sbuf, ctypes.POINTER(ctypes.c_uint8))
            opt.start_size = len(start_data)
            opt.start_name = b"start"
        buf = ctypes.create_string_buffer(data, len(data))
        return cls._fill(L.lib.tn_model_import, buf, len(data), ctypes.byref(opt), None)

    @classmethod
    def from_torch(cls, module, cost="quadratic", start=None, init=None):
        """A model from a torch nn.Sequential of nn.Linear layers with one activation between them
        (nn.Sigmoid, nn.Tanh or nn.ReLU; sigmoid when there is none). torch is imported here only."""
        import torch  # noqa: F401  (the caller's module is torch's; nothing else of it is needed)
        linears, acts = [], set()
        for sub in module.modules():
            kind = type(sub).__name__
            if kind == "Linear":
                linears.append(sub)
            elif kind in ("Sigmoid", "Tanh", "ReLU"):
                acts.add(kind.lower())
        if not linears:
            raise ValueError("the module holds no nn.Linear layer")
        if len(acts) > 1:
            raise ValueError("the module mixes activations (%s): twinnet's hidden layers share one" % ", ".join(acts))
        weights = [lin.weight.detach().cpu().numpy() for lin in linears]
        biases = [lin.bias.detach().cpu().numpy() if lin.bias is not None else np.zeros(lin.out_features, np.float32)
                  for lin in linears]
        return cls.from_numpy(weights, biases, activation=acts.pop() if acts else "sigmoid", cost=cost, start=start,
                              init=init, name=type(module).__name__)

    # ---- what it holds -------------------------------------------------------------------------
    @property
    def sizes(self):
        self._ptr()
        return [int(self._c.net.sizes[k]) for k in range(self._c.net.n_sizes)]

    def _canonical(self):
        out = np.empty(self._c.net.n_params if self._owned else 0, dtype=np.float32)
        L.lib.tn_net_get_canonical(self._net(), out.ctypes.data)
        return out

    def _split(self, flat):
        """The canonical order, W1 (out, in) then b1, W2, b2, ..., as (weights, biases)."""
        sizes, weights, biases, at = self.sizes, [], [], 0
        for n_in, n_out in zip(sizes, sizes[1:]):
            weights.append(flat[at:at + n_in * n_out].reshape(n_out, n_in))
            at += n_in * n_out
            biases.append(flat[at:at + n_out])
            at += n_out
        return weights, biases

    @property
    def weights(self):
        """Each layer's weights, float32 (out, in): a copy (changing it changes nothing here)."""
        return self._split(self._canonical())[0]

    @property
    def biases(self):
        """Each layer's biases, float32 (out,): a copy."""
        return self._split(self._canonical())[1]

    def parameters(self):
        """(weights, biases) from one read of the parameters."""
        return self._split(self._canonical())

    @property
    def activation(self):
        return L.ACTIVATIONS[self._c.net.activation] if self._ptr() else None

    @property
    def cost(self):
        return L.COSTS[self._c.net.cost] if self._ptr() else None

    @property
    def fingerprint(self):
        """SHA-256 of the parameters in canonical order as little-endian float32: the CLI's."""
        hexbuf = (ctypes.c_char * L.HEX_SIZE)()
        L.lib.tn_net_fingerprint(self._net(), hexbuf)
        return hexbuf.value.decode()

    @property
    def config(self):
        """The training options, named and spelled as train's (the library's table)."""
        self._ptr()
        return json.loads(L.take_text(L.lib.tn_config_to_json(ctypes.byref(self._c.config), None), "config"))

    @property
    def provenance(self):
        """How the model is known: its start, data, initialisation, the file it came from."""
        self._ptr()
        m, p = self._c, self._c.provenance
        start = None
        if p.start == L.START_KNOWN.index("supplied") and p.start_params:
            flat = np.ctypeslib.as_array(p.start_params, shape=(m.net.n_params,)).copy()
            start = self._split(flat)
        return {"start": L.START_KNOWN[p.start], "start_params": start, "data_known": not p.data_unknown,
                "init_known": not p.init_unknown, "source": p.source.decode() or None,
                "origin": p.origin.decode() or None, "input_scale": p.input_scale, "input_mean": p.input_mean,
                "input_std": p.input_std, "max_rounding": p.max_rounding, "epochs_run": m.epochs_run,
                "steps": m.steps, "stop": L.STOPS[m.stop] if 0 <= m.stop < len(L.STOPS) else str(m.stop),
                "format_version": m.format_version, "data_sha256": bytes(m.data_sha256).hex()}

    @property
    def epochs_run(self):
        self._ptr()
        return int(self._c.epochs_run)

    # ---- the function --------------------------------------------------------------------------
    def forward(self, x):
        """The outputs for a batch x (n, n_in) or one example (n_in,) of inputs (pixels / 255 for
        MNIST), any real dtype; float32 (n, n_out) or (n_out,)."""
        sizes = self.sizes
        a = np.asarray(x)
        if a.dtype.kind not in "fiu" or a.dtype == np.bool_:
            raise TypeError("x must hold real numbers, not %s" % a.dtype)
        one = a.ndim == 1
        if a.ndim not in (1, 2) or a.shape[-1] != sizes[0]:
            raise ValueError("x must have shape (n, %d) or (%d,), not %s" % (sizes[0], sizes[0], a.shape))
        a = np.ascontiguousarray(a.reshape(-1, sizes[0]), dtype=np.float32)
        out = np.empty((a.shape[0], sizes[-1]), dtype=np.float32)
        err = L.tn_error()
        net = self._net()
        for k in range(a.shape[0]):
            L.check(L.lib.tn_net_forward(net, a[k].ctypes.data, out[k].ctypes.data, ctypes.byref(err)), err)
        return out[0] if one else out

    def predict(self, x):
        """The predicted class (the largest output) per example, int64."""
        out = self.forward(x)
        return np.argmax(out, axis=-1)

    def __repr__(self):
        if not self._owned:
            return "<twinnet.Model (closed)>"
        return "<twinnet.Model %s %s/%s %s...>" % ("-".join(map(str, self.sizes)), self.activation, self.cost,
                                                  self.fingerprint[:12])



def load(path, format=None, activation=None, cost=None, init=None, inputs=None, start=None):
    """A model from its file: twinnet's .tnm, or (imported as `twinnet import` does) a NumPy
    archive, network2.py's JSON or safetensors, told by the first bytes unless format names one.
    activation, cost, init, inputs (a preset: "nielsen", "torchvision-mnist") and start (the
    initial parameters' file) say what an imported file does not."""
    p = L.fsencode(path)
    if format not in (None, "auto", "tnm") and format not in L.FORMATS:
        raise ValueError("format must be one of tnm, %s, not %r" % (", ".join(L.FORMATS), format))
    if format is None or format == "auto":
        try:
            with open(p, "rb") as f:
                head = f.read(16)
        except OSError as e:
            raise L.FileError("%s: %s" % (os.fsdecode(p), e.strerror)) from None
        fmt = L.lib.tn_format_of(head, len(head))
        format = "tnm" if fmt == 0 else L.FORMATS[fmt]
    if format == "tnm":
        if any(v is not None for v in (activation, cost, init, inputs, start)):
            raise ValueError("activation, cost, init, inputs and start are for imported files, not a .tnm")
        return Model._fill(L.lib.tn_model_load, p)
    opt = L.tn_import_options()
    L.lib.tn_import_options_default(ctypes.byref(opt))
    opt.format = L.FORMATS.index(format)
    opt.activation = _enum(activation, L.ACTIVATIONS, "activation", allow_none=True)
    opt.cost = _enum(cost, L.COSTS, "cost", allow_none=True)
    opt.init = _enum(init, L.INITS, "init", allow_none=True)
    if inputs is not None:
        if not isinstance(inputs, str):
            raise TypeError("inputs must be a str")
        if not L.lib.tn_import_inputs(inputs.encode(), ctypes.byref(opt)):
            raise ValueError("inputs must be one of %s, not %r" % (L.IMPORT_INPUTS, inputs))
    return Model._fill(L.lib.tn_model_import_file, p, L.fsencode(start) if start is not None else None,
                       ctypes.byref(opt), None)
