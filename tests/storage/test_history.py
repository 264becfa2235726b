"""Tests of the run history (``nntui.storage.history``): what goes in comes back out, each epoch is
on disk when ``add_epoch`` returns, a run whose process is killed keeps its epochs and is marked
interrupted, every broken database gives a :class:`HistoryError` that says what to do, old schemas
are migrated and old JSON run records are imported once.

The crash test kills a real process with SIGKILL; the read-only tests run in a child process too,
without the power to override file permissions when the tests run as root.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from nntui.config import make_config
from nntui.engine import EpochReport
from nntui.status import FINAL, RunStatus
from nntui.storage import history as history_module
from nntui.storage.files import RunRecord, load_run, save_network
from nntui.storage.history import (
    SCHEMA_VERSION,
    HistoryError,
    RunHistory,
    UnknownRunError,
    default_path,
)

CONFIG = make_config(dataset="xor", hidden="6", epochs=5, eta=0.1)


def report(epoch: int, *, val_accuracy: float = 0.5, val_cost: float = 0.7,
           notes: tuple[str, ...] = (), epochs: int = 5) -> EpochReport:
    return EpochReport(epoch=epoch, epochs=epochs, train_cost=0.6 / epoch,
                       train_accuracy=0.55 + epoch / 100, val_cost=val_cost,
                       val_accuracy=val_accuracy,
                       learning_speed=(0.01 * epoch, 0.1), seconds=0.25, examples_per_second=1234.5,
                       eta=0.1, notes=notes)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "history" / "runs.db"


def epochs_in_file(path: Path, run_id: int) -> int:
    """Epochs of ``run_id`` as a separate, plain SQLite connection sees them."""
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        return db.execute("SELECT COUNT(*) FROM epochs WHERE run_id = ?", (run_id,)).fetchone()[0]


# --- recording and reading back ----------------------------------------------------------------

def test_append_and_read_back(db_path: Path) -> None:
    with RunHistory(db_path) as history:
        assert db_path.exists(), "the folder and the file are created"
        run = history.start_run(CONFIG, name=" first ", group="g", preset="xor",
                                held_out="test")
        reports = [report(1, val_accuracy=0.6), report(2, val_accuracy=0.8, notes=("η halved",)),
                   report(3, val_accuracy=0.7, val_cost=math.nan)]
        for r in reports:
            history.add_epoch(run, r)
        (summary,) = history.list_runs()
        assert (summary.status, summary.epochs_done, summary.best_val_accuracy,
                summary.best_epoch, summary.final_val_accuracy) == ("running", 3, 0.8, 2, 0.7)
        assert summary.seconds == pytest.approx(0.75)  # the epochs' time until the run ends
        history.finish_run(run, "completed", "all done", test_accuracy=0.9, seconds=2.5,
                           network_path=db_path.parent / "net.npz")
        detail = history.get_run(run)
    assert detail.config == CONFIG
    assert (detail.name, detail.group, detail.preset, detail.held_out) == (
        "first", "g", "xor", "test")
    assert (detail.status, detail.message, detail.test_accuracy, detail.seconds) == (
        "completed", "all done", 0.9, 2.5)
    assert detail.network_path == str(db_path.parent / "net.npz")
    assert detail.ended is not None and detail.ended >= detail.started
    assert detail.pid == os.getpid()
    assert detail.history[:2] == reports[:2]
    last = detail.history[2]
    assert math.isnan(last.val_cost), "a NaN cost must not come back as None"
    assert last == EpochReport(**{**vars(reports[2]), "val_cost": last.val_cost})


def test_train_cost_not_measured_stays_none(db_path: Path) -> None:
    with RunHistory(db_path) as history:
        run = history.start_run(CONFIG)
        history.add_epoch(run, EpochReport(epoch=1, epochs=5, train_cost=None, train_accuracy=None,
                                           val_cost=0.4, val_accuracy=0.9, learning_speed=(),
                                           seconds=0.1, examples_per_second=10.0, eta=0.1))
        (got,) = history.get_run(run).history
    assert got.train_cost is None and got.train_accuracy is None
    assert got.learning_speed == ()


def test_best_accuracy_can_be_passed(db_path: Path) -> None:
    with RunHistory(db_path) as history:
        run = history.start_run(CONFIG)
        history.add_epoch(run, report(1, val_accuracy=0.6))
        history.finish_run(run, "stopped", best_val_accuracy=0.75, best_epoch=1)
        run_summary = history.list_runs()[0]
    assert (run_summary.best_val_accuracy, run_summary.best_epoch) == (0.75, 1)


def test_each_epoch_is_committed_when_add_epoch_returns(db_path: Path) -> None:
    with RunHistory(db_path) as writer, RunHistory(db_path) as reader:
        run = writer.start_run(CONFIG)
        assert reader.list_runs()[0].status == "running"
        for epoch in range(1, 6):
            writer.add_epoch(run, report(epoch))
            assert epochs_in_file(db_path, run) == epoch
            assert [r.epoch for r in reader.get_run(run).history] == list(range(1, epoch + 1))
            assert reader.list_runs()[0].epochs_done == epoch


def test_a_failed_write_leaves_no_half_epoch(db_path: Path) -> None:
    """The epoch row and the run's totals change in one transaction, or not at all."""
    with RunHistory(db_path) as history:
        run = history.start_run(CONFIG)
        history.add_epoch(run, report(1))
        with pytest.raises(HistoryError, match="epoch 1 of run 1 is already recorded"):
            history.add_epoch(run, report(1, val_accuracy=0.99))
        summary = history.list_runs()[0]
        assert (summary.epochs_done, summary.best_val_accuracy) == (1, 0.5)
        history.add_epoch(run, report(2))  # the connection is still usable
        assert history.list_runs()[0].epochs_done == 2


def test_unknown_ids_and_bad_arguments(db_path: Path) -> None:
    with RunHistory(db_path) as history:
        with pytest.raises(UnknownRunError, match="history is empty"):
            history.get_run(1)
        run = history.start_run(CONFIG)
        for call in (lambda: history.add_epoch(run + 1, report(1)),
                     lambda: history.finish_run(run + 1, "completed"),
                     lambda: history.rename(run + 1, "x"),
                     lambda: history.set_pinned(run + 1, True),
                     lambda: history.export_json(run + 1),
                     lambda: history.get_run(run + 1)):
            with pytest.raises(UnknownRunError, match=f"no run {run + 1} in the history"):
                call()
        with pytest.raises(ValueError, match="status must be one of"):
            history.finish_run(run, "done")
        with pytest.raises(ValueError, match="held_out"):
            history.start_run(CONFIG, held_out="training")
        with pytest.raises(ValueError, match="order"):
            history.list_runs(order="name")


def test_list_order_limit_query_rename_pin_delete(db_path: Path) -> None:
    with RunHistory(db_path) as history:
        ids = []
        for accuracy, name in ((0.7, "alpha"), (0.9, "beta"), (None, "gamma"), (0.8, "delta")):
            run = history.start_run(CONFIG, name=name)
            if accuracy is not None:
                history.add_epoch(run, report(1, val_accuracy=accuracy))
            history.finish_run(run, "completed")
            ids.append(run)
        assert [r.name for r in history.list_runs()] == ["delta", "gamma", "beta", "alpha"]
        assert [r.name for r in history.list_runs(order="best")] == [
            "beta", "delta", "alpha", "gamma"]
        assert [r.name for r in history.list_runs(2)] == ["delta", "gamma"]
        assert [r.name for r in history.list_runs(query="ALPHA xor")] == ["alpha"]
        assert history.list_runs(query="mnist") == []
        history.rename(ids[0], "  renamed ")
        history.set_pinned(ids[1], True)
        runs = {r.id: r for r in history.list_runs()}
        assert runs[ids[0]].name == "renamed" and runs[ids[1]].pinned
        with pytest.raises(UnknownRunError, match="no run 99"):
            history.delete([ids[0], 99])
        assert history.count() == 4, "an unknown id deletes nothing"
        assert history.delete([ids[0], ids[2], ids[0]]) == 2
        assert sorted(r.id for r in history.list_runs()) == [ids[1], ids[3]]
        assert epochs_in_file(db_path, ids[0]) == 0, "a run's epochs go with it"


# --- exports -------------------------------------------------------------------------------

def test_export_json_is_what_nntui_train_json_writes(db_path: Path, tmp_path: Path) -> None:
    reports = [report(1, val_accuracy=0.6), report(2, val_accuracy=0.8, notes=("a", "b"))]
    with RunHistory(db_path) as history:
        run = history.start_run(CONFIG)
        for r in reports:
            history.add_epoch(run, r)
        history.finish_run(run, "early stop", "no better for 2 epochs", test_accuracy=0.75,
                           seconds=3.25)
        exported = history.export_json(run)
        started = history.get_run(run).started
    record = RunRecord(CONFIG, started=started)
    for r in reports:
        record.add_epoch(r)
    record.seconds = 3.25
    record.status, record.message, record.test_accuracy = (
        "early stop", "no better for 2 epochs", 0.75)
    assert exported == record.as_dict()
    path = tmp_path / "exported.json"
    path.write_text(json.dumps(exported))
    loaded = load_run(path)
    assert loaded.config == CONFIG and loaded.history == record.history


def test_export_csv_has_one_row_per_epoch(db_path: Path) -> None:
    with RunHistory(db_path) as history:
        run = history.start_run(CONFIG)
        for epoch in range(1, 4):
            history.add_epoch(run, report(epoch, val_accuracy=0.5 + epoch / 10,
                                          notes=("η 0.1 → 0.05",) if epoch == 2 else ()))
        history.add_epoch(run, report(4, val_cost=math.nan))
        text = history.export_csv(run)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [int(row["epoch"]) for row in rows] == [1, 2, 3, 4]
    assert list(rows[0]) == ["epoch", "train_cost", "train_accuracy", "val_cost", "val_accuracy",
                             "learning_speed_1", "learning_speed_2", "seconds", "eta", "notes"]
    assert float(rows[2]["val_accuracy"]) == 0.8
    assert float(rows[1]["learning_speed_1"]) == 0.02
    assert rows[1]["notes"] == "η 0.1 → 0.05" and rows[0]["notes"] == ""
    assert rows[3]["val_cost"] == "nan"


# --- crashed runs --------------------------------------------------------------------------

RECORDER = textwrap.dedent("""
    import sys, time
    from nntui.config import make_config
    from nntui.engine import EpochReport
    from nntui.storage.history import RunHistory

    history = RunHistory(sys.argv[1])
    run = history.start_run(make_config(dataset="xor", epochs=1000), name="doomed")
    print(run, flush=True)
    epoch = 0
    while True:
        epoch += 1
        history.add_epoch(run, EpochReport(
            epoch=epoch, epochs=1000, train_cost=0.5, train_accuracy=0.6, val_cost=0.5,
            val_accuracy=0.6, learning_speed=(0.1,), seconds=0.01, examples_per_second=100.0,
            eta=0.5))
        time.sleep(0.02)
""")


def test_kill_9_mid_run_leaves_an_interrupted_run_with_its_epochs(db_path: Path) -> None:
    db_path.parent.mkdir()
    process = subprocess.Popen([sys.executable, "-c", RECORDER, str(db_path)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        run = int(process.stdout.readline())
        deadline = time.monotonic() + 60  # a bound for a broken recorder, not a speed check
        while epochs_in_file(db_path, run) < 3:
            assert process.poll() is None, process.stderr.read()
            assert time.monotonic() < deadline, "no 3 epochs recorded within 60 s"
            time.sleep(0.01)
        with RunHistory(db_path) as history:  # opened while the process lives: left alone
            assert history.list_runs()[0].status == "running"
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        visible = epochs_in_file(db_path, run)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        process.stdout.close()
        process.stderr.close()
    assert process.returncode == -signal.SIGKILL
    with RunHistory(db_path) as history:
        (summary,) = history.list_runs()
        detail = history.get_run(run)
    assert summary.status == "interrupted"
    assert f"pid {process.pid}" in summary.message and "finished epochs are kept" in summary.message
    assert summary.epochs_done == visible >= 3
    assert [r.epoch for r in detail.history] == list(range(1, visible + 1))
    assert summary.ended is not None and summary.ended >= summary.started


def test_runs_of_other_hosts_and_reused_pids(db_path: Path) -> None:
    with RunHistory(db_path) as history:
        mine = history.start_run(CONFIG)
        elsewhere = history.start_run(CONFIG)
        reused = history.start_run(CONFIG)
    with sqlite3.connect(db_path) as db:
        db.execute("UPDATE runs SET host = 'some-other-machine' WHERE id = ?", (elsewhere,))
        # This process's pid, but a process that started at another time: the pid was reused.
        db.execute("UPDATE runs SET proc_start = 'another start' WHERE id = ?", (reused,))
    with RunHistory(db_path) as history:
        status = {run.id: run.status for run in history.list_runs()}
    if history_module._process_start(os.getpid()) is None:
        pytest.skip("no /proc here to tell a reused pid")
    assert status == {mine: "running", elsewhere: "running", reused: "interrupted"}


def test_several_processes_record_at_once(db_path: Path) -> None:
    script = textwrap.dedent("""
        import sys
        from nntui.config import make_config
        from nntui.engine import EpochReport
        from nntui.storage.history import RunHistory

        with RunHistory(sys.argv[1]) as history:
            run = history.start_run(make_config(dataset="xor"), name=sys.argv[2])
            for epoch in range(1, 41):
                history.add_epoch(run, EpochReport(
                    epoch=epoch, epochs=40, train_cost=0.5, train_accuracy=0.6, val_cost=0.5,
                    val_accuracy=0.6, learning_speed=(0.1,), seconds=0.01,
                    examples_per_second=100.0, eta=0.5))
            history.finish_run(run, "completed")
    """)
    RunHistory(db_path).close()
    processes = [subprocess.Popen([sys.executable, "-c", script, str(db_path), f"p{i}"],
                                  stderr=subprocess.PIPE, text=True) for i in range(3)]
    errors = [p.communicate(timeout=120)[1] for p in processes]
    assert [p.returncode for p in processes] == [0, 0, 0], errors
    with RunHistory(db_path) as history:
        runs = history.list_runs()
        assert sorted(r.name for r in runs) == ["p0", "p1", "p2"]
        assert all(r.status == "completed" and r.epochs_done == 40 for r in runs)
        assert all(len(history.get_run(r.id).history) == 40 for r in runs)


# --- broken databases ----------------------------------------------------------------------

def test_not_an_sqlite_file(tmp_path: Path) -> None:
    path = tmp_path / "runs.db"
    path.write_text("these are my notes, not a database\n" * 200)
    with pytest.raises(HistoryError, match=r"is not an nntui run history \(not an SQLite "
                                           r"database\); move it aside or point --runs-db"):
        RunHistory(path)
    assert path.read_text().startswith("these are my notes"), "the file is left alone"


def test_another_programs_database(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE recipes(name TEXT)")
    with pytest.raises(HistoryError, match="an SQLite database but not an nntui run history"):
        RunHistory(path)


def test_damaged_database(db_path: Path) -> None:
    with RunHistory(db_path) as history:
        for _ in range(20):
            run = history.start_run(CONFIG)
            for epoch in range(1, 11):
                history.add_epoch(run, report(epoch, notes=("x" * 200,)))
    assert not Path(f"{db_path}-wal").exists() or Path(f"{db_path}-wal").stat().st_size == 0
    data = bytearray(db_path.read_bytes())
    page = int.from_bytes(data[16:18], "big")
    assert len(data) > 4 * page
    data[page:] = b"\xa5" * (len(data) - page)  # every page but the first (header, schema)
    db_path.write_bytes(bytes(data))
    damaged = r"run history .* is damaged \(.*malformed.*\); move it aside to start a new one"
    with pytest.raises(HistoryError, match=damaged), RunHistory(db_path) as history:
        for run in history.list_runs():
            history.get_run(run.id)


def test_newer_schema_is_refused(db_path: Path) -> None:
    RunHistory(db_path).close()
    with sqlite3.connect(db_path) as db:
        db.execute("INSERT INTO schema_version VALUES (?, 0, 'from the future')",
                   (SCHEMA_VERSION + 1,))
    with pytest.raises(HistoryError, match=rf"made by a newer nntui \(schema "
                                           rf"{SCHEMA_VERSION + 1}.*\); upgrade nntui or point "
                                           rf"--runs-db elsewhere"):
        RunHistory(db_path)


def test_full_disk(db_path: Path) -> None:
    """SQLite's own 'database or disk is full', raised by capping the file's size."""
    with RunHistory(db_path) as history:
        run = history.start_run(CONFIG)
        history.add_epoch(run, report(1))
        pages = history._db.execute("PRAGMA page_count").fetchone()[0]
        history._db.execute(f"PRAGMA max_page_count = {pages + 2}")
        with pytest.raises(HistoryError, match=r"cannot write the run history .*: the disk is "
                                               r"full; free some space"):
            for epoch in range(2, 200):
                history.add_epoch(run, report(epoch, notes=("n" * 3000,)))
        summary = history.list_runs()[0]
        assert summary.epochs_done == len(history.get_run(run).history) >= 1


def test_folder_that_cannot_be_created(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    with pytest.raises(HistoryError, match=r"cannot create the folder .*a-file.* for the run "
                                           r"history: .*; point --runs-db elsewhere"):
        RunHistory(blocker / "sub" / "runs.db")
    with pytest.raises(HistoryError, match="is a folder; give the run history a file name"):
        RunHistory(tmp_path)


CHILD = textwrap.dedent("""
    import sys
    from nntui.config import make_config
    from nntui.storage.history import HistoryError, RunHistory

    try:
        history = RunHistory(sys.argv[1])
        print("opened", len(history.list_runs()))
        history.start_run(make_config(dataset="xor"))
        print("wrote")
    except HistoryError as error:
        print("HistoryError:", error)
""")


def run_without_privileges(path: Path) -> str:
    """Run :data:`CHILD` on ``path`` as a process that file permissions apply to."""
    if sys.platform == "win32":
        pytest.skip("read-only folders work differently on Windows")
    command = [sys.executable, "-c", CHILD, str(path)]
    if os.geteuid() == 0:  # root ignores permissions: drop the capabilities that let it
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("running as root without setpriv to give up overriding permissions")
        command = [setpriv, "--bounding-set=-dac_override,-dac_read_search,-fowner", *command]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture
def read_only(tmp_path: Path):
    """Make paths read-only, and writable again afterwards so pytest can clean up."""
    paths: list[Path] = []

    def make(path: Path) -> Path:
        path.chmod(0o555 if path.is_dir() else 0o444)
        paths.append(path)
        return path

    yield make
    for path in paths:
        path.chmod(0o755 if path.is_dir() else 0o644)


def test_new_history_in_a_read_only_folder(tmp_path: Path, read_only) -> None:
    folder = tmp_path / "locked"
    folder.mkdir()
    read_only(folder)
    out = run_without_privileges(folder / "runs.db")
    assert out.startswith("HistoryError: cannot open the run history"), out
    assert f"its folder {folder} is read-only; point --runs-db elsewhere" in out


def test_existing_history_in_a_read_only_folder(tmp_path: Path, read_only) -> None:
    folder = tmp_path / "locked"
    with RunHistory(folder / "runs.db") as history:
        history.start_run(CONFIG)
    read_only(folder)
    out = run_without_privileges(folder / "runs.db")
    assert out.startswith("HistoryError: cannot write the run history"), out
    assert f"its folder {folder} is read-only; make it writable or point --runs-db" in out


def test_read_only_history_file_can_be_listed_not_written(tmp_path: Path, read_only) -> None:
    path = tmp_path / "runs.db"
    with RunHistory(path) as history:
        history.start_run(CONFIG)
        orphan = history.start_run(CONFIG)
    with sqlite3.connect(path) as db:  # its process died, but the file cannot say so any more
        db.execute("UPDATE runs SET pid = ? WHERE id = ?", (dead_pid(), orphan))
    read_only(path)
    out = run_without_privileges(path).splitlines()
    assert out[0] == "opened 2"
    assert out[1].startswith("HistoryError: cannot write the run history"), out
    assert "the file is read-only; make it writable or point --runs-db elsewhere" in out[1]


def test_default_path(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("NNTUI_RUNS_DB", str(tmp_path / "mine.db"))
    assert default_path() == tmp_path / "mine.db"
    monkeypatch.delenv("NNTUI_RUNS_DB")
    path = default_path()
    assert path.name == "runs.db" and "nntui" in path.parts


# --- migrations ----------------------------------------------------------------------------

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
                   (config, dead_pid, history_module.socket.gethostname()))
        db.executemany("INSERT INTO epochs VALUES (?, ?, 0.5, 0.6, 0.4, ?, '[0.1, 0.2]', 1.5, "
                       "0.1, '[]')", [(1, 1, 0.7), (1, 2, 0.8), (2, 1, 0.6)])


def dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_migration_from_version_1(db_path: Path) -> None:
    db_path.parent.mkdir()
    make_v1(db_path, dead_pid())
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
        history.add_epoch(run, report(1))
        assert history.get_run(run).history == [report(1)]
        assert history.import_json_runs(db_path.parent).imported == []
    with sqlite3.connect(db_path) as db:
        versions = [row[0] for row in db.execute("SELECT version FROM schema_version")]
    assert versions == list(range(1, SCHEMA_VERSION + 1))


def test_a_failing_migration_changes_nothing(db_path: Path, monkeypatch) -> None:
    db_path.parent.mkdir()
    make_v1(db_path, dead_pid())

    def broken(db: sqlite3.Connection) -> None:
        db.execute("CREATE TABLE half_done(x)")
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(history_module, "MIGRATIONS", (*history_module.MIGRATIONS, broken))
    monkeypatch.setattr(history_module, "SCHEMA_VERSION", SCHEMA_VERSION + 1)
    with pytest.raises(HistoryError, match="disk I/O error"):
        RunHistory(db_path)
    with sqlite3.connect(db_path) as db:
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
        versions = [row[0] for row in db.execute("SELECT version FROM schema_version")]
    assert versions == [1], "version 2 must be rolled back with the broken version 3"
    assert "half_done" not in tables and "imported" not in tables


# --- importing the JSON run records of older versions -----------------------------------------

def write_record(path: Path, reports: list[EpochReport], status: str | None = "completed",
                 config=CONFIG) -> dict:
    record = RunRecord(config, path, started=time.time() - 100)
    for r in reports:
        record.add_epoch(r)
    if status is None:
        record.save()
    else:
        record.finish(status, f"{status} here", test_accuracy=0.5)
    return json.loads(path.read_text())


def test_import_json_records_once(tmp_path: Path, db_path: Path) -> None:
    old = tmp_path / "old-runs"
    old.mkdir()
    first = write_record(old / "20261101-101010-1-xor.json", [report(1), report(2)])
    (old / "20261101-101010-1-xor.npz").write_bytes(b"a saved network")
    write_record(old / "20261102-090000-2-xor.json", [report(1, val_accuracy=0.9)], "stopped")
    (old / "broken.json").write_text("{not json")
    (old / "list.json").write_text("[1, 2, 3]")
    (old / "bad-config.json").write_text(json.dumps({"config": {"eta": -1}, "history": []}))
    save_network(old / "a-network.json", *_network())
    (old / "notes.txt").write_text("not a record")
    with RunHistory(db_path) as history:
        done = history.import_json_runs(old)
        assert sorted(p.name for p, _ in done.imported) == [
            "20261101-101010-1-xor.json", "20261102-090000-2-xor.json"]
        skipped = {p.name: reason for p, reason in done.skipped}
        assert set(skipped) == {"broken.json", "list.json", "bad-config.json"}
        assert skipped["broken.json"].startswith("not valid JSON (line 1, column 2)")
        assert skipped["list.json"] == "not an nntui run record (no config and history)"
        assert skipped["bad-config.json"].startswith("invalid config: eta:")
        run_id = dict((p.name, i) for p, i in done.imported)["20261101-101010-1-xor.json"]
        run = history.get_run(run_id)
        assert run.network_path == str(old / "20261101-101010-1-xor.npz")
        assert (run.status, run.epochs_done, run.best_val_accuracy) == ("completed", 2, 0.5)
        assert history.export_json(run_id) == first, "an imported run exports as it came in"

        again = history.import_json_runs(old)
        assert (again.imported, again.skipped, again.unchanged) == ([], [], 6)
        assert history.count() == 2
    assert {p.name for p in old.iterdir()} == {
        "20261101-101010-1-xor.json", "20261101-101010-1-xor.npz",
        "20261102-090000-2-xor.json", "broken.json", "list.json", "bad-config.json",
        "a-network.json", "notes.txt"}, "the files are left alone"


def _network():
    from nntui.engine import Network

    return Network([2, 6, 2], seed=1), CONFIG


def test_a_record_rewritten_since_replaces_its_run(tmp_path: Path, db_path: Path) -> None:
    path = tmp_path / "run.json"
    write_record(path, [report(1)], status=None)  # still running when first imported
    with RunHistory(db_path) as history:
        (first,) = history.import_json_runs(tmp_path).imported
        summary = history.list_runs()[0]
        assert summary.status == "interrupted" and "never finished" in summary.message
        write_record(path, [report(1), report(2), report(3)])
        os.utime(path, ns=(time.time_ns(), time.time_ns() + 10**9))
        (second,) = history.import_json_runs(tmp_path).imported
        (summary,) = history.list_runs()
    assert summary.id == second[1] != first[1]
    assert (summary.status, summary.epochs_done) == ("completed", 3)


def test_import_from_a_missing_folder_is_nothing(tmp_path: Path, db_path: Path) -> None:
    with RunHistory(db_path) as history:
        done = history.import_json_runs(tmp_path / "nowhere")
    assert (done.imported, done.skipped, done.unchanged) == ([], [], 0)


@pytest.mark.parametrize("status", FINAL)
def test_every_final_status_is_stored_and_read_back_as_a_run_status(db_path: Path,
                                                                     status: RunStatus) -> None:
    with RunHistory(db_path) as history:
        run = history.start_run(CONFIG)
        assert history.get_run(run).status is RunStatus.RUNNING
        history.finish_run(run, status, "the end")
        assert history.get_run(run).status is status


def test_a_status_this_version_does_not_know_is_shown_as_stored(db_path: Path) -> None:
    with RunHistory(db_path) as history:
        run = history.start_run(CONFIG)
    db = sqlite3.connect(db_path)
    with db:
        db.execute("UPDATE runs SET status = 'paused on another planet' WHERE id = ?", (run,))
    db.close()
    with RunHistory(db_path) as history:
        assert history.get_run(run).status == "paused on another planet"


@pytest.mark.parametrize("text", [
    "[" * 100_000 + "]" * 100_000,
    '{"config": {"epochs": 1' + "0" * 400 + '}, "history": []}',
    '{"config": {"epochs": "1e999999"}, "history": []}',
])
def test_hostile_old_records_are_skipped_with_a_reason(tmp_path, text):
    folder = tmp_path / "old"
    folder.mkdir()
    (folder / "bad.json").write_text(text)
    with RunHistory(tmp_path / "runs.db") as history:
        report = history.import_json_runs(folder)
        assert not report.imported and len(report.skipped) == 1
        assert history.count() == 0
