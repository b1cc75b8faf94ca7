"""libtwinnet.so through ctypes: where the library is found, the public structs the package
passes (mirrors of include/twinnet.h, checked field by field against a C compiler's view by
python/tests/test_layout.py), the signatures, and the library's errors as Python exceptions.
No logic of the library's is copied here: every measurement is a C call."""
import ctypes
import ctypes.util
import os

from ctypes import (POINTER, c_char, c_char_p, c_double, c_float, c_int, c_int64, c_size_t, c_uint8, c_uint32,
                    c_uint64, c_void_p, Structure)

MAX_LAYERS = 16
HEX_SIZE = 65
TN_PATH_CAP = 4200


class Error(Exception):
    """The library's one-line message ("FILE: what is wrong"); a subclass says which kind."""


class FileError(Error):
    """A file could not be opened, read or written (TN_ERR_IO)."""


class FormatError(Error):
    """A file is not what it claims: magic, sizes, checksum, truncation (TN_ERR_FORMAT)."""


class ArgumentError(Error, ValueError):
    """A value the library refused (TN_ERR_ARG); also a ValueError."""


class OutOfMemory(Error, MemoryError):
    """An allocation failed (TN_ERR_NOMEM)."""


_ERRORS = {1: FileError, 2: FormatError, 3: ArgumentError, 4: OutOfMemory}


def _find():
    """$TWINNET_LIB, else this checkout's build/libtwinnet.so, else the installed one."""
    env = os.environ.get("TWINNET_LIB")
    if env:
        return env
    here = os.path.dirname(os.path.abspath(__file__))
    for build in (os.environ.get("BUILD"), "build"):
        if build:
            cand = os.path.join(here, "..", "..", build, "libtwinnet.so")
            if os.path.exists(cand):
                return os.path.normpath(cand)
    for prefix in (os.path.normpath(os.path.join(here, "..", "..", "..", "..")), "/usr/local", "/usr"):
        cand = os.path.join(prefix, "lib", "libtwinnet.so.2")
        if os.path.exists(cand):
            return cand
    return ctypes.util.find_library("twinnet") or "libtwinnet.so.2"


try:
    path = _find()
    lib = ctypes.CDLL(path)
except OSError as e:
    raise ImportError("twinnet: cannot load libtwinnet.so (%s); build it with `make shared`, install it with "
                      "`make install`, or name it in TWINNET_LIB" % e) from None
libc = ctypes.CDLL(None)
libc.free.argtypes = [c_void_p]
libc.free.restype = None


class tn_error(Structure):
    _fields_ = [("msg", c_char * 512)]


class tn_dataset(Structure):
    _fields_ = [("n", c_uint32), ("n_in", c_uint32), ("rows", c_uint32), ("cols", c_uint32),
                ("pixels", POINTER(c_uint8)), ("labels", POINTER(c_uint8)), ("nz_start", POINTER(c_uint32)),
                ("nz_index", c_void_p), ("owns", c_int), ("images_name", c_char * 256), ("labels_name", c_char * 256)]


class tn_data_source(Structure):
    _fields_ = [("dir", c_char_p), ("train_images", c_char_p), ("train_labels", c_char_p),
                ("test_images", c_char_p), ("test_labels", c_char_p)]


class tn_config(Structure):
    _fields_ = [("sizes", c_uint32 * MAX_LAYERS), ("n_sizes", c_int), ("activation", c_int), ("cost", c_int),
                ("init", c_int), ("epochs", c_uint32), ("batch", c_uint32), ("eta", c_float), ("lambda_", c_float),
                ("init_seed", c_uint64), ("order_seed", c_uint64), ("train_size", c_uint32), ("early_stop", c_uint32),
                ("threads", c_int), ("trace_path", c_char_p), ("trace_every", c_uint32), ("trace_log", c_int),
                ("perturb_ulp", c_int64), ("on_nan", c_int), ("l2_biases", c_int), ("eta_decay", c_float)]


class tn_epoch_info(Structure):
    _fields_ = [("epoch", c_uint32), ("epochs", c_uint32), ("test_correct", c_uint32), ("test_total", c_uint32),
                ("test_cost", c_double), ("has_validation", c_int), ("valid_correct", c_uint32),
                ("valid_total", c_uint32), ("seconds", c_double), ("train_seconds", c_double),
                ("test_seconds", c_double), ("non_finite", c_int)]


EPOCH_FN = ctypes.CFUNCTYPE(c_int, POINTER(tn_epoch_info), c_void_p)


class tn_train_result(Structure):
    _fields_ = [("epochs_run", c_uint32), ("steps", c_uint64), ("best_test_correct", c_uint32),
                ("test_total", c_uint32), ("best_epoch", c_uint32), ("stopped_early", c_int), ("interrupted", c_int),
                ("non_finite", c_int), ("non_finite_epoch", c_uint32)]


class tn_train_state(Structure):
    _fields_ = [("saved", c_int), ("on_nan", c_int), ("best_valid", c_uint32), ("since_best", c_uint32),
                ("best_test_correct", c_uint32), ("best_epoch", c_uint32), ("non_finite_epoch", c_uint32),
                ("validation", c_char * 65), ("last_finite", POINTER(c_float))]


class tn_provenance(Structure):
    _fields_ = [("start", c_int), ("start_params", POINTER(c_float)), ("data_unknown", c_int),
                ("init_unknown", c_int), ("source", c_char * 32), ("origin", c_char * 256),
                ("input_scale", c_double), ("input_mean", c_double), ("input_std", c_double),
                ("max_rounding", c_double), ("parents", (c_char * 65) * 2), ("curve", c_char * 16),
                ("curve_align", c_char * 16), ("curve_end", c_char * 65), ("spawn_step", c_uint64),
                ("spawn", c_char * 96), ("state", tn_train_state)]


class tn_net(Structure):
    _fields_ = [("n_sizes", c_int), ("sizes", c_uint32 * MAX_LAYERS), ("activation", c_int), ("cost", c_int),
                ("n_params", c_size_t), ("n_buffer", c_size_t), ("w_off", c_size_t * MAX_LAYERS),
                ("b_off", c_size_t * MAX_LAYERS), ("pad", c_uint32 * MAX_LAYERS), ("params", POINTER(c_float))]


class tn_model(Structure):
    _fields_ = [("config", tn_config), ("provenance", tn_provenance), ("epochs_run", c_uint32), ("steps", c_uint64),
                ("stop", c_int), ("format_version", c_uint32), ("data_sha256", c_uint8 * 32), ("net", tn_net)]


class tn_run_spec(Structure):
    _fields_ = [("config", tn_config), ("data", tn_data_source), ("train", POINTER(tn_dataset)),
                ("test", POINTER(tn_dataset)), ("out", c_char_p), ("on_epoch", EPOCH_FN), ("user", c_void_p),
                ("stop_flag", POINTER(c_int)), ("force", c_int), ("from", c_void_p), ("spawn", c_int),
                ("perturb_gauss", c_double), ("perturb_seed", c_uint64), ("stop_at", c_int), ("stop_at_step", c_uint64)]


class tn_import_options(Structure):
    _fields_ = [("format", c_int), ("activation", c_int), ("cost", c_int), ("init", c_int),
                ("input_scale", c_double), ("input_mean", c_double), ("input_std", c_double),
                ("start", POINTER(c_uint8)), ("start_size", c_size_t), ("start_name", c_char_p), ("name", c_char_p)]


class tn_compare_options(Structure):
    _fields_ = [("points", c_uint32), ("threads", c_int), ("baseline_seeds", c_uint64 * 2), ("name_a", c_char_p),
                ("name_b", c_char_p), ("views", c_uint32), ("light", c_int),
                ("progress", c_void_p), ("progress_user", c_void_p)]


class tn_alignment(Structure):
    _fields_ = [("n_sizes", c_int), ("sizes", c_uint32 * MAX_LAYERS), ("perm", POINTER(c_uint32) * MAX_LAYERS),
                ("flip", POINTER(c_uint8) * MAX_LAYERS), ("similarity", c_double * MAX_LAYERS), ("sweeps", c_uint32),
                ("converged", c_int), ("units", c_uint32), ("moved", c_uint32), ("flipped", c_uint32)]


class tn_distance(Structure):
    _fields_ = [(k, c_double) for k in ("l2", "norm_a", "norm_b", "relative", "cosine", "max_abs", "blank_sq")]


class tn_distances(Structure):
    _fields_ = [("total", tn_distance), ("layer", tn_distance * MAX_LAYERS)]


class tn_diverge_point(Structure):
    _fields_ = [("step", c_uint64), ("epoch", c_uint32), ("equal", c_int), ("l2", c_double), ("relative", c_double),
                ("max_abs", c_double), ("differing", c_uint64)]


class tn_diverge_result(Structure):
    _fields_ = [("n_sizes", c_int), ("sizes", c_uint32 * MAX_LAYERS), ("diverged", c_int),
                ("first_diverging_step", c_uint64), ("has_last_equal", c_int), ("last_equal_step", c_uint64),
                ("first_index", c_uint64), ("first_layer", c_int), ("first_is_bias", c_int), ("first_row", c_uint32),
                ("first_col", c_uint32), ("first_a", c_float), ("first_b", c_float),
                ("points", POINTER(tn_diverge_point)), ("n_points", c_size_t)]


class tn_sweep(Structure):
    _fields_ = [("base", tn_config), ("runs", c_uint32), ("n_sources", c_int), ("sources", c_int * 5),
                ("dir", c_char_p)]


class tn_attribution_options(Structure):
    _fields_ = [("path_points", c_uint32), ("max_pairs", c_uint32), ("threads", c_int),
                ("stop_flag", POINTER(c_int)), ("progress", c_void_p), ("progress_user", c_void_p)]


class tn_report_spec(Structure):
    _fields_ = [("sweep_dir", c_char_p), ("model_a", c_char_p), ("model_b", c_char_p), ("trace_a", c_char_p),
                ("trace_b", c_char_p), ("train", POINTER(tn_dataset)), ("test", POINTER(tn_dataset)),
                ("path_points", c_uint32), ("max_images", c_uint32), ("threads", c_int), ("force", c_int),
                ("curve", c_char_p)]


# tn_compare_result is only passed through (tn_compare fills it, tn_compare_json reads it): a buffer
# at least its size (test_layout.py checks the size against the compiler's).
COMPARE_RESULT_BYTES = 1 << 16
# tn_attribution_row, read back from attribution.json instead; a row's size for the buffer.
ATTRIBUTION_ROW_BYTES = 1 << 10

P = POINTER
_SIGNATURES = {
    "tn_status_string": (c_char_p, [c_int]),
    "tn_config_default": (None, [P(tn_config)]),
    "tn_config_to_json": (c_void_p, [P(tn_config), P(c_size_t)]),
    "tn_config_from_json": (c_int, [P(tn_config), c_char_p, c_size_t, P(tn_error)]),
    "tn_dataset_load": (c_int, [P(tn_dataset), c_char_p, c_char_p, P(tn_error)]),
    "tn_dataset_from_memory": (c_int, [P(tn_dataset), c_uint32, c_uint32, c_uint32, c_void_p, c_void_p, P(tn_error)]),
    "tn_dataset_free": (None, [P(tn_dataset)]),
    "tn_read_file": (c_int, [c_char_p, c_size_t, P(P(c_uint8)), P(c_size_t), P(tn_error)]),
    "tn_data_default_dir": (c_char_p, [c_char_p, c_size_t]),
    "tn_data_load": (c_int, [P(tn_data_source), P(tn_dataset), P(tn_dataset), P(tn_error)]),
    "tn_net_get_canonical": (None, [P(tn_net), c_void_p]),
    "tn_net_forward": (c_int, [P(tn_net), c_void_p, c_void_p, P(tn_error)]),
    "tn_net_fingerprint": (None, [P(tn_net), c_char * HEX_SIZE]),
    "tn_net_free": (None, [P(tn_net)]),
    "tn_predict_all": (c_int, [P(tn_net), P(tn_dataset), c_int, c_void_p, c_void_p, P(tn_error)]),
    "tn_layer_activations": (c_int, [P(tn_net), P(tn_dataset), c_int, c_int, c_void_p, P(tn_error)]),
    "tn_model_load": (c_int, [P(tn_model), c_char_p, P(tn_error)]),
    "tn_model_save": (c_int, [P(tn_model), c_char_p, P(tn_error)]),
    "tn_model_free": (None, [P(tn_model)]),
    "tn_model_to_bytes": (c_int, [P(tn_model), P(P(c_uint8)), P(c_size_t), P(tn_error)]),
    "tn_model_from_bytes": (c_int, [P(tn_model), c_char_p, P(c_uint8), c_size_t, P(tn_error)]),
    "tn_model_import": (c_int, [P(tn_model), c_void_p, c_size_t, P(tn_import_options), c_void_p, P(tn_error)]),
    "tn_model_import_file": (c_int, [P(tn_model), c_char_p, c_char_p, P(tn_import_options), c_void_p, P(tn_error)]),
    "tn_model_align_start": (c_int, [P(tn_model), P(tn_alignment), P(tn_error)]),
    "tn_import_options_default": (None, [P(tn_import_options)]),
    "tn_import_inputs": (c_int, [c_char_p, P(tn_import_options)]),
    "tn_format_of": (c_int, [c_char_p, c_size_t]),
    "tn_export_npz": (c_int, [P(tn_net), c_char_p, P(tn_error)]),
    "tn_export_network2_json": (c_int, [P(tn_net), c_char_p, P(tn_error)]),
    "tn_export_safetensors": (c_int, [P(tn_net), c_char_p, P(tn_error)]),
    "tn_run": (c_int, [P(tn_run_spec), P(tn_model), P(tn_train_result), P(tn_error)]),
    "tn_compare_options_default": (None, [P(tn_compare_options)]),
    "tn_compare": (c_int, [P(tn_model), P(tn_model), P(tn_dataset), P(tn_dataset), P(tn_compare_options), c_void_p,
                           P(tn_error)]),
    "tn_compare_result_free": (None, [c_void_p]),
    "tn_compare_json": (c_void_p, [c_void_p, c_char_p, c_char_p, c_double, P(c_size_t)]),
    "tn_align_weights": (c_int, [P(tn_net), P(tn_net), c_int, P(tn_alignment), P(tn_error)]),
    "tn_align_activations": (c_int, [P(tn_net), P(tn_net), P(tn_dataset), c_int, c_int, P(tn_alignment), P(tn_error)]),
    "tn_net_align": (c_int, [P(tn_net), P(tn_alignment), P(tn_net), P(tn_error)]),
    "tn_net_canonical": (c_int, [P(tn_net), P(tn_net), P(tn_alignment), P(tn_error)]),
    "tn_alignment_free": (None, [P(tn_alignment)]),
    "tn_net_distance": (c_int, [P(tn_net), P(tn_net), c_void_p, P(tn_distances), P(tn_error)]),
    "tn_sign_symmetry": (c_int, [c_int]),
    "tn_diverge": (c_int, [c_char_p, c_char_p, P(tn_diverge_result), P(tn_error)]),
    "tn_diverge_result_free": (None, [P(tn_diverge_result)]),
    "tn_sweep_total": (c_uint32, [P(tn_sweep)]),
    "tn_sweep_key": (None, [P(tn_sweep), c_void_p, c_char * HEX_SIZE]),
    "tn_sweep_lock": (c_int, [c_char_p, c_uint32, c_uint32, P(c_int), P(tn_error)]),
    "tn_sweep_unlock": (None, [c_int]),
    "tn_sweep_open": (c_int, [P(tn_sweep), c_char * HEX_SIZE, c_void_p, P(c_uint32), P(c_uint32), P(tn_error)]),
    "tn_sweep_run": (c_int, [P(tn_sweep), c_uint32, P(tn_dataset), P(tn_dataset), P(c_int), c_char * HEX_SIZE,
                             P(tn_error)]),
    "tn_sweep_append_run": (c_int, [P(tn_sweep), c_uint32, c_char * HEX_SIZE, c_uint32, c_uint32, P(tn_error)]),
    "tn_sweep_write_manifest": (c_int, [P(tn_sweep), c_char * HEX_SIZE, c_void_p, P(tn_error)]),
    "tn_sweep_attribution": (c_int, [P(tn_sweep), P(tn_dataset), P(tn_attribution_options), c_void_p, P(tn_error)]),
    "tn_sweep_write_table": (c_int, [P(tn_sweep), c_void_p, P(tn_error)]),
    "tn_dataset_sha256": (None, [P(tn_dataset), c_uint8 * 32]),
    "tn_report_spec_default": (None, [P(tn_report_spec)]),
    "tn_report_write": (c_int, [P(tn_report_spec), c_char_p, P(c_size_t), P(tn_error)]),
}
for _name, (_res, _args) in _SIGNATURES.items():
    _f = getattr(lib, _name)
    _f.restype = _res
    _f.argtypes = _args


def names(symbol, count):
    """A const char *const [count] table of the library's, as a list of str."""
    arr = (c_char_p * count).in_dll(lib, symbol)
    return [arr[k].decode() for k in range(count)]


ACTIVATIONS = names("tn_activation_names", 3)
COSTS = names("tn_cost_names", 3)
INITS = names("tn_init_names", 3)
STOPS = names("tn_stop_names", 4)
START_KNOWN = names("tn_start_known_names", 3)
FORMATS = names("tn_format_names", 4)
VARY = names("tn_vary_names", 5)
IMPORT_INPUTS = "nielsen, torchvision-mnist"   # TN_IMPORT_INPUTS, a macro (not in the library's symbols)


PRIVATE = object()   # the token that makes an Owned object: only the package's own calls make them


class Owned:
    """A struct of the library's that this object owns and frees once: close(), a with block's
    end, or collection; a second close does nothing, and using it closed raises ValueError."""
    _struct = _free = None
    _how = "not made directly"

    def __init__(self, _token=None):
        if _token is not PRIVATE:
            raise TypeError(self._how)
        self._c = self._struct()
        self._owned = False

    @classmethod
    def _fill(cls, call, *args):
        """A new object filled by call(struct pointer, *args, err)."""
        obj = cls(PRIVATE)
        err = tn_error()
        check(call(ctypes.byref(obj._c), *args, ctypes.byref(err)), err)
        obj._owned = True
        return obj

    def close(self):
        """Frees the library's memory now."""
        if getattr(self, "_owned", False):
            self._owned = False
            getattr(lib, self._free)(ctypes.byref(self._c))

    def __del__(self):
        try:
            self.close()
        except Exception:   # interpreter shutdown: the library may be gone already
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _ptr(self):
        if not self._owned:
            raise ValueError("this %s was closed" % type(self).__name__)
        return ctypes.byref(self._c)

    def _pointer(self):
        """A pointer (not a byref) for a struct's member."""
        self._ptr()
        return ctypes.pointer(self._c)


def check(status, err):
    """Raises the library's error for a non-zero status."""
    if status:
        raise _ERRORS.get(status, Error)(err.msg.decode("utf-8", "replace"))


def take_text(ptr, what):
    """A malloc'd NUL-terminated text of the library's, as str, freed."""
    if not ptr:
        raise OutOfMemory(what + ": out of memory")
    try:
        return ctypes.string_at(ptr).decode("utf-8")
    finally:
        libc.free(ptr)


def fsencode(path):
    """A path argument as bytes (str, bytes or os.PathLike); TypeError otherwise."""
    if isinstance(path, (str, bytes)) or hasattr(path, "__fspath__"):
        p = os.fsencode(path)
        if b"\0" in p:
            raise ValueError("a path may not contain a NUL byte")
        return p
    raise TypeError("a path must be str, bytes or os.PathLike, not %s" % type(path).__name__)


