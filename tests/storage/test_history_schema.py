"""Tests of the run history's schema (``nntui.storage.history_schema``): an older database is
brought up to date in one transaction, a failing migration changes nothing, a newer one is refused,
and values SQLite would lose (NaN) come back as they went in.
"""

from __future__ import annotations

import json
import math
import socket
import sqlite3
from pathlib import Path

import pytest

from nntui.config import make_config
from nntui.status import RunStatus
from nntui.storage import history_schema
from nntui.storage.history import HistoryError, RunHistory
from nntui.storage.history_schema import (
    SCHEMA_VERSION,
    finite,
    load_float,
    load_status,
    store_float,
)

CONFIG = make_config(dataset="xor", hidden="6", epochs=5, eta=0.1)


def test_newer_schema_is_refused(db_path: Path) -> None:
    RunHistory(db_path).close()
    with sqlite3.connect(db_path) as db:
        db.execute("INSERT INTO schema_version VALUES (?, 0, 'from the future')",
                   (SCHEMA_VERSION + 1,))
    with pytest.raises(HistoryError, match=rf"made by a newer nntui \(schema "
                                           rf"{SCHEMA_VERSION + 1}.*\); upgrade nntui or point "
                                           rf"--runs-db elsewhere"):
        RunHistory(db_path)


V1_SCHEMA = """
CREATE TABLE schema_version(version INTEGER PRIMARY KEY, applied REAL NOT NULL,
                            description TEXT NOT NULL);
INSERT INTO schema_version VALUES (1, 0, 'runs and their epochs');
CREATE TABLE runs(id INTEGER PRIMARY KEY AUTOINCREMENT, grp TEXT NOT NULL DEFAULT '',
    name TEXT NOT NULL DEFAULT '', preset TEXT NOT NULL DEFAULT '', config_json TEXT NOT NULL,
    status TEXT NOT NULL, message TEXT NOT NULL DEFAULT '', started REAL NOT NULL, ended REAL,
    epochs_done INTEGER NOT NULL DEFAULT 0, best_val_accuracy REAL, best_epoch INTEGER,
    final_val_accuracy REAL, test_accuracy REAL, held_out TEXT NOT NULL DEFAULT 'validation',
    pinned INTEGER NOT NULL DEFAULT 0, network_path TEXT, pid INTEGER, host TEXT);
CREATE INDEX runs_started ON runs(started);
CREATE TABLE epochs(run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    epoch INTEGER NOT NULL, train_cost REAL, train_accuracy REAL, val_cost REAL,
    val_accuracy REAL, learning_speed_json TEXT NOT NULL DEFAULT '[]', seconds REAL, eta REAL,
    notes_json TEXT NOT NULL DEFAULT '[]', PRIMARY KEY(run_id, epoch)) WITHOUT ROWID;
"""


def make_v1(path: Path, dead_pid: int) -> None:
    """A version-1 history written by hand: one finished run, one left running by a dead
    process."""
    config = json.dumps(CONFIG.to_dict())
    with sqlite3.connect(path) as db:
        db.executescript(V1_SCHEMA)
        db.execute("INSERT INTO runs(id, name, config_json, status, started, ended, epochs_done, "
                   "best_val_accuracy, best_epoch, final_val_accuracy, pid, host) VALUES "
                   "(1, 'old', ?, 'completed', 1000, 1010, 2, 0.8, 2, 0.8, 1, 'h')", (config,))
        db.execute("INSERT INTO runs(id, config_json, status, started, epochs_done, pid, host) "
                   "VALUES (2, ?, 'running', 2000, 1, ?, ?)",
                   (config, dead_pid, socket.gethostname()))
        db.executemany("INSERT INTO epochs VALUES (?, ?, 0.5, 0.6, 0.4, ?, '[0.1, 0.2]', 1.5, "
                       "0.1, '[]')", [(1, 1, 0.7), (1, 2, 0.8), (2, 1, 0.6)])


def test_migration_from_version_1(db_path: Path, epoch_report, dead_pid) -> None:
    db_path.parent.mkdir()
    make_v1(db_path, dead_pid)
    with RunHistory(db_path) as history:
        assert history.schema_version() == SCHEMA_VERSION
        old = history.get_run(1)
        runs = {run.id: run for run in history.list_runs()}
        assert runs[2].status == "interrupted"
        assert old.config == CONFIG and old.name == "old"
        assert old.seconds == 3.0, "the run's time is filled in from its epochs"
        assert [r.val_accuracy for r in old.history] == [0.7, 0.8]
        assert old.history[0].epochs == CONFIG.epochs
        assert math.isnan(old.history[0].examples_per_second), "v1 did not keep it: unknown"
        run = history.start_run(CONFIG)  # and the new columns take new runs
        history.add_epoch(run, epoch_report(1))
        assert history.get_run(run).history == [epoch_report(1)]
        assert history.import_json_runs(db_path.parent).imported == []
    with sqlite3.connect(db_path) as db:
        versions = [row[0] for row in db.execute("SELECT version FROM schema_version")]
    assert versions == list(range(1, SCHEMA_VERSION + 1))


def test_a_failing_migration_changes_nothing(db_path: Path, monkeypatch, dead_pid) -> None:
    db_path.parent.mkdir()
    make_v1(db_path, dead_pid)

    def broken(db: sqlite3.Connection) -> None:
        db.execute("CREATE TABLE half_done(x)")
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(history_schema, "MIGRATIONS", (*history_schema.MIGRATIONS, broken))
    monkeypatch.setattr(history_schema, "SCHEMA_VERSION", SCHEMA_VERSION + 1)
    with pytest.raises(HistoryError, match="disk I/O error"):
        RunHistory(db_path)
    with sqlite3.connect(db_path) as db:
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
        versions = [row[0] for row in db.execute("SELECT version FROM schema_version")]
    assert versions == [1], "version 2 must be rolled back with the broken version 3"
    assert "half_done" not in tables and "imported" not in tables


def test_values_are_stored_so_that_they_come_back_as_they_went_in() -> None:
    assert store_float(None) is None and load_float(None) is None
    assert store_float(0.25) == 0.25 and load_float(0.25) == 0.25
    assert store_float(1) == 1.0 and isinstance(store_float(1), float)
    assert store_float(math.nan) == "NaN" and math.isnan(load_float("NaN"))
    assert store_float(math.inf) == math.inf
    assert load_status("completed") is RunStatus.COMPLETED
    assert load_status("paused on another planet") == "paused on another planet"
    assert [finite(v) for v in (None, True, "0.5", math.nan, 3, 0.5)] == [
        None, None, None, None, 3.0, 0.5]


def test_an_old_history_takes_saturation_statistics(db_path: Path, dead_pid) -> None:
    """A version-1 history opens with the saturation table of version 3: its old runs have no
    statistics (an empty list, not an error), a new run's come back in order of epoch, a
    second record of an epoch replaces the first, and deleting the run deletes them."""
    db_path.parent.mkdir()
    make_v1(db_path, dead_pid)
    with RunHistory(db_path) as history:
        assert history.saturation(1) == []
        run = history.start_run(CONFIG)
        history.add_saturation(run, 1, {"epoch": 1, "layers": [{"fraction": 0.5}]})
        history.add_saturation(run, 0, {"epoch": 0, "layers": [{"fraction": 0.75}]})
        history.add_saturation(run, 1, {"epoch": 1, "layers": [{"fraction": 0.25}]})
        assert history.saturation(run) == [{"epoch": 0, "layers": [{"fraction": 0.75}]},
                                           {"epoch": 1, "layers": [{"fraction": 0.25}]}]
        with pytest.raises(HistoryError, match="999"):
            history.add_saturation(999, 0, {"epoch": 0, "layers": []})
        history.delete([run])
    with sqlite3.connect(db_path) as db:
        assert db.execute("SELECT COUNT(*) FROM saturation").fetchone() == (0,)
        described = db.execute("SELECT description FROM schema_version WHERE version = 3")
        assert described.fetchone() == ("saturated neurons per layer, per epoch",)
