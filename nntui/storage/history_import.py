"""Importing the JSON run records older versions of nntui wrote, one file per run, into the run
history, each run once.

:meth:`nntui.storage.history.RunHistory.import_json_runs` calls :func:`import_records` with its
connections.  A file is remembered (table ``imported``) by name, size and modification time, so a
second import reads nothing again, and a record rewritten since (its run was still going) replaces
the run imported from it.  The files themselves are never changed.

Only what earlier versions wrote is imported.  Every file this version writes says what it is (a
``"format"``, e.g. :data:`~nntui.storage.records.RECORD_FORMAT`) and is passed over: an export (the
runs screen offers the runs folder) or a ``nntui train --json`` record is of a run the history
holds already, a saved network or a run kept aside is not a record.  A record of a run the history
already holds (the same config, start and epochs: a copy, or an export made before exports were
marked) is not imported again.

A file is read as every file nntui reads from elsewhere (:func:`~nntui.storage.safe_read.read_json`:
a regular file, of bounded size, without absurd numbers or nesting) and each field is checked, so a
damaged or foreign file is skipped with one line naming it and saying why, once, and never stops
the import of the others.
"""

from __future__ import annotations

import json
import math
import os
import sqlite3
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from stat import S_ISREG
from typing import Any

from nntui.config import ConfigError, config_from_dict
from nntui.status import RECORDED
from nntui.storage.errors import RunFileError
from nntui.storage.history_schema import EPOCH_COLUMNS, finite, store_float
from nntui.storage.records import STARTED_FORMAT
from nntui.storage.safe_read import read_json, shown

MAX_EPOCH = 2**31 - 1
"""The largest epoch number read (SQLite's integers end at 2⁶³; no run trains this long)."""

PROBLEMS = (ValueError, TypeError, ArithmeticError, RecursionError)
"""What reading a file's fields may raise on something malformed: each skips that file only."""

Connection = Callable[[], AbstractContextManager[sqlite3.Connection]]
"""The history's way to a connection: for reading, or for one write transaction."""


@dataclass
class ImportReport:
    """What :func:`import_records` did: runs imported (file, run id), files skipped with the
    reason (a sentence naming the file), and files seen before and unchanged since."""

    imported: list[tuple[Path, int]] = field(default_factory=list)
    skipped: list[tuple[Path, str]] = field(default_factory=list)
    unchanged: int = 0


def import_records(folder: str | os.PathLike, read: Connection, write: Connection
                   ) -> ImportReport:
    """Import each JSON run record in ``folder`` that was not imported as it is now, through
    the history's ``read`` and ``write`` connections."""
    report = ImportReport()
    folder = Path(folder).expanduser()
    if not folder.is_dir():
        return report
    with read() as db:
        known = {file: (mtime, size, run_id) for file, mtime, size, run_id in db.execute(
            "SELECT file, mtime_ns, size, run_id FROM imported")}
    for path in sorted(folder.glob("*.json")):
        if path.name.startswith("."):  # a temporary file of an atomic write
            continue
        try:
            stat = path.stat()
        except OSError:
            continue
        if not S_ISREG(stat.st_mode):  # a folder, a pipe or a device named *.json
            continue
        key = str(path.resolve())
        before = known.get(key)
        if before is not None and before[:2] == (stat.st_mtime_ns, stat.st_size):
            report.unchanged += 1
            continue
        try:
            record = parse_record(path)
            run_id = None if record is None else _insert(write, record, key, stat)
        except RunFileError as error:  # the message names the file
            problem = str(error)
        except PROBLEMS as error:
            problem = f"{path} is not a run record nntui can import: {error}"
        else:
            if record is None:  # a network, or what this version wrote: nothing to say
                _remember(write, key, stat, None)
            elif run_id is None:
                report.unchanged += 1
            else:
                report.imported.append((path, run_id))
            continue
        report.skipped.append((path, problem))
        _remember(write, key, stat, problem)
    return report


def _remember(write: Connection, key: str, stat: os.stat_result, problem: str | None) -> None:
    """Note a file that was not imported (``problem`` says why; None: not a run record)."""
    with write() as db:
        db.execute("INSERT INTO imported VALUES (?, ?, ?, NULL, ?, ?) ON CONFLICT(file) DO "
                   "UPDATE SET mtime_ns = excluded.mtime_ns, size = excluded.size, "
                   "problem = excluded.problem, imported = excluded.imported",
                   (key, stat.st_mtime_ns, stat.st_size, problem, time.time()))


def _insert(write: Connection, record: dict, key: str, stat: os.stat_result) -> int | None:
    """Import one parsed record, replacing the run imported from an earlier version of the
    file; None if another process imported this version meanwhile, or the history holds its
    run already (then the file is remembered as not imported, saying which run it is)."""
    with write() as db:
        before = db.execute("SELECT mtime_ns, size, run_id FROM imported WHERE file = ?",
                            (key,)).fetchone()
        if before is not None:
            if before[:2] == (stat.st_mtime_ns, stat.st_size):
                return None
            if before[2] is not None:
                db.execute("DELETE FROM runs WHERE id = ?", (before[2],))
        history = record["history"]
        config_json = json.dumps(record["config"])
        # Started in the same second (a record keeps the start to the second), with the same
        # config and epochs: the same run.
        same = db.execute(
            "SELECT id FROM runs WHERE config_json = ? AND started >= ? AND started < ? "
            "AND epochs_done = ? LIMIT 1",
            (config_json, record["started"], record["started"] + 1,
             history[-1]["epoch"] if history else 0)).fetchone()
        if same is not None:
            db.execute("INSERT OR REPLACE INTO imported VALUES (?, ?, ?, NULL, ?, ?)",
                       (key, stat.st_mtime_ns, stat.st_size,
                        f"the same run as run {same[0]}, already in the history", time.time()))
            return None
        best = None
        for entry in history:
            accuracy = finite(entry["val_accuracy"])
            if accuracy is not None and (best is None or accuracy > best[0]):
                best = (accuracy, entry["epoch"])
        run_id = db.execute(
            "INSERT INTO runs(config_json, status, message, started, ended, seconds, "
            "epochs_done, best_val_accuracy, best_epoch, final_val_accuracy, test_accuracy, "
            "held_out, network_path) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (config_json, record["status"], record["message"],
             record["started"], record["started"] + record["seconds"], record["seconds"],
             history[-1]["epoch"] if history else 0,
             best and best[0], best and best[1],
             store_float(history[-1]["val_accuracy"]) if history else None,
             store_float(record["test_accuracy"]), record["held_out"], record["network_path"]),
        ).lastrowid
        db.executemany(
            f"INSERT INTO epochs(run_id, {EPOCH_COLUMNS}) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(run_id, e["epoch"], record["epochs"], store_float(e["train_cost"]),
              store_float(e["train_accuracy"]), store_float(e["val_cost"]),
              store_float(e["val_accuracy"]), json.dumps(e["learning_speed"]), e["seconds"],
              None, store_float(e["eta"]), json.dumps(e["notes"])) for e in history])
        db.execute("INSERT OR REPLACE INTO imported VALUES (?, ?, ?, ?, NULL, ?)",
                   (key, stat.st_mtime_ns, stat.st_size, run_id, time.time()))
    return int(run_id)


def _number(value: Any, what: str, *, optional: bool = False) -> float | None:
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{what} is {shown(value)}, not a number")
    return value


def _seconds(value: Any, what: str) -> float:
    """A length of time: a finite number, 0 or more."""
    seconds = _number(value, what)
    if not 0 <= seconds < math.inf:
        raise ValueError(f"{what} is {shown(value)}, not a number of seconds")
    return float(seconds)


def parse_record(path: Path) -> dict | None:
    """The run record in ``path``, checked; None for a file that is not an old run record at all
    (a saved network, or a record this version wrote); :class:`RunFileError` for a file that
    cannot be read as JSON, ValueError saying what is wrong with a malformed record."""
    data = read_json(path, "run record")
    if isinstance(data, dict) and "format" in data:
        # Earlier versions wrote run records without a marker; every file this one writes has
        # one (a network, an export, a --json record, a run kept aside for the history).
        return None
    if not isinstance(data, dict) or "config" not in data or "history" not in data:
        raise ValueError("no config and history")
    try:
        config = config_from_dict(data["config"])
    except ConfigError as error:
        raise ValueError(f"invalid config: {error}") from error
    history = data["history"]
    if not isinstance(history, list):
        raise ValueError("the history is not a list of epochs")
    entries, seen = [], set()
    for index, entry in enumerate(history, start=1):
        where = f"history entry {index}"
        if not isinstance(entry, dict):
            raise ValueError(f"{where}: not an object")
        epoch = entry.get("epoch")
        if (isinstance(epoch, bool) or not isinstance(epoch, int) or not 1 <= epoch <= MAX_EPOCH
                or epoch in seen):
            raise ValueError(f"{where}: bad or repeated epoch number {shown(epoch)}")
        seen.add(epoch)
        speed = entry.get("learning_speed", [])
        notes = entry.get("notes", [])
        if not isinstance(speed, list) or not all(
                _number(s, f"{where}: a learning speed") is not None for s in speed):
            raise ValueError(f"{where}: learning_speed is not a list of numbers")
        if not isinstance(notes, list) or not all(isinstance(n, str) for n in notes):
            raise ValueError(f"{where}: notes is not a list of text")
        entries.append({
            "epoch": epoch,
            "train_cost": _number(entry.get("train_cost"), f"{where}: train_cost", optional=True),
            "train_accuracy": _number(entry.get("train_accuracy"), f"{where}: train_accuracy",
                                      optional=True),
            "val_cost": _number(entry.get("val_cost"), f"{where}: val_cost"),
            "val_accuracy": _number(entry.get("val_accuracy"), f"{where}: val_accuracy"),
            "learning_speed": speed,
            "seconds": _seconds(entry.get("seconds", 0.0), f"{where}: seconds"),
            "eta": _number(entry.get("eta", config.eta), f"{where}: eta"),
            "notes": notes,
        })
    entries.sort(key=lambda e: e["epoch"])
    status = data.get("status", "completed")
    message = data.get("message", "")
    if status not in RECORDED:
        raise ValueError(f"unknown status {shown(status)}")
    if not isinstance(message, str):
        raise ValueError("the message is not text")
    if status == "running":  # its process is long gone, or the record would not be imported
        status = "interrupted"
        message = (f"imported from a run record that was never finished; its {len(entries)} "
                   f"finished epochs are kept")
    seconds = _seconds(data.get("seconds", 0.0), "seconds")
    test_accuracy = _number(data.get("test_accuracy"), "test_accuracy", optional=True)
    try:
        started = time.mktime(time.strptime(str(data["started"]), STARTED_FORMAT))
    except (KeyError, ValueError, OverflowError):
        started = path.stat().st_mtime - seconds  # the file was last written when the run ended
    network = path.with_suffix(".npz")  # where the app saved the run's network (Ctrl+S)
    return {"config": data["config"], "history": entries, "status": status, "message": message,
            "seconds": seconds, "test_accuracy": test_accuracy, "started": started,
            "held_out": config.validate_on, "epochs": config.epochs,
            "network_path": str(network) if network.exists() else None}
