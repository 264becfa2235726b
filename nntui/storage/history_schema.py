"""The run history's tables, how an older file is brought up to date, and how values are stored.

The schema is versioned: :data:`MIGRATIONS` are applied in order, in one transaction, when a
database is opened (:class:`nntui.storage.history.RunHistory` does it and refuses a database made
by a newer nntui).  Each migration's docstring is recorded beside its version number.
"""

from __future__ import annotations

import math
import sqlite3
from typing import Any

from nntui.status import RunStatus


def _v1(db: sqlite3.Connection) -> None:
    """runs and their epochs"""
    db.execute("""
        CREATE TABLE runs(
            id INTEGER PRIMARY KEY AUTOINCREMENT,  -- a deleted run's id is never reused
            grp TEXT NOT NULL DEFAULT '',
            name TEXT NOT NULL DEFAULT '',
            preset TEXT NOT NULL DEFAULT '',
            config_json TEXT NOT NULL,
            status TEXT NOT NULL,
            message TEXT NOT NULL DEFAULT '',
            started REAL NOT NULL,
            ended REAL,
            epochs_done INTEGER NOT NULL DEFAULT 0,
            best_val_accuracy REAL,
            best_epoch INTEGER,
            final_val_accuracy REAL,
            test_accuracy REAL,
            held_out TEXT NOT NULL DEFAULT 'validation',
            pinned INTEGER NOT NULL DEFAULT 0,
            network_path TEXT,
            pid INTEGER,
            host TEXT)""")
    db.execute("CREATE INDEX runs_started ON runs(started)")
    db.execute("""
        CREATE TABLE epochs(
            run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
            epoch INTEGER NOT NULL,
            train_cost REAL,
            train_accuracy REAL,
            val_cost REAL,
            val_accuracy REAL,
            learning_speed_json TEXT NOT NULL DEFAULT '[]',
            seconds REAL,
            eta REAL,
            notes_json TEXT NOT NULL DEFAULT '[]',
            PRIMARY KEY(run_id, epoch)) WITHOUT ROWID""")


def _v2(db: sqlite3.Connection) -> None:
    """run times, process identity, whole epoch reports, imported JSON records"""
    # The run's own time (RunRecord.seconds), kept up to date epoch by epoch.
    db.execute("ALTER TABLE runs ADD COLUMN seconds REAL")
    db.execute("UPDATE runs SET seconds = "
               "(SELECT SUM(seconds) FROM epochs WHERE epochs.run_id = runs.id)")
    # When the recording process started, so a pid reused by another process is not taken for
    # the run's (Linux: /proc/PID/stat; None elsewhere).
    db.execute("ALTER TABLE runs ADD COLUMN proc_start TEXT")
    db.execute("CREATE INDEX runs_running ON runs(status) WHERE status = 'running'")
    # The rest of EpochReport, and when the epoch was recorded (the end of an interrupted run).
    db.execute("ALTER TABLE epochs ADD COLUMN epochs INTEGER")
    db.execute("ALTER TABLE epochs ADD COLUMN examples_per_second REAL")
    db.execute("ALTER TABLE epochs ADD COLUMN recorded REAL")
    # Old JSON run records seen, imported or not (problem says why not), so each is read once.
    db.execute("""
        CREATE TABLE imported(
            file TEXT PRIMARY KEY,
            mtime_ns INTEGER NOT NULL,
            size INTEGER NOT NULL,
            run_id INTEGER REFERENCES runs(id) ON DELETE SET NULL,
            problem TEXT,
            imported REAL NOT NULL)""")
    db.execute("CREATE INDEX imported_run ON imported(run_id)")


def _v3(db: sqlite3.Connection) -> None:
    """saturated neurons per layer, per epoch"""
    # One row per measurement at an epoch's end (epoch 0: before training): every layer's z
    # histogram, σ' histogram and saturated or dead fraction, as the JSON of
    # nntui.insight.saturation.SaturationReport.as_dict.
    db.execute("""
        CREATE TABLE saturation(
            run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
            epoch INTEGER NOT NULL,
            report_json TEXT NOT NULL,
            PRIMARY KEY(run_id, epoch)) WITHOUT ROWID""")


MIGRATIONS = (_v1, _v2, _v3)
"""Migration *i* (from 0) takes a database from schema *i* to *i + 1*; append, never edit."""
SCHEMA_VERSION = len(MIGRATIONS)

RUN_COLUMNS = ("id, name, grp, preset, status, message, started, ended, seconds, epochs_done, "
               "best_val_accuracy, best_epoch, final_val_accuracy, test_accuracy, held_out, "
               "pinned, network_path, config_json")
"""The columns of a run that a listing reads, in the order RunSummary takes them."""
EPOCH_COLUMNS = ("epoch, epochs, train_cost, train_accuracy, val_cost, val_accuracy, "
                 "learning_speed_json, seconds, examples_per_second, eta, notes_json")
"""The columns of an epoch, in the order EpochReport takes them."""


def store_float(value: float | None) -> float | str | None:
    """``value`` as the column keeps it.  SQLite stores a NaN as NULL, which would make a
    diverged run's NaN cost look like "not measured"; NaN is stored as the text 'NaN' instead (a
    REAL column keeps text it cannot convert)."""
    if value is None:
        return None
    value = float(value)
    return "NaN" if math.isnan(value) else value


def load_float(value: Any) -> Any:
    """A stored value back as it was given to :func:`store_float`."""
    return math.nan if value == "NaN" else value


def load_status(value: str) -> RunStatus | str:
    """The stored status as a :class:`RunStatus`; words it does not know (a newer version's)
    stay as they are."""
    try:
        return RunStatus(value)
    except ValueError:
        return value


def finite(value: Any) -> float | None:
    """``value`` as a float for comparisons, or None when it is missing or NaN."""
    if value is None or isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return None if math.isnan(value) else float(value)
