"""Training from Python: the command line's fingerprint for the same options, its history,
on_epoch, Ctrl-C (a clean stop keeping the last epoch's model), and the GIL free while C trains."""
import _thread
import threading
import time

import pytest
from conftest import SMALL, cli, flags

import twinnet

CASES = [dict(SMALL),
         dict(SMALL, sizes=[784, 20, 10], activation="tanh", cost="cross-entropy", init="scaled", eta=0.5, seed=7),
         dict(SMALL, sizes=[784, 10], cost="log-likelihood", eta=0.1, lambda_=5.0, l2_biases=True, batch=25,
              init_seed=3, order_seed=4, eta_decay=0.5)]


def cli_fingerprint(tmp_path, options):
    opts = dict(options)
    if "lambda_" in opts:
        opts["lambda"] = opts.pop("lambda_")
    bools = [k for k, v in opts.items() if v is True]
    for k in bools:
        del opts[k]
    out = tmp_path / "cli.tnm"
    lines = cli("train", "--json", "--out", out, "--force", *flags(opts), *["--" + k.replace("_", "-") for k in bools],
                json_lines=True)
    return lines[-1]["fingerprint"], lines[:-1]


@pytest.mark.parametrize("options", CASES, ids=["default", "tanh", "softmax"])
def test_fingerprint_equals_cli(data, tmp_path, options):
    model, history = twinnet.train(data=data, **options)
    fp, epochs = cli_fingerprint(tmp_path, options)
    assert model.fingerprint == fp
    timing = ("seconds", "train_seconds", "test_seconds", "non_finite")

    def same(records):   # the CLI writes numbers as %.9g; Python keeps the doubles
        return [{k: float("%.9g" % v) if isinstance(v, float) else v for k, v in r.items() if k not in timing}
                for r in records]
    assert same(history) == same(epochs)


def test_data_from_directory_and_out(data, tmp_path):
    out = tmp_path / "m.tnm"
    model, _ = twinnet.train(data=twinnet.default_dir(), out=out, **SMALL)
    assert twinnet.load(out).fingerprint == model.fingerprint == twinnet.train(data=data, **SMALL)[0].fingerprint


def test_options_are_the_cli_defaults():
    opts = twinnet.options()
    help_text = cli("train", "--help")
    assert opts["sizes"] == [784, 30, 10] and "(default 784,30,10)" in help_text
    assert "(default %d)" % opts["epochs"] in help_text and "(default %d)" % opts["batch"] in help_text
    for name in opts:
        if name not in ("threads", "seed"):
            assert "--" + name.replace("_", "-") in help_text, name


def test_bad_options_are_refused_before_training(data):
    with pytest.raises(TypeError, match="unknown option"):
        twinnet.train(data=data, epoch=3)
    with pytest.raises(TypeError, match="eta must be a number"):
        twinnet.train(data=data, eta="3")
    with pytest.raises(TypeError, match="sizes"):
        twinnet.train(data=data, sizes="784,30,10")
    with pytest.raises(ValueError, match="eta"):
        twinnet.train(data=data, eta=-1.0)
    with pytest.raises(twinnet.ArgumentError, match="cost must be one of"):
        twinnet.train(data=data, cost="hinge")
    with pytest.raises(ValueError):
        twinnet.train(data=data, eta=float("nan"))
    with pytest.raises(ValueError, match="sizes"):
        twinnet.train(data=data, sizes=[784])
    with pytest.raises(TypeError, match="on_epoch"):
        twinnet.train(data=data, on_epoch=3, **SMALL)


def test_on_epoch_sees_every_epoch_and_can_stop(data):
    seen = []
    model, history = twinnet.train(data=data, on_epoch=seen.append, **SMALL)
    assert seen == history and [h["epoch"] for h in history] == [1, 2]
    model, history = twinnet.train(data=data, on_epoch=lambda rec: rec["epoch"] == 2, train_size=2000, epochs=5)
    assert model.epochs_run == 2 and len(history) == 2
    assert model.fingerprint == twinnet.train(data=data, train_size=2000, epochs=2)[0].fingerprint


def test_an_error_in_on_epoch_is_raised(data):
    def boom(rec):
        raise RuntimeError("from the callback")
    with pytest.raises(RuntimeError, match="from the callback"):
        twinnet.train(data=data, on_epoch=boom, **SMALL)


def test_ctrl_c_stops_cleanly_keeping_the_last_epoch(data):
    """KeyboardInterrupt (as Ctrl-C raises it in the main thread) during epoch 1: training ends at
    an epoch's end, and the model kept is bit for bit that of a run of that many epochs."""
    def interrupt(rec):
        if rec["epoch"] == 1:
            _thread.interrupt_main()
    with pytest.raises(KeyboardInterrupt) as caught:
        twinnet.train(data=data, on_epoch=interrupt, train_size=2000, epochs=60)
    model, history = caught.value.model, caught.value.history
    k = model.epochs_run
    assert 1 <= k < 60 and len(history) == k
    assert model.provenance["stop"] == "interrupted"
    assert model.provenance["steps"] == k * 200
    assert model.fingerprint == twinnet.train(data=data, train_size=2000, epochs=k)[0].fingerprint


def test_two_threads_train_at_once(data):
    """Two trainings in two threads give the fingerprints they give alone, and while C trains the
    GIL is free: the main thread counts on between two epochs of the same training."""
    alone = [twinnet.train(data=data, seed=s, **SMALL)[0].fingerprint for s in (1, 2)]
    results = {}

    def work(seed):
        results[seed] = twinnet.train(data=data, seed=seed, **SMALL)[0].fingerprint
    threads = [threading.Thread(target=work, args=(s,)) for s in (1, 2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [results[1], results[2]] == alone

    counter, marks = [0], []

    def mark(rec):
        marks.append(counter[0])
    t = threading.Thread(target=lambda: twinnet.train(data=data, on_epoch=mark, train_size=10000, epochs=3))
    t.start()
    deadline = time.time() + 120
    while t.is_alive() and time.time() < deadline:
        counter[0] += 1
    t.join()
    assert len(marks) == 3
    assert marks[2] - marks[1] > 1000, "the main thread did not run while C trained: %s" % marks
