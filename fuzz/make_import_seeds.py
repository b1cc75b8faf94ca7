#!/usr/bin/env python3
"""Writes the seed corpora of the import fuzzers (fuzz/corpus/{npz,network2,safetensors}/), in
their input layout (fuzz/fuzz_npz.c ...: a flags byte, then the file): small networks in each
layout and dtype, with the standard library only (struct, zipfile, json). Committed; rerun only
when a format changes (make_seeds.py writes the other targets' seeds)."""
import io
import json
import os
import struct
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
SIZES = [4, 3, 2]


def put(target, name, flags, data):
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(bytes([flags]) + data)


def layers():
    """(W (out, in) as rows, b) per layer, small distinct values."""
    out = []
    for l, (n_in, n_out) in enumerate(zip(SIZES[:-1], SIZES[1:])):
        w = [[0.125 * (l + 1) * (i - o) + 0.5 for i in range(n_in)] for o in range(n_out)]
        out.append((w, [0.25 * o - 0.5 for o in range(n_out)]))
    return out


def flat(rows):
    return [x for r in rows for x in r] if rows and isinstance(rows[0], list) else list(rows)


def npy(values, shape, descr="<f8", version=1, fortran=False):
    code = {"f2": "e", "f4": "f", "f8": "d"}[descr[1:]]
    data = struct.pack(descr[0] + code * len(values), *values)
    dims = "(%s)" % (", ".join(map(str, shape)) + ("," if len(shape) == 1 else ""))
    header = "{'descr': '%s', 'fortran_order': %s, 'shape': %s, }" % (descr, fortran, dims)
    pre = 10 if version == 1 else 12
    header += " " * ((64 - (pre + len(header) + 1) % 64) % 64) + "\n"
    size = struct.pack("<H", len(header)) if version == 1 else struct.pack("<I", len(header))
    return b"\x93NUMPY" + bytes([version, 0]) + size + header.encode() + data


def npz(arrays, compressed=False):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED if compressed else zipfile.ZIP_STORED) as z:
        for name, data in arrays:
            z.writestr(name + ".npy", data)
    return out.getvalue()


L = layers()
twinnet = [(("W" if k == 0 else "b") + str(l + 1), npy(flat(wb[k]), [len(wb[0]), len(wb[0][0])] if k == 0 else [len(wb[1])], "<f4"))
           for l, wb in enumerate(L) for k in range(2)]
put("npz", "twinnet-f4", 0, npz(twinnet))
lists = [("arr_%d" % i, npy(flat(w), [len(w), len(w[0])])) for i, (w, _) in enumerate(L)]
lists += [("arr_%d" % (len(L) + i), npy(b, [len(b), 1])) for i, (_, b) in enumerate(L)]
put("npz", "nielsen-f8-start", 1, npz(lists))
put("npz", "nielsen-deflated", 2, npz(lists, compressed=True))
seq = [("%d.%s" % (2 * l, k), npy(flat(wb[0]) if k == "weight" else wb[1],
                                  [len(wb[0]), len(wb[0][0])] if k == "weight" else [len(wb[1])], ">f8", version=2))
       for l, wb in enumerate(L) for k in ("weight", "bias")]
put("npz", "sequential-be-v2", 0, npz(seq))
put("npz", "one-npy-f2", 4, npy([1.0, -2.5, 0.0, 65504.0], [2, 2], "<f2", version=3))
put("npz", "fortran", 4, npy([1.0, 2.0], [2], fortran=True))

doc = {"sizes": SIZES, "weights": [w for w, _ in L], "biases": [[[x] for x in b] for _, b in L], "cost": "CrossEntropyCost"}
put("network2", "cross-entropy", 0, json.dumps(doc).encode())
doc["cost"] = "QuadraticCost"
put("network2", "quadratic-start", 3, json.dumps(doc, indent=1).encode())


def safetensors(dtype, prefix="", metadata=True, step=2):
    code = {"F32": "<f", "F64": "<d", "F16": "<e"}.get(dtype)
    header, data = {}, b""
    for l, (w, b) in enumerate(L):
        for key, values, shape in (("weight", flat(w), [len(w), len(w[0])]), ("bias", b, [len(b)])):
            if dtype == "BF16":
                raw = b"".join(struct.pack("<f", v)[2:] for v in values)
            else:
                raw = struct.pack(code[0] + code[1] * len(values), *values)
            header["%s%d.%s" % (prefix, step * l + 1, key)] = {"dtype": dtype, "shape": shape,
                                                               "data_offsets": [len(data), len(data) + len(raw)]}
            data += raw
    if metadata:
        header["__metadata__"] = {"format": "pt"}
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    return struct.pack("<Q", len(text)) + text + data


put("safetensors", "f32", 0, safetensors("F32"))
put("safetensors", "f64-prefix-start", 1, safetensors("F64", prefix="model.net."))
put("safetensors", "f16-scaled", 2, safetensors("F16", metadata=False, step=3))
put("safetensors", "bf16", 0, safetensors("BF16"))
