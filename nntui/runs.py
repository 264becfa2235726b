"""Run records and saved networks, in formats a person can open and no pickle can hide in.

* A *run record* is one JSON object: the config, one entry per finished epoch, the test accuracy and
  the total time.  :class:`RunRecord` rewrites it atomically after an epoch (at most once a
  second, since a toy set can finish hundreds of epochs a second) and when the run ends, so a run
  that is stopped or interrupted with Ctrl+C keeps every epoch, and even a killed one loses at
  most the last second.
* A *saved network* holds its config and its weights, as ``.npz`` (compact, loaded with
  ``allow_pickle=False``) or ``.json`` (readable anywhere).  Loading checks every shape and value
  and says plainly what is wrong with a malformed file.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import platformdirs

from .config import Config, ConfigError, config_from_dict
from .engine import EpochReport, Network

FORMAT = "nntui-network"
FORMAT_VERSION = 1


class RunFileError(Exception):
    """A run record or network file could not be written or read; the message says why."""


def runs_dir() -> Path:
    """Where the app keeps its run records: the user's data folder, ``.../nntui/runs``."""
    return Path(platformdirs.user_data_dir("nntui")) / "runs"


def write_json_atomic(path: str | os.PathLike, data: Any) -> None:
    """Write ``data`` as JSON so that the file is always either the old or the new version.

    A full disk or a missing folder raises :class:`RunFileError` naming the file.
    """
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(data, handle, indent=1, allow_nan=True)
                handle.write("\n")
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as error:
        raise RunFileError(f"could not write {path}: {error.strerror or error}") from error


@dataclass
class RunRecord:
    """The history of one run, saved to ``path`` (if given) after every change."""

    config: Config
    path: Path | None = None
    history: list[dict] = field(default_factory=list)
    test_accuracy: float | None = None
    status: str = "running"
    message: str = ""
    started: float = field(default_factory=time.time)
    seconds: float = 0.0
    save_interval: float = 1.0  # seconds; rewriting a growing file every epoch would be O(n²)
    _last_save: float = -math.inf

    def add_epoch(self, report: EpochReport) -> None:
        self.history.append(report.as_dict())
        self.seconds += report.seconds
        if time.monotonic() - self._last_save >= self.save_interval:
            self.save()

    def finish(self, status: str, message: str = "", test_accuracy: float | None = None) -> None:
        self.status, self.message, self.test_accuracy = status, message, test_accuracy
        self.save()

    def as_dict(self) -> dict:
        return {
            "config": self.config.to_dict(),
            "history": self.history,
            "test_accuracy": self.test_accuracy,
            "seconds": self.seconds,
            "status": self.status,
            "message": self.message,
            "started": time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(self.started)),
        }

    def save(self) -> None:
        if self.path is not None:
            self._last_save = time.monotonic()
            write_json_atomic(self.path, self.as_dict())


def load_run(path: str | os.PathLike) -> RunRecord:
    """Read a run record written by :class:`RunRecord` or ``nntui train --json``."""
    data = _read_json(Path(path), "run record")
    try:
        config = config_from_dict(data["config"])
        history = list(data["history"])
    except (KeyError, TypeError, ConfigError) as error:
        raise RunFileError(f"{path} is not an nntui run record: {error}") from error
    return RunRecord(config, None, history, data.get("test_accuracy"),
                     data.get("status", "unknown"), data.get("message", ""),
                     seconds=float(data.get("seconds", 0.0)))


def _read_json(path: Path, what: str) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RunFileError(f"no {what} at {path}") from None
    except (OSError, UnicodeDecodeError) as error:
        raise RunFileError(f"could not read {path}: {error}") from error
    except json.JSONDecodeError as error:
        raise RunFileError(
            f"{path} is not valid JSON (line {error.lineno}, column {error.colno}): {error.msg}"
        ) from error


# --- saved networks ----------------------------------------------------------------------------

def save_network(path: str | os.PathLike, network: Network, config: Config) -> Path:
    """Save config and weights; the format follows the suffix, ``.json`` or ``.npz``."""
    path = Path(path)
    meta = {"format": FORMAT, "version": FORMAT_VERSION, "sizes": network.sizes,
            "config": config.to_dict()}
    if path.suffix == ".json":
        meta["weights"] = [w.tolist() for w in network.weights]
        meta["biases"] = [b.tolist() for b in network.biases]
        write_json_atomic(path, meta)
        return path
    if path.suffix != ".npz":
        raise RunFileError(f"cannot save a network as '{path.suffix}'; name the file .npz or .json")
    arrays = {f"w{i}": w for i, w in enumerate(network.weights)}
    arrays |= {f"b{i}": b for i, b in enumerate(network.biases)}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.partial.npz")
        try:
            np.savez_compressed(tmp, meta=np.array(json.dumps(meta)), **arrays)
            os.replace(tmp, path)
        except BaseException:
            tmp.unlink(missing_ok=True)  # never leave a half-written file beside the real one
            raise
    except OSError as error:
        raise RunFileError(f"could not write {path}: {error.strerror or error}") from error
    return path


def load_network(path: str | os.PathLike) -> tuple[Config, Network]:
    """Load a network saved by :func:`save_network`, checking everything before trusting it."""
    path = Path(path)
    if path.suffix == ".json":
        meta = _read_json(path, "network file")
        if not isinstance(meta, dict):
            raise RunFileError(f"{path} is not an nntui network file (expected a JSON object)")
        weights, biases = meta.get("weights"), meta.get("biases")
    elif path.suffix == ".npz":
        meta, weights, biases = _read_npz(path)
    else:
        raise RunFileError(f"cannot read '{path.suffix}' files; expected .npz or .json")
    if meta.get("format") != FORMAT:
        raise RunFileError(f"{path} is not an nntui network file (no '{FORMAT}' marker)")
    if meta.get("version") != FORMAT_VERSION:
        raise RunFileError(
            f"{path} has format version {meta.get('version')!r}; this nntui reads version "
            f"{FORMAT_VERSION}"
        )
    try:
        config = config_from_dict(meta.get("config"))
    except ConfigError as error:
        raise RunFileError(f"{path} holds an invalid config: {error}") from error
    sizes = meta.get("sizes")
    if (not isinstance(sizes, list) or len(sizes) < 2
            or not all(isinstance(n, int) and n > 0 for n in sizes)):
        raise RunFileError(f"{path}: 'sizes' must be a list of at least two positive integers")
    if list(config.hidden) != sizes[1:-1]:
        raise RunFileError(f"{path}: layer sizes {sizes} do not match the config's hidden layers")
    network = Network(sizes, activation=config.activation, output=config.output,
                      cost=config.cost, init=config.init, seed=config.seed, dtype=config.dtype)
    network.weights = _checked(path, "weights", weights, [w.shape for w in network.weights],
                               network.dtype)
    network.biases = _checked(path, "biases", biases, [b.shape for b in network.biases],
                              network.dtype)
    return config, network


def _read_npz(path: Path) -> tuple[dict, list, list]:
    try:
        with np.load(path, allow_pickle=False) as archive:
            names = set(archive.files)
            if "meta" not in names:
                raise RunFileError(f"{path} is not an nntui network file (no 'meta' entry)")
            meta = json.loads(str(archive["meta"]))
            count = sum(1 for name in names if name.startswith("w"))
            weights = [archive[f"w{i}"] for i in range(count) if f"w{i}" in names]
            biases = [archive[f"b{i}"] for i in range(count) if f"b{i}" in names]
    except FileNotFoundError:
        raise RunFileError(f"no network file at {path}") from None
    except (OSError, ValueError, zipfile.BadZipFile, EOFError, KeyError) as error:
        raise RunFileError(f"{path} is damaged or not an .npz file: {error}") from error
    if not isinstance(meta, dict):
        raise RunFileError(f"{path} is not an nntui network file (bad 'meta' entry)")
    return meta, weights, biases


def _checked(path: Path, what: str, arrays: Any, shapes: list[tuple], dtype) -> list[np.ndarray]:
    if not isinstance(arrays, list) or len(arrays) != len(shapes):
        raise RunFileError(f"{path}: expected {len(shapes)} arrays of {what}")
    result = []
    for i, (raw, shape) in enumerate(zip(arrays, shapes, strict=True)):
        try:
            array = np.asarray(raw, dtype=dtype)
        except (TypeError, ValueError) as error:
            raise RunFileError(f"{path}: {what} of layer {i + 1} are not numbers") from error
        if array.shape != shape:
            raise RunFileError(
                f"{path}: {what} of layer {i + 1} have shape {array.shape}, expected {shape}"
            )
        if not np.isfinite(array).all():
            raise RunFileError(f"{path}: {what} of layer {i + 1} hold NaN or infinite values")
        result.append(np.ascontiguousarray(array))
    return result
