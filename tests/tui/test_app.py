"""The app itself: quitting (and asking first), signals, the run history it opens, the help
screen, and the notice while the terminal is too small."""

from __future__ import annotations

import json
import signal
import time

import pytest

from nntui.storage.history import RunHistory
from nntui.tui.app import NNTuiApp
from nntui.tui.dialogs.confirm import ConfirmScreen
from nntui.tui.dialogs.help import HelpScreen
from nntui.tui.screens.too_small import TooSmallScreen
from nntui.tui.widgets.form import ConfigForm
from nntui.tui.widgets.plots import CostPlot


async def test_quit_asks_while_training_and_stops_the_worker(press, wait_for, slow, open_app):
    async with open_app(slow) as (app, pilot, run):
        await press(pilot, "f5")
        await wait_for(pilot, lambda: run.state == "training")
        await press(pilot, "ctrl+q")
        await pilot.pause(0.1)
        assert isinstance(app.screen, ConfirmScreen)
        await press(pilot, "n")
        await pilot.pause(0.1)
        assert not isinstance(app.screen, ConfirmScreen) and run.state == "training"
        await press(pilot, "ctrl+q")
        await pilot.pause(0.1)
        await press(pilot, "y")
        await wait_for(pilot, lambda: app.dashboard.training.done)
    assert app.dashboard.training.done
    assert app.return_code == 0


async def test_quit_without_a_run_exits_at_once(open_app):
    async with open_app() as (app, pilot, _):
        await pilot.press("ctrl+q")
        await pilot.pause()
    assert app.return_code == 0


@pytest.mark.parametrize(("signum", "code"), [(signal.SIGTERM, 143), (signal.SIGHUP, 129)])
def test_the_app_stops_records_and_restores_the_terminal_on_a_signal(tmp_path, signum, code):
    """The real app on a pseudo-terminal: F5, then SIGTERM or SIGHUP once epochs are recorded."""
    import fcntl
    import os
    import pty
    import struct
    import subprocess
    import sys
    import termios

    db = tmp_path / "runs.db"
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    env = {**os.environ, "TERM": "xterm-256color", "NNTUI_RUNS_DIR": str(tmp_path)}
    process = subprocess.Popen(
        [sys.executable, "-m", "nntui", "--dataset", "circle", "--hidden", "16",
         "--train-size", "20000", "--batch-size", "1", "--epochs", "50", "--runs-db", str(db)],
        stdin=slave, stdout=slave, stderr=slave, env=env, start_new_session=True)
    os.close(slave)
    output = bytearray()

    def read(seconds: float) -> None:
        import select

        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.05)
            if ready:
                try:
                    output.extend(os.read(master, 65536))
                except OSError:
                    return

    try:
        read(4)  # the first screen
        os.write(master, b"\x1b[15~")  # F5
        deadline = time.monotonic() + 60
        epochs = 0
        while time.monotonic() < deadline and not epochs:
            read(0.3)
            if db.exists():
                with RunHistory(db) as history:
                    runs = history.list_runs()
                    epochs = runs[0].epochs_done or 0 if runs else 0
        assert epochs, "no epoch was recorded within 60 s"
        process.send_signal(signum)
        end = time.monotonic() + 30
        while process.poll() is None and time.monotonic() < end:
            read(0.2)
        read(0.5)
    finally:
        if process.poll() is None:
            process.kill()
        process.wait()
        os.close(master)
    assert process.returncode == code
    assert b"\x1b[?1049l" in output  # left the alternate screen
    assert b"Traceback" not in output
    with RunHistory(db) as history:
        [run] = history.list_runs()
        assert run.status == "stopped" and run.epochs_done >= 1


async def test_an_unusable_run_history_warns_and_training_goes_on(tmp_path, wait_for, quick):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    app = NNTuiApp(quick, runs_dir=tmp_path, runs_db=blocker / "runs.db", show_timing=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        run = app.dashboard.run_state
        assert any("run history cannot be used" in n.message for n in app._notifications)
        assert "not recorded" in str(app.query_one("#status").render())
        await pilot.press("f5")
        await wait_for(pilot, lambda: run.state == "completed")
        assert run.epochs_seen == 4


async def test_a_damaged_run_history_warns_and_training_goes_on(tmp_path, wait_for, open_app):
    (tmp_path / "runs.db").write_bytes(b"this is not an SQLite database" * 100)
    async with open_app() as (app, pilot, run):
        assert any("run history" in n.message for n in app._notifications)
        await pilot.press("f5")
        await wait_for(pilot, lambda: run.state == "completed")


async def test_json_records_of_earlier_versions_join_the_history_once(tmp_path, monkeypatch,
                                                                      make_app, quick):
    from nntui.runner.lifecycle import JsonRecord, Run

    old = tmp_path / "old"
    config = quick.replace(pace=0)
    record = old / "20261124-021652-2-xor.json"
    Run(config, observers=[JsonRecord(config, record, print)]).execute()
    # Earlier versions wrote no "format" key; records this version writes have it (never read).
    written = json.loads(record.read_text())
    del written["format"]
    record.write_text(json.dumps(written))
    monkeypatch.setenv("NNTUI_RUNS_DIR", str(old))
    for _ in range(2):
        app = make_app()
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
    with RunHistory(tmp_path / "runs.db") as history:
        [run] = history.list_runs()
        assert run.status == "completed" and run.epochs_done == 4


async def test_help_screen_and_command_palette_preset(open_app):
    async with open_app() as (app, pilot, _):
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, HelpScreen)
        app.dashboard.apply_preset("spiral")
        await pilot.pause()
        assert app.dashboard.form.field("dataset").raw == "spiral"
        assert app.dashboard.form.field("hidden").raw == "16,16,16"
        await pilot.press("ctrl+l")
        await pilot.pause()
        assert app.query_one(CostPlot).log_scale


async def test_help_says_which_keys_work_while_typing(open_app):
    async with open_app() as (app, pilot, _):
        field = app.dashboard.form.field("hidden")
        field.editor.focus()
        await pilot.press("end", "?")
        await pilot.pause()
        assert field.raw.endswith("?") and not isinstance(app.screen, HelpScreen)
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = app.screen.query_one("Markdown").source
        assert "also while typing in a field" in text and "outside text fields" in text


@pytest.mark.parametrize("size", [(70, 20), (79, 40), (120, 23)])
async def test_too_small_terminal_says_so_and_recovers(size, open_app):
    async with open_app(size=size) as (app, pilot, _):
        assert isinstance(app.screen, TooSmallScreen)
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        assert not isinstance(app.screen, TooSmallScreen)
        assert app.screen.query_one(ConfigForm)
