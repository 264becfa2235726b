"""Tests of run records and saved networks: round trips and every way a file can be bad.

A saved network is read back with checks on every field, so a damaged or hostile file gives a
:class:`RunFileError` saying what is wrong, never a traceback from deep inside NumPy.
"""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path

import numpy as np
import pytest

from nntui import runs
from nntui.config import make_config
from nntui.engine import EpochReport, Network
from nntui.runs import RunFileError, RunRecord, load_network, load_run, save_network


def _trained_pair(dtype: str = "float32"):
    config = make_config(dataset="xor", hidden="5,4", activation="tanh", output="softmax",
                         cost="log-likelihood", dtype=dtype, seed=3)
    network = Network([2, 5, 4, 2], activation="tanh", output="softmax", cost="log-likelihood",
                      seed=3, dtype=dtype)
    for w in network.weights:  # make them differ from a fresh network with the same seed
        w += 0.25
    return config, network


@pytest.mark.parametrize("suffix", [".npz", ".json"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_save_and_load_give_identical_outputs(tmp_path: Path, suffix: str, dtype: str) -> None:
    config, network = _trained_pair(dtype)
    path = save_network(tmp_path / f"net{suffix}", network, config)
    assert path.exists()
    loaded_config, loaded = load_network(path)
    assert loaded_config == config
    assert loaded.sizes == network.sizes
    x = np.random.default_rng(0).standard_normal((9, 2)).astype(dtype)
    np.testing.assert_array_equal(loaded.feedforward(x), network.feedforward(x))
    for a, b in zip(loaded.weights, network.weights, strict=True):
        assert a.dtype == np.dtype(dtype)
        np.testing.assert_array_equal(a, b)
    assert not list(tmp_path.glob(".*")), "a temporary file was left behind"


def test_unknown_suffix(tmp_path: Path) -> None:
    config, network = _trained_pair()
    with pytest.raises(RunFileError, match=r"\.npz or \.json"):
        save_network(tmp_path / "net.pkl", network, config)
    (tmp_path / "net.pkl").write_bytes(b"x")
    with pytest.raises(RunFileError, match=r"cannot read '\.pkl'"):
        load_network(tmp_path / "net.pkl")


def test_missing_file(tmp_path: Path) -> None:
    for name in ("none.json", "none.npz"):
        with pytest.raises(RunFileError, match="no network file"):
            load_network(tmp_path / name)


def _saved_json(tmp_path: Path) -> tuple[Path, dict]:
    config, network = _trained_pair()
    path = save_network(tmp_path / "net.json", network, config)
    return path, json.loads(path.read_text())


def _rewrite(path: Path, meta: object) -> Path:
    path.write_text(json.dumps(meta))
    return path


def test_not_json(tmp_path: Path) -> None:
    path = tmp_path / "net.json"
    path.write_text("{not json")
    with pytest.raises(RunFileError, match="not valid JSON"):
        load_network(path)
    _rewrite(path, [1, 2])
    with pytest.raises(RunFileError, match="expected a JSON object"):
        load_network(path)


@pytest.mark.parametrize(("change", "words"), [
    (lambda m: m.update(format="something-else"), "marker"),
    (lambda m: m.pop("format"), "marker"),
    (lambda m: m.update(version=99), "format version 99"),
    (lambda m: m["config"].update(eta=-1), "invalid config"),
    (lambda m: m["config"].update(activation="swish"), "invalid config"),
    (lambda m: m.update(config="nope"), "invalid config"),
    (lambda m: m.update(sizes=[2]), "'sizes'"),
    (lambda m: m.update(sizes=[2, 5, 4, "x"]), "'sizes'"),
    (lambda m: m.update(sizes=[2, 6, 4, 2]), "do not match"),
    (lambda m: m["weights"].pop(), "expected 3 arrays of weights"),
    (lambda m: m.update(biases="none"), "expected 3 arrays of biases"),
    (lambda m: m["weights"][0].pop(), "weights of layer 1 have shape"),
    (lambda m: m["weights"][1][0].__setitem__(0, "x"), "weights of layer 2 are not numbers"),
    (lambda m: m["biases"][2].append(0.0), "biases of layer 3 have shape"),
])
def test_malformed_json_network(tmp_path: Path, change, words: str) -> None:
    path, meta = _saved_json(tmp_path)
    change(meta)
    _rewrite(path, meta)
    with pytest.raises(RunFileError, match=words) as info:
        load_network(path)
    assert str(path) in str(info.value)


def test_nan_weights_are_refused(tmp_path: Path) -> None:
    path, meta = _saved_json(tmp_path)
    text = json.dumps(meta).replace(str(meta["weights"][0][0][0]), "NaN", 1)
    path.write_text(text)
    with pytest.raises(RunFileError, match="NaN or infinite"):
        load_network(path)


def test_malformed_npz(tmp_path: Path) -> None:
    config, network = _trained_pair()
    good = save_network(tmp_path / "good.npz", network, config)
    data = good.read_bytes()

    truncated = tmp_path / "truncated.npz"
    truncated.write_bytes(data[: len(data) // 2])
    with pytest.raises(RunFileError, match=r"damaged or not an \.npz"):
        load_network(truncated)

    garbage = tmp_path / "garbage.npz"
    garbage.write_bytes(b"this is not a zip file at all")
    with pytest.raises(RunFileError, match=r"damaged or not an \.npz"):
        load_network(garbage)

    no_meta = tmp_path / "nometa.npz"
    np.savez(no_meta, w0=np.zeros((5, 2)))
    with pytest.raises(RunFileError, match="no 'meta' entry"):
        load_network(no_meta)

    meta = json.loads(str(np.load(good)["meta"]))
    arrays = dict(np.load(good))
    bad_marker = tmp_path / "marker.npz"
    np.savez(bad_marker, **{**arrays, "meta": np.array(json.dumps({**meta, "format": "x"}))})
    with pytest.raises(RunFileError, match="marker"):
        load_network(bad_marker)

    wrong_shape = tmp_path / "shape.npz"
    np.savez(wrong_shape, **{**arrays, "w1": np.zeros((3, 3))})
    with pytest.raises(RunFileError, match=r"weights of layer 2 have shape \(3, 3\)"):
        load_network(wrong_shape)

    nan = tmp_path / "nan.npz"
    np.savez(nan, **{**arrays, "b0": np.full(5, np.nan)})
    with pytest.raises(RunFileError, match="biases of layer 1 hold NaN"):
        load_network(nan)

    missing = tmp_path / "missing.npz"
    np.savez(missing, **{k: v for k, v in arrays.items() if k != "b2"})
    with pytest.raises(RunFileError, match="expected 3 arrays of biases"):
        load_network(missing)

    pickled = tmp_path / "pickled.npz"
    np.savez(pickled, **{**arrays, "meta": np.array([{"a": 1}], dtype=object)})
    with pytest.raises(RunFileError):
        load_network(pickled)


def _report(epoch: int) -> EpochReport:
    return EpochReport(epoch, 3, 0.5 / epoch, 0.8, 0.6 / epoch, 0.75, (0.1, 0.2), 1.5, 100.0,
                       0.5, ("note",) if epoch == 2 else ())


def test_run_record_is_written_after_each_epoch(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "run.json"
    record = RunRecord(make_config(epochs=3), path, save_interval=0)
    record.add_epoch(_report(1))
    on_disk = json.loads(path.read_text())
    assert [e["epoch"] for e in on_disk["history"]] == [1]
    assert on_disk["status"] == "running"
    record.add_epoch(_report(2))
    on_disk = json.loads(path.read_text())
    assert [e["epoch"] for e in on_disk["history"]] == [1, 2]
    assert on_disk["seconds"] == pytest.approx(3.0)
    assert on_disk["history"][1]["notes"] == ["note"]
    record.finish("stopped", "by hand", test_accuracy=0.7)
    loaded = load_run(path)
    assert loaded.status == "stopped" and loaded.message == "by hand"
    assert loaded.test_accuracy == 0.7
    assert loaded.config == make_config(epochs=3)
    assert len(loaded.history) == 2
    assert [p.name for p in path.parent.iterdir()] == ["run.json"]


def test_run_record_saves_at_most_once_per_interval_and_always_at_the_end(tmp_path: Path) -> None:
    path = tmp_path / "run.json"
    record = RunRecord(make_config(epochs=3), path, save_interval=3600)
    record.add_epoch(_report(1))  # the first epoch is written at once
    record.add_epoch(_report(2))  # within the interval: kept in memory only
    assert [e["epoch"] for e in json.loads(path.read_text())["history"]] == [1]
    record.finish("finished")
    assert [e["epoch"] for e in json.loads(path.read_text())["history"]] == [1, 2]


def test_run_record_without_path_writes_nothing(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    record = RunRecord(make_config())
    record.add_epoch(_report(1))
    assert list(tmp_path.iterdir()) == []


def test_bad_run_records(tmp_path: Path) -> None:
    path = tmp_path / "run.json"
    with pytest.raises(RunFileError, match="no run record"):
        load_run(path)
    path.write_text("[]")
    with pytest.raises(RunFileError, match="not an nntui run record"):
        load_run(path)
    path.write_text(json.dumps({"config": {"eta": "fast"}, "history": []}))
    with pytest.raises(RunFileError, match="eta"):
        load_run(path)
    path.write_text("{\"config\": ")
    with pytest.raises(RunFileError, match="line 1"):
        load_run(path)


def test_full_disk_gives_run_file_error_and_keeps_the_old_file(tmp_path: Path,
                                                               monkeypatch) -> None:
    path = tmp_path / "run.json"
    record = RunRecord(make_config(), path, save_interval=0)
    record.add_epoch(_report(1))
    before = path.read_text()

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(runs.json, "dump", full)
    with pytest.raises(RunFileError, match=r"could not write .*No space left"):
        record.add_epoch(_report(2))
    assert path.read_text() == before  # the old version is intact
    assert [p.name for p in tmp_path.iterdir()] == ["run.json"]  # no temporary left over

    monkeypatch.undo()
    monkeypatch.setattr(runs.os, "replace", full)
    config, network = _trained_pair()
    with pytest.raises(RunFileError, match="No space left"):
        save_network(tmp_path / "net.npz", network, config)
    with pytest.raises(RunFileError, match="No space left"):
        save_network(tmp_path / "net.json", network, config)
    assert [p.name for p in tmp_path.iterdir()] == ["run.json"]  # no half-written network


def test_unwritable_location(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(RunFileError, match="could not write"):
        RunRecord(make_config(), blocker / "run.json").save()
    config, network = _trained_pair()
    with pytest.raises(RunFileError, match="could not write"):
        save_network(blocker / "net.npz", network, config)
