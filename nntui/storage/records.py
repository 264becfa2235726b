"""Run records: one run as one JSON object, the format ``nntui train --json`` writes and older
versions of the app kept a file of per run.

A record holds the config, one entry per finished epoch, the test accuracy and the total time, and
says what it is (``"format": "nntui-run-record"``): the run history imports the records older
versions left (which have no such marker) and never one this version wrote, an export or a
``--json`` record of a run it already holds.
:class:`RunRecord` rewrites its file atomically after an epoch (at most once a second, since a toy
set can finish hundreds of epochs a second) and when the run ends, so a run that is stopped or
interrupted with Ctrl+C keeps every epoch, and even a killed one loses at most the last second.
:func:`load_run` reads one back, checking every field.  The run history
(:mod:`nntui.storage.history`) exports a run in this shape and imports the records older versions
left in :func:`old_runs_dir`.
"""

from __future__ import annotations

import math
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import platformdirs

from nntui.config import Config, ConfigError, config_from_dict
from nntui.engine import EpochReport
from nntui.storage.errors import RunFileError
from nntui.storage.safe_read import read_json, shown
from nntui.storage.safe_write import write_json_atomic

OLD_RUNS_ENV = "NNTUI_RUNS_DIR"

RECORD_FORMAT = "nntui-run-record"
"""The marker of a run record this version wrote (``nntui train --json``, an export); records of
earlier versions have none, and only those are imported into the run history."""

STARTED_FORMAT = "%Y-%m-%dT%H:%M:%S"
"""How a record says when its run started: local time, to the second."""


def runs_dir() -> Path:
    """Where the app keeps its files: run records, saved networks and exports by default; the
    user's data folder, ``.../nntui/runs``."""
    return Path(platformdirs.user_data_dir("nntui")) / "runs"


def old_runs_dir() -> Path:
    """Where older nntui versions wrote JSON run records: ``$NNTUI_RUNS_DIR`` or
    :func:`runs_dir`."""
    env = os.environ.get(OLD_RUNS_ENV, "").strip()
    if env:
        return Path(env).expanduser()
    return runs_dir()


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
        """Keep the epoch, and save if the last save is :attr:`save_interval` old."""
        self.keep_epoch(report)
        if self.save_due():
            self.save()

    def keep_epoch(self, report: EpochReport) -> None:
        """Keep the epoch for the next save."""
        self.history.append(report.as_dict())
        self.seconds += report.seconds

    def save_due(self) -> bool:
        return time.monotonic() - self._last_save >= self.save_interval

    def finish(self, status: str, message: str = "", test_accuracy: float | None = None) -> None:
        self.status, self.message, self.test_accuracy = status, message, test_accuracy
        self.save()

    def as_dict(self) -> dict:
        return {
            "format": RECORD_FORMAT,
            "config": self.config.to_dict(),
            "history": self.history,
            "test_accuracy": self.test_accuracy,
            "seconds": self.seconds,
            "status": self.status,
            "message": self.message,
            "started": time.strftime(STARTED_FORMAT, time.localtime(self.started)),
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
    data = read_json(path, "run record")
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
            f"not {shown(test_accuracy)}"
        )
    seconds = data.get("seconds", 0.0)
    if not _is_number(seconds) or not 0 <= seconds < math.inf:
        raise RunFileError(
            f"{path}: 'seconds' must be a number of seconds, 0 or more, not {shown(seconds)}"
        )
    texts = {}
    for key, default in (("status", "unknown"), ("message", "")):
        texts[key] = data.get(key, default)
        if not isinstance(texts[key], str):
            raise RunFileError(f"{path}: '{key}' must be text, not {shown(texts[key])}")
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
        return time.mktime(time.strptime(value, STARTED_FORMAT))
    except (TypeError, ValueError, OverflowError):
        raise RunFileError(
            f"{path}: 'started' must be a local time like 2024-05-01T14:30:00, "
            f"not {shown(value)}"
        ) from None


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
