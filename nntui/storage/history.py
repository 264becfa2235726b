"""The run history: every run nntui trains, kept in one embedded SQLite database.

One file (``runs.db`` in the user's data folder, ``$NNTUI_RUNS_DB``, or ``--runs-db PATH``) holds
a row per run and a row per finished epoch.  Each epoch is committed in its own small transaction
the moment it is recorded, so another process (``nntui runs``, a second app) sees it at once and a
run whose process is killed keeps every epoch it finished.  WAL mode and a busy timeout let several
processes record at the same time.

* :class:`RunHistory` is the whole API: plain Python, no UI, every failure a :class:`HistoryError`
  whose message is one line meant for the user (the callers keep training without recording when
  the history fails).
* The schema is versioned (:mod:`nntui.storage.history_schema`): its migrations are applied in
  order, in one transaction, when a database is opened; a database made by a newer nntui is
  refused rather than guessed at.
* A run left ``running`` by a process that no longer exists (same host, pid gone:
  :mod:`nntui.storage.processes`) is marked ``interrupted`` when the history is opened or listed.
* :meth:`RunHistory.import_json_runs` brings in the JSON run records older versions wrote, once
  (:mod:`nntui.storage.history_import`); :meth:`RunHistory.export_json` gives a run back in that
  shape (:mod:`nntui.storage.exports` writes it to a file).
* A run the history could not take while it ran (a full disk) was kept aside by its recorder
  (:mod:`nntui.storage.pending`); :meth:`RunHistory.recover_pending` finishes it, once, when the
  history is opened with room again, before any run is taken for interrupted.
"""

from __future__ import annotations

import contextlib
import errno
import json
import math
import os
import socket
import sqlite3
import stat
import threading
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import platformdirs

from nntui.config import Config, ConfigError, config_from_dict
from nntui.engine.events import EpochReport
from nntui.status import FINAL, RunStatus
from nntui.storage import history_schema as schema
from nntui.storage.errors import RunFileError, describe_special
from nntui.storage.history_import import ImportReport, import_records
from nntui.storage.history_schema import (
    EPOCH_COLUMNS,
    RUN_COLUMNS,
    finite,
    load_float,
    load_status,
    store_float,
)
from nntui.storage.pending import PendingRun, pending_files, read_pending
from nntui.storage.processes import process_alive, process_start
from nntui.storage.records import RECORD_FORMAT, STARTED_FORMAT

DB_ENV = "NNTUI_RUNS_DB"
BUSY_TIMEOUT = 10.0  # seconds a writer waits for another process's transaction to end
FULL_BELOW = 256 * 1024
"""Bytes free on the history's disk below which an SQLite I/O error is taken for a full disk:
SQLite says "disk I/O error" (SQLITE_IOERR_SHMSIZE, _WRITE) when a full disk stops it growing
its shared-memory or journal file, where it says SQLITE_FULL for the database itself."""

HELD_OUT = ("validation", "test")


class HistoryError(Exception):
    """The run history could not be opened, read or written; the message says why, in one line."""


class UnknownRunError(HistoryError):
    """No run with the id(s) asked for; ``ids`` lists them."""

    def __init__(self, ids: Iterable[int], empty: bool = False):
        self.ids = sorted(set(ids))
        names = ", ".join(str(i) for i in self.ids)
        which = f"run {names}" if len(self.ids) == 1 else f"runs {names}"
        hint = ("the history is empty; train one with nntui or nntui train" if empty
                else "'nntui runs' lists the ids")
        super().__init__(f"no {which} in the history ({hint})")


def standard_path() -> Path:
    """``runs.db`` in the user's data folder for nntui (e.g. ``~/.local/share/nntui/runs.db``)."""
    return Path(platformdirs.user_data_dir("nntui")) / "runs.db"


def default_path() -> Path:
    """``$NNTUI_RUNS_DB`` if set, else :func:`standard_path`."""
    env = os.environ.get(DB_ENV, "").strip()
    if env:
        return Path(env).expanduser()
    return standard_path()



# --- what the API returns ----------------------------------------------------------------------

@dataclass(frozen=True)
class RunSummary:
    """One row of the history: what a listing shows.  ``config_data`` is the saved
    hyperparameters exactly as stored (:meth:`Config.to_dict`), read from ``config_json`` when
    first asked for, so a long listing costs no JSON parsing it does not use."""

    id: int
    name: str
    group: str
    preset: str
    status: RunStatus | str  # a RunStatus, or what a newer nntui wrote, as it is
    message: str
    started: float  # seconds since the epoch
    ended: float | None  # None while running
    seconds: float | None  # the run's own time: training and evaluation, pauses excluded
    epochs_done: int
    best_val_accuracy: float | None  # on the held-out set; None before the first epoch
    best_epoch: int | None
    final_val_accuracy: float | None
    test_accuracy: float | None
    held_out: str  # "validation" or "test": what the val_* figures were measured on
    pinned: bool
    network_path: str | None
    config_json: str = field(repr=False)

    @cached_property
    def config_data(self) -> Mapping[str, Any]:
        try:
            data = json.loads(self.config_json)
        except ValueError:
            data = {}
        return data if isinstance(data, dict) else {}

    @property
    def epochs(self) -> int | None:
        """The epochs the run was asked for."""
        value = self.config_data.get("epochs")
        return value if isinstance(value, int) else None

    @property
    def dataset(self) -> str:
        return str(self.config_data.get("dataset", "?"))

    @property
    def title(self) -> str:
        """The name, else the preset, else empty."""
        return self.name or self.preset

    @property
    def duration(self) -> float:
        """Seconds the run took: its own time once it has ended, the time since it started while
        it runs.  (An interrupted run counts the training time of its finished epochs.)"""
        if self.status == "running":
            return max(0.0, time.time() - self.started)
        if self.seconds is not None:
            return self.seconds
        return max(0.0, (self.ended or self.started) - self.started)


@dataclass(frozen=True)
class RunDetail(RunSummary):
    """A run with its config and every recorded epoch."""

    config: Config = field(default=None, repr=False)  # type: ignore[assignment]
    history: list[EpochReport] = field(default_factory=list, repr=False)
    pid: int | None = None
    host: str | None = None




# --- the history -------------------------------------------------------------------------------

class RunHistory:
    """The run history in the SQLite file ``path`` (default :func:`default_path`), created with
    its folder if needed.  Safe to share between threads; several processes may open the same
    file.  Use as a context manager or call :meth:`close`."""

    def __init__(self, path: str | os.PathLike | None = None):
        self.path = Path(path).expanduser() if path is not None else default_path()
        self._lock = threading.RLock()
        self._host = socket.gethostname()
        self._db: sqlite3.Connection | None = None
        self.recovered: list[str] = []  # what recover_pending finished, said once
        self.waiting: list[tuple[Path, PendingRun]] = []  # kept aside, no room for them yet
        self._check_file()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            full = " (the disk is full)" if error.errno == errno.ENOSPC else ""
            raise HistoryError(
                f"cannot create the folder {self.path.parent} for the run history: "
                f"{error.strerror or error}{full}; point --runs-db elsewhere") from error
        try:
            self._db = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT, isolation_level=None,
                                       check_same_thread=False)
            self._db.execute("PRAGMA journal_mode = WAL")  # stays as it is where WAL cannot work
            self._db.execute("PRAGMA foreign_keys = ON")
            # In WAL mode NORMAL survives any crash of the process; only a power cut can lose the
            # last commits.  FULL would fsync on every epoch.
            self._db.execute("PRAGMA synchronous = NORMAL")
            self._migrate()
            self.recover_pending()
            self._mark_interrupted()
        except sqlite3.Error as error:
            self.close()
            raise self._problem(error) from error
        except HistoryError:
            self.close()
            raise

    # --- plumbing ----------------------------------------------------------------------------

    def _check_file(self) -> None:
        """A run history is a regular file (a link to one is fine): SQLite would block on a FIFO
        and report a device as "disk I/O error" or a full disk."""
        try:
            info = os.stat(self.path)
        except OSError:
            return  # a new history, or a path SQLite will explain
        if stat.S_ISDIR(info.st_mode):
            raise HistoryError(f"{self.path} is a folder; give the run history a file name "
                               f"such as {self.path / 'runs.db'}")
        if not stat.S_ISREG(info.st_mode):
            raise HistoryError(f"{self.path} is {describe_special(info.st_mode)}, not a run "
                               f"history; point --runs-db at a file (a new name makes a new one)")

    def close(self) -> None:
        with self._lock:
            if self._db is not None:
                with contextlib.suppress(sqlite3.Error):
                    self._db.close()
                self._db = None

    def __enter__(self) -> RunHistory:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _connection(self) -> sqlite3.Connection:
        if self._db is None:
            raise HistoryError(f"the run history {self.path} is closed")
        return self._db

    @contextlib.contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, taken at once (BEGIN IMMEDIATE) so it never has to be retried
        half-way; any SQLite error becomes a :class:`HistoryError`."""
        with self._lock:
            db = self._connection()
            try:
                db.execute("BEGIN IMMEDIATE")
                try:
                    yield db
                    db.execute("COMMIT")
                except BaseException:
                    if db.in_transaction:
                        with contextlib.suppress(sqlite3.Error):  # keep the first error
                            db.execute("ROLLBACK")
                    raise
            except sqlite3.Error as error:
                raise self._problem(error) from error

    @contextlib.contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            db = self._connection()
            try:
                yield db
            except sqlite3.Error as error:
                raise self._problem(error) from error

    def _problem(self, error: sqlite3.Error) -> HistoryError:
        """The one-line message for an SQLite error."""
        text = str(error).lower()
        code = getattr(error, "sqlite_errorname", "") or ""
        where = self.path
        elsewhere = "or point --runs-db elsewhere"
        if code == "SQLITE_NOTADB" or "not a database" in text:
            message = (f"{where} is not an nntui run history (not an SQLite database); move it "
                       f"aside {elsewhere}")
        elif code.startswith("SQLITE_CORRUPT") or "malformed" in text:
            message = (f"the run history {where} is damaged ({error}); move it aside to start "
                       f"a new one, {elsewhere}")
        elif (code == "SQLITE_FULL" or "disk is full" in text
              or ((code.startswith("SQLITE_IOERR") or "disk i/o error" in text)
              and self._disk_full())):
            message = (f"cannot write the run history {where}: the disk is full; free some "
                       f"space {elsewhere}")
        elif code.startswith("SQLITE_READONLY") or "readonly" in text:
            message = (f"cannot write the run history {where}: {self._readonly_reason()}; make "
                       f"it writable {elsewhere}")
        elif code == "SQLITE_CANTOPEN" or "unable to open" in text:
            parent = where.parent
            reason = (f"its folder {parent} is read-only" if not os.access(parent, os.W_OK)
                      else str(error))
            message = f"cannot open the run history {where}: {reason}; point --runs-db elsewhere"
        elif code.startswith("SQLITE_BUSY") or "locked" in text:
            message = (f"the run history {where} stayed locked by another nntui process for "
                       f"{BUSY_TIMEOUT:g} s; try again")
        else:
            message = f"the run history {where} failed: {error}"
        return HistoryError(message)

    def _disk_full(self) -> bool:
        try:
            info = os.statvfs(self.path.parent)
        except (OSError, AttributeError):
            return False
        return info.f_bavail * info.f_frsize < FULL_BELOW

    def _readonly_reason(self) -> str:
        if self.path.exists() and not os.access(self.path, os.W_OK):
            return "the file is read-only"
        if not os.access(self.path.parent, os.W_OK):
            return f"its folder {self.path.parent} is read-only"
        return "the file or its folder is read-only"

    # --- schema ------------------------------------------------------------------------------

    def _version(self, db: sqlite3.Connection) -> int:
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master "
                                               "WHERE type = 'table'")}
        if "schema_version" not in tables:
            if tables:
                raise HistoryError(
                    f"{self.path} is an SQLite database but not an nntui run history (it has no "
                    f"schema_version table); point --runs-db elsewhere")
            return 0
        (version,) = db.execute("SELECT COALESCE(MAX(version), 0) FROM schema_version").fetchone()
        if version > schema.SCHEMA_VERSION:
            raise HistoryError(
                f"the run history {self.path} was made by a newer nntui (schema {version}; this "
                f"one knows {schema.SCHEMA_VERSION}); upgrade nntui or point --runs-db elsewhere")
        return version

    def _migrate(self) -> None:
        db = self._connection()
        if self._version(db) == schema.SCHEMA_VERSION:
            return
        db.execute("BEGIN IMMEDIATE")  # another process may be migrating: look again once alone
        try:
            version = self._version(db)
            db.execute("CREATE TABLE IF NOT EXISTS schema_version(version INTEGER PRIMARY KEY, "
                       "applied REAL NOT NULL, description TEXT NOT NULL)")
            for number in range(version + 1, schema.SCHEMA_VERSION + 1):
                migration = schema.MIGRATIONS[number - 1]
                migration(db)
                db.execute("INSERT INTO schema_version VALUES (?, ?, ?)",
                           (number, time.time(), (migration.__doc__ or "").strip()))
            db.execute("COMMIT")
        except BaseException:
            if db.in_transaction:
                with contextlib.suppress(sqlite3.Error):
                    db.execute("ROLLBACK")
            raise

    def schema_version(self) -> int:
        with self._read() as db:
            return self._version(db)

    # --- crashed runs ------------------------------------------------------------------------

    def _mark_interrupted(self) -> list[int]:
        """Mark ``interrupted`` the runs of this host still ``running`` whose process is gone."""
        with self._read() as db:
            rows = db.execute("SELECT id, pid, host, proc_start, epochs_done FROM runs "
                              "WHERE status = 'running'").fetchall()
        dead = [(run_id, pid, done) for run_id, pid, host, started, done in rows
                if host == self._host and pid is not None and not process_alive(pid, started)]
        if not dead:
            return []
        aside = {run.run_id: path for path, run in self.waiting}
        with contextlib.suppress(HistoryError), self._write() as db:
            # Best effort: a history that cannot be written (read-only, full) is still listed.
            for run_id, pid, done in dead:
                kept = f"its {done} finished epoch{'s are' if done != 1 else ' is'} kept"
                if run_id in aside:
                    kept += (f"; the rest, and how it ended, are kept in {aside[run_id]} until "
                             f"this history has room")
                db.execute(
                    """UPDATE runs SET status = 'interrupted', message = ?,
                           ended = COALESCE((SELECT MAX(recorded) FROM epochs
                                             WHERE run_id = runs.id), started)
                       WHERE id = ? AND status = 'running'""",
                    (f"its process (pid {pid}) ended without finishing it; {kept}", run_id))
            return [run_id for run_id, _, _ in dead]
        return []

    # --- recording ---------------------------------------------------------------------------

    def start_run(self, config: Config, *, name: str = "", group: str = "", preset: str = "",
                  held_out: str = "validation") -> int:
        """Record a new run of ``config`` by this process, status ``running``; returns its id.
        ``held_out`` names what the val_* figures are measured on: "validation" or "test"."""
        if held_out not in HELD_OUT:
            raise ValueError(f"held_out must be one of {', '.join(HELD_OUT)}, not {held_out!r}")
        pid = os.getpid()
        with contextlib.suppress(HistoryError):  # a run kept aside, now that there may be room
            self.recover_pending()
        with self._write() as db:
            cursor = db.execute(
                "INSERT INTO runs(grp, name, preset, config_json, status, started, held_out, "
                "pid, host, proc_start, seconds) VALUES (?, ?, ?, ?, 'running', ?, ?, ?, ?, ?, 0)",
                (group, name.strip(), preset, json.dumps(config.to_dict()), time.time(),
                 held_out, pid, self._host, process_start(pid)))
            return int(cursor.lastrowid)

    def add_epoch(self, run_id: int, report: EpochReport) -> None:
        """Record one finished epoch, committed before this returns: one small transaction, the
        same cost whatever the length of the run."""
        with self._write() as db:
            if not self._record_epoch(db, run_id, report):
                raise HistoryError(f"epoch {report.epoch} of run {run_id} is already recorded in "
                                   f"{self.path}")

    def _record_epoch(self, db: sqlite3.Connection, run_id: int, report: EpochReport) -> bool:
        """Record an epoch in the transaction under way; False (and nothing changed) if it is
        recorded already."""
        if db.execute("SELECT 1 FROM epochs WHERE run_id = ? AND epoch = ?",
                      (run_id, report.epoch)).fetchone() is not None:
            return False
        accuracy = finite(report.val_accuracy)
        cursor = db.execute(
            """UPDATE runs SET
                   epochs_done = :epoch,
                   final_val_accuracy = :acc,
                   best_epoch = CASE WHEN :best > COALESCE(best_val_accuracy, -1.0)
                                     THEN :epoch ELSE best_epoch END,
                   best_val_accuracy = CASE WHEN :best > COALESCE(best_val_accuracy, -1.0)
                                            THEN :best ELSE best_val_accuracy END,
                   seconds = COALESCE(seconds, 0) + :seconds
               WHERE id = :id""",
            {"epoch": report.epoch, "acc": store_float(report.val_accuracy), "best": accuracy,
             "seconds": report.seconds, "id": run_id})
        if cursor.rowcount == 0:
            raise UnknownRunError([run_id])
        db.execute(
            f"INSERT INTO epochs(run_id, {EPOCH_COLUMNS}, recorded) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (run_id, report.epoch, report.epochs, store_float(report.train_cost),
             store_float(report.train_accuracy), store_float(report.val_cost),
             store_float(report.val_accuracy), json.dumps(list(report.learning_speed)),
             report.seconds, store_float(report.examples_per_second),
             store_float(report.eta), json.dumps(list(report.notes)), time.time()))
        return True

    def add_saturation(self, run_id: int, epoch: int, report: Mapping[str, Any]) -> None:
        """Record the saturation statistics measured at the end of ``epoch`` (0: before
        training), a plain dict (``SaturationReport.as_dict``); a second record of the same
        epoch replaces the first (a run trained on from a pause measures its epoch again)."""
        with self._write() as db:
            if db.execute("SELECT 1 FROM runs WHERE id = ?", (run_id,)).fetchone() is None:
                raise UnknownRunError([run_id])
            db.execute("INSERT OR REPLACE INTO saturation(run_id, epoch, report_json) "
                       "VALUES (?, ?, ?)", (run_id, int(epoch), json.dumps(dict(report))))

    def saturation(self, run_id: int) -> list[dict]:
        """The saturation statistics recorded for a run, in order of epoch, as the dicts given
        to :meth:`add_saturation` (none for a run recorded before they were measured); a row
        that is not a JSON object is passed over."""
        with self._read() as db:
            rows = db.execute("SELECT report_json FROM saturation WHERE run_id = ? "
                              "ORDER BY epoch", (run_id,)).fetchall()
        reports = []
        for (text,) in rows:
            try:
                data = json.loads(text)
            except ValueError:
                continue
            if isinstance(data, dict):
                reports.append(data)
        return reports

    def finish_run(self, run_id: int, status: str, message: str = "", *,
                   test_accuracy: float | None = None, seconds: float | None = None,
                   network_path: str | os.PathLike | None = None,
                   best_val_accuracy: float | None = None,
                   best_epoch: int | None = None) -> None:
        """Record how a run ended.  ``seconds`` is its whole time (default: the sum of its
        epochs'); the best held-out accuracy and its epoch come from the recorded epochs unless
        given (``Finished.best_val_accuracy`` and ``best_epoch``)."""
        if status not in FINAL:
            raise ValueError(f"status must be one of {', '.join(FINAL)}, not {status!r}")
        with self._write() as db:
            self._record_end(db, run_id, status, message, test_accuracy=test_accuracy,
                             seconds=seconds, network_path=network_path,
                             best_val_accuracy=best_val_accuracy, best_epoch=best_epoch)

    def _record_end(self, db: sqlite3.Connection, run_id: int, status: str, message: str = "",
                    *, test_accuracy: float | None = None, seconds: float | None = None,
                    network_path: str | os.PathLike | None = None,
                    best_val_accuracy: float | None = None,
                    best_epoch: int | None = None) -> None:
        """:meth:`finish_run` in the transaction under way."""
        best_given = best_val_accuracy is not None and best_epoch is not None
        cursor = db.execute(
            """UPDATE runs SET status = :status, message = :message, ended = :now,
                   test_accuracy = :test, seconds = COALESCE(:seconds, seconds),
                   network_path = COALESCE(:network, network_path),
                   best_val_accuracy = CASE WHEN :given THEN :best
                                            ELSE best_val_accuracy END,
                   best_epoch = CASE WHEN :given THEN :best_epoch ELSE best_epoch END
               WHERE id = :id""",
            {"status": status, "message": message, "now": time.time(),
             "test": store_float(test_accuracy), "seconds": seconds,
             "network": None if network_path is None else os.fspath(network_path),
             "given": best_given, "best": store_float(best_val_accuracy),
             "best_epoch": best_epoch, "id": run_id})
        if cursor.rowcount == 0:
            raise UnknownRunError([run_id])

    def set_network_path(self, run_id: int, path: str | os.PathLike | None) -> None:
        """Note where the run's trained network was saved (None: nowhere)."""
        self._update(run_id, "network_path", None if path is None else os.fspath(path))

    # --- runs kept aside ----------------------------------------------------------------------

    def recover_pending(self) -> list[str]:
        """Finish the runs that were kept aside (:mod:`nntui.storage.pending`) while this
        history could not be written, each once, and remove their files; what was done, one
        sentence each (also added to :attr:`recovered`).  A history that still cannot be written
        leaves them for the next time; a damaged file is left where it is."""
        done, waiting, stuck = [], [], False
        target = self.path.resolve()
        for path in pending_files(target):
            try:
                run = read_pending(path, target)
            except RunFileError:
                continue  # not ours to judge or remove: another nntui may be writing it
            if run is None:
                continue
            if not stuck:
                try:
                    run_id = self._apply_pending(run)
                except HistoryError:
                    stuck = True  # still no room: the files wait
                except (ValueError, TypeError, ArithmeticError):
                    continue  # a field the checks refuse: the file stays, to be looked at
                else:
                    with contextlib.suppress(OSError):
                        path.unlink()
                    if run_id is not None:
                        done.append(f"run {run_id} was finished in the run history from "
                                    f"{path}, where it was kept while the history could not "
                                    f"be written")
                    continue
            waiting.append((path, run))
        self.recovered += done
        self.waiting = waiting
        return done

    def _apply_pending(self, run: PendingRun) -> int | None:
        """Write ``run`` in one transaction; its id, or None if it was written already (by
        another process) or its run has been deleted since."""
        key = f"pending:{run.token}"  # in the table of files taken in, so taken in once
        if run.end is not None and run.end.get("status") not in FINAL:
            raise ValueError(f"a kept run's status must be one of {', '.join(FINAL)}")
        if run.held_out not in HELD_OUT:
            raise ValueError(f"held_out must be one of {', '.join(HELD_OUT)}")
        config_from_dict(run.config)  # ConfigError (a ValueError) for a config nntui cannot read
        with self._write() as db:
            if db.execute("SELECT 1 FROM imported WHERE file = ?", (key,)).fetchone():
                return None
            run_id = run.run_id
            if run_id is None:
                run_id = int(db.execute(
                    "INSERT INTO runs(grp, name, preset, config_json, status, started, held_out, "
                    "seconds) VALUES (?, ?, ?, ?, 'running', ?, ?, 0)",
                    (run.group, run.name, run.preset, json.dumps(run.config), run.started,
                     run.held_out)).lastrowid)
            elif db.execute("SELECT 1 FROM runs WHERE id = ?", (run_id,)).fetchone() is None:
                return None  # deleted meanwhile: not brought back
            for report in run.epochs:
                self._record_epoch(db, run_id, report)
            if run.end is not None:
                self._record_end(db, run_id, **run.end)
            db.execute("INSERT INTO imported VALUES (?, 0, 0, ?, NULL, ?)",
                       (key, run_id, time.time()))
        return run_id

    # --- reading -----------------------------------------------------------------------------

    def _summary(self, row: tuple) -> RunSummary:
        (run_id, name, group, preset, status, message, started, ended, seconds, epochs_done,
         best, best_epoch, final, test, held_out, pinned, network_path, config_json) = row
        return RunSummary(run_id, name, group, preset, load_status(status), message, started,
                          ended, load_float(seconds), epochs_done, load_float(best), best_epoch,
                          load_float(final), load_float(test), held_out, bool(pinned),
                          network_path, config_json)

    def list_runs(self, limit: int | None = None, *, order: str = "started",
                  query: str | None = None) -> list[RunSummary]:
        """The runs, newest first (``order="started"``) or by best held-out accuracy
        (``order="best"``, runs without an epoch last).  ``query`` keeps the runs whose name,
        group, preset, status or data set contains every word of it (ignoring case)."""
        if order not in ("started", "best"):
            raise ValueError(f"order must be 'started' or 'best', not {order!r}")
        if limit is not None and limit < 0:
            raise ValueError(f"limit must be at least 0, not {limit}")
        with contextlib.suppress(HistoryError):
            self.recover_pending()
        self._mark_interrupted()
        sql = f"SELECT {RUN_COLUMNS} FROM runs ORDER BY " + (
            "started DESC, id DESC" if order == "started"
            else "best_val_accuracy IS NULL, best_val_accuracy DESC, started DESC, id DESC")
        words = (query or "").lower().split()
        if not words and limit is not None:
            sql += f" LIMIT {int(limit)}"
        with self._read() as db:
            rows = db.execute(sql).fetchall()
        runs = [self._summary(row) for row in rows]
        if words:
            runs = [run for run in runs if all(
                word in f"{run.name}\n{run.group}\n{run.preset}\n{run.status}\n{run.dataset}"
                .lower() for word in words)]
            runs = runs if limit is None else runs[:limit]
        return runs

    def count(self) -> int:
        with self._read() as db:
            return db.execute("SELECT COUNT(*) FROM runs").fetchone()[0]

    def get_summary(self, run_id: int) -> RunSummary:
        """One run as a listing shows it, without reading its config or epochs (so a run whose
        config this nntui cannot read can still be listed and deleted)."""
        with self._read() as db:
            row = db.execute(f"SELECT {RUN_COLUMNS} FROM runs WHERE id = ?", (run_id,)).fetchone()
            if row is None:
                raise UnknownRunError([run_id], empty=self._empty(db))
        return self._summary(row)

    def get_run(self, run_id: int) -> RunDetail:
        """One run with its config (a :class:`Config`) and its epochs as :class:`EpochReport`."""
        row, epochs = self._rows(run_id, f"{RUN_COLUMNS}, pid, host")
        summary = self._summary(row[:-2])
        try:
            config = config_from_dict(summary.config_data)
        except ConfigError as error:
            raise HistoryError(f"run {run_id} holds a config this nntui cannot read: "
                               f"{error}") from error
        history = [self._report(epoch, config) for epoch in epochs]
        values = {name: getattr(summary, name) for name in RunSummary.__dataclass_fields__}
        return RunDetail(**values, config=config, history=history, pid=row[-2], host=row[-1])

    def _rows(self, run_id: int, columns: str) -> tuple[tuple, list[tuple]]:
        """The run's row (these ``columns``) and its epochs' rows, in order."""
        with self._read() as db:
            row = db.execute(f"SELECT {columns} FROM runs WHERE id = ?", (run_id,)).fetchone()
            if row is None:
                raise UnknownRunError([run_id], empty=self._empty(db))
            epochs = db.execute(f"SELECT {EPOCH_COLUMNS} FROM epochs WHERE run_id = ? "
                                "ORDER BY epoch", (run_id,)).fetchall()
        return row, epochs

    @staticmethod
    def _report(row: tuple, config: Config) -> EpochReport:
        (epoch, epochs, train_cost, train_accuracy, val_cost, val_accuracy, speed, seconds,
         examples_per_second, eta, notes) = row
        return EpochReport(
            epoch=epoch, epochs=epochs if epochs is not None else config.epochs,
            train_cost=load_float(train_cost), train_accuracy=load_float(train_accuracy),
            val_cost=load_float(val_cost), val_accuracy=load_float(val_accuracy),
            learning_speed=tuple(json.loads(speed)), seconds=seconds,
            # Not kept by the JSON records of older versions: NaN, unknown.
            examples_per_second=(math.nan if examples_per_second is None
                                 else load_float(examples_per_second)),
            eta=load_float(eta), notes=tuple(json.loads(notes)))

    @staticmethod
    def _empty(db: sqlite3.Connection) -> bool:
        return db.execute("SELECT NOT EXISTS (SELECT 1 FROM runs)").fetchone()[0] == 1

    # --- editing -----------------------------------------------------------------------------

    def _update(self, run_id: int, column: str, value: Any) -> None:
        with self._write() as db:
            if db.execute(f"UPDATE runs SET {column} = ? WHERE id = ?",
                          (value, run_id)).rowcount == 0:
                raise UnknownRunError([run_id], empty=self._empty(db))

    def rename(self, run_id: int, name: str) -> None:
        """Give a run a name (empty: none)."""
        self._update(run_id, "name", name.strip())

    def set_pinned(self, run_id: int, pinned: bool) -> None:
        self._update(run_id, "pinned", int(bool(pinned)))

    def delete(self, ids: Iterable[int]) -> int:
        """Delete these runs and their epochs, all or none: an unknown id deletes nothing and
        raises :class:`UnknownRunError`.  Saved network files are left alone.  Returns how many
        runs were deleted."""
        ids = sorted(set(ids))
        with self._write() as db:
            missing = [run_id for run_id in ids if db.execute(
                "SELECT 1 FROM runs WHERE id = ?", (run_id,)).fetchone() is None]
            if missing:
                raise UnknownRunError(missing, empty=self._empty(db))
            db.executemany("DELETE FROM runs WHERE id = ?", [(run_id,) for run_id in ids])
        return len(ids)

    # --- export ------------------------------------------------------------------------------

    def export_json(self, run_id: int) -> dict:
        """The run in the shape ``nntui train --json`` writes (:meth:`RunRecord.as_dict`), which
        :func:`nntui.storage.records.load_run` reads."""
        row, epochs = self._rows(run_id, RUN_COLUMNS)
        run = self._summary(row)
        history = []
        for (epoch, _, train_cost, train_accuracy, val_cost, val_accuracy, speed, seconds, _,
             eta, notes) in epochs:
            history.append({
                "epoch": epoch, "train_cost": load_float(train_cost),
                "train_accuracy": load_float(train_accuracy), "val_cost": load_float(val_cost),
                "val_accuracy": load_float(val_accuracy), "learning_speed": json.loads(speed),
                "seconds": seconds, "eta": load_float(eta), "notes": json.loads(notes)})
        return {
            "format": RECORD_FORMAT,  # never imported back as an old record
            "config": dict(run.config_data),
            "history": history,
            "test_accuracy": run.test_accuracy,
            "seconds": run.seconds if run.seconds is not None else 0.0,
            "status": run.status,
            "message": run.message,
            "started": time.strftime(STARTED_FORMAT, time.localtime(run.started)),
        }

    # --- the JSON run records of older versions -------------------------------------------

    def import_json_runs(self, folder: str | os.PathLike) -> ImportReport:
        """Import each JSON run record in ``folder`` (as :class:`nntui.storage.records.RunRecord`
        wrote them) once (:func:`nntui.storage.history_import.import_records`).  Files are left
        alone; each is remembered by name, size and modification time, so a second call imports
        nothing, and a record rewritten since (a run that was still going) replaces the run
        imported from it.  Malformed files are skipped, each reported once; saved networks in
        JSON are passed over."""
        return import_records(folder, self._read, self._write)
