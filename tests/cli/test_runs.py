"""Tests of ``nntui runs``: every subcommand in-process on a history in a temporary folder, the
errors and their exit codes (2 for usage, 1 for a history that cannot be read), and one real
``nntui runs`` process.
"""

from __future__ import annotations

import csv
import errno
import io
import json
import os
import re
import shutil
import socket
import sqlite3
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from nntui.cli import runs as runs_command
from nntui.cli.main import main as nntui_main
from nntui.config import make_config
from nntui.presets import PRESETS
from nntui.storage.history import RunHistory
from nntui.storage.records import RunRecord, load_run

NETWORK = "/nonexistent/nntui-test/x.npz"
"""Where run 2's network was saved: a file that is no longer there."""


@pytest.fixture(autouse=True)
def no_old_records(tmp_path: Path, monkeypatch) -> Path:
    """Keep the user's own folders out of every test: an empty old-records folder, no default
    history."""
    folder = tmp_path / "old-runs"
    folder.mkdir()
    monkeypatch.setenv("NNTUI_RUNS_DIR", str(folder))
    monkeypatch.setenv("NNTUI_RUNS_DB", str(tmp_path / "default" / "runs.db"))
    return folder


@pytest.fixture
def db(tmp_path: Path, epoch_report) -> Path:
    """A history with three runs: a finished preset run, a named stopped one, a running one."""
    path = tmp_path / "runs.db"
    with RunHistory(path) as history:
        config = PRESETS["nielsen-l2"].config().replace(epochs=3)
        first = history.start_run(config, preset="nielsen-l2")
        for epoch, accuracy in ((1, 0.91), (2, 0.95), (3, 0.94)):
            history.add_epoch(first, epoch_report(epoch, epochs=3, val_accuracy=accuracy))
        history.finish_run(first, "completed", "all 3 epochs", test_accuracy=0.93, seconds=4.5)
        xor = make_config(dataset="xor", hidden="8,8", epochs=50, regularization="none",
                          lmbda=0)
        second = history.start_run(xor, name="wide xor", held_out="validation")
        history.add_epoch(second, epoch_report(1, epochs=50, val_accuracy=0.75,
                                               notes=("η 0.5 → 0.25 (live)",)))
        history.finish_run(second, "stopped", "during epoch 2", network_path=NETWORK)
        history.start_run(xor, name="still going")
    return path


def run(argv: list[str], capsys) -> tuple[int, str, str]:
    code = runs_command.main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_list_shows_every_run_newest_first(db: Path, capsys) -> None:
    code, out, err = run(["--runs-db", str(db)], capsys)
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert lines[0].split() == ["id", "when", "name", "data", "hidden", "η", "batch", "reg.",
                                "status", "epochs", "best", "time", "network"]
    rows = [line.split() for line in lines[2:5]]
    assert [row[0] for row in rows] == ["3", "2", "1"]
    assert "still going" in lines[2] and "running" in lines[2] and "0/50" in lines[2]
    assert "wide xor" in lines[3] and "8,8" in lines[3] and "stopped" in lines[3]
    assert lines[3].endswith("gone") and not lines[4].endswith(("gone", "saved"))
    assert "75.00%" in lines[3] and "none" in lines[3]
    assert "nielsen-l2" in lines[4] and "L2 λ=5" in lines[4] and "95.00%" in lines[4]
    assert "completed" in lines[4] and "3/3" in lines[4] and "4s" in lines[4]
    assert lines[5] == f"3 runs in {db}"


def test_list_sort_limit_and_subcommand_spelled_out(db: Path, capsys) -> None:
    code, out, _ = run(["list", "--sort", "best", "--limit", "2", "--runs-db", str(db)], capsys)
    assert code == 0
    lines = out.splitlines()
    assert [line.split()[0] for line in lines[2:4]] == ["1", "2"]
    assert lines[4] == f"2 of 3 runs in {db}"


def test_list_json_for_scripts(db: Path, capsys) -> None:
    code, out, err = run(["--json", "--runs-db", str(db)], capsys)
    assert code == 0 and err == ""
    runs = json.loads(out)
    assert [r["id"] for r in runs] == [3, 2, 1]
    first = runs[2]
    assert (first["status"], first["best_val_accuracy"], first["best_epoch"],
            first["test_accuracy"], first["epochs_done"], first["epochs"]) == (
        "completed", 0.95, 2, 0.93, 3, 3)
    assert first["preset"] == "nielsen-l2" and first["config"]["lmbda"] == 5.0
    assert first["started"][:4].isdigit() and first["ended"] is not None
    assert runs[0]["ended"] is None and runs[0]["status"] == "running"


def test_empty_history(tmp_path: Path, capsys) -> None:
    path = tmp_path / "empty.db"
    code, out, err = run(["--runs-db", str(path)], capsys)
    assert (code, out) == (0, "")
    assert err == "No runs recorded yet; train one with nntui or nntui train\n"
    code, out, err = run(["list", "--json", "--runs-db", str(path)], capsys)
    assert (code, json.loads(out)) == (0, [])
    code, out, err = run(["show", "1", "--runs-db", str(path)], capsys)
    assert code == 2
    assert err == ("nntui runs: error: no run 1 in the history (the history is empty; train one "
                   "with nntui or nntui train)\n")


def test_show(db: Path, capsys) -> None:
    code, out, err = run(["show", "2", "--runs-db", str(db)], capsys)
    assert code == 0 and err == ""
    assert out.startswith("Run 2: wide xor\n")
    assert "stopped - during epoch 2" in out
    assert re.search(r"\nbest validation accuracy +75.00% at epoch 1 *\n", out)
    assert re.search(r"\nvalidation accuracy at epoch 1 +75.00% *\n", out)
    assert re.search(r"\ntest accuracy at the end +not measured *\n", out)
    assert "hidden layers         8,8" in out and "regularization        none" in out
    assert "network" in out and NETWORK in out
    epoch_rows = [line for line in out.splitlines() if line.split()[:1] == ["1"]]
    assert len(epoch_rows) == 1
    assert "75.00%" in epoch_rows[0] and "η 0.5 → 0.25 (live)" in epoch_rows[0]
    code, out, _ = run(["show", "3", "--runs-db", str(db)], capsys)
    assert code == 0 and "No epoch finished." in out


def test_export_to_stdout_and_files(db: Path, tmp_path: Path, capsys) -> None:
    with RunHistory(db) as history:
        expected = history.export_json(1)
    code, out, err = run(["export", "1", "--runs-db", str(db)], capsys)
    assert code == 0 and err == ""
    assert json.loads(out) == expected
    code, out, _ = run(["export", "1", "--format", "csv", "--runs-db", str(db)], capsys)
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [row["val_accuracy"] for row in rows] == ["0.91", "0.95", "0.94"]

    target = tmp_path / "out" / "run1.csv"
    target.parent.mkdir()
    code, out, err = run(["export", "1", "-o", str(target), "--runs-db", str(db)], capsys)
    assert code == 0 and err == ""
    assert out == f"Wrote run 1 (3 epochs) to {target} as CSV.\n"
    assert len(list(csv.DictReader(target.open()))) == 3
    target = tmp_path / "out" / "run1.json"
    target.write_text("old contents")
    code, out, _ = run(["export", "1", "-o", str(target), "--runs-db", str(db)], capsys)
    assert code == 0 and out.endswith("as JSON.\n")
    assert json.loads(target.read_text()) == expected
    assert sorted(p.name for p in target.parent.iterdir()) == ["run1.csv", "run1.json"], \
        "no temporary file is left behind"


def test_export_errors(db: Path, tmp_path: Path, capsys) -> None:
    code, out, err = run(["export", "1", "-o", str(tmp_path / "no" / "x.csv"), "--runs-db",
                          str(db)], capsys)
    assert code == 2 and out == ""
    assert err == (f"nntui runs: error: the folder {tmp_path / 'no'} does not exist; create it "
                   f"or choose another -o\n")
    code, _, err = run(["export", "9", "--runs-db", str(db)], capsys)
    assert code == 2 and "no run 9 in the history ('nntui runs' lists the ids)" in err
    code, _, err = run(["export", "1", "--format", "xml", "--runs-db", str(db)], capsys)
    assert code == 2 and "invalid choice: 'xml'" in err


def test_export_refuses_what_nntui_train_json_refuses(db: Path, unwritable, capsys) -> None:
    """Links, folders, devices, FIFOs and read-only files: exit 2 and one line, nothing written."""
    for path, words in unwritable.refusals.items():
        code, out, err = run(["export", "1", "-o", str(path), "--runs-db", str(db)], capsys)
        assert (code, out) == (2, ""), path
        assert err.startswith(f"nntui runs: error: could not write {path}: {words}"), err
        assert err.count("\n") == 1
        assert nntui_main(["train", "--dataset", "xor", "--epochs", "1", "--json", str(path),
                           "--runs-db", str(db)]) == 2
        trained = capsys.readouterr().err
        assert trained.removeprefix("nntui train: ") == err.removeprefix("nntui runs: ")
    assert unwritable.untouched()


def test_exported_files_have_the_permissions_open_would_give(db: Path, tmp_path: Path,
                                                             capsys) -> None:
    """A new file gets what the umask gives; a replaced one keeps its own."""
    private = tmp_path / "private.csv"
    private.write_text("old")
    private.chmod(0o600)
    old = os.umask(0o022)
    try:
        for path in (tmp_path / "new.json", tmp_path / "new.csv", private):
            code, _, err = run(["export", "1", "-o", str(path), "--runs-db", str(db)], capsys)
            assert code == 0, err
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "new.json").stat().st_mode) == 0o644
    assert stat.S_IMODE((tmp_path / "new.csv").stat().st_mode) == 0o644
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    assert len(list(csv.DictReader(private.open()))) == 3


def test_export_refusals_and_permissions_in_real_processes(db: Path, unwritable,
                                                           tmp_path: Path) -> None:
    """The probe's case: 'nntui runs export 1 -o /dev/full' replaced the device with a file and
    said "Wrote run 1"; a FIFO, a link, a folder and a read-only file were replaced too, and
    exports were 0600 whatever the umask."""
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    refusals = dict(unwritable.refusals)
    if Path("/dev/full").exists():
        refusals[Path("/dev/full")] = "it is a device, not a regular file"

    def export(path: Path, umask: int = 0o022) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "nntui", "runs", "export", "1", "-o",
                               str(path), "--runs-db", str(db)], capture_output=True, text=True,
                              timeout=120, env=env, preexec_fn=lambda: os.umask(umask))

    for path, words in refusals.items():
        done = export(path)
        assert (done.returncode, done.stdout) == (2, ""), path
        assert done.stderr.startswith(f"nntui runs: error: could not write {path}: {words}")
        assert done.stderr.count("\n") == 1
    assert unwritable.untouched()
    if Path("/dev/full").exists():
        assert stat.S_ISCHR(os.stat("/dev/full").st_mode), "still the device"
    for umask, mode in ((0o022, 0o644), (0o077, 0o600), (0o002, 0o664)):
        target = tmp_path / f"umask-{umask:03o}.csv"
        done = export(target, umask)
        assert done.returncode == 0, done.stderr
        assert stat.S_IMODE(target.stat().st_mode) == mode, oct(umask)


@pytest.mark.parametrize("special", ["/dev/full", "fifo"])
def test_a_run_history_that_is_not_a_file_is_refused_plainly(tmp_path: Path, capsys,
                                                              special: str) -> None:
    """SQLite called a device "the disk is full" and a FIFO "disk I/O error"."""
    path = Path(special) if special.startswith("/") else tmp_path / special
    if special == "fifo":
        os.mkfifo(path)
    elif not path.exists():
        pytest.skip(f"no {special} here")
    code, out, err = run(["--runs-db", str(path)], capsys)
    kind = "a device" if special.startswith("/") else "a named pipe (FIFO)"
    assert (code, out) == (1, "")
    assert err == (f"nntui runs: {path} is {kind}, not a run history; point --runs-db at a file "
                   f"(a new name makes a new one)\n")


def test_an_export_that_cannot_be_written_exits_1_and_keeps_the_old_file(
        db: Path, tmp_path: Path, capsys, monkeypatch) -> None:
    target = tmp_path / "run1.json"
    target.write_text("old contents")

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "replace", full)
    code, out, err = run(["export", "1", "-o", str(target), "--runs-db", str(db)], capsys)
    assert (code, out) == (1, "")
    assert err.startswith(f"nntui runs: could not write {target}: No space left on device (the "
                          f"disk is full)")
    assert target.read_text() == "old contents"
    assert sorted(p.name for p in tmp_path.glob("run1*")) == ["run1.json"]


def test_rm_asks_on_a_terminal_and_refuses_without_one(db: Path, capsys, monkeypatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    code, out, err = run(["rm", "1", "--runs-db", str(db)], capsys)
    assert code == 2 and out == ""
    assert err == ("nntui runs: error: refusing to delete without confirmation: no terminal to "
                   "ask on; add --yes\n")

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr(sys, "stdin", Terminal())
    answers = iter(["n", "y"])
    monkeypatch.setattr("builtins.input", lambda prompt: next(answers))
    code, out, _ = run(["rm", "1", "2", "--runs-db", str(db)], capsys)
    assert code == 0 and out.endswith("Nothing deleted.\n")
    code, out, _ = run(["rm", "2", "--runs-db", str(db)], capsys)
    assert code == 0
    assert "Deleted run 2." in out and f"The saved network {NETWORK} was left in place." in out
    with RunHistory(db) as history:
        assert [r.id for r in history.list_runs()] == [3, 1]


def test_rm_with_yes_and_unknown_ids(db: Path, capsys) -> None:
    code, out, err = run(["rm", "1", "7", "--yes", "--runs-db", str(db)], capsys)
    assert code == 2 and "no run 7 in the history" in err
    with RunHistory(db) as history:
        assert history.count() == 3, "nothing is deleted when one id is unknown"
    code, out, err = run(["rm", "--yes", "3", "1", "--runs-db", str(db)], capsys)
    assert code == 2 and out == ""
    assert err == (f"nntui runs: error: not deleting runs that are still being recorded (run 3 "
                   f"by pid {os.getpid()} on {socket.gethostname()}); stop them first\n")
    code, out, err = run(["rm", "--yes", "1", "2", "--runs-db", str(db)], capsys)
    assert (code, out, err) == (0, f"Deleted runs 1, 2.\nThe saved network {NETWORK} was left "
                                   "in place.\n", "")


def test_rename(db: Path, capsys) -> None:
    code, out, _ = run(["rename", "1", "baseline again", "--runs-db", str(db)], capsys)
    assert (code, out) == (0, "Run 1 is now named 'baseline again'.\n")
    code, out, _ = run(["rename", "2", "", "--runs-db", str(db)], capsys)
    assert (code, out) == (0, "Run 2 no longer has a name.\n")
    with RunHistory(db) as history:
        assert [r.name for r in history.list_runs()] == ["still going", "", "baseline again"]
    code, _, err = run(["rename", "12", "x", "--runs-db", str(db)], capsys)
    assert code == 2 and "no run 12" in err


def test_bad_arguments_exit_2(db: Path, capsys) -> None:
    for argv, message in ((["show", "abc"], "'abc' is not a run id"),
                          (["show", "0"], "ids start at 1"),
                          (["--limit", "0"], "0 is too small; give at least 1"),
                          (["--sort", "name"], "invalid choice: 'name'"),
                          (["rm"], "the following arguments are required: ID"),
                          (["frobnicate"], "unrecognized arguments: frobnicate")):
        code, _, err = run([*argv, "--runs-db", str(db)], capsys)
        assert code == 2, argv
        assert message in err, (argv, err)
        assert "Traceback" not in err


def test_a_damaged_history_exits_1(tmp_path: Path, capsys) -> None:
    path = tmp_path / "runs.db"
    path.write_text("not a database at all\n" * 100)
    for argv in (["list"], ["show", "1"], ["rm", "1", "--yes"]):
        code, out, err = run([*argv, "--runs-db", str(path)], capsys)
        assert code == 1 and out == ""
        assert err == (f"nntui runs: {path} is not an nntui run history (not an SQLite "
                       f"database); move it aside or point --runs-db elsewhere\n")


def old_record(path: Path, epoch_report, **fields: object) -> None:
    """A run record of two epochs of XOR as earlier versions wrote them (without the marker of
    today's), ``fields`` replacing its own."""
    record = RunRecord(make_config(dataset="xor", epochs=2), None)
    record.add_epoch(epoch_report(1, epochs=2, val_accuracy=0.6))
    record.add_epoch(epoch_report(2, epochs=2, val_accuracy=0.7))
    record.finish("completed", "", 0.65)
    data = record.as_dict()
    data.pop("format", None)
    path.write_text(json.dumps({**data, **fields}))


def test_one_bad_old_record_is_one_line_and_the_list_goes_on(tmp_path: Path,
                                                             no_old_records: Path,
                                                             epoch_report) -> None:
    """The probe's case, in a real process: an old record with a 400-digit number of seconds
    used to stop every 'nntui runs' with an OverflowError traceback."""
    old_record(no_old_records / "good.json", epoch_report)
    (no_old_records / "huge.json").write_text(
        json.dumps({"config": {"dataset": "xor"}, "history": [], "started": "x"})
        .replace('"started"', f'"seconds": {"9" * 400}, "started"'))
    db = tmp_path / "runs.db"
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", "NNTUI_RUNS_DIR": str(no_old_records)}
    for attempt in range(2):
        done = subprocess.run([sys.executable, "-m", "nntui", "runs", "--runs-db", str(db)],
                              capture_output=True, text=True, timeout=120, env=env)
        assert done.returncode == 0, done.stderr
        assert "Traceback" not in done.stderr
        skipped = [line for line in done.stderr.splitlines() if "skipped" in line]
        assert skipped == ([f"nntui runs: skipped an old run record: {no_old_records / 'huge.json'}"
                            f" holds a whole number 400 digits long; nntui never writes one "
                            f"longer than 20 digits, so the file is damaged or not an nntui "
                            f"file"] if attempt == 0 else []), "said once"
        assert "completed" in done.stdout and "70.00%" in done.stdout


def test_list_imports_old_json_records_once(tmp_path: Path, no_old_records: Path, epoch_report,
                                            capsys) -> None:
    old_record(no_old_records / "old-run.json", epoch_report)
    (no_old_records / "junk.json").write_text("{")
    path = tmp_path / "runs.db"
    code, out, err = run(["--runs-db", str(path)], capsys)
    assert code == 0
    assert (f"nntui runs: skipped an old run record: {no_old_records / 'junk.json'} is not valid "
            f"JSON") in err
    assert (f"Imported 1 run from the JSON run records in {no_old_records} (the files are left "
            f"there).") in err
    assert "70.00%" in out and "completed" in out
    code, out, err = run(["--runs-db", str(path)], capsys)
    assert code == 0 and err == "" and "70.00%" in out


def test_default_history_and_the_nntui_entry_point(tmp_path: Path, db: Path, monkeypatch,
                                                   capsys) -> None:
    monkeypatch.setenv("NNTUI_RUNS_DB", str(db))
    assert nntui_main(["runs", "rename", "1", "via nntui"]) == 0
    assert capsys.readouterr().out == "Run 1 is now named 'via nntui'.\n"
    assert nntui_main(["runs", "--help"]) == 0
    assert "list,show,export,rm,rename" in capsys.readouterr().out


def test_real_process(db: Path) -> None:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    listed = subprocess.run([sys.executable, "-m", "nntui", "runs", "--json", "--runs-db",
                             str(db)], capture_output=True, text=True, timeout=120, env=env)
    assert listed.returncode == 0, listed.stderr
    assert [r["id"] for r in json.loads(listed.stdout)] == [3, 2, 1]
    missing = subprocess.run([sys.executable, "-m", "nntui", "runs", "show", "99",
                              "--runs-db", str(db)], capture_output=True, text=True,
                             timeout=120, env=env)
    assert missing.returncode == 2 and missing.stdout == ""
    assert missing.stderr.splitlines() == [
        "nntui runs: error: no run 99 in the history ('nntui runs' lists the ids)"]


def test_a_read_only_history_is_still_listed(db: Path, no_old_records: Path,
                                             epoch_report) -> None:
    """The old records cannot be imported into it, which is said once; the listing goes on."""
    if sys.platform == "win32":
        pytest.skip("read-only files work differently on Windows")
    old_record(no_old_records / "old.json", epoch_report)
    command = [sys.executable, "-m", "nntui", "runs", "--runs-db", str(db)]
    if os.geteuid() == 0:  # root ignores permissions: drop the capabilities that let it
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("running as root without setpriv to give up overriding permissions")
        command = [setpriv, "--bounding-set=-dac_override,-dac_read_search,-fowner", *command]
    db.chmod(0o444)
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=120,
                              env={**os.environ, "PYTHONIOENCODING": "utf-8"})
    finally:
        db.chmod(0o644)
    assert done.returncode == 0, done.stderr
    assert done.stderr == (f"nntui runs: warning: the JSON run records in {no_old_records} were "
                           f"not imported: cannot write the run history {db}: the file is "
                           f"read-only; make it writable or point --runs-db elsewhere\n")
    assert [line.split()[0] for line in done.stdout.splitlines()[2:5]] == ["3", "2", "1"]


# --- a shared history with control characters in it ---------------------------------------------

TITLE_ATTACK = "pwn\x1b]0;HACKED\x07x"
"""A run name that sets a terminal's title when printed raw."""
OBEYED = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e"
                    "\u2066-\u2069]")
"""What a terminal could act on rather than show (line breaks aside)."""


def poison(db: Path) -> None:
    """Leave in the history what someone else's nntui, or sqlite3, could have written: control
    characters in run 2's name, group, preset, message, network path, host and notes, and in run
    1's data set."""
    with sqlite3.connect(db) as connection:
        connection.execute(
            "UPDATE runs SET name = ?, grp = ?, preset = ?, message = ?, network_path = ?, "
            "host = ?, pid = 1 WHERE id = 2",
            (TITLE_ATTACK, "g\x1b[2J", "p\x9b31m", "stopped \u202eby me",
             "/tmp/n\x1b]8;;http://x\x07.npz", "h\x1b[H"))
        connection.execute("UPDATE epochs SET notes_json = ? WHERE run_id = 2",
                           (json.dumps(["\x1b[31mred"]),))
        config = json.loads(connection.execute("SELECT config_json FROM runs WHERE id = 1")
                            .fetchone()[0])
        connection.execute("UPDATE runs SET config_json = ? WHERE id = 1",
                           (json.dumps({**config, "dataset": "/data/\x1b]0;T\x07"}),))
    connection.close()


def test_a_shared_history_is_shown_escaped(db: Path, capsys) -> None:
    poison(db)
    code, out, err = run(["--runs-db", str(db)], capsys)
    assert code == 0 and err == ""
    assert OBEYED.search(out) is None
    assert "pwn\\x1b]0;HACKED\\x07x" in out and "\\x1b]0;T\\x07" in out

    code, out, err = run(["show", "2", "--runs-db", str(db)], capsys)
    assert code == 0 and err == ""
    assert OBEYED.search(out) is None
    assert out.startswith("Run 2: pwn\\x1b]0;HACKED\\x07x\n")
    for shown in ("g\\x1b[2J", "p\\x9b31m", "stopped \\u202eby me",
                  "/tmp/n\\x1b]8;;http://x\\x07.npz", "h\\x1b[H", "\\x1b[31mred"):
        assert shown in out, shown

    code, out, err = run(["show", "1", "--runs-db", str(db)], capsys)
    assert code == 1 and out == "" and OBEYED.search(err) is None
    assert "cannot read" in err and "control" in err

    code, out, err = run(["--json", "--runs-db", str(db)], capsys)
    assert code == 0 and OBEYED.search(out) is None
    listed = {run["id"]: run for run in json.loads(out)}
    assert listed[2]["name"] == TITLE_ATTACK, "the data are kept as they are"
    assert listed[2]["message"] == "stopped \u202eby me"

    for fmt in ("json", "csv"):
        code, out, err = run(["export", "2", "--format", fmt, "--runs-db", str(db)], capsys)
        assert code == 0 and err == "" and OBEYED.search(out) is None, fmt
        assert "\\x1b[31mred" in out if fmt == "csv" else json.loads(out)["message"] == (
            "stopped \u202eby me")


def test_rm_lists_a_shared_history_escaped(db: Path, capsys, monkeypatch) -> None:
    poison(db)

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr(sys, "stdin", Terminal())
    monkeypatch.setattr("builtins.input", lambda prompt: "y")
    code, out, err = run(["rm", "2", "1", "--runs-db", str(db)], capsys)
    assert code == 0 and OBEYED.search(out + err) is None
    assert "pwn\\x1b]0;HACKED\\x07x" in out
    assert "The saved network /tmp/n\\x1b]8;;http://x\\x07.npz was left in place." in out


def test_rename_refuses_control_characters_and_says_which(db: Path, capsys) -> None:
    for name, said in ((TITLE_ATTACK, "ESC (U+001B), at character 4"),
                       ("report\u202etxt.exe", "U+202E RIGHT-TO-LEFT OVERRIDE, at character 7"),
                       ("tab\there", "TAB (U+0009), at character 4"),
                       ("two\nlines", "LF (U+000A), at character 4: a run name is one line")):
        code, out, err = run(["rename", "1", name, "--runs-db", str(db)], capsys)
        assert (code, out) == (2, ""), name
        assert err.startswith(f"nntui runs: error: a run name cannot hold {said}"), err
        assert OBEYED.search(err) is None
    with RunHistory(db) as history:
        assert history.get_run(1).name == ""


def test_escape_injection_in_real_processes(db: Path) -> None:
    """The probe's case: a name that would set the terminal's title is refused by rename, and
    one already in a shared history is printed escaped by real nntui processes."""
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}

    def nntui(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "nntui", "runs", *args, "--runs-db",
                               str(db)], capture_output=True, text=True, timeout=120, env=env)

    renamed = nntui("rename", "1", TITLE_ATTACK)
    assert renamed.returncode == 2 and renamed.stdout == ""
    assert "cannot hold ESC (U+001B)" in renamed.stderr and "\x1b" not in renamed.stderr
    poison(db)
    for args in (["list"], ["show", "2"], ["export", "2"]):
        done = nntui(*args)
        assert done.returncode == 0, done.stderr
        assert OBEYED.search(done.stdout + done.stderr) is None, args
    assert "pwn\\x1b]0;HACKED\\x07x" in nntui("list").stdout


# --- a full disk ---------------------------------------------------------------------------------

@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A real 1 MB file system (tmpfs) at ``tmp_path / "disk"``, unmounted after the test;
    skipped, saying why, where it cannot be mounted (it takes root)."""
    folder = tmp_path / "disk"
    folder.mkdir()
    if not hasattr(os, "geteuid") or os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a small tmpfs to fill takes root and mount(8)")
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(folder)],
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"a tmpfs cannot be mounted here: {mounted.stderr.strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], capture_output=True)


def fill(disk: Path, leave: int) -> Path:
    """Fill ``disk`` with a file of zeros but ``leave`` bytes; the file, to delete for room."""
    ballast = disk / "ballast"
    with ballast.open("wb") as out:
        try:
            while True:
                out.write(b"\0" * 65536)
                out.flush()
        except OSError as error:
            assert error.errno == errno.ENOSPC
    os.truncate(ballast, max(0, ballast.stat().st_size - leave))
    return ballast


def test_a_full_disk_loses_no_record(small_disk: Path, tmp_path: Path) -> None:
    """The probe's case in real processes: the history and the --json record on a disk that
    fills during a 60-epoch run.  The run completes; what could not be written is kept in the
    state folder, the messages say "disk full" (never "disk I/O error"), and once there is room
    the history shows the run completed with all 60 epochs."""
    db, record = small_disk / "runs.db", small_disk / "run.json"
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", "XDG_STATE_HOME": str(tmp_path / "state"),
           "NNTUI_RUNS_DIR": str(tmp_path / "old-runs")}

    def nntui(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "nntui", *args, "--runs-db", str(db)],
                              capture_output=True, text=True, timeout=300, env=env)

    RunHistory(db).close()
    ballast = fill(small_disk, leave=64 * 1024)
    trained = nntui("train", "--dataset", "xor", "--epochs", "60", "--pace", "0", "--json",
                    str(record), "--quiet")
    assert "Traceback" not in trained.stderr and "I/O error" not in trained.stderr
    assert trained.returncode == 1, trained.stderr  # the record is not where it was asked for
    assert "the disk is full" in trained.stderr
    kept = tmp_path / "state" / "nntui" / "kept"
    assert f"so the whole record was kept as {kept / 'run.json'}" in trained.stderr
    assert load_run(kept / "run.json").status == "completed"
    assert len(load_run(kept / "run.json").history) == 60
    (pending,) = kept.glob("runs.db.pending-run-*.json")
    assert f"they were kept in {pending}" in trained.stderr

    still_full = nntui("runs")  # listed all the same, saying where the rest waits
    assert still_full.returncode == 0, still_full.stderr
    assert still_full.stderr == (f"nntui runs: run 1 is not all in the history yet: the rest of "
                                 f"it is kept in {pending} until the history has room\n")

    ballast.unlink()
    listed = nntui("runs")
    assert listed.returncode == 0, listed.stderr
    assert listed.stderr.startswith(f"nntui runs: run 1 was finished in the run history from "
                                    f"{pending}")
    _, _, row, _ = listed.stdout.splitlines()
    assert row.split()[0] == "1" and "completed" in row and "60/60" in row
    assert not pending.exists()
    shown = nntui("runs", "show", "1")
    assert shown.returncode == 0, shown.stderr
    assert len([line for line in shown.stdout.splitlines() if line.split()[:1] == ["60"]]) == 1, \
        shown.stdout

    # Full again, and the history closed cleanly since: SQLite cannot even make its shared-memory
    # file, and says "disk I/O error"; nntui says what it is.
    fill(small_disk, leave=0)
    full = nntui("runs")
    assert (full.returncode, full.stdout) == (1, "")
    assert full.stderr == (f"nntui runs: cannot write the run history {db}: the disk is full; "
                           f"free some space or point --runs-db elsewhere\n")


def test_show_prints_the_saturated_fractions_it_recorded(tmp_path: Path, capsys) -> None:
    """A run trained here is measured before training and after each epoch; show prints the
    fractions per measured epoch (here before training and after the last) and layer with what
    they count.  A run recorded without them (the
    others of this file's history) shows none."""
    db = tmp_path / "runs.db"
    code = nntui_main(["train", "--dataset", "xor", "--epochs", "2", "--hidden", "6",
                       "--runs-db", str(db), "--quiet"])
    capsys.readouterr()
    assert code == 0
    code, out, err = run(["show", "1", "--runs-db", str(db)], capsys)
    assert code == 0 and err == ""
    part = out[out.index("Saturated units per layer"):]
    lines = part.splitlines()
    assert lines[1] == "saturated = σ′(z) below max/10; on 500 training inputs"
    assert lines[2].split() == ["hidden", "1", "output"]
    assert lines[3].split() == ["epoch", "saturated", "saturated"]
    assert [line.split()[0] for line in lines[4:]] == ["0", "2"]  # small epochs: the last
    assert all(re.fullmatch(r"\s*\d\s+\d+\.\d %\s+\d+\.\d %", line) for line in lines[4:])
