"""Writes the first N examples of an IDX file (raw or .gz) as a new raw IDX file.
usage: idx_slice.py SRC DST N"""
import gzip
import struct
import sys

src, dst, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
opener = gzip.open if src.endswith(".gz") else open
with opener(src, "rb") as f:
    data = f.read()
ndims = data[3]
dims = list(struct.unpack(">%dI" % ndims, data[4:4 + 4 * ndims]))
per = 1
for d in dims[1:]:
    per *= d
n = min(n, dims[0])
dims[0] = n
header = data[:4] + struct.pack(">%dI" % ndims, *dims)
start = 4 + 4 * ndims
with open(dst, "wb") as f:
    f.write(header + data[start:start + n * per])
