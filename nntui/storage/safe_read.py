"""Reading a file that may come from anywhere without trusting it.

A file is opened only if it is a regular file (a FIFO would block, a device never end) and read
only up to the size nntui allows for its kind, checked before the first byte is read; JSON may
not hold absurdly long whole numbers or nesting.  Every problem is a
:class:`~nntui.storage.errors.RunFileError` naming the file.  :mod:`nntui.storage.networks` and
:mod:`nntui.storage.records` build their checks of the contents on this.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import IO, Any

from nntui.storage.errors import RunFileError, describe_special

MAX_NETWORK_JSON_BYTES = 256 * 2**20
"""The largest ``.json`` network file read (parsed JSON takes several times its size in memory)."""

MAX_RECORD_BYTES = 64 * 2**20
"""The largest run record read; 10,000 epochs take about 3 MB."""

MAX_INT_DIGITS = 20
"""The longest whole number read from JSON; nntui never writes one longer (seeds are < 2³²)."""

WHAT = {"network": "network file", "run record": "run record"}
"""What a file of each kind :func:`nntui.storage.safe_write.check_writable` knows is called."""


def json_limit(kind: str) -> int:
    """The most bytes a JSON file of ``kind`` ("network" or "run record") may take to be read;
    the writers refuse to write more, so that nothing is written that cannot be read back."""
    return MAX_NETWORK_JSON_BYTES if kind == "network" else MAX_RECORD_BYTES


class _HugeNumber(Exception):
    def __init__(self, digits: int):
        self.digits = digits


def _parse_int(text: str) -> int:
    digits = len(text.lstrip("-"))
    if digits > MAX_INT_DIGITS:
        raise _HugeNumber(digits)
    return int(text)


def open_regular(path: Path, what: str) -> tuple[IO[bytes], os.stat_result]:
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
            kind = "a folder" if stat.S_ISDIR(info.st_mode) else describe_special(info.st_mode)
            raise RunFileError(f"{path} is {kind}, not a {what}; give the path of a file")
        return os.fdopen(fd, "rb"), info
    except BaseException:
        os.close(fd)
        raise


def read_json(path: Path, kind: str) -> Any:
    """Parse ``path`` as JSON of ``kind`` ("network" or "run record"), refusing a file larger
    than :func:`json_limit` allows before reading it."""
    what, limit = WHAT[kind], json_limit(kind)
    handle, info = open_regular(path, what)
    with handle:
        if info.st_size > limit:
            raise RunFileError(
                f"{path} is {info.st_size / 2**20:,.0f} MB, too large for a {what} (nntui reads "
                f"at most {limit / 2**20:,.0f} MB)"
                + ("; save large networks as .npz" if kind == "network" else "")
            )
        try:
            data = handle.read(limit + 1)
        except OSError as error:
            raise RunFileError(f"could not read {path}: {error.strerror or error}") from error
    if len(data) > limit:
        raise RunFileError(f"{path} grew beyond {limit / 2**20:,.0f} MB while being read")
    return parse_json(data, path)


def parse_json(data: bytes, path: Path) -> Any:
    """``data``, read from ``path``, as JSON; a RunFileError saying what is wrong otherwise."""
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


def shown(value: Any) -> str:
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
