"""Tests of saved networks (``nntui.storage.networks``): round trips, and every way a file can be
bad.

A saved network is read back with checks on every field, so a damaged or hostile file gives a
:class:`RunFileError` saying what is wrong, never a traceback from deep inside NumPy, and a file
that claims absurd sizes or hides a zip bomb is refused before anything is allocated or inflated.
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import numpy as np
import pytest

from nntui.config import make_config
from nntui.engine import Network
from nntui.storage import networks, safe_read
from nntui.storage.errors import RunFileError
from nntui.storage.networks import load_network, save_network


@pytest.mark.parametrize("suffix", [".npz", ".json"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_save_and_load_give_identical_outputs(tmp_path: Path, trained_pair, suffix: str,
                                               dtype: str) -> None:
    config, network = trained_pair(dtype)
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


def test_unknown_suffix(tmp_path: Path, trained_pair) -> None:
    config, network = trained_pair()
    with pytest.raises(RunFileError, match=r"\.npz or \.json"):
        save_network(tmp_path / "net.pkl", network, config)
    (tmp_path / "net.pkl").write_bytes(b"x")
    with pytest.raises(RunFileError, match=r"cannot read '\.pkl'"):
        load_network(tmp_path / "net.pkl")


def test_missing_file(tmp_path: Path) -> None:
    for name in ("none.json", "none.npz"):
        with pytest.raises(RunFileError, match="no network file"):
            load_network(tmp_path / name)


@pytest.fixture
def saved_json(tmp_path: Path, trained_pair) -> tuple[Path, dict]:
    """A network saved as ``net.json``, and what the file holds."""
    config, network = trained_pair()
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
def test_malformed_json_network(saved_json, change, words: str) -> None:
    path, meta = saved_json
    change(meta)
    _rewrite(path, meta)
    with pytest.raises(RunFileError, match=words) as info:
        load_network(path)
    assert str(path) in str(info.value)


def test_nan_weights_are_refused(saved_json) -> None:
    path, meta = saved_json
    text = json.dumps(meta).replace(str(meta["weights"][0][0][0]), "NaN", 1)
    path.write_text(text)
    with pytest.raises(RunFileError, match="NaN or infinite"):
        load_network(path)


def test_malformed_npz(tmp_path: Path, trained_pair) -> None:
    config, network = trained_pair()
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


@pytest.fixture
def npz_arrays(tmp_path: Path, trained_pair) -> tuple[dict, dict]:
    """The entries of a good .npz network, and its meta as a dict."""
    config, network = trained_pair()
    good = save_network(tmp_path / "good.npz", network, config)
    with np.load(good) as archive:
        arrays = dict(archive)
    return arrays, json.loads(str(arrays["meta"]))




@pytest.mark.parametrize("suffix", [".json", ".npz"])
@pytest.mark.parametrize(("sizes", "hidden", "words"), [
    ([10**9, 8, 2], [8], "network 1,000,000,000 inputs; nntui loads networks of at most 65,536"),
    ([2, 8, 10**9], [8], "output layer of 1,000,000,000 neurons"),
    ([2, *[4] * 11, 2], [4] * 11, "invalid config"),  # 11 hidden layers: the config refuses
    ([2, 8, True], [8], "'sizes'"),
    ([2, 5000, 2], [5000], "invalid config"),
])
def test_absurd_layer_sizes_are_refused_before_anything_is_allocated(
        tmp_path: Path, saved_json, npz_arrays, monkeypatch, refusal, suffix: str, sizes, hidden,
        words: str) -> None:
    path, meta = saved_json
    meta["sizes"], meta["config"]["hidden"] = sizes, hidden
    if suffix == ".json":
        _rewrite(path, meta)
    else:
        arrays, _ = npz_arrays
        path = tmp_path / "net.npz"
        np.savez(path, **{**arrays, "meta": np.array(json.dumps(meta))})

    def no_network(*args, **kwargs):
        raise AssertionError("a network was built from unchecked sizes")

    monkeypatch.setattr(networks, "Network", no_network)
    assert words in refusal(path)


def test_a_network_too_large_to_load_is_not_saved(tmp_path: Path) -> None:
    config = make_config(dataset="xor", hidden="1", output="softmax", cost="log-likelihood")
    wide = Network([networks.MAX_INPUTS + 1, 1, 2], output="softmax", cost="log-likelihood")
    with pytest.raises(RunFileError, match=r"could not save .*65,537 inputs; nntui loads"):
        save_network(tmp_path / "wide.npz", wide, config)
    assert list(tmp_path.iterdir()) == []


def test_sizes_that_the_arrays_do_not_hold_are_refused(saved_json, monkeypatch, refusal) -> None:
    # Within every limit, but the file holds the arrays of a much smaller network.
    path, meta = saved_json
    meta["sizes"], meta["config"]["hidden"] = [4096, 4096, 4096, 2], [4096, 4096]
    _rewrite(path, meta)

    def no_network(*args, **kwargs):
        raise AssertionError("a network was built before its arrays were checked")

    monkeypatch.setattr(networks, "Network", no_network)
    assert "weights of layer 1 have shape (5, 2), expected (4096, 4096)" in refusal(path)


@pytest.mark.parametrize("where", ["version", "seed", "weight", "size"])
def test_huge_json_integers_are_refused(saved_json, where: str, refusal) -> None:
    path, meta = saved_json
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
    assert "whole number 400 digits long" in refusal(path)


@pytest.mark.parametrize(("value", "words"), [
    ([[[1.0]] * 2] * 5, "weights of layer 1 have shape (5, 2, 1)"),
    ([[True, False]] * 5, "true/false values"),
    ([[None, 1.0]] * 5, "not numbers"),
    ([[{"a": 1}, 1.0]] * 5, "not numbers"),
    ([[1e300, 1.0]] * 5, "too large for float32"),
    ([[1, 2]] * 5, None),  # whole numbers are numbers
])
def test_json_weights_must_be_real_numbers(saved_json, value, words, refusal) -> None:
    path, meta = saved_json
    meta["weights"][0] = value
    _rewrite(path, meta)
    if words is None:
        _, network = load_network(path)
        assert network.weights[0].tolist() == value
    else:
        assert words in refusal(path)


@pytest.mark.parametrize(("dtype", "words"), [
    (np.complex128, "complex numbers"),
    (np.complex64, "complex numbers"),
    (np.str_, "not numbers"),
    (np.bool_, "true/false values"),
    ([("a", "<f4"), ("b", "<f4")], "real numbers"),
])
def test_npz_weights_must_be_real_numbers(tmp_path: Path, npz_arrays, refusal, dtype,
                                          words: str) -> None:
    arrays, _ = npz_arrays
    path = tmp_path / "net.npz"
    bad = np.zeros(arrays["w0"].shape, dtype=dtype)
    np.savez(path, **{**arrays, "w0": bad})
    message = refusal(path)
    assert "weights of layer 1" in message and words in message


def test_npz_in_other_byte_orders_and_layouts_loads(tmp_path: Path, npz_arrays) -> None:
    arrays, _ = npz_arrays
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


def test_an_entry_whose_header_claims_a_huge_shape_is_not_read(tmp_path: Path, npz_arrays,
                                                               refusal) -> None:
    # np.load would allocate the 32 GB the header claims before finding the data missing.
    arrays, _ = npz_arrays
    path = _write_npz(tmp_path / "huge.npz", arrays,
                      {"w0": [_npy_header((10**9, 8)), bytes(16)]})
    assert "weights of layer 1 have shape (1000000000, 8), expected (5, 2)" in refusal(path)


def test_an_entry_longer_than_its_header_says_is_not_read(tmp_path: Path, npz_arrays,
                                                          refusal) -> None:
    arrays, _ = npz_arrays
    path = _write_npz(tmp_path / "long.npz", arrays,
                      {"w0": [_npy_header((5, 2)), bytes(40), bytes(100_000)]})
    assert "weights of layer 1 declare 100,168 bytes" in refusal(path)


def test_a_zip_bomb_is_refused_without_inflating_it(tmp_path: Path, npz_arrays,
                                                    monkeypatch, refusal) -> None:
    # 16 MB of zeros packs into some 16 kB: the entry's zip record says so before it is opened.
    arrays, _ = npz_arrays
    chunk = bytes(2**20)
    path = _write_npz(tmp_path / "bomb.npz", arrays,
                      {"w0": [_npy_header((5, 2)), *[chunk] * 16]})
    assert path.stat().st_size < 100_000
    opened = []
    original_open = zipfile.ZipFile.open
    monkeypatch.setattr(zipfile.ZipFile, "open",
                        lambda self, name, *a, **k: opened.append(getattr(name, "filename", name))
                        or original_open(self, name, *a, **k))
    assert "looks like a zip bomb" in refusal(path)
    assert "w0.npy" not in opened


def test_a_zip_with_a_huge_table_of_contents_is_refused(tmp_path: Path, npz_arrays,
                                                        refusal) -> None:
    arrays, _ = npz_arrays
    path = tmp_path / "many.npz"
    np.savez(path, **arrays, **{f"x{i}": np.zeros(1) for i in range(100)})
    assert "lists 107 entries" in refusal(path)


@pytest.mark.parametrize(("change", "words"), [
    (lambda a: a.update(w3=a["w0"]), r"expected 3 arrays of weights .*\(w3 extra\)"),
    (lambda a: a.pop("w1"), r"expected 3 arrays of weights .*\(w1 missing\)"),
    (lambda a: a.update(extra=np.zeros(1)), "unexpected entry 'extra.npy'"),
    (lambda a: a.update(meta=np.array("x" * 300_000)), "'meta' entry declares"),
    (lambda a: a.update(meta=np.array([json.dumps({"a": 1})])), "bad 'meta' entry"),
    (lambda a: a.update(meta=np.array("[1]")), "bad 'meta' entry"),
    (lambda a: a.update(meta=np.array("{")), "not valid JSON"),
])
def test_malformed_npz_entries(tmp_path: Path, npz_arrays, change, words: str) -> None:
    arrays, _ = npz_arrays
    change(arrays)
    path = tmp_path / "net.npz"
    np.savez(path, **arrays)
    with pytest.raises(RunFileError, match=words):
        load_network(path)


def test_npz_entry_in_an_unknown_npy_version(tmp_path: Path, npz_arrays, refusal) -> None:
    arrays, _ = npz_arrays
    path = _write_npz(tmp_path / "v9.npz", arrays,
                      {"w0": [b"\x93NUMPY\x09\x00" + bytes(100)]})
    assert "not in the .npy format nntui writes" in refusal(path)


def test_a_network_too_large_for_json_is_not_written(tmp_path: Path, trained_pair,
                                                     monkeypatch) -> None:
    config, network = trained_pair()
    monkeypatch.setattr(safe_read, "MAX_NETWORK_JSON_BYTES", 1000)
    with pytest.raises(RunFileError, match=r"more than the 0 MB nntui reads back; save .* \.npz"):
        save_network(tmp_path / "net.json", network, config)
    assert list(tmp_path.iterdir()) == []


def test_a_network_file_may_be_reached_through_a_link(tmp_path: Path, trained_pair) -> None:
    config, network = trained_pair()
    real = save_network(tmp_path / "real.npz", network, config)
    (tmp_path / "link.npz").symlink_to(real)
    assert load_network(tmp_path / "link.npz")[0] == config


@pytest.mark.parametrize("suffix", [".npz", ".json"])
def test_a_loaded_network_can_train_on(tmp_path: Path, suffix: str) -> None:
    config = make_config(dataset="xor", hidden="4")
    network = Network([2, 4, 2], seed=1)
    path = save_network(tmp_path / f"net{suffix}", network, config)
    _, loaded = load_network(path)
    for array in (*loaded.weights, *loaded.biases):
        assert array.flags.writeable
        array += 0  # what an update step does in place
