"""The instruments against the command line: compare's dict is compare --json's object, align's
and canon's models and figures are theirs, diverge's points, sweep's table, report's page."""
import collections
import json
import os

import pytest
from conftest import cli

import twinnet


def test_compare_dict_equals_compare_json(pair, data):
    (a, _), (b, _) = pair
    ours = twinnet.compare(a, b, data=data)
    theirs = json.loads(cli("compare", a, b, "--json"))
    ours.pop("seconds")
    theirs.pop("seconds")
    # the CLI prints numbers as %.9g, and so does the library's text Python parses: equal exactly
    assert ours == theirs
    assert ours["findings"]["answer"] and ours["activation_matching_flips"]["relative_distance"] > 0


def test_compare_models_and_options(pair, data):
    (a, _), (b, _) = pair
    ma, mb = twinnet.load(a), twinnet.load(b)
    got = twinnet.compare(ma, mb, data=data, points=4)
    assert got["a"] == "A" and got["b"] == "B" and len(got["raw"]["path"]) == 5
    assert twinnet.compare(ma, ma, data=data)["identical"] is True
    with pytest.raises(TypeError):
        twinnet.compare(ma, 3, data=data)
    with pytest.raises(ValueError):
        twinnet.compare(ma, mb, data=data, points=0)
    small = twinnet.Model.from_numpy([w[:, :784] for w in [ma.weights[0][:5], ma.weights[1][:, :5]]],
                                     [ma.biases[0][:5], ma.biases[1]])
    with pytest.raises(twinnet.ArgumentError):
        twinnet.compare(ma, small, data=data)


@pytest.mark.parametrize("method", ["activation", "weight"])
def test_align_equals_cli(pair, data, tmp_path, method):
    (a, _), (b, _) = pair
    aligned, info = twinnet.align(a, b, method=method, data=data)
    out = tmp_path / "aligned.tnm"
    repeated = []   # keys named twice in one object: a strict reader refuses them
    theirs = json.loads(cli("align", a, b, "--method", method, "--out", out, "--json"),
                        object_pairs_hook=lambda pairs: repeated.extend(
                            k for k, n in collections.Counter(k for k, _ in pairs).items() if n > 1) or dict(pairs))
    assert not repeated, "align --json repeats %s" % repeated
    assert aligned.fingerprint == theirs["fingerprint"] == twinnet.load(out).fingerprint
    assert info["permutations"] == theirs["permutations"] and info["moved"] == theirs["moved"]
    assert info["flips"] == theirs["flips"] and info["sign_flips"] == theirs["sign_flips"]
    assert float("%.9g" % info["relative_distance"]) == theirs["relative_distance"]
    assert info["relative_distance"] < info["relative_distance_before"]


def test_canon_equals_cli(pair, tmp_path):
    (a, _), _ = pair
    canonical, info = twinnet.canon(a)
    out = tmp_path / "canon.tnm"
    theirs = json.loads(cli("canon", a, "--out", out, "--json"))
    assert canonical.fingerprint == theirs["fingerprint"] == twinnet.load(out).fingerprint
    assert info["moved"] == theirs["moved"] and info["flipped"] == theirs["flipped"]
    assert twinnet.canon(canonical)[0].fingerprint == canonical.fingerprint


def test_diverge_equals_cli(pair):
    (_, ta), (_, tb) = pair
    ours = twinnet.diverge(ta, tb)
    theirs = json.loads(cli("diverge", ta, tb, "--json"))
    assert ours["diverged"] is True
    assert ours["first_diverging_step"] == theirs["first_diverging_step"]
    assert len(ours["points"]) >= 2
    with pytest.raises(twinnet.FileError):
        twinnet.diverge(ta, ta + ".missing")


def test_train_trace_is_the_cli_trace(data, pair, tmp_path):
    (_, ta), _ = pair
    trace = tmp_path / "py.trace"
    twinnet.train(data=data, trace=trace, seed=1, train_size=2000, epochs=2)
    assert trace.read_bytes() == open(ta, "rb").read()


def test_sweep_table_equals_cli(data, tmp_path):
    opts = dict(train_size=500, epochs=1, sizes=[784, 10, 10])
    rows = twinnet.sweep(tmp_path / "py", runs=2, vary=["init", "none"], data=data, **opts)
    cli("sweep", "--runs", 2, "--vary", "init", "--vary", "none", "--train-size", 500, "--epochs", 1,
        "--sizes", "784,10,10", "--out", tmp_path / "cli", "--quiet")
    assert (tmp_path / "py" / "attribution.json").read_bytes() == (tmp_path / "cli" / "attribution.json").read_bytes()
    assert rows == json.loads((tmp_path / "cli" / "attribution.json").read_text())
    with pytest.raises(ValueError):
        twinnet.sweep(tmp_path / "x", runs=2, vary="seeds", data=data)


def test_report_writes_the_page(pair, data, tmp_path):
    (a, ta), (b, tb) = pair
    out = tmp_path / "r.html"
    size = twinnet.report(out, a=a, b=b, trace_a=ta, trace_b=tb, data=data)
    cli("report", a, b, "--trace", ta, "--trace", tb, "--out", tmp_path / "cli.html")
    assert size == os.path.getsize(out) and out.read_bytes() == (tmp_path / "cli.html").read_bytes()
    with pytest.raises(ValueError):
        twinnet.report(out, a=a, data=data)
