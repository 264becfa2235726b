"""What could not be written where it belongs (a full disk), kept aside until it can be.

When the run history cannot be written while a run goes on, its recorder
(:class:`nntui.runner.lifecycle.HistoryRecorder`) keeps the run's epochs and its end in memory and
tries again as the run goes on.  If the history still cannot take them when the run ends, they are
kept aside: a small JSON file (:data:`PENDING_FORMAT`) in the first of :func:`aside_folders` that
takes it, beside the history if there is room for a few kilobytes, else in the user's state folder,
else in a private folder in the temporary folder.  The next time nntui opens that history with room
to spare (:meth:`nntui.storage.history.RunHistory.recover_pending`), the run is finished from it,
once, and the file removed.  A run record (``--json``) that could not be finished where it was
asked for is kept aside the same way, for the person to move.

Each pending file names the history it belongs to, so one folder can hold those of several
histories.  It is read back as anything nntui reads (:func:`~nntui.storage.safe_read.read_json`)
and checked field by field, since a temporary folder is not always private.
"""

from __future__ import annotations

import dataclasses
import math
import os
import secrets
import stat
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import platformdirs

from nntui.engine.events import EpochReport
from nntui.storage.errors import RunFileError
from nntui.storage.safe_read import read_json
from nntui.storage.safe_write import write_json_atomic

PENDING_FORMAT = "nntui-pending-run"
"""The marker of a pending file: what a run history could not take yet."""

PENDING_INFIX = ".pending-run-"
"""How pending files are named: the history's name, this, the run's id (or "new") and a token,
``runs.db.pending-run-12-1a2b3c4d.json``."""


def aside_folders(beside: Path | None = None) -> list[Path]:
    """Where what cannot be written where it belongs is kept, in the order tried: ``beside``
    (the history's own folder: a few kilobytes may fit where a database transaction does not),
    the user's state folder (``~/.local/state/nntui/kept``, ``$XDG_STATE_HOME``), and a folder
    of this user's own in the temporary folder, often on another disk."""
    folders = [] if beside is None else [beside]
    folders.append(Path(platformdirs.user_state_dir("nntui")) / "kept")
    user = os.getuid() if hasattr(os, "getuid") else os.getlogin()
    folders.append(Path(tempfile.gettempdir()) / f"nntui-{user}-kept")
    return folders


def _private(folder: Path) -> bool:
    """Whether ``folder`` may hold what is kept: a folder (made if need be, private when in the
    temporary folder), not a link, and this user's own."""
    shared = folder.parent == Path(tempfile.gettempdir())
    try:
        folder.mkdir(mode=0o700 if shared else 0o777, parents=True, exist_ok=True)
        info = os.lstat(folder)
    except OSError:
        return False
    if not stat.S_ISDIR(info.st_mode):
        return False
    if shared and hasattr(os, "getuid"):
        return info.st_uid == os.getuid() and not info.st_mode & 0o077
    return True


def keep_aside(name: str, data: Mapping[str, Any], folders: list[Path]) -> Path:
    """Write ``data`` as JSON named ``name`` (``name-2`` … if that is taken: nothing kept earlier
    is replaced) in the first of ``folders`` that takes it; the path written.
    :class:`RunFileError` saying what went wrong in each when none does."""
    problems = []
    for folder in folders:
        if not _private(folder):
            problems.append(f"{folder} cannot be used")
            continue
        path, number = folder / name, 1
        while os.path.lexists(path):
            number += 1
            path = folder / f"{Path(name).stem}-{number}{Path(name).suffix}"
        try:
            write_json_atomic(path, dict(data), kind="run record")
        except RunFileError as error:
            problems.append(str(error))
            continue
        return path
    raise RunFileError("; ".join(problems))


# --- a run the history could not take ------------------------------------------------------------

@dataclass
class PendingRun:
    """A run, or the part of it, that the history at ``history`` could not take: the run's id
    there (None if even its start could not be written), what its start records, the epochs not
    yet written and how it ended (None if that was written)."""

    history: str  # the resolved path of the run history
    run_id: int | None
    config: dict
    name: str = ""
    group: str = ""
    preset: str = ""
    held_out: str = "validation"
    started: float = 0.0
    epochs: list[EpochReport] = field(default_factory=list)
    end: dict | None = None  # RunHistory.finish_run's arguments but the id
    token: str = field(default_factory=lambda: secrets.token_hex(8))  # applied once, by this

    def file_name(self) -> str:
        run = self.run_id if self.run_id is not None else "new"
        return f"{Path(self.history).name}{PENDING_INFIX}{run}-{self.token[:8]}.json"

    def as_dict(self) -> dict:
        return {"format": PENDING_FORMAT, "history": self.history, "token": self.token,
                "run_id": self.run_id, "config": self.config, "name": self.name,
                "group": self.group, "preset": self.preset, "held_out": self.held_out,
                "started": self.started,
                "epochs": [dataclasses.asdict(report) for report in self.epochs],
                "end": self.end}


def keep_pending(pending: PendingRun) -> Path:
    """Keep ``pending`` aside (:func:`keep_aside`), beside its history if there is room."""
    return keep_aside(pending.file_name(), pending.as_dict(),
                      aside_folders(Path(pending.history).parent))


def pending_files(history: Path) -> list[Path]:
    """The pending files that may belong to the history at ``history`` (resolved), oldest
    first; :func:`read_pending` says whether one does."""
    found = []
    for folder in aside_folders(history.parent):
        try:
            found += [path for path in folder.glob(f"{history.name}{PENDING_INFIX}*.json")
                      if path.is_file()]
        except OSError:
            continue
    return sorted(set(found), key=_age)


def _age(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return math.inf


def read_pending(path: Path, history: Path) -> PendingRun | None:
    """The pending run in ``path`` if it belongs to the history at ``history`` (resolved);
    None if it belongs to another.  :class:`RunFileError` for a file that is not one."""
    data = read_json(path, "run record")
    if not isinstance(data, dict) or data.get("format") != PENDING_FORMAT:
        raise RunFileError(f"{path} is not a run kept aside by nntui")
    if data.get("history") != str(history):
        return None
    try:
        return _checked(data)
    except (KeyError, TypeError, ValueError) as error:
        raise RunFileError(f"{path} is damaged: {error}") from None


def _checked(data: dict) -> PendingRun:
    """A PendingRun from ``data``, every field of the expected type (KeyError, TypeError or
    ValueError otherwise)."""
    def text(key: str) -> str:
        value = data[key]
        if not isinstance(value, str):
            raise TypeError(f"{key} is not text")
        return value

    run_id = data["run_id"]
    if run_id is not None and (isinstance(run_id, bool) or not isinstance(run_id, int)):
        raise TypeError("run_id is not a run id")
    config = data["config"]
    end = data["end"]
    if not isinstance(config, dict) or not (end is None or isinstance(end, dict)):
        raise TypeError("config or end is not an object")
    if end is not None and set(end) - END_FIELDS:
        raise ValueError(f"end has unknown fields {sorted(set(end) - END_FIELDS)}")
    started = data["started"]
    if isinstance(started, bool) or not isinstance(started, int | float):
        raise TypeError("started is not a time")
    epochs = data["epochs"]
    if not isinstance(epochs, list):
        raise TypeError("epochs is not a list")
    return PendingRun(history=text("history"), run_id=run_id, config=config, name=text("name"),
                      group=text("group"), preset=text("preset"), held_out=text("held_out"),
                      started=float(started), epochs=[_report(entry) for entry in epochs],
                      end=end, token=text("token"))


END_FIELDS = frozenset({"status", "message", "test_accuracy", "seconds", "network_path",
                        "best_val_accuracy", "best_epoch"})
"""What a pending run's end may say: :meth:`RunHistory.finish_run`'s arguments."""


def _report(entry: Any) -> EpochReport:
    if not isinstance(entry, dict):
        raise TypeError("an epoch is not an object")
    fields = {f.name for f in dataclasses.fields(EpochReport)}
    if set(entry) != fields:
        raise ValueError(f"an epoch has the fields {sorted(entry)}")
    speed, notes = entry["learning_speed"], entry["notes"]
    if not isinstance(speed, list) or not isinstance(notes, list) or not all(
            isinstance(note, str) for note in notes):
        raise TypeError("an epoch's learning speed or notes are not lists")
    for key in fields - {"learning_speed", "notes"}:
        value = entry[key]
        if value is None and key in ("train_cost", "train_accuracy"):
            continue  # not measured
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise TypeError(f"an epoch's {key} is not a number")
    return EpochReport(**{**entry, "learning_speed": tuple(speed), "notes": tuple(notes)})
