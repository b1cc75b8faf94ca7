"""The ctypes mirrors of _lib.py against the C layout that tests/t_abi.py records in
tests/abi-libtwinnet.so.2.txt (size, alignment, each member's offset and size): a public struct
changed in twinnet.h fails here until the mirror follows it. Only in a checkout, on x86_64."""
import ctypes
import os
import platform
import re

import pytest
from conftest import ROOT

from twinnet import _lib as L

ABI = os.path.join(ROOT, "tests", "abi-libtwinnet.so.2.txt")
MIRRORS = ["tn_error", "tn_dataset", "tn_data_source", "tn_config", "tn_epoch_info", "tn_train_result",
           "tn_provenance", "tn_net", "tn_model", "tn_run_spec", "tn_import_options", "tn_compare_options",
           "tn_alignment", "tn_distance", "tn_distances", "tn_diverge_point", "tn_diverge_result", "tn_sweep",
           "tn_attribution_options", "tn_report_spec"]


def recorded():
    if platform.machine() != "x86_64" or not os.path.exists(ABI):
        pytest.skip("the recorded layout is x86_64's, in a checkout")
    out = {}
    for line in open(ABI):
        m = re.match(r"struct (\w+) (\d+)/(\d+): (.*)", line)
        if m:
            members = [re.match(r"(\w+)@(\d+)\+(\d+)", x).groups() for x in m.group(4).split()]
            out[m.group(1)] = (int(m.group(2)), int(m.group(3)), [(n, int(o), int(s)) for n, o, s in members])
    return out


@pytest.mark.parametrize("name", MIRRORS)
def test_mirror_matches_c(name):
    size, align, members = recorded()[name]
    mirror = getattr(L, name)
    assert ctypes.sizeof(mirror) == size and ctypes.alignment(mirror) == align
    ours = [(n.rstrip("_"), getattr(mirror, n).offset, getattr(mirror, n).size) for n, _ in mirror._fields_]
    assert ours == members


@pytest.mark.parametrize("name,room", [("tn_compare_result", L.COMPARE_RESULT_BYTES),
                                       ("tn_attribution_row", L.ATTRIBUTION_ROW_BYTES)])
def test_buffers_are_large_enough(name, room):
    assert recorded()[name][0] <= room
