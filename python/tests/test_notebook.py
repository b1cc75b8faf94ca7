"""examples/why.ipynb executed headless (nbclient and an ipykernel, as jupyter nbconvert --execute
does): every cell runs without error, the two plots are drawn, and its last line is the answer."""
import os
import re

import pytest
from conftest import ROOT

nbformat = pytest.importorskip("nbformat", reason="nbformat is not installed (Debian: python3-nbformat)")
nbclient = pytest.importorskip("nbclient", reason="nbclient is not installed (Debian: python3-nbclient)")
pytest.importorskip("ipykernel", reason="ipykernel is not installed (Debian: python3-ipykernel)")
pytest.importorskip("matplotlib", reason="matplotlib is not installed (Debian: python3-matplotlib)")


def test_why_notebook_runs(data):
    path = os.path.join(ROOT, "examples", "why.ipynb")
    nb = nbformat.read(path, as_version=4)
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code"), "commit the notebook without outputs"
    nbclient.NotebookClient(nb, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": os.path.dirname(path)}}).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    assert sum("image/png" in o.get("data", {}) for o in outputs) == 2
    last = outputs[-1]["text"].strip().splitlines()[-1]
    print("the notebook's last line: " + last)
    assert re.match(r"A and B differ by [\d.]+ of \|\|A\|\| raw and [\d.]+ aligned; .* they disagree on \d+ of 10000", last)
