"""Tests of run records and saved networks: round trips and every way a file can be bad.

A saved network is read back with checks on every field, so a damaged or hostile file gives a
:class:`RunFileError` saying what is wrong, never a traceback from deep inside NumPy.
"""

from __future__ import annotations

import errno
import io
import json
import math
import os
import re
import signal
import stat
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import numpy as np
import pytest

from nntui.config import make_config
from nntui.engine import EpochReport, Network
from nntui.storage import files as runs
from nntui.storage.files import (
    RunFileError,
    RunRecord,
    check_writable,
    load_network,
    load_run,
    save_network,
)


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
    return EpochReport(epoch=epoch, epochs=3, train_cost=0.5 / epoch, train_accuracy=0.8,
                       val_cost=0.6 / epoch, val_accuracy=0.75, learning_speed=(0.1, 0.2),
                       seconds=1.5, examples_per_second=100.0,
                       eta=0.5, notes=("note",) if epoch == 2 else ())


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


def test_full_disk_message_says_the_disk_is_full(tmp_path: Path, monkeypatch) -> None:
    config, network = _trained_pair()
    path = save_network(tmp_path / "net.npz", network, config)
    before = path.read_bytes()

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(runs.np, "savez_compressed", full)
    with pytest.raises(RunFileError, match=r"could not write .*net\.npz.*the disk is full"):
        save_network(path, network, config)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["net.npz"]


# --- hostile network files ----------------------------------------------------------------------

def _npz_arrays(tmp_path: Path) -> tuple[dict, dict]:
    """The entries of a good .npz network, and its meta as a dict."""
    config, network = _trained_pair()
    good = save_network(tmp_path / "good.npz", network, config)
    with np.load(good) as archive:
        arrays = dict(archive)
    return arrays, json.loads(str(arrays["meta"]))


def _load_error(path: Path) -> str:
    with pytest.raises(RunFileError) as info:
        load_network(path)
    message = str(info.value)
    assert str(path) in message, message
    return message


@pytest.mark.parametrize("suffix", [".json", ".npz"])
@pytest.mark.parametrize(("sizes", "hidden", "words"), [
    ([10**9, 8, 2], [8], "network 1,000,000,000 inputs; nntui loads networks of at most 65,536"),
    ([2, 8, 10**9], [8], "output layer of 1,000,000,000 neurons"),
    ([2, *[4] * 11, 2], [4] * 11, "invalid config"),  # 11 hidden layers: the config refuses
    ([2, 8, True], [8], "'sizes'"),
    ([2, 5000, 2], [5000], "invalid config"),
])
def test_absurd_layer_sizes_are_refused_before_anything_is_allocated(
        tmp_path: Path, monkeypatch, suffix: str, sizes, hidden, words: str) -> None:
    path, meta = _saved_json(tmp_path)
    meta["sizes"], meta["config"]["hidden"] = sizes, hidden
    if suffix == ".json":
        _rewrite(path, meta)
    else:
        arrays, _ = _npz_arrays(tmp_path)
        path = tmp_path / "net.npz"
        np.savez(path, **{**arrays, "meta": np.array(json.dumps(meta))})

    def no_network(*args, **kwargs):
        raise AssertionError("a network was built from unchecked sizes")

    monkeypatch.setattr(runs, "Network", no_network)
    assert words in _load_error(path)


def test_a_network_too_large_to_load_is_not_saved(tmp_path: Path) -> None:
    config = make_config(dataset="xor", hidden="1", output="softmax", cost="log-likelihood")
    wide = Network([runs.MAX_INPUTS + 1, 1, 2], output="softmax", cost="log-likelihood")
    with pytest.raises(RunFileError, match=r"could not save .*65,537 inputs; nntui loads"):
        save_network(tmp_path / "wide.npz", wide, config)
    assert list(tmp_path.iterdir()) == []


def test_sizes_that_the_arrays_do_not_hold_are_refused(tmp_path: Path, monkeypatch) -> None:
    # Within every limit, but the file holds the arrays of a much smaller network.
    path, meta = _saved_json(tmp_path)
    meta["sizes"], meta["config"]["hidden"] = [4096, 4096, 4096, 2], [4096, 4096]
    _rewrite(path, meta)

    def no_network(*args, **kwargs):
        raise AssertionError("a network was built before its arrays were checked")

    monkeypatch.setattr(runs, "Network", no_network)
    assert "weights of layer 1 have shape (5, 2), expected (4096, 4096)" in _load_error(path)


@pytest.mark.parametrize("where", ["version", "seed", "weight", "size"])
def test_huge_json_integers_are_refused(tmp_path: Path, where: str) -> None:
    path, meta = _saved_json(tmp_path)
    huge = "9" * 400
    text = json.dumps(meta)
    if where == "version":
        text = text.replace('"version": 1', f'"version": {huge}')
    elif where == "seed":
        text = text.replace('"seed": 3', f'"seed": {huge}')
    elif where == "weight":
        text = text.replace('"weights": [[[', f'"weights": [[[{huge}, ', 1)
    else:
        text = text.replace('"sizes": [2', f'"sizes": [{huge}')
    path.write_text(text)
    assert "whole number 400 digits long" in _load_error(path)


def test_deeply_nested_json_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "net.json"
    path.write_text("[" * 100_000 + "]" * 100_000)
    assert "nests lists or objects too deeply" in _load_error(path)
    record = tmp_path / "run.json"
    record.write_text('{"config": ' + "[" * 100_000 + "]" * 100_000 + "}")
    with pytest.raises(RunFileError, match="too deeply"):
        load_run(record)


@pytest.mark.parametrize(("value", "words"), [
    ([[[1.0]] * 2] * 5, "weights of layer 1 have shape (5, 2, 1)"),
    ([[True, False]] * 5, "true/false values"),
    ([[None, 1.0]] * 5, "not numbers"),
    ([[{"a": 1}, 1.0]] * 5, "not numbers"),
    ([[1e300, 1.0]] * 5, "too large for float32"),
    ([[1, 2]] * 5, None),  # whole numbers are numbers
])
def test_json_weights_must_be_real_numbers(tmp_path: Path, value, words) -> None:
    path, meta = _saved_json(tmp_path)
    meta["weights"][0] = value
    _rewrite(path, meta)
    if words is None:
        _, network = load_network(path)
        assert network.weights[0].tolist() == value
    else:
        assert words in _load_error(path)


@pytest.mark.parametrize(("dtype", "words"), [
    (np.complex128, "complex numbers"),
    (np.complex64, "complex numbers"),
    (np.str_, "not numbers"),
    (np.bool_, "true/false values"),
    ([("a", "<f4"), ("b", "<f4")], "real numbers"),
])
def test_npz_weights_must_be_real_numbers(tmp_path: Path, dtype, words: str) -> None:
    arrays, _ = _npz_arrays(tmp_path)
    path = tmp_path / "net.npz"
    bad = np.zeros(arrays["w0"].shape, dtype=dtype)
    np.savez(path, **{**arrays, "w0": bad})
    message = _load_error(path)
    assert "weights of layer 1" in message and words in message


def test_npz_in_other_byte_orders_and_layouts_loads(tmp_path: Path) -> None:
    arrays, _ = _npz_arrays(tmp_path)
    path = tmp_path / "net.npz"
    np.savez(path, **{**arrays, "w0": arrays["w0"].astype(">f8"),
                      "w1": np.asfortranarray(arrays["w1"]), "b0": arrays["b0"].astype(np.int8)})
    _, network = load_network(path)
    np.testing.assert_array_equal(network.weights[0], arrays["w0"])
    np.testing.assert_array_equal(network.weights[1], arrays["w1"])
    np.testing.assert_array_equal(network.biases[0], arrays["b0"].astype(np.int8))
    assert network.weights[0].dtype == np.float32 and network.weights[1].flags.c_contiguous


def _npy_header(shape: tuple, descr: str = "<f4") -> bytes:
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(header, {"descr": descr, "fortran_order": False,
                                                  "shape": shape})
    return header.getvalue()  # the magic string, the version and the header


def _write_npz(path: Path, arrays: dict, raw: dict[str, list[bytes]]) -> Path:
    """An .npz of ``arrays`` plus entries given as raw chunks of bytes (a header, then data)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, array in arrays.items():
            if name not in raw:
                with archive.open(f"{name}.npy", "w") as member:
                    np.lib.format.write_array(member, np.asanyarray(array))
        for name, chunks in raw.items():
            with archive.open(f"{name}.npy", "w", force_zip64=True) as member:
                for chunk in chunks:
                    member.write(chunk)
    return path


def test_an_entry_whose_header_claims_a_huge_shape_is_not_read(tmp_path: Path) -> None:
    # np.load would allocate the 32 GB the header claims before finding the data missing.
    arrays, _ = _npz_arrays(tmp_path)
    path = _write_npz(tmp_path / "huge.npz", arrays,
                      {"w0": [_npy_header((10**9, 8)), bytes(16)]})
    assert "weights of layer 1 have shape (1000000000, 8), expected (5, 2)" in _load_error(path)


def test_an_entry_longer_than_its_header_says_is_not_read(tmp_path: Path) -> None:
    arrays, _ = _npz_arrays(tmp_path)
    path = _write_npz(tmp_path / "long.npz", arrays,
                      {"w0": [_npy_header((5, 2)), bytes(40), bytes(100_000)]})
    assert "weights of layer 1 declare 100,168 bytes" in _load_error(path)


def test_a_zip_bomb_is_refused_without_inflating_it(tmp_path: Path, monkeypatch) -> None:
    # 16 MB of zeros packs into some 16 kB: the entry's zip record says so before it is opened.
    arrays, _ = _npz_arrays(tmp_path)
    chunk = bytes(2**20)
    path = _write_npz(tmp_path / "bomb.npz", arrays,
                      {"w0": [_npy_header((5, 2)), *[chunk] * 16]})
    assert path.stat().st_size < 100_000
    opened = []
    original_open = zipfile.ZipFile.open
    monkeypatch.setattr(zipfile.ZipFile, "open",
                        lambda self, name, *a, **k: opened.append(getattr(name, "filename", name))
                        or original_open(self, name, *a, **k))
    assert "looks like a zip bomb" in _load_error(path)
    assert "w0.npy" not in opened


def test_a_zip_with_a_huge_table_of_contents_is_refused(tmp_path: Path) -> None:
    arrays, _ = _npz_arrays(tmp_path)
    path = tmp_path / "many.npz"
    np.savez(path, **arrays, **{f"x{i}": np.zeros(1) for i in range(100)})
    assert "lists 107 entries" in _load_error(path)


@pytest.mark.parametrize(("change", "words"), [
    (lambda a: a.update(w3=a["w0"]), r"expected 3 arrays of weights .*\(w3 extra\)"),
    (lambda a: a.pop("w1"), r"expected 3 arrays of weights .*\(w1 missing\)"),
    (lambda a: a.update(extra=np.zeros(1)), "unexpected entry 'extra.npy'"),
    (lambda a: a.update(meta=np.array("x" * 300_000)), "'meta' entry declares"),
    (lambda a: a.update(meta=np.array([json.dumps({"a": 1})])), "bad 'meta' entry"),
    (lambda a: a.update(meta=np.array("[1]")), "bad 'meta' entry"),
    (lambda a: a.update(meta=np.array("{")), "not valid JSON"),
])
def test_malformed_npz_entries(tmp_path: Path, change, words: str) -> None:
    arrays, _ = _npz_arrays(tmp_path)
    change(arrays)
    path = tmp_path / "net.npz"
    np.savez(path, **arrays)
    with pytest.raises(RunFileError, match=words):
        load_network(path)


def test_npz_entry_in_an_unknown_npy_version(tmp_path: Path) -> None:
    arrays, _ = _npz_arrays(tmp_path)
    path = _write_npz(tmp_path / "v9.npz", arrays,
                      {"w0": [b"\x93NUMPY\x09\x00" + bytes(100)]})
    assert "not in the .npy format nntui writes" in _load_error(path)


def test_an_oversized_json_network_is_refused_unread(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "big.json"
    with path.open("wb") as handle:  # a sparse file: no disk space, no memory
        handle.truncate(runs.MAX_NETWORK_JSON_BYTES + 1)

    def parse(*args, **kwargs):
        raise AssertionError("the file was read")

    monkeypatch.setattr(runs, "_parse_json", parse)
    assert "256 MB, too large for a network file" in _load_error(path)


def test_a_network_too_large_for_json_is_not_written(tmp_path: Path, monkeypatch) -> None:
    config, network = _trained_pair()
    monkeypatch.setattr(runs, "MAX_NETWORK_JSON_BYTES", 1000)
    with pytest.raises(RunFileError, match=r"more than the 0 MB nntui reads back; save .* \.npz"):
        save_network(tmp_path / "net.json", network, config)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("suffix", [".json", ".npz"])
def test_reading_something_that_is_not_a_regular_file(tmp_path: Path, suffix: str) -> None:
    folder = tmp_path / f"folder{suffix}"
    folder.mkdir()
    assert "is a folder, not a network file" in _load_error(folder)
    fifo = tmp_path / f"fifo{suffix}"
    os.mkfifo(fifo)  # opening it the usual way would wait for a writer forever
    assert "is a named pipe (FIFO)" in _load_error(fifo)


def test_a_network_file_may_be_reached_through_a_link(tmp_path: Path) -> None:
    config, network = _trained_pair()
    real = save_network(tmp_path / "real.npz", network, config)
    (tmp_path / "link.npz").symlink_to(real)
    assert load_network(tmp_path / "link.npz")[0] == config


# --- hostile run records ------------------------------------------------------------------------

def _record(tmp_path: Path) -> tuple[Path, dict]:
    path = tmp_path / "run.json"
    record = RunRecord(make_config(epochs=3), path, save_interval=0)
    record.add_epoch(_report(1))
    record.finish("finished", "done", test_accuracy=0.5)
    return path, json.loads(path.read_text())


@pytest.mark.parametrize(("change", "words"), [
    (lambda d: d.update(seconds="abc"), "'seconds' must be a number of seconds, 0 or more, "
                                        "not \"abc\""),
    (lambda d: d.update(seconds=None), "'seconds' .* not null"),
    (lambda d: d.update(seconds=-1), "'seconds'"),
    (lambda d: d.update(seconds=True), "'seconds'"),
    (lambda d: d.update(test_accuracy="high"), "'test_accuracy'"),
    (lambda d: d.update(test_accuracy=7), "'test_accuracy' must be a fraction"),
    (lambda d: d.update(status=3), "'status' must be text"),
    (lambda d: d.update(message=["a"]), "'message' must be text"),
    (lambda d: d.update(history={"epoch": 1}), "'history' must be a list"),
    (lambda d: d.update(history=[1, 2]), "'history' must be a list of epochs"),
    (lambda d: d.pop("history"), "no 'history' entry"),
    (lambda d: d.update(started="yesterday"), "'started' must be a local time"),
    (lambda d: d.update(started=12), "'started'"),
    (lambda d: d["config"].update(hidden=[[[1]]]), "not an nntui run record: hidden"),
])
def test_malformed_run_records(tmp_path: Path, change, words: str) -> None:
    path, data = _record(tmp_path)
    change(data)
    path.write_text(json.dumps(data))
    with pytest.raises(RunFileError, match=words) as info:
        load_run(path)
    assert str(path) in str(info.value)


def test_a_run_record_reads_back_what_was_written(tmp_path: Path) -> None:
    path, data = _record(tmp_path)
    loaded = load_run(path)
    assert (loaded.status, loaded.message, loaded.test_accuracy) == ("finished", "done", 0.5)
    assert loaded.as_dict()["started"] == data["started"]
    data["seconds"] = 7  # a whole number of seconds is fine
    data["test_accuracy"] = float("nan")  # what an empty test set gives
    path.write_text(json.dumps(data))
    loaded = load_run(path)
    assert loaded.seconds == 7.0 and math.isnan(loaded.test_accuracy)


def test_huge_numbers_and_oversized_run_records(tmp_path: Path, monkeypatch) -> None:
    path, data = _record(tmp_path)
    path.write_text(json.dumps(data).replace('"seconds": ', '"seconds": ' + "1" * 400 + ".5 + ")
                    .replace(".5 + ", "", 1).replace('"seed": 1', '"seed": ' + "9" * 400))
    with pytest.raises(RunFileError, match="400 digits"):
        load_run(path)
    monkeypatch.setattr(runs, "MAX_RECORD_BYTES", 100)
    path.write_text(json.dumps(data))
    with pytest.raises(RunFileError, match="too large for a run record"):
        load_run(path)
    with pytest.raises(RunFileError, match="more than the 0 MB nntui reads back"):
        RunRecord(make_config(), path).save()
    assert json.loads(path.read_text()) == data


def test_a_run_record_that_is_not_text(tmp_path: Path) -> None:
    path = tmp_path / "run.json"
    path.write_bytes(b'{"config": "\xff\xfe"}')
    with pytest.raises(RunFileError, match="not UTF-8 text"):
        load_run(path)


# --- where files are written --------------------------------------------------------------------

def _umask(mask: int):
    class Umask:
        def __enter__(self):
            self.old = os.umask(mask)

        def __exit__(self, *exc):
            os.umask(self.old)

    return Umask()


@pytest.mark.parametrize(("mask", "mode"), [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_files_get_the_permissions_the_umask_gives(tmp_path: Path, mask: int, mode: int) -> None:
    config, network = _trained_pair()
    with _umask(mask):
        paths = [save_network(tmp_path / "net.npz", network, config),
                 save_network(tmp_path / "net.json", network, config)]
        RunRecord(config, tmp_path / "run.json").save()
        paths.append(tmp_path / "run.json")
    for path in paths:
        assert stat.S_IMODE(path.stat().st_mode) == mode, path


def test_a_name_at_the_file_system_limit_still_gets_a_temp_file(tmp_path: Path) -> None:
    path = tmp_path / ("é" * 125 + ".json")  # 255 bytes in UTF-8, the most a name may have
    RunRecord(make_config(), path).save()
    assert load_run(path).config == make_config()
    assert [p.name for p in tmp_path.iterdir()] == [path.name]


def _old(path: Path, seconds: float = 2 * 3600) -> Path:
    then = time.time() - seconds
    os.utime(path, (then, then))
    return path


def _file(path: Path, age: float = 0.0) -> Path:
    path.write_text("x")
    return _old(path, age) if age else path


def test_stale_temporary_files_are_removed_when_writing(tmp_path: Path) -> None:
    hours = 2 * 3600
    stale = [
        _file(tmp_path / ".run.json.0123abcd.nntui-tmp", hours),  # this target's
        _file(tmp_path / ".other-run.json.89abcdef.nntui-tmp", hours),  # another target's
        _file(tmp_path / ".run.json.k3_9xq0z", hours),  # what mkstemp left in earlier versions
        _file(tmp_path / ".net.npz.partial.npz", hours),
    ]
    kept = [
        _file(tmp_path / ".run.json.fedcba98.nntui-tmp"),  # young: maybe a write under way
        _file(tmp_path / ".bashrc", hours),  # not ours
        _file(tmp_path / ".notes.k3_9xq0z", hours),  # like mkstemp's, but not beside our target
        _file(tmp_path / ".run.json.0123abcd.nntui-tmp.keep", hours),
    ]
    folder = tmp_path / ".dir.0123abcd.nntui-tmp"
    folder.mkdir()  # not a regular file: left alone
    _old(folder, hours)
    RunRecord(make_config(), tmp_path / "run.json").save()
    config, network = _trained_pair()
    save_network(tmp_path / "net.npz", network, config)
    assert not any(path.exists() for path in stale)
    left = sorted(p.name for p in tmp_path.iterdir())
    assert left == sorted(["run.json", "net.npz", folder.name, *(p.name for p in kept)])


_KILLED_WRITE = """
import os, signal, sys
from nntui.storage import files as runs
from nntui.config import make_config
def die(*args):
    os.kill(os.getpid(), signal.SIGKILL)
runs.os.replace = die
runs.RunRecord(make_config(), sys.argv[1]).save()
"""


def test_a_write_killed_midway_leaves_a_recognisable_temp_file_that_is_cleaned_up(
        tmp_path: Path) -> None:
    path = tmp_path / "run.json"
    RunRecord(make_config(epochs=2), path).save()
    before = path.read_text()
    done = subprocess.run([sys.executable, "-c", _KILLED_WRITE, str(path)], check=False)
    assert done.returncode == -signal.SIGKILL
    assert path.read_text() == before  # the old version is whole
    (leftover,) = [p for p in tmp_path.iterdir() if p != path]
    assert re.fullmatch(r"\.run\.json\.[0-9a-f]{8}\.nntui-tmp", leftover.name)
    RunRecord(make_config(), path).save()
    assert leftover.exists()  # young: it might belong to a write under way
    _old(leftover)
    RunRecord(make_config(), path).save()
    assert [p.name for p in tmp_path.iterdir()] == ["run.json"]


@pytest.mark.parametrize("kind", ["network", "run record"])
def test_symlinks_are_never_written_through_or_replaced(tmp_path: Path, kind: str) -> None:
    real = tmp_path / "real.json"
    real.write_text("precious")
    link = tmp_path / "out.json"
    link.symlink_to(real)
    with pytest.raises(RunFileError, match=r"out\.json: it is a symbolic link \(to .*real\.json\)"):
        check_writable(link, kind)
    config, network = _trained_pair()
    with pytest.raises(RunFileError, match="symbolic link"):
        if kind == "network":
            save_network(link, network, config)
        else:
            RunRecord(config, link).save()
    assert link.is_symlink() and real.read_text() == "precious"
    dangling = tmp_path / "dangling.json"
    dangling.symlink_to(tmp_path / "nowhere.json")
    with pytest.raises(RunFileError, match="symbolic link"):
        check_writable(dangling, kind)
    assert not (tmp_path / "nowhere.json").exists()


def test_folders_devices_pipes_and_read_only_files_are_refused(tmp_path: Path) -> None:
    folder = tmp_path / "out.npz"
    folder.mkdir()
    with pytest.raises(RunFileError, match=r"it is a folder; give the name of a network file"):
        check_writable(folder, "network")
    with pytest.raises(RunFileError, match="it is a device, not a regular file"):
        check_writable("/dev/null", "run record")
    fifo = tmp_path / "fifo.json"
    os.mkfifo(fifo)
    with pytest.raises(RunFileError, match=r"named pipe \(FIFO\), not a regular file"):
        RunRecord(make_config(), fifo).save()
    read_only = tmp_path / "kept.json"
    read_only.write_text("keep me")
    read_only.chmod(0o444)
    config, network = _trained_pair()
    with pytest.raises(RunFileError, match=r"kept\.json: the file is read-only"):
        save_network(read_only, network, config)
    assert read_only.read_text() == "keep me"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fifo.json", "kept.json", "out.npz"]


def test_check_writable(tmp_path: Path, monkeypatch) -> None:
    fresh = tmp_path / "new" / "deeper" / "net.npz"
    assert check_writable(fresh, "network") == fresh
    assert not (tmp_path / "new").exists()  # checking creates nothing
    existing = tmp_path / "net.json"
    existing.write_text("old")
    assert check_writable(str(existing), "network") == existing
    assert check_writable(tmp_path / "run.txt", "run record") == tmp_path / "run.txt"
    with pytest.raises(RunFileError, match=r"as '\.pkl' .*name the file \.npz or \.json"):
        check_writable(tmp_path / "net.pkl", "network")
    with pytest.raises(RunFileError, match="a name without a suffix"):
        check_writable(tmp_path / "net", "network")
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(RunFileError, match=r"file is a file, not a folder"):
        check_writable(blocker / "sub" / "net.npz", "network")
    with pytest.raises(ValueError, match="kind"):
        check_writable(fresh, "picture")

    locked = tmp_path / "locked"
    locked.mkdir()
    real_access = os.access
    monkeypatch.setattr(runs.os, "access",  # root may write anywhere: pretend not to be root
                        lambda p, mode: Path(p) != locked and real_access(p, mode))
    with pytest.raises(RunFileError, match=r"permission denied, the folder .*locked is not"):
        check_writable(locked / "net.npz", "network")
    with pytest.raises(RunFileError, match="locked is not writable"):
        RunRecord(make_config(), locked / "sub" / "run.json").save()
    assert list(locked.iterdir()) == []


@pytest.mark.parametrize("suffix", [".npz", ".json"])
def test_a_loaded_network_can_train_on(tmp_path: Path, suffix: str) -> None:
    config = make_config(dataset="xor", hidden="4")
    network = Network([2, 4, 2], seed=1)
    path = runs.save_network(tmp_path / f"net{suffix}", network, config)
    _, loaded = runs.load_network(path)
    for array in (*loaded.weights, *loaded.biases):
        assert array.flags.writeable
        array += 0  # what an update step does in place
