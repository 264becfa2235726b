"""Importing the JSON run records older versions of nntui wrote, one file per run, into the run
history, each file once.

:meth:`nntui.storage.history.RunHistory.import_json_runs` calls :func:`import_records` with its
connections.  A file is remembered (table ``imported``) by name, size and modification time, so a
second import reads nothing again, and a record rewritten since (its run was still going) replaces
the run imported from it.  A malformed file is skipped with the reason, once; a saved network in
JSON is passed over.  The files themselves are never changed.
"""

from __future__ import annotations

import json
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
from nntui.storage.history_schema import EPOCH_COLUMNS, finite, store_float
from nntui.storage.networks import FORMAT as NETWORK_FORMAT
from nntui.storage.records import STARTED_FORMAT
from nntui.storage.safe_read import MAX_RECORD_BYTES

Connection = Callable[[], AbstractContextManager[sqlite3.Connection]]
"""The history's way to a connection: for reading, or for one write transaction."""


@dataclass
class ImportReport:
    """What :func:`import_records` did: runs imported (file, run id), files skipped with the
    reason, and files seen before and unchanged since."""

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
        except ValueError as error:
            report.skipped.append((path, str(error)))
            _remember(write, key, stat, str(error))
            continue
        if record is None:  # not a run record (a saved network): nothing to say
            _remember(write, key, stat, None)
            continue
        run_id = _insert(write, record, key, stat)
        if run_id is None:
            report.unchanged += 1
        else:
            report.imported.append((path, run_id))
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
    file; None if another process imported this version meanwhile."""
    with write() as db:
        before = db.execute("SELECT mtime_ns, size, run_id FROM imported WHERE file = ?",
                            (key,)).fetchone()
        if before is not None:
            if before[:2] == (stat.st_mtime_ns, stat.st_size):
                return None
            if before[2] is not None:
                db.execute("DELETE FROM runs WHERE id = ?", (before[2],))
        history = record["history"]
        best = None
        for entry in history:
            accuracy = finite(entry["val_accuracy"])
            if accuracy is not None and (best is None or accuracy > best[0]):
                best = (accuracy, entry["epoch"])
        run_id = db.execute(
            "INSERT INTO runs(config_json, status, message, started, ended, seconds, "
            "epochs_done, best_val_accuracy, best_epoch, final_val_accuracy, test_accuracy, "
            "held_out, network_path) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (json.dumps(record["config"]), record["status"], record["message"],
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
        raise ValueError(f"{what} is {value!r}, not a number")
    return value


def parse_record(path: Path) -> dict | None:
    """The run record in ``path``, checked; None for a file that is not a run record at all (a
    saved network); ValueError saying what is wrong with a malformed one."""
    if path.stat().st_size > MAX_RECORD_BYTES:
        raise ValueError(f"larger than {MAX_RECORD_BYTES >> 20} MiB, more than any run record "
                         f"nntui writes")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise ValueError(f"unreadable: {error}") from error
    except json.JSONDecodeError as error:
        raise ValueError(f"not valid JSON (line {error.lineno}, column {error.colno}): "
                         f"{error.msg}") from error
    except RecursionError:
        raise ValueError("nested too deeply to be a run record") from None
    except ValueError as error:  # e.g. an integer of thousands of digits
        raise ValueError(f"not a run record: {error}") from None
    if isinstance(data, dict) and data.get("format") == NETWORK_FORMAT:
        return None
    if not isinstance(data, dict) or "config" not in data or "history" not in data:
        raise ValueError("not an nntui run record (no config and history)")
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
        if isinstance(epoch, bool) or not isinstance(epoch, int) or epoch < 1 or epoch in seen:
            raise ValueError(f"{where}: bad or repeated epoch number {epoch!r}")
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
            "seconds": _number(entry.get("seconds", 0.0), f"{where}: seconds"),
            "eta": _number(entry.get("eta", config.eta), f"{where}: eta"),
            "notes": notes,
        })
    entries.sort(key=lambda e: e["epoch"])
    status = data.get("status", "completed")
    message = data.get("message", "")
    if status not in RECORDED:
        raise ValueError(f"unknown status {status!r}")
    if not isinstance(message, str):
        raise ValueError("the message is not text")
    if status == "running":  # its process is long gone, or the record would not be imported
        status = "interrupted"
        message = (f"imported from a run record that was never finished; its {len(entries)} "
                   f"finished epochs are kept")
    seconds = _number(data.get("seconds", 0.0), "seconds")
    test_accuracy = _number(data.get("test_accuracy"), "test_accuracy", optional=True)
    try:
        started = time.mktime(time.strptime(str(data["started"]), STARTED_FORMAT))
    except (KeyError, ValueError, OverflowError):
        started = path.stat().st_mtime - seconds  # the file was last written when the run ended
    network = path.with_suffix(".npz")  # where the app saved the run's network (Ctrl+S)
    return {"config": data["config"], "history": entries, "status": status, "message": message,
            "seconds": float(seconds), "test_accuracy": test_accuracy, "started": started,
            "held_out": config.validate_on, "epochs": config.epochs,
            "network_path": str(network) if network.exists() else None}
