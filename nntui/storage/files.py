"""Run records and saved networks, in formats a person can open and no pickle can hide in.

* A *run record* is one JSON object: the config, one entry per finished epoch, the test accuracy and
  the total time.  :class:`RunRecord` rewrites it atomically after an epoch (at most once a
  second, since a toy set can finish hundreds of epochs a second) and when the run ends, so a run
  that is stopped or interrupted with Ctrl+C keeps every epoch, and even a killed one loses at
  most the last second.
* A *saved network* holds its config and its weights, as ``.npz`` (compact, loaded with
  ``allow_pickle=False``) or ``.json`` (readable anywhere).  Loading checks every shape and value
  and says plainly what is wrong with a malformed file.

Files come from anywhere, so reading one never trusts it: a file is read only if it is a regular
file of sane size, JSON may not hold absurd numbers or nesting, the layer sizes a network file
claims are checked against limits and against the arrays it really holds before anything is
allocated, and an ``.npz`` member's header and declared size are checked before it is inflated, so
a zip bomb is refused unopened.  Every problem is a :class:`RunFileError` naming the file.

Writing is atomic: the data goes to a temporary file ``.<name>.<8 hex digits>.nntui-tmp`` in the
same folder, which then replaces the target in one step, so the target is always either the old or
the new version.  Temporary files that a killed process left behind are removed by later writes
once they are an hour old.  Files get the permissions the umask gives new files (``0644`` under
the usual umask 022).  Symbolic links, folders, devices and read-only files are never written over:
:func:`check_writable` refuses them, and front ends can call it before a long run.
"""

from __future__ import annotations

import errno
import io
import json
import math
import os
import re
import secrets
import stat
import struct
import time
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import IO, Any

import numpy as np
import platformdirs

from nntui.config import Config, ConfigError, config_from_dict
from nntui.engine import EpochReport, Network

FORMAT = "nntui-network"
FORMAT_VERSION = 1

KINDS = ("network", "run record")
"""What :func:`check_writable` and the writers know how to write."""

NETWORK_SUFFIXES = (".npz", ".json")

MAX_HIDDEN_LAYERS = 10
"""As many hidden layers as the config allows."""

MAX_LAYER_SIZE = 4096
"""The most neurons of a hidden or output layer, as the config allows for hidden layers."""

MAX_INPUTS = 65_536
"""The most inputs a saved network may have: images of up to 256x256 pixels."""

MAX_NETWORK_JSON_BYTES = 256 * 2**20
"""The largest ``.json`` network file read (parsed JSON takes several times its size in memory)."""

MAX_RECORD_BYTES = 64 * 2**20
"""The largest run record read; 10,000 epochs take about 3 MB."""

MAX_META_BYTES = 2**20
"""The largest ``meta`` entry of an ``.npz`` network (the config and sizes take about 1 kB)."""

MAX_ZIP_DIRECTORY_BYTES = 2**20
"""The largest table of contents of an ``.npz`` network (it lists at most 23 entries)."""

MAX_ZIP_ENTRIES = 64
"""More entries than any nntui network file has (at most 23: meta and 11 layers of w and b)."""

MAX_COMPRESSION_RATIO = 100
"""Trained weights hardly compress; a large entry packed more tightly than this is a zip bomb."""

_RATIO_CHECKED_FROM = 8 * 2**20  # entries smaller than this (uncompressed) are never called bombs

MAX_INT_DIGITS = 20
"""The longest whole number read from JSON; nntui never writes one longer (seeds are < 2³²)."""

TEMP_SUFFIX = ".nntui-tmp"
STALE_TEMP_SECONDS = 3600.0
"""Temporary files older than this are leftovers of a killed write and are removed."""

_TEMP_PATTERN = re.compile(r"\..+\.[0-9a-f]{8}" + re.escape(TEMP_SUFFIX))
_LEGACY_TEMP = re.compile(r"[a-z0-9_]{8}|partial\.npz")  # names earlier nntui versions used


class RunFileError(Exception):
    """A run record or network file could not be written or read; the message says why."""


def runs_dir() -> Path:
    """Where the app keeps its run records: the user's data folder, ``.../nntui/runs``."""
    return Path(platformdirs.user_data_dir("nntui")) / "runs"


# --- writing ----------------------------------------------------------------------------------

def check_writable(path: str | os.PathLike, kind: str) -> Path:
    """Check that a ``kind`` ("network" or "run record") can be written to ``path``; return it.

    Front ends call this before a long run, so that a bad output path is reported at once
    instead of after hours of training; the writers make the same check.  Raises
    :class:`RunFileError`, with a message saying what to do, when:

    * a network's name does not end in ``.npz`` or ``.json``;
    * ``path`` exists and is a symbolic link, a folder, a device, a FIFO or a socket (nntui replaces
      a file whole and never writes through a link or over something that is not a regular file),
      or a read-only file;
    * the folder it goes in is not writable, or something on the way to it is a file.  A folder
      that does not exist yet is fine if it can be created: the writers create it.

    ``kind`` other than the two above is a programming error (``ValueError``).
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
    path = Path(path)
    if kind == "network" and path.suffix not in NETWORK_SUFFIXES:
        said = f"'{path.suffix}'" if path.suffix else "a name without a suffix"
        raise RunFileError(
            f"cannot save a network as {said} ({path}); name the file .npz or .json"
        )
    _check_target(path, kind)
    _check_folder(path)
    return path


def _check_target(path: Path, kind: str) -> None:
    """Refuse to replace anything but a writable regular file (or nothing)."""
    try:
        info = os.lstat(path)
    except (FileNotFoundError, NotADirectoryError):
        return  # a new file; a missing or blocked folder is _check_folder's business
    except OSError as error:
        raise _write_error(path, error) from error
    mode = info.st_mode
    if stat.S_ISLNK(mode):
        try:
            target = f" (to {os.readlink(path)})"
        except OSError:
            target = ""
        raise RunFileError(
            f"could not write {path}: it is a symbolic link{target}, and nntui replaces a file "
            f"whole rather than write through a link; give the path of the real file, or remove "
            f"the link first"
        )
    if stat.S_ISDIR(mode):
        raise RunFileError(
            f"could not write {path}: it is a folder; give the name of a {kind} file, "
            f"e.g. {path / ('net.npz' if kind == 'network' else 'run.json')}"
        )
    if not stat.S_ISREG(mode):
        raise RunFileError(
            f"could not write {path}: it is {_describe_special(mode)}, not a regular file; "
            f"choose a file name that does not exist yet"
        )
    if not mode & 0o222 or not os.access(path, os.W_OK):
        raise RunFileError(
            f"could not write {path}: the file is read-only; make it writable "
            f"(chmod u+w) if it may be replaced, or choose another name"
        )


def _describe_special(mode: int) -> str:
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a special file"


def _check_folder(path: Path) -> None:
    """The folder of ``path`` must be writable, or creatable in its nearest existing ancestor."""
    folder = path.parent
    while True:
        try:
            info = os.stat(folder)
            break
        except FileNotFoundError:
            if folder.parent == folder:
                raise RunFileError(f"could not write {path}: {folder} does not exist") from None
            folder = folder.parent
        except NotADirectoryError:
            folder = folder.parent  # the file in the way is found (and named) one level up
        except OSError as error:
            raise _write_error(path, error) from error
    if not stat.S_ISDIR(info.st_mode):
        raise RunFileError(
            f"could not write {path}: {folder} is a file, not a folder; choose another place"
        )
    if not os.access(folder, os.W_OK | os.X_OK):
        if _read_only_file_system(folder):
            raise RunFileError(
                f"could not write {path}: {folder} is on a read-only file system; choose another "
                f"place"
            )
        raise RunFileError(
            f"could not write {path}: permission denied, the folder {folder} is not writable; "
            f"choose a folder you can write to"
        )


def _read_only_file_system(folder: Path) -> bool:
    try:
        return bool(os.statvfs(folder).f_flag & os.ST_RDONLY)
    except (OSError, AttributeError):
        return False


def _write_error(path: Path, error: OSError) -> RunFileError:
    """A RunFileError for ``error``, saying what it means and what to do."""
    reason = error.strerror or str(error)
    if error.errno in (errno.ENOSPC, errno.EDQUOT):
        advice = ("the disk is full" if error.errno == errno.ENOSPC
                  else "your disk quota is used up")
        return RunFileError(
            f"could not write {path}: {reason} ({advice}); free some space or save somewhere "
            f"else. Any earlier version of the file is unchanged"
        )
    if error.errno in (errno.EACCES, errno.EPERM):
        return RunFileError(
            f"could not write {path}: {reason}; choose a folder you can write to"
        )
    if error.errno == errno.EROFS:
        return RunFileError(f"could not write {path}: {reason}; choose another place")
    return RunFileError(f"could not write {path}: {reason}")


def remove_stale_temp_files(path: str | os.PathLike,
                            older_than: float = STALE_TEMP_SECONDS) -> list[Path]:
    """Remove temporary files that killed writes left in the folder of ``path``; return them.

    Removed are regular files named like nntui's temporary files (``.<name>.<8 hex
    digits>.nntui-tmp``, for any target in the folder, plus the names earlier versions used for
    ``path`` itself) whose last change is more than ``older_than`` seconds ago; a younger one may
    belong to a write under way in another process.  Problems are ignored: cleaning up is a
    courtesy and must never stop a save.
    """
    path = Path(path)
    prefix = f".{path.name}."
    cutoff = time.time() - older_than
    removed = []
    try:
        entries = list(os.scandir(path.parent))
    except OSError:
        return removed
    for entry in entries:
        name = entry.name
        ours = _TEMP_PATTERN.fullmatch(name) or (
            name.startswith(prefix) and _LEGACY_TEMP.fullmatch(name[len(prefix):])
        )
        if not ours:
            continue
        try:
            if entry.is_file(follow_symlinks=False) and entry.stat(
                    follow_symlinks=False).st_mtime < cutoff:
                os.unlink(entry.path)
                removed.append(Path(entry.path))
        except OSError:
            pass
    return removed


def _temp_file(path: Path) -> tuple[Path, IO[bytes]]:
    """A new, empty temporary file beside ``path``, created with the umask's permissions."""
    # A name of 255 bytes plus our decoration would be too long for the file system.
    stem = os.fsdecode(os.fsencode(path.name)[:200])
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
    for _ in range(100):
        tmp = path.with_name(f".{stem}.{secrets.token_hex(4)}{TEMP_SUFFIX}")
        try:
            fd = os.open(tmp, flags, 0o666)  # the umask applies, unlike with mkstemp's 0600
        except FileExistsError:
            continue
        return tmp, os.fdopen(fd, "wb")
    raise FileExistsError(errno.EEXIST, "could not find a free temporary file name", str(path))


def write_atomic(path: str | os.PathLike, kind: str, write: Callable[[IO[bytes]], None],
                  limit: int | None = None) -> Path:
    """Write ``path`` through a temporary file so it is always either the old or the new version.

    ``write`` fills the open binary file.  ``limit``: the most bytes the file may take, so that
    nothing is written that :func:`load_network` or :func:`load_run` would refuse to read.
    """
    path = check_writable(path, kind)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise _write_error(path, error) from error
    remove_stale_temp_files(path)
    try:
        tmp, handle = _temp_file(path)
    except OSError as error:
        raise _write_error(path, error) from error
    try:
        with handle:
            write(handle)
            handle.flush()
            size = handle.tell()
            if limit is not None and size > limit:
                raise RunFileError(
                    f"could not write {path}: it would take {size / 2**20:,.0f} MB, more than "
                    f"the {limit / 2**20:,.0f} MB nntui reads back"
                    + ("; save a network this large as .npz"
                       if kind == "network" and path.suffix == ".json" else "")
                )
            os.fsync(handle.fileno())
        _check_target(path, kind)  # something may have appeared there while we wrote
        os.replace(tmp, path)
    except BaseException as error:
        tmp.unlink(missing_ok=True)  # never leave a half-written file beside the real one
        if isinstance(error, OSError):
            raise _write_error(path, error) from error
        raise
    return path


class _Utf8Writer:
    """What ``json.dump`` needs (``write``), as UTF-8 into a binary file, in chunks of about a
    megabyte: json.dump writes token by token.  (A TextIOWrapper would close the file when it is
    collected after an error.)"""

    def __init__(self, handle: IO[bytes]):
        self.handle = handle
        self.parts: list[str] = []
        self.size = 0

    def write(self, text: str) -> None:
        self.parts.append(text)
        self.size += len(text)
        if self.size >= 2**20:
            self.flush()

    def flush(self) -> None:
        self.handle.write("".join(self.parts).encode("utf-8"))
        self.parts, self.size = [], 0


def write_json_atomic(path: str | os.PathLike, data: Any, *, kind: str = "run record") -> None:
    """Write ``data`` as JSON so that the file is always either the old or the new version.

    A full disk, a missing folder or a path that is not a writable regular file raises
    :class:`RunFileError` naming the file.
    """
    def write(handle: IO[bytes]) -> None:
        out = _Utf8Writer(handle)
        json.dump(data, out, indent=1, allow_nan=True)
        out.write("\n")
        out.flush()

    limit = MAX_NETWORK_JSON_BYTES if kind == "network" else MAX_RECORD_BYTES
    write_atomic(path, kind, write, limit)


# --- reading ----------------------------------------------------------------------------------

class _HugeNumber(Exception):
    def __init__(self, digits: int):
        self.digits = digits


def _parse_int(text: str) -> int:
    digits = len(text.lstrip("-"))
    if digits > MAX_INT_DIGITS:
        raise _HugeNumber(digits)
    return int(text)


def _open_regular(path: Path, what: str) -> tuple[IO[bytes], os.stat_result]:
    """Open ``path`` for reading if it is a regular file; a FIFO would block, a device never end."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except (FileNotFoundError, NotADirectoryError):
        raise RunFileError(f"no {what} at {path}") from None
    except PermissionError:
        raise RunFileError(
            f"could not read {path}: permission denied; make it readable (chmod u+r) or copy it "
            f"somewhere you can read"
        ) from None
    except OSError as error:
        raise RunFileError(f"could not read {path}: {error.strerror or error}") from error
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            kind = "a folder" if stat.S_ISDIR(info.st_mode) else _describe_special(info.st_mode)
            raise RunFileError(f"{path} is {kind}, not a {what}; give the path of a file")
        return os.fdopen(fd, "rb"), info
    except BaseException:
        os.close(fd)
        raise


def _read_json(path: Path, what: str, limit: int) -> Any:
    """Parse ``path`` as JSON, refusing files over ``limit`` bytes before reading them."""
    handle, info = _open_regular(path, what)
    with handle:
        if info.st_size > limit:
            raise RunFileError(
                f"{path} is {info.st_size / 2**20:,.0f} MB, too large for a {what} (nntui reads "
                f"at most {limit / 2**20:,.0f} MB)"
                + ("; save large networks as .npz" if what == "network file" else "")
            )
        try:
            data = handle.read(limit + 1)
        except OSError as error:
            raise RunFileError(f"could not read {path}: {error.strerror or error}") from error
    if len(data) > limit:
        raise RunFileError(f"{path} grew beyond {limit / 2**20:,.0f} MB while being read")
    return _parse_json(data, path)


def _parse_json(data: bytes, path: Path) -> Any:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise RunFileError(
            f"{path} is not UTF-8 text (bad byte at offset {error.start}); it is damaged or not "
            f"a JSON file"
        ) from None
    try:
        return json.loads(text, parse_int=_parse_int)
    except json.JSONDecodeError as error:
        raise RunFileError(
            f"{path} is not valid JSON (line {error.lineno}, column {error.colno}): {error.msg}"
        ) from None
    except _HugeNumber as error:
        raise RunFileError(
            f"{path} holds a whole number {error.digits:,} digits long; nntui never writes one "
            f"longer than {MAX_INT_DIGITS} digits, so the file is damaged or not an nntui file"
        ) from None
    except RecursionError:
        raise RunFileError(
            f"{path} nests lists or objects too deeply to be parsed; it is damaged or not an "
            f"nntui file"
        ) from None
    except ValueError as error:
        raise RunFileError(f"{path} is not valid JSON: {error}") from None


# --- run records ------------------------------------------------------------------------------

_TIME_FORMAT = "%Y-%m-%dT%H:%M:%S"


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
            "started": time.strftime(_TIME_FORMAT, time.localtime(self.started)),
        }

    def save(self) -> None:
        if self.path is not None:
            self._last_save = time.monotonic()
            write_json_atomic(self.path, self.as_dict(), kind="run record")


def load_run(path: str | os.PathLike) -> RunRecord:
    """Read a run record written by :class:`RunRecord` or ``nntui train --json``.

    Every field is checked; a malformed file raises :class:`RunFileError` saying which field.
    """
    path = Path(path)
    data = _read_json(path, "run record", MAX_RECORD_BYTES)
    if not isinstance(data, dict):
        raise RunFileError(f"{path} is not an nntui run record (expected a JSON object)")
    for key in ("config", "history"):
        if key not in data:
            raise RunFileError(f"{path} is not an nntui run record (no '{key}' entry)")
    try:
        config = config_from_dict(data["config"])
    except (ConfigError, TypeError, ValueError, ArithmeticError, RecursionError) as error:
        raise RunFileError(f"{path} is not an nntui run record: {error}") from error
    history = data["history"]
    if not isinstance(history, list) or not all(isinstance(e, dict) for e in history):
        raise RunFileError(f"{path}: 'history' must be a list of epochs (JSON objects)")
    test_accuracy = data.get("test_accuracy")
    if test_accuracy is not None and (not _is_number(test_accuracy)
                                      or not (math.isnan(test_accuracy)
                                              or 0 <= test_accuracy <= 1)):
        raise RunFileError(
            f"{path}: 'test_accuracy' must be a fraction from 0 to 1 or null, "
            f"not {_shown(test_accuracy)}"
        )
    seconds = data.get("seconds", 0.0)
    if not _is_number(seconds) or not 0 <= seconds < math.inf:
        raise RunFileError(
            f"{path}: 'seconds' must be a number of seconds, 0 or more, not {_shown(seconds)}"
        )
    texts = {}
    for key, default in (("status", "unknown"), ("message", "")):
        texts[key] = data.get(key, default)
        if not isinstance(texts[key], str):
            raise RunFileError(f"{path}: '{key}' must be text, not {_shown(texts[key])}")
    record = RunRecord(config, None, history, None if test_accuracy is None
                       else float(test_accuracy), texts["status"], texts["message"],
                       seconds=float(seconds))
    if "started" in data:
        record.started = _parse_started(path, data["started"])
    return record


def _parse_started(path: Path, value: Any) -> float:
    try:
        if not isinstance(value, str):
            raise TypeError
        return time.mktime(time.strptime(value, _TIME_FORMAT))
    except (TypeError, ValueError, OverflowError):
        raise RunFileError(
            f"{path}: 'started' must be a local time like 2024-05-01T14:30:00, "
            f"not {_shown(value)}"
        ) from None


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _shown(value: Any) -> str:
    """A short rendering of a JSON value for an error message."""
    if isinstance(value, list):
        if len(value) <= 12 and all(isinstance(v, str | int | float | bool | None)
                                    for v in value):
            text = json.dumps(value)
        else:
            return f"a list of {len(value):,} items"
    elif isinstance(value, dict):
        return "a JSON object"
    else:
        text = json.dumps(value)
    return text if len(text) <= 60 else text[:57] + "..."


# --- saved networks ----------------------------------------------------------------------------

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
        meta = _read_json(path, "network file", MAX_NETWORK_JSON_BYTES)
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
            f"{path} has format version {_shown(version)}; this nntui reads version "
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
            f"numbers (input, hidden layers, output), not {_shown(sizes)}"
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
    handle, _ = _open_regular(path, "network file")
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
    meta = _parse_json(str(raw_meta[()]).encode("utf-8"), path)
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
