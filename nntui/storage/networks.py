"""Saved networks: a trained network's config and weights, in a file a person can open and no
pickle can hide in.

A network is saved as ``.npz`` (compact, loaded with ``allow_pickle=False``) or ``.json``
(readable anywhere); the suffix says which.  Writing goes through
:mod:`nntui.storage.safe_write`, so the file is replaced whole and never written through a link.

Files come from anywhere, so loading one never trusts it: the layer sizes it claims are checked
against limits and against the arrays it really holds before anything is allocated, every array
must be real numbers of the right shape, and an ``.npz`` member's header and declared size are
checked before it is inflated, so a zip bomb is refused unopened.  Every problem is a
:class:`~nntui.storage.errors.RunFileError` naming the file and saying what is wrong.
"""

from __future__ import annotations

import io
import json
import math
import os
import re
import struct
import zipfile
import zlib
from collections.abc import Callable
from itertools import pairwise
from pathlib import Path
from typing import IO, Any

import numpy as np

from nntui.config import Config, ConfigError, config_from_dict
from nntui.engine import Network
from nntui.storage.errors import RunFileError
from nntui.storage.safe_read import open_regular, parse_json, read_json, shown
from nntui.storage.safe_write import check_writable, write_atomic, write_json_atomic

FORMAT = "nntui-network"
FORMAT_VERSION = 1

MAX_HIDDEN_LAYERS = 10
"""As many hidden layers as the config allows."""

MAX_LAYER_SIZE = 4096
"""The most neurons of a hidden or output layer, as the config allows for hidden layers."""

MAX_INPUTS = 65_536
"""The most inputs a saved network may have: images of up to 256x256 pixels."""

MAX_META_BYTES = 2**20
"""The largest ``meta`` entry of an ``.npz`` network (the config and sizes take about 1 kB)."""

MAX_ZIP_DIRECTORY_BYTES = 2**20
"""The largest table of contents of an ``.npz`` network (it lists at most 23 entries)."""

MAX_ZIP_ENTRIES = 64
"""More entries than any nntui network file has (at most 23: meta and 11 layers of w and b)."""

MAX_COMPRESSION_RATIO = 100
"""Trained weights hardly compress; a large entry packed more tightly than this is a zip bomb."""

_RATIO_CHECKED_FROM = 8 * 2**20  # entries smaller than this (uncompressed) are never called bombs


def save_network(path: str | os.PathLike, network: Network, config: Config) -> Path:
    """Save config and weights; the format follows the suffix, ``.json`` or ``.npz``.

    The path is checked with :func:`check_writable` first, and a network larger than
    :func:`load_network` accepts is refused rather than written.
    """
    path = check_writable(path, "network")
    problem = _size_problem(network.sizes)
    if problem:  # it could never be loaded again
        raise RunFileError(f"could not save {path}: the network has {problem}")
    meta = {"format": FORMAT, "version": FORMAT_VERSION, "sizes": network.sizes,
            "config": config.to_dict()}
    if path.suffix == ".json":
        meta["weights"] = [w.tolist() for w in network.weights]
        meta["biases"] = [b.tolist() for b in network.biases]
        write_json_atomic(path, meta, kind="network")
        return path
    arrays = {f"w{i}": w for i, w in enumerate(network.weights)}
    arrays |= {f"b{i}": b for i, b in enumerate(network.biases)}

    def write(handle: IO[bytes]) -> None:
        np.savez_compressed(handle, meta=np.array(json.dumps(meta)), **arrays)

    return write_atomic(path, "network", write)


def load_network(path: str | os.PathLike) -> tuple[Config, Network]:
    """Load a network saved by :func:`save_network`, checking everything before trusting it."""
    path = Path(path)
    if path.suffix == ".json":
        meta = read_json(path, "network")
        if not isinstance(meta, dict):
            raise RunFileError(f"{path} is not an nntui network file (expected a JSON object)")
        config, sizes = _checked_meta(path, meta)
        shapes = _shapes(sizes)
        weights = _checked(path, "weights", meta.get("weights"), shapes[0])
        biases = _checked(path, "biases", meta.get("biases"), shapes[1])
    elif path.suffix == ".npz":
        config, sizes, weights, biases = _read_npz(path)
    else:
        raise RunFileError(f"cannot read '{path.suffix}' files ({path}); expected .npz or .json")
    # Only now, with every array read and checked, is a network of these sizes built.
    network = Network(sizes, activation=config.activation, output=config.output,
                      cost=config.cost, init=config.init, seed=config.seed, dtype=config.dtype)
    network.weights = _converted(path, "weights", weights, network.dtype)
    network.biases = _converted(path, "biases", biases, network.dtype)
    return config, network


def _checked_meta(path: Path, meta: dict) -> tuple[Config, list[int]]:
    """The config and layer sizes of a network file, checked against each other and limits."""
    if meta.get("format") != FORMAT:
        raise RunFileError(f"{path} is not an nntui network file (no '{FORMAT}' marker)")
    version = meta.get("version")
    if isinstance(version, bool) or version != FORMAT_VERSION:
        raise RunFileError(
            f"{path} has format version {shown(version)}; this nntui reads version "
            f"{FORMAT_VERSION}"
        )
    try:
        config = config_from_dict(meta.get("config"))
    except (ConfigError, TypeError, ValueError, ArithmeticError, RecursionError) as error:
        raise RunFileError(f"{path} holds an invalid config: {error}") from error
    sizes = meta.get("sizes")
    if (not isinstance(sizes, list) or not 2 <= len(sizes) <= MAX_HIDDEN_LAYERS + 2
            or not all(isinstance(n, int) and not isinstance(n, bool) and n > 0
                       for n in sizes)):
        raise RunFileError(
            f"{path}: 'sizes' must be a list of two to {MAX_HIDDEN_LAYERS + 2} positive whole "
            f"numbers (input, hidden layers, output), not {shown(sizes)}"
        )
    problem = _size_problem(sizes)
    if problem:
        raise RunFileError(
            f"{path}: 'sizes' gives the network {problem}, so the file is damaged or not one "
            f"nntui wrote"
        )
    if list(config.hidden) != sizes[1:-1]:
        raise RunFileError(f"{path}: layer sizes {sizes} do not match the config's hidden layers")
    return config, sizes


def _size_problem(sizes: list[int]) -> str | None:
    """What is too large about a network of layer ``sizes`` for nntui to load, if anything."""
    if sizes[0] > MAX_INPUTS:
        return f"{sizes[0]:,} inputs; nntui loads networks of at most {MAX_INPUTS:,} inputs"
    if sizes[-1] > MAX_LAYER_SIZE:
        return (f"an output layer of {sizes[-1]:,} neurons; nntui loads networks of at most "
                f"{MAX_LAYER_SIZE:,} outputs")
    return None


def _shapes(sizes: list[int]) -> tuple[list[tuple[int, ...]], list[tuple[int, ...]]]:
    """The shapes of the weights and of the biases of a network of layer ``sizes``."""
    pairs = list(pairwise(sizes))
    return [(n_out, n_in) for n_in, n_out in pairs], [(n_out,) for _, n_out in pairs]


def _checked(path: Path, what: str, arrays: Any, shapes: list[tuple]) -> list[np.ndarray]:
    """JSON lists of numbers as arrays, each checked to be real numbers of the right shape."""
    if not isinstance(arrays, list) or len(arrays) != len(shapes):
        raise RunFileError(f"{path}: expected {len(shapes)} arrays of {what}")
    result = []
    for i, (raw, shape) in enumerate(zip(arrays, shapes, strict=True)):
        if not isinstance(raw, list):
            raise RunFileError(f"{path}: {what} of layer {i + 1} are not a list of numbers")
        try:
            array = np.asarray(raw)
        except (TypeError, ValueError, OverflowError, RecursionError) as error:
            raise RunFileError(f"{path}: {what} of layer {i + 1} are not numbers") from error
        _check_kind(path, what, i, array.dtype)
        if array.shape != shape:
            raise RunFileError(
                f"{path}: {what} of layer {i + 1} have shape {array.shape}, expected {shape}"
            )
        result.append(array)
    return result


def _check_kind(path: Path, what: str, i: int, dtype: np.dtype) -> None:
    if dtype.kind in "fiu":
        return
    if dtype.kind == "c":
        kind = f"complex numbers ({dtype})"
    elif dtype.kind == "b":
        kind = "true/false values"
    elif dtype.kind == "O":
        kind = "not numbers (Python objects, which nntui never loads)"
    elif dtype.kind in "US":
        kind = "not numbers"
    else:
        kind = f"of type {dtype}"
    raise RunFileError(
        f"{path}: {what} of layer {i + 1} are {kind}; a network's {what} must be real numbers"
    )


def _converted(path: Path, what: str, arrays: list[np.ndarray], dtype: np.dtype
               ) -> list[np.ndarray]:
    """Checked arrays in the network's precision, refusing NaN, infinities and overflow."""
    result = []
    for i, array in enumerate(arrays):
        if array.dtype.kind == "f" and not np.isfinite(array).all():
            raise RunFileError(f"{path}: {what} of layer {i + 1} hold NaN or infinite values")
        with np.errstate(over="ignore", invalid="ignore"):
            converted = np.ascontiguousarray(array, dtype=dtype)
        if not np.isfinite(converted).all():
            raise RunFileError(
                f"{path}: {what} of layer {i + 1} hold values too large for {dtype}"
            )
        result.append(converted)
    return result


def _read_npz(path: Path) -> tuple[Config, list[int], list[np.ndarray], list[np.ndarray]]:
    """Config, sizes, weights and biases of an ``.npz`` network, every entry checked before it
    is inflated.

    ``np.load`` would read an entry whatever its size; instead each entry's ``.npy`` header and
    the size the zip's table of contents declares are checked against what the layer sizes
    require, and only an entry that passes is read, by exactly the bytes it should hold.
    """
    handle, _ = open_regular(path, "network file")
    with handle:
        _check_zip_directory(path, handle)
        try:
            with zipfile.ZipFile(handle) as archive:
                return _read_archive(path, archive)
        except RunFileError:
            raise
        except (OSError, EOFError, ValueError, KeyError, zipfile.BadZipFile, zlib.error,
                NotImplementedError, RuntimeError, struct.error) as error:
            # RuntimeError: an encrypted entry; NotImplementedError: an unknown compression.
            raise RunFileError(f"{path} is damaged or not an .npz file: {error}") from error


def _check_zip_directory(path: Path, handle: IO[bytes]) -> None:
    """Refuse a zip whose table of contents is huge before ``zipfile`` reads it into memory.

    Finds the end-of-directory record the way ``zipfile`` does: at the very end of the file, or
    else the last one in the final 64 kB (a comment may follow it); a zip64 record just before it
    overrides its counts, as in ``zipfile``.
    """
    try:
        size = handle.seek(0, os.SEEK_END)
        handle.seek(max(0, size - (22 + 2**16)))
        tail = handle.read()
        handle.seek(0)
    except OSError as error:
        raise RunFileError(f"could not read {path}: {error.strerror or error}") from error
    if len(tail) >= 22 and tail[-22:-18] == b"PK\x05\x06" and tail[-2:] == b"\0\0":
        start = len(tail) - 22
    else:
        start = tail.rfind(b"PK\x05\x06")
    if start < 0 or len(tail) - start < 22:
        return  # not a zip at all: zipfile says so
    entries, directory_size = struct.unpack("<HI", tail[start + 10: start + 16])
    if (start >= 76 and tail[start - 20: start - 16] == b"PK\x06\x07"
            and tail[start - 76: start - 72] == b"PK\x06\x06"):
        entries, directory_size = struct.unpack("<QQ", tail[start - 44: start - 28])
    if entries > MAX_ZIP_ENTRIES or directory_size > MAX_ZIP_DIRECTORY_BYTES:
        raise RunFileError(
            f"{path} lists {entries:,} entries in {directory_size:,} bytes; an nntui network file "
            f"has at most {2 * (MAX_HIDDEN_LAYERS + 1) + 1} entries, so it is damaged or not one "
            f"nntui wrote"
        )


def _read_archive(path: Path, archive: zipfile.ZipFile
                  ) -> tuple[Config, list[int], list[np.ndarray], list[np.ndarray]]:
    names = set(archive.namelist())
    if "meta.npy" not in names:
        raise RunFileError(f"{path} is not an nntui network file (no 'meta' entry)")

    def text_only(shape: tuple, dtype: np.dtype) -> None:
        if dtype.kind != "U" or shape != ():
            raise RunFileError(f"{path} is not an nntui network file (bad 'meta' entry)")

    raw_meta = _read_member(path, archive, "meta", "the 'meta' entry", text_only, MAX_META_BYTES)
    meta = parse_json(str(raw_meta[()]).encode("utf-8"), path)
    if not isinstance(meta, dict):
        raise RunFileError(f"{path} is not an nntui network file (bad 'meta' entry)")
    config, sizes = _checked_meta(path, meta)
    shapes = _shapes(sizes)
    layers = len(shapes[0])
    wanted = {f"{letter}{i}.npy" for letter in "wb" for i in range(layers)}
    for letter, what in (("w", "weights"), ("b", "biases")):
        present = {n for n in names if re.fullmatch(rf"{letter}\d+\.npy", n)}
        missing = sorted(n[:-4] for n in wanted - names if n.startswith(letter))
        extra = sorted(n[:-4] for n in present - wanted)
        if missing or extra:
            detail = f"{', '.join(missing)} missing" if missing else f"{', '.join(extra)} extra"
            raise RunFileError(
                f"{path}: expected {layers} arrays of {what} for layer sizes {sizes} ({detail})"
            )
    unknown = sorted(names - wanted - {"meta.npy"})
    if unknown:
        raise RunFileError(
            f"{path} holds an unexpected entry '{unknown[0]}'; an nntui network file holds only "
            f"meta, w0, w1, ... and b0, b1, ..."
        )
    arrays: dict[str, list[np.ndarray]] = {}
    for letter, what, layer_shapes in (("w", "weights", shapes[0]), ("b", "biases", shapes[1])):
        arrays[what] = []
        for i, shape in enumerate(layer_shapes):
            def accept(found: tuple, dtype: np.dtype, what=what, i=i, shape=shape) -> None:
                _check_kind(path, what, i, dtype)
                if found != shape:
                    raise RunFileError(
                        f"{path}: {what} of layer {i + 1} have shape {found}, expected {shape}"
                    )

            arrays[what].append(_read_member(path, archive, f"{letter}{i}",
                                             f"{what} of layer {i + 1}", accept))
    return config, sizes, arrays["weights"], arrays["biases"]


_NPY_MAX_HEADER = 10_000  # what np.load accepts; nntui's headers take 128 bytes


def _read_member(path: Path, archive: zipfile.ZipFile, name: str, what: str,
                 accept: Callable[[tuple, np.dtype], None], limit: int | None = None
                 ) -> np.ndarray:
    """Read entry ``name`` of an ``.npz``, checking its header before its data is inflated.

    ``accept(shape, dtype)`` raises RunFileError for a header the entry may not have; ``limit``
    caps the bytes the entry may declare.  The size the zip declares for the entry must then be
    exactly what the header's shape and type take, and that is all that is read.
    """
    info = archive.getinfo(f"{name}.npy")
    if limit is not None and info.file_size > limit:
        raise RunFileError(
            f"{path}: {what} declares {info.file_size:,} bytes, more than the "
            f"{limit:,} nntui allows there; the file is damaged or not one nntui wrote"
        )
    if (info.file_size >= _RATIO_CHECKED_FROM
            and info.file_size > MAX_COMPRESSION_RATIO * max(info.compress_size, 1)):
        raise RunFileError(
            f"{path}: {what} would inflate {info.compress_size:,} bytes into "
            f"{info.file_size:,}, far more than trained weights ever compress; the file looks "
            f"like a zip bomb and was not opened"
        )
    with archive.open(info) as member:
        magic = member.read(8)
        length_format = {b"\x01\x00": "<H", b"\x02\x00": "<I"}.get(magic[6:8])
        if magic[:6] != b"\x93NUMPY" or length_format is None:
            raise RunFileError(
                f"{path}: {what} is not in the .npy format nntui writes (version 1.0 or 2.0); "
                f"the file is damaged or not one nntui wrote"
            )
        length_bytes = member.read(struct.calcsize(length_format))
        (header_length,) = struct.unpack(length_format, length_bytes)
        if header_length > _NPY_MAX_HEADER:
            raise RunFileError(
                f"{path}: {what} has a header of {header_length:,} bytes; nntui's take 128, so "
                f"the file is damaged or not one nntui wrote"
            )
        header = member.read(header_length)
        read_header = (np.lib.format.read_array_header_1_0 if length_format == "<H"
                       else np.lib.format.read_array_header_2_0)
        shape, fortran_order, dtype = read_header(io.BytesIO(length_bytes + header))
        accept(shape, dtype)
        header_end = 8 + len(length_bytes) + header_length
        nbytes = math.prod(shape) * dtype.itemsize
        if info.file_size != header_end + nbytes:
            raise RunFileError(
                f"{path}: {what} declare {info.file_size:,} bytes but a {dtype} array of shape "
                f"{shape} takes {header_end + nbytes:,} with its header; the file is damaged"
            )
        data = member.read(nbytes)  # the zip checks the entry's CRC as this reaches its end
    if len(data) != nbytes:
        raise RunFileError(f"{path}: {what} are cut short; the file is damaged")
    # bytearray, not bytes: the weights must be writable, since a loaded network trains on.
    return np.frombuffer(bytearray(data), dtype=dtype).reshape(
        shape, order="F" if fortran_order else "C")
