"""Tests of the run history (``nntui.storage.history``): what goes in comes back out, each epoch is
on disk when ``add_epoch`` returns, a run whose process is killed keeps its epochs and is marked
interrupted, and every broken database gives a :class:`HistoryError` that says what to do.

The crash test kills a real process with SIGKILL; the read-only tests run in a child process too,
without the power to override file permissions when the tests run as root.
"""

from __future__ import annotations

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
from nntui.storage.history import HistoryError, RunHistory, UnknownRunError, default_path
from nntui.storage.processes import process_start

CONFIG = make_config(dataset="xor", hidden="6", epochs=5, eta=0.1)


def epochs_in_file(path: Path, run_id: int) -> int:
    """Epochs of ``run_id`` as a separate, plain SQLite connection sees them."""
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        return db.execute("SELECT COUNT(*) FROM epochs WHERE run_id = ?", (run_id,)).fetchone()[0]


# --- recording and reading back ----------------------------------------------------------------

def test_append_and_read_back(db_path: Path, epoch_report) -> None:
    with RunHistory(db_path) as history:
        assert db_path.exists(), "the folder and the file are created"
        run = history.start_run(CONFIG, name=" first ", group="g", preset="xor",
                                held_out="test")
        reports = [epoch_report(1, val_accuracy=0.6),
                   epoch_report(2, val_accuracy=0.8, notes=("η halved",)),
                   epoch_report(3, val_accuracy=0.7, val_cost=math.nan)]
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


def test_best_accuracy_can_be_passed(db_path: Path, epoch_report) -> None:
    with RunHistory(db_path) as history:
        run = history.start_run(CONFIG)
        history.add_epoch(run, epoch_report(1, val_accuracy=0.6))
        history.finish_run(run, "stopped", best_val_accuracy=0.75, best_epoch=1)
        run_summary = history.list_runs()[0]
    assert (run_summary.best_val_accuracy, run_summary.best_epoch) == (0.75, 1)


def test_each_epoch_is_committed_when_add_epoch_returns(db_path: Path, epoch_report) -> None:
    with RunHistory(db_path) as writer, RunHistory(db_path) as reader:
        run = writer.start_run(CONFIG)
        assert reader.list_runs()[0].status == "running"
        for epoch in range(1, 6):
            writer.add_epoch(run, epoch_report(epoch))
            assert epochs_in_file(db_path, run) == epoch
            assert [r.epoch for r in reader.get_run(run).history] == list(range(1, epoch + 1))
            assert reader.list_runs()[0].epochs_done == epoch


def test_a_failed_write_leaves_no_half_epoch(db_path: Path, epoch_report) -> None:
    """The epoch row and the run's totals change in one transaction, or not at all."""
    with RunHistory(db_path) as history:
        run = history.start_run(CONFIG)
        history.add_epoch(run, epoch_report(1))
        with pytest.raises(HistoryError, match="epoch 1 of run 1 is already recorded"):
            history.add_epoch(run, epoch_report(1, val_accuracy=0.99))
        summary = history.list_runs()[0]
        assert (summary.epochs_done, summary.best_val_accuracy) == (1, 0.5)
        history.add_epoch(run, epoch_report(2))  # the connection is still usable
        assert history.list_runs()[0].epochs_done == 2


def test_unknown_ids_and_bad_arguments(db_path: Path, epoch_report) -> None:
    with RunHistory(db_path) as history:
        with pytest.raises(UnknownRunError, match="history is empty"):
            history.get_run(1)
        run = history.start_run(CONFIG)
        for call in (lambda: history.add_epoch(run + 1, epoch_report(1)),
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


def test_list_order_limit_query_rename_pin_delete(db_path: Path, epoch_report) -> None:
    with RunHistory(db_path) as history:
        ids = []
        for accuracy, name in ((0.7, "alpha"), (0.9, "beta"), (None, "gamma"), (0.8, "delta")):
            run = history.start_run(CONFIG, name=name)
            if accuracy is not None:
                history.add_epoch(run, epoch_report(1, val_accuracy=accuracy))
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
    if process_start(os.getpid()) is None:
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


def test_damaged_database(db_path: Path, epoch_report) -> None:
    with RunHistory(db_path) as history:
        for _ in range(20):
            run = history.start_run(CONFIG)
            for epoch in range(1, 11):
                history.add_epoch(run, epoch_report(epoch, notes=("x" * 200,)))
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


def test_full_disk(db_path: Path, epoch_report) -> None:
    """SQLite's own 'database or disk is full', raised by capping the file's size."""
    with RunHistory(db_path) as history:
        run = history.start_run(CONFIG)
        history.add_epoch(run, epoch_report(1))
        pages = history._db.execute("PRAGMA page_count").fetchone()[0]
        history._db.execute(f"PRAGMA max_page_count = {pages + 2}")
        with pytest.raises(HistoryError, match=r"cannot write the run history .*: the disk is "
                                               r"full; free some space"):
            for epoch in range(2, 200):
                history.add_epoch(run, epoch_report(epoch, notes=("n" * 3000,)))
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


def test_read_only_history_file_can_be_listed_not_written(tmp_path: Path, read_only,
                                                          dead_pid) -> None:
    path = tmp_path / "runs.db"
    with RunHistory(path) as history:
        history.start_run(CONFIG)
        orphan = history.start_run(CONFIG)
    with sqlite3.connect(path) as db:  # its process died, but the file cannot say so any more
        db.execute("UPDATE runs SET pid = ? WHERE id = ?", (dead_pid, orphan))
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
