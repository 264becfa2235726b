"""The run history: every run nntui trains, kept in one embedded SQLite database.

One file (``runs.db`` in the user's data folder, ``$NNTUI_RUNS_DB``, or ``--runs-db PATH``) holds
a row per run and a row per finished epoch.  Each epoch is committed in its own small transaction
the moment it is recorded, so another process (``nntui runs``, a second app) sees it at once and a
run whose process is killed keeps every epoch it finished.  WAL mode and a busy timeout let several
processes record at the same time.

* :class:`RunHistory` is the whole API: plain Python, no UI, every failure a :class:`HistoryError`
  whose message is one line meant for the user (the callers keep training without recording when
  the history fails).
* The schema is versioned: :data:`MIGRATIONS` are applied in order, in one transaction, when a
  database is opened; a database made by a newer nntui is refused rather than guessed at.
* A run left ``running`` by a process that no longer exists (same host, pid gone) is marked
  ``interrupted`` when the history is opened or listed.
* :meth:`RunHistory.import_json_runs` brings in the JSON run records older versions wrote, once.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import math
import os
import socket
import sqlite3
import sys
import threading
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from stat import S_ISREG
from typing import Any

import platformdirs

from nntui.config import Config, ConfigError, config_from_dict
from nntui.engine.events import EpochReport
from nntui.status import FINAL, RECORDED, RunStatus

DB_ENV = "NNTUI_RUNS_DB"
OLD_RUNS_ENV = "NNTUI_RUNS_DIR"
BUSY_TIMEOUT = 10.0  # seconds a writer waits for another process's transaction to end

HELD_OUT = ("validation", "test")
STARTED_FORMAT = "%Y-%m-%dT%H:%M:%S"  # the local-time stamp of RunRecord.as_dict
MAX_RECORD_BYTES = 64 << 20  # ten thousand epochs take about 3 MiB


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


def old_runs_dir() -> Path:
    """Where older nntui versions wrote JSON run records: ``$NNTUI_RUNS_DIR`` or
    :func:`nntui.storage.files.runs_dir`."""
    env = os.environ.get(OLD_RUNS_ENV, "").strip()
    if env:
        return Path(env).expanduser()
    from nntui.storage.files import runs_dir

    return runs_dir()


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


@dataclass
class ImportReport:
    """What :meth:`RunHistory.import_json_runs` did: runs imported (file, run id), files skipped
    with the reason, and files seen before and unchanged since."""

    imported: list[tuple[Path, int]] = field(default_factory=list)
    skipped: list[tuple[Path, str]] = field(default_factory=list)
    unchanged: int = 0


# --- the schema ----------------------------------------------------------------------------------

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


MIGRATIONS = (_v1, _v2)
"""Migration *i* (from 0) takes a database from schema *i* to *i + 1*; append, never edit."""
SCHEMA_VERSION = len(MIGRATIONS)

_RUN_COLUMNS = ("id, name, grp, preset, status, message, started, ended, seconds, epochs_done, "
                "best_val_accuracy, best_epoch, final_val_accuracy, test_accuracy, held_out, "
                "pinned, network_path, config_json")
_EPOCH_COLUMNS = ("epoch, epochs, train_cost, train_accuracy, val_cost, val_accuracy, "
                  "learning_speed_json, seconds, examples_per_second, eta, notes_json")


# SQLite stores a NaN as NULL, which would make a diverged run's NaN cost look like "not
# measured".  NaN is stored as the text 'NaN' instead (a REAL column keeps text it cannot convert).
def _store(value: float | None) -> float | str | None:
    if value is None:
        return None
    value = float(value)
    return "NaN" if math.isnan(value) else value


def _load(value: Any) -> Any:
    return math.nan if value == "NaN" else value


def _status(value: str) -> RunStatus | str:
    """The stored status as a :class:`RunStatus`; words it does not know (a newer version's)
    stay as they are."""
    try:
        return RunStatus(value)
    except ValueError:
        return value


def _finite(value: Any) -> float | None:
    """``value`` as a float for comparisons, or None when it is missing or NaN."""
    if value is None or isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return None if math.isnan(value) else float(value)


# --- processes ---------------------------------------------------------------------------------

def _process_start(pid: int) -> str | None:
    """An identity for process ``pid`` beyond its number (its start time on Linux), or None."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as handle:
            fields = handle.read().rpartition(")")[2].split()
        return fields[19]  # field 22 of proc(5), counted after the command name
    except (OSError, IndexError):
        return None


def _process_alive(pid: int, started: str | None) -> bool:
    """Whether process ``pid`` (started at ``started``, if known) still exists on this host."""
    if pid <= 0:
        return False
    if sys.platform == "win32":  # os.kill(pid, 0) would terminate the process there
        return _windows_process_alive(pid)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # it exists, under another user
    except OSError:
        return True  # cannot tell: leave the run alone
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as handle:
            fields = handle.read().rpartition(")")[2].split()
    except OSError:
        return True  # no /proc (macOS): the pid exists, which is all we can know
    if fields and fields[0] in ("Z", "X"):  # a zombie: dead, its parent has not reaped it yet
        return False
    return started is None or len(fields) < 20 or fields[19] == started


def _windows_process_alive(pid: int) -> bool:
    import ctypes

    kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
    handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
    if not handle:
        return False
    try:
        code = ctypes.c_ulong()
        if not kernel32.GetExitCodeProcess(handle, ctypes.byref(code)):
            return True
        return code.value == 259  # STILL_ACTIVE
    finally:
        kernel32.CloseHandle(handle)


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
        try:
            if self.path.is_dir():
                raise HistoryError(f"{self.path} is a folder; give the run history a file name "
                                   f"such as {self.path / 'runs.db'}")
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise HistoryError(
                f"cannot create the folder {self.path.parent} for the run history: "
                f"{error.strerror or error}; point --runs-db elsewhere") from error
        try:
            self._db = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT, isolation_level=None,
                                       check_same_thread=False)
            self._db.execute("PRAGMA journal_mode = WAL")  # stays as it is where WAL cannot work
            self._db.execute("PRAGMA foreign_keys = ON")
            # In WAL mode NORMAL survives any crash of the process; only a power cut can lose the
            # last commits.  FULL would fsync on every epoch.
            self._db.execute("PRAGMA synchronous = NORMAL")
            self._migrate()
            self._mark_interrupted()
        except sqlite3.Error as error:
            self.close()
            raise self._problem(error) from error
        except HistoryError:
            self.close()
            raise

    # --- plumbing ----------------------------------------------------------------------------

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
        elif code == "SQLITE_FULL" or "disk is full" in text:
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
        if version > SCHEMA_VERSION:
            raise HistoryError(
                f"the run history {self.path} was made by a newer nntui (schema {version}; this "
                f"one knows {SCHEMA_VERSION}); upgrade nntui or point --runs-db elsewhere")
        return version

    def _migrate(self) -> None:
        db = self._connection()
        if self._version(db) == SCHEMA_VERSION:
            return
        db.execute("BEGIN IMMEDIATE")  # another process may be migrating: look again once alone
        try:
            version = self._version(db)
            db.execute("CREATE TABLE IF NOT EXISTS schema_version(version INTEGER PRIMARY KEY, "
                       "applied REAL NOT NULL, description TEXT NOT NULL)")
            for number in range(version + 1, SCHEMA_VERSION + 1):
                migration = MIGRATIONS[number - 1]
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
                if host == self._host and pid is not None and not _process_alive(pid, started)]
        if not dead:
            return []
        with contextlib.suppress(HistoryError), self._write() as db:
            # Best effort: a history that cannot be written (read-only, full) is still listed.
            for run_id, pid, done in dead:
                kept = f"its {done} finished epoch{'s are' if done != 1 else ' is'} kept"
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
        with self._write() as db:
            cursor = db.execute(
                "INSERT INTO runs(grp, name, preset, config_json, status, started, held_out, "
                "pid, host, proc_start, seconds) VALUES (?, ?, ?, ?, 'running', ?, ?, ?, ?, ?, 0)",
                (group, name.strip(), preset, json.dumps(config.to_dict()), time.time(),
                 held_out, pid, self._host, _process_start(pid)))
            return int(cursor.lastrowid)

    def add_epoch(self, run_id: int, report: EpochReport) -> None:
        """Record one finished epoch, committed before this returns: one small transaction, the
        same cost whatever the length of the run."""
        accuracy = _finite(report.val_accuracy)
        with self._write() as db:
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
                {"epoch": report.epoch, "acc": _store(report.val_accuracy), "best": accuracy,
                 "seconds": report.seconds, "id": run_id})
            if cursor.rowcount == 0:
                raise UnknownRunError([run_id])
            try:
                db.execute(
                    f"INSERT INTO epochs(run_id, {_EPOCH_COLUMNS}, recorded) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (run_id, report.epoch, report.epochs, _store(report.train_cost),
                     _store(report.train_accuracy), _store(report.val_cost),
                     _store(report.val_accuracy), json.dumps(list(report.learning_speed)),
                     report.seconds, _store(report.examples_per_second), _store(report.eta),
                     json.dumps(list(report.notes)), time.time()))
            except sqlite3.IntegrityError as error:
                raise HistoryError(f"epoch {report.epoch} of run {run_id} is already recorded in "
                                   f"{self.path}") from error

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
        best_given = best_val_accuracy is not None and best_epoch is not None
        with self._write() as db:
            cursor = db.execute(
                """UPDATE runs SET status = :status, message = :message, ended = :now,
                       test_accuracy = :test, seconds = COALESCE(:seconds, seconds),
                       network_path = COALESCE(:network, network_path),
                       best_val_accuracy = CASE WHEN :given THEN :best
                                                ELSE best_val_accuracy END,
                       best_epoch = CASE WHEN :given THEN :best_epoch ELSE best_epoch END
                   WHERE id = :id""",
                {"status": status, "message": message, "now": time.time(),
                 "test": _store(test_accuracy), "seconds": seconds,
                 "network": None if network_path is None else os.fspath(network_path),
                 "given": best_given, "best": _store(best_val_accuracy),
                 "best_epoch": best_epoch, "id": run_id})
            if cursor.rowcount == 0:
                raise UnknownRunError([run_id])

    def set_network_path(self, run_id: int, path: str | os.PathLike | None) -> None:
        """Note where the run's trained network was saved (None: nowhere)."""
        self._update(run_id, "network_path", None if path is None else os.fspath(path))

    # --- reading -----------------------------------------------------------------------------

    def _summary(self, row: tuple) -> RunSummary:
        (run_id, name, group, preset, status, message, started, ended, seconds, epochs_done,
         best, best_epoch, final, test, held_out, pinned, network_path, config_json) = row
        return RunSummary(run_id, name, group, preset, _status(status), message, started, ended,
                          _load(seconds), epochs_done, _load(best), best_epoch, _load(final),
                          _load(test), held_out, bool(pinned), network_path, config_json)

    def list_runs(self, limit: int | None = None, *, order: str = "started",
                  query: str | None = None) -> list[RunSummary]:
        """The runs, newest first (``order="started"``) or by best held-out accuracy
        (``order="best"``, runs without an epoch last).  ``query`` keeps the runs whose name,
        group, preset, status or data set contains every word of it (ignoring case)."""
        if order not in ("started", "best"):
            raise ValueError(f"order must be 'started' or 'best', not {order!r}")
        if limit is not None and limit < 0:
            raise ValueError(f"limit must be at least 0, not {limit}")
        self._mark_interrupted()
        sql = f"SELECT {_RUN_COLUMNS} FROM runs ORDER BY " + (
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

    def get_run(self, run_id: int) -> RunDetail:
        """One run with its config (a :class:`Config`) and its epochs as :class:`EpochReport`."""
        with self._read() as db:
            row = db.execute(f"SELECT {_RUN_COLUMNS}, pid, host FROM runs WHERE id = ?",
                             (run_id,)).fetchone()
            if row is None:
                raise UnknownRunError([run_id], empty=self._empty(db))
            epochs = db.execute(f"SELECT {_EPOCH_COLUMNS} FROM epochs WHERE run_id = ? "
                                "ORDER BY epoch", (run_id,)).fetchall()
        summary = self._summary(row[:-2])
        try:
            config = config_from_dict(summary.config_data)
        except ConfigError as error:
            raise HistoryError(f"run {run_id} holds a config this nntui cannot read: "
                               f"{error}") from error
        history = [self._report(epoch, config) for epoch in epochs]
        values = {name: getattr(summary, name) for name in RunSummary.__dataclass_fields__}
        return RunDetail(**values, config=config, history=history, pid=row[-2], host=row[-1])

    @staticmethod
    def _report(row: tuple, config: Config) -> EpochReport:
        (epoch, epochs, train_cost, train_accuracy, val_cost, val_accuracy, speed, seconds,
         examples_per_second, eta, notes) = row
        return EpochReport(
            epoch=epoch, epochs=epochs if epochs is not None else config.epochs,
            train_cost=_load(train_cost), train_accuracy=_load(train_accuracy),
            val_cost=_load(val_cost), val_accuracy=_load(val_accuracy),
            learning_speed=tuple(json.loads(speed)), seconds=seconds,
            # Not kept by the JSON records of older versions: NaN, unknown.
            examples_per_second=(math.nan if examples_per_second is None
                                 else _load(examples_per_second)),
            eta=_load(eta), notes=tuple(json.loads(notes)))

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
        :func:`nntui.storage.files.load_run` reads."""
        with self._read() as db:
            row = db.execute(f"SELECT {_RUN_COLUMNS} FROM runs WHERE id = ?",
                             (run_id,)).fetchone()
            if row is None:
                raise UnknownRunError([run_id], empty=self._empty(db))
            epochs = db.execute(f"SELECT {_EPOCH_COLUMNS} FROM epochs WHERE run_id = ? "
                                "ORDER BY epoch", (run_id,)).fetchall()
        run = self._summary(row)
        history = []
        for (epoch, _, train_cost, train_accuracy, val_cost, val_accuracy, speed, seconds, _,
             eta, notes) in epochs:
            history.append({
                "epoch": epoch, "train_cost": _load(train_cost),
                "train_accuracy": _load(train_accuracy), "val_cost": _load(val_cost),
                "val_accuracy": _load(val_accuracy), "learning_speed": json.loads(speed),
                "seconds": seconds, "eta": _load(eta), "notes": json.loads(notes)})
        return {
            "config": dict(run.config_data),
            "history": history,
            "test_accuracy": run.test_accuracy,
            "seconds": run.seconds if run.seconds is not None else 0.0,
            "status": run.status,
            "message": run.message,
            "started": time.strftime(STARTED_FORMAT, time.localtime(run.started)),
        }

    def export_csv(self, run_id: int) -> str:
        """One row per epoch, a header first; the learning speed gets a column per layer."""
        data = self.export_json(run_id)
        layers = max((len(entry["learning_speed"]) for entry in data["history"]), default=0)
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["epoch", "train_cost", "train_accuracy", "val_cost", "val_accuracy",
                         *(f"learning_speed_{i + 1}" for i in range(layers)), "seconds", "eta",
                         "notes"])
        for entry in data["history"]:
            speed = list(entry["learning_speed"]) + [None] * (layers - len(entry["learning_speed"]))
            writer.writerow([entry["epoch"], *(_csv(entry[key]) for key in (
                "train_cost", "train_accuracy", "val_cost", "val_accuracy")),
                *(_csv(s) for s in speed), _csv(entry["seconds"]), _csv(entry["eta"]),
                "; ".join(entry["notes"])])
        return out.getvalue()

    # --- the JSON run records of older versions -------------------------------------------

    def import_json_runs(self, folder: str | os.PathLike) -> ImportReport:
        """Import each JSON run record in ``folder`` (as :class:`nntui.storage.files.RunRecord`
        wrote them) once.  Files are left alone; each is remembered by name, size and modification
        time, so a second call imports nothing, and a record rewritten since (a run that was still
        going) replaces the run imported from it.  Malformed files are skipped, each reported once;
        saved networks in JSON are passed over."""
        report = ImportReport()
        folder = Path(folder).expanduser()
        if not folder.is_dir():
            return report
        with self._read() as db:
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
                record = _parse_record(path)
            except ValueError as error:
                report.skipped.append((path, str(error)))
                self._remember(key, stat, str(error))
                continue
            if record is None:  # not a run record (a saved network): nothing to say
                self._remember(key, stat, None)
                continue
            run_id = self._insert_record(record, key, stat)
            if run_id is None:
                report.unchanged += 1
            else:
                report.imported.append((path, run_id))
        return report

    def _remember(self, key: str, stat: os.stat_result, problem: str | None) -> None:
        """Note a file that was not imported (``problem`` says why; None: not a run record)."""
        with self._write() as db:
            db.execute("INSERT INTO imported VALUES (?, ?, ?, NULL, ?, ?) ON CONFLICT(file) DO "
                       "UPDATE SET mtime_ns = excluded.mtime_ns, size = excluded.size, "
                       "problem = excluded.problem, imported = excluded.imported",
                       (key, stat.st_mtime_ns, stat.st_size, problem, time.time()))

    def _insert_record(self, record: dict, key: str, stat: os.stat_result) -> int | None:
        """Import one parsed record, replacing the run imported from an earlier version of the
        file; None if another process imported this version meanwhile."""
        with self._write() as db:
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
                accuracy = _finite(entry["val_accuracy"])
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
                 _store(history[-1]["val_accuracy"]) if history else None,
                 _store(record["test_accuracy"]), record["held_out"], record["network_path"]),
            ).lastrowid
            db.executemany(
                f"INSERT INTO epochs(run_id, {_EPOCH_COLUMNS}) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(run_id, e["epoch"], record["epochs"], _store(e["train_cost"]),
                  _store(e["train_accuracy"]), _store(e["val_cost"]), _store(e["val_accuracy"]),
                  json.dumps(e["learning_speed"]), e["seconds"], None, _store(e["eta"]),
                  json.dumps(e["notes"])) for e in history])
            db.execute("INSERT OR REPLACE INTO imported VALUES (?, ?, ?, ?, NULL, ?)",
                       (key, stat.st_mtime_ns, stat.st_size, run_id, time.time()))
        return int(run_id)


def _csv(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else str(value).lower()
    return str(value)


def _number(value: Any, what: str, *, optional: bool = False) -> float | None:
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{what} is {value!r}, not a number")
    return value


def _parse_record(path: Path) -> dict | None:
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
    if isinstance(data, dict) and data.get("format") == "nntui-network":
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
