"""Models: every format loaded and saved, the weights through numpy bit for bit, forward and
predict against the library's evaluation, and bad input refused without a crash."""
import os

import numpy as np
import pytest
from conftest import SMALL, cli

import twinnet


@pytest.fixture(scope="module")
def model(data):
    return twinnet.train(data=data, **SMALL)[0]


def bits(arrays):
    return [a.view(np.uint32).tobytes() for a in arrays]


def test_weights_shapes_and_dtype(model):
    w, b = model.parameters()
    assert [x.shape for x in w] == [(30, 784), (10, 30)] and [x.shape for x in b] == [(30,), (10,)]
    assert all(x.dtype == np.float32 for x in w + b)


def test_weights_round_trip_bit_for_bit(model, tmp_path):
    w, b = model.parameters()
    again = twinnet.Model.from_numpy(w, b)
    assert again.fingerprint == model.fingerprint
    assert bits(again.weights) == bits(w) and bits(again.biases) == bits(b)
    # non-contiguous and Fortran-ordered arrays hold the same values
    odd = twinnet.Model.from_numpy([np.asfortranarray(x) for x in w], [np.repeat(x, 2)[::2] for x in b])
    assert odd.fingerprint == model.fingerprint
    # the CLI's export of the same model, read by numpy
    cli("export", model_file(model, tmp_path), "--npz", tmp_path / "cli.npz")
    z = np.load(tmp_path / "cli.npz")
    assert bits([z["W1"], z["W2"]]) == bits(w) and bits([z["b1"], z["b2"]]) == bits(b)


def model_file(model, tmp_path):
    path = tmp_path / "m.tnm"
    model.save(path)
    return path


@pytest.mark.parametrize("ext", [".tnm", ".npz", ".json", ".safetensors"])
def test_save_and_load_every_format(model, tmp_path, ext):
    path = tmp_path / ("m" + ext)
    model.save(path)
    back = twinnet.load(path)
    assert back.fingerprint == model.fingerprint
    assert cli("info", path).count(model.fingerprint) >= 1 if ext == ".tnm" else True
    if ext == ".tnm":
        assert back.config == model.config and back.provenance["start"] == "seeds"
    else:
        assert back.provenance["source"] in ("npz", "network2-json", "safetensors")


def test_load_cli_model_equals_its_info(model, tmp_path):
    path = model_file(model, tmp_path)
    info = cli("info", path)
    m = twinnet.load(path)
    assert m.fingerprint in info and m.sizes == [784, 30, 10]
    assert m.config["epochs"] == 2 and m.config["train_size"] == 2000 and m.config["cost"] == "quadratic"


def test_forward_and_predict_agree_with_the_library(model, data):
    x = data.test.x
    pred = model.predict(x)
    correct = int(np.sum(pred == data.test.labels))
    _, history = twinnet.train(data=data, **SMALL)
    assert correct == history[-1]["test_correct"]
    one = model.forward(x[0])
    assert one.shape == (10,) and np.array_equal(one, model.forward(x[:1])[0])
    w, b = model.parameters()
    h = 1 / (1 + np.exp(-(w[0].astype(np.float64) @ x[:50].T.astype(np.float64) + b[0][:, None])))
    out = 1 / (1 + np.exp(-(w[1] @ h + b[1][:, None])))
    assert np.allclose(model.forward(x[:50]), out.T, atol=1e-5)


def test_bad_arrays_are_refused(model):
    w, b = model.parameters()
    with pytest.raises(TypeError):
        twinnet.Model.from_numpy([x.astype(np.int32) for x in w], b)
    with pytest.raises(TypeError):
        twinnet.Model.from_numpy(w[0], b[0])
    with pytest.raises(ValueError):
        twinnet.Model.from_numpy([w[0], w[1].T], b)
    with pytest.raises(ValueError):
        twinnet.Model.from_numpy(w, b[::-1])
    nan = [x.copy() for x in w]
    nan[0][3, 4] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        twinnet.Model.from_numpy(nan, b)
    with pytest.raises(ValueError):
        twinnet.Model.from_numpy(w, b, activation="softplus")
    with pytest.raises(TypeError):
        model.forward(np.array(["a"] * 784))
    with pytest.raises(ValueError):
        model.forward(np.zeros((3, 783), np.float32))
    assert np.isnan(model.forward(np.full(784, np.nan))).all()
    with pytest.raises(TypeError):
        twinnet.Model()


def test_closed_twice_and_used_closed(model):
    m = twinnet.Model.from_numpy(*model.parameters())
    m.close()
    m.close()
    with pytest.raises(ValueError, match="closed"):
        m.weights
    with pytest.raises(ValueError, match="closed"):
        m.fingerprint
    with twinnet.Model.from_numpy(*model.parameters()) as again:
        assert again.fingerprint == model.fingerprint
    assert "closed" in repr(again)


def test_file_errors_carry_the_library_message(tmp_path):
    with pytest.raises(twinnet.FileError, match="nope.tnm"):
        twinnet.load(tmp_path / "nope.tnm")
    bad = tmp_path / "bad.tnm"
    bad.write_bytes(b"TWINNET" + os.urandom(200))
    with pytest.raises(twinnet.Error) as e:
        twinnet.load(bad)
    assert "bad.tnm" in str(e.value) and "\n" not in str(e.value)
    with pytest.raises(TypeError):
        twinnet.load(3)
    with pytest.raises(ValueError):
        twinnet.load("a\0b")


def test_start_supplied(model):
    w, b = model.parameters()
    start = ([x * 0 for x in w], [x * 0 for x in b])
    m = twinnet.Model.from_numpy(w, b, start=start, init="normal")
    p = m.provenance
    assert p["start"] == "supplied" and bits(p["start_params"][0]) == bits(start[0])
    assert twinnet.Model.from_numpy(w, b).provenance["start"] == "unknown"


def test_from_torch(model):
    torch = pytest.importorskip("torch", reason="torch is not installed")
    w, b = model.parameters()
    net = torch.nn.Sequential(torch.nn.Linear(784, 30), torch.nn.Sigmoid(), torch.nn.Linear(30, 10))
    with torch.no_grad():
        net[0].weight.copy_(torch.from_numpy(w[0]))
        net[0].bias.copy_(torch.from_numpy(b[0]))
        net[2].weight.copy_(torch.from_numpy(w[1]))
        net[2].bias.copy_(torch.from_numpy(b[1]))
    assert twinnet.Model.from_torch(net).fingerprint == model.fingerprint
