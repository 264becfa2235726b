"""The app itself: quitting (and asking first), signals, the run history it opens, the help
screen, and the notice while the terminal is too small."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import select
import signal
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import ClassVar

import psutil
import pytest

from nntui.storage.history import RunHistory
from nntui.tui.dialogs.confirm import ConfirmScreen
from nntui.tui.dialogs.help import HelpScreen
from nntui.tui.screens.too_small import TooSmallScreen
from nntui.tui.widgets.form import ConfigForm
from nntui.tui.widgets.plots import CostPlot


async def test_quit_asks_while_training_and_stops_the_worker(press, wait_for, slow, open_app):
    async with open_app(slow) as (app, pilot, run):
        await press(pilot, "f5")
        await wait_for(pilot, lambda: run.state == "training")
        # Each key is followed by waiting for what it does, never by a fixed pause.
        await press(pilot, "ctrl+q")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await press(pilot, "n")
        await wait_for(pilot, lambda: not isinstance(app.screen, ConfirmScreen))
        assert run.state == "training"
        await press(pilot, "ctrl+q")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await press(pilot, "y")
        # The worker stops first, the app exits a moment later: wait for the exit itself.
        await wait_for(pilot, lambda: app.return_code is not None)
    assert app.dashboard.training.done
    assert app.return_code == 0


async def test_quit_without_a_run_exits_at_once(open_app):
    async with open_app() as (app, pilot, _):
        await pilot.press("ctrl+q")
        await pilot.pause()
    assert app.return_code == 0


CONTROL_SEQUENCE = re.compile(rb"\x1b\[[0-9;?<=>]*[ -/]*[@-~]")
"""A terminal's control sequence (CSI): colours, cursor moves, modes."""


class AppOnATerminal:
    """``python -m nntui ARGS`` on a pseudo-terminal that is its controlling terminal, as a
    terminal window gives it (a session of its own, the terminal set with TIOCSCTTY); the test
    plays the window: it reads what is drawn, types keys, and closes the window (the master)."""

    KEYS: ClassVar[dict[str, bytes]] = {
        "f1": b"\x1bOP", "f5": b"\x1b[15~", "ctrl+f": b"\x06", "ctrl+q": b"\x11",
        "ctrl+z": b"\x1a", "enter": b"\r"}

    def __init__(self, args: list[str], db: Path, folder: Path, size: tuple[int, int],
                 shell: str | None = None) -> None:
        self.db = db
        self.master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", size[1], size[0], 0, 0))
        env = {**os.environ, "TERM": "xterm-256color", "NNTUI_RUNS_DIR": str(folder),
               "NNTUI_RUNS_DB": str(db)}
        env.pop("NNTUI_DASK_SCHEDULER", None)
        command = [sys.executable, "-m", "nntui", *args]
        if shell is not None:  # a shell script in between, the terminal's session leader
            command = ["bash", "-c", f'{shell}\n"$@"\nexit $?', "bash", *command]
        self.process = subprocess.Popen(
            command, stdin=slave, stdout=slave, stderr=slave,
            env=env, start_new_session=True, preexec_fn=_take_terminal)
        os.close(slave)
        self.output = bytearray()
        self.mark = 0
        self.children: list[int] = []

    def read(self, seconds: float) -> None:
        """Read what the app draws for ``seconds``."""
        deadline = time.monotonic() + seconds
        while self.master >= 0 and time.monotonic() < deadline:
            ready, _, _ = select.select([self.master], [], [], 0.05)
            if ready:
                try:
                    self.output.extend(os.read(self.master, 65536))
                except OSError:
                    return

    def read_until(self, done: Callable[[], bool], what: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while not done():
            assert self.process.poll() is None, \
                f"the app ended ({self.process.returncode}): {bytes(self.output[-500:])!r}"
            assert time.monotonic() < deadline, f"no {what} within {timeout:g} s"
            self.read(0.2)

    def drawn(self, text: str, timeout: float = 60) -> None:
        """Wait until ``text`` has been drawn since the last key pressed (read without the
        escape sequences that style or place it, which may come between its words)."""
        wanted = text.encode()

        def seen() -> bool:
            return wanted in CONTROL_SEQUENCE.sub(b"", bytes(self.output[self.mark:]))

        self.read_until(seen, f"'{text}' drawn", timeout)

    def press(self, *keys: str) -> None:
        self.mark = len(self.output)  # what the keys make the app draw comes after this
        for key in keys:
            os.write(self.master, self.KEYS[key])
            self.read(0.3)

    def runs(self) -> list:
        if not self.db.exists():
            return []
        with RunHistory(self.db) as history:
            return history.list_runs()

    def wait_for_runs(self, ready: Callable[[list], bool], what: str) -> None:
        self.read_until(lambda: ready(self.runs()), what)

    def close_window(self) -> None:
        """Close the terminal, as closing its window does: the kernel hangs it up and sends
        SIGHUP (and SIGCONT) to the app."""
        self.children = [child.pid for child in
                         psutil.Process(self.process.pid).children(recursive=True)]
        os.close(self.master)
        self.master = -1

    def wait(self, bound: float = 30) -> int | None:
        """The exit status, or None if the app is still alive after ``bound`` seconds (far more
        than it needs: this is a hang check, not a timing)."""
        deadline = time.monotonic() + bound
        while self.process.poll() is None and time.monotonic() < deadline:
            self.read(0.2) if self.master >= 0 else time.sleep(0.1)
        return self.process.poll()

    def children_left(self) -> list[int]:
        left = []
        for pid in self.children:
            with contextlib.suppress(psutil.Error):
                if psutil.Process(pid).status() != psutil.STATUS_ZOMBIE:
                    left.append(pid)
        return left

    def end(self) -> None:
        for pid in [self.process.pid, *self.children]:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        self.process.wait()
        if self.master >= 0:
            os.close(self.master)


def _take_terminal() -> None:
    """In the child, after setsid: its standard input becomes its controlling terminal."""
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


@pytest.fixture
def app_on_a_terminal(tmp_path) -> Iterator[Callable[..., AppOnATerminal]]:
    """``app_on_a_terminal(args, size=(120, 40), shell=None)``: :class:`AppOnATerminal`,
    recording in the test's own history (``shell``: lines of a bash script that starts the app);
    ended (with anything it started) after the test."""
    started: list[AppOnATerminal] = []

    def start(args: list[str], size: tuple[int, int] = (120, 40),
              shell: str | None = None) -> AppOnATerminal:
        app = AppOnATerminal(args, tmp_path / "runs.db", tmp_path, size, shell)
        started.append(app)
        return app

    yield start
    for app in started:
        app.end()


TRAINS_LONG = ["--dataset", "circle", "--hidden", "16", "--train-size", "20000", "--batch-size",
               "1", "--epochs", "50"]
"""Epochs of about a second each, 50 of them: still training whenever the test acts."""


def _some_epochs(runs: list) -> bool:
    return bool(runs) and (runs[0].epochs_done or 0) >= 1


@pytest.mark.parametrize(("signum", "code"), [(signal.SIGTERM, 143), (signal.SIGHUP, 129),
                                              (signal.SIGINT, 130)])
def test_the_app_stops_records_and_restores_the_terminal_on_a_signal(app_on_a_terminal, signum,
                                                                      code):
    """F5, then SIGTERM, SIGHUP or SIGINT once epochs are recorded: the run stops and is
    recorded, the terminal is given back, and the exit status is the shell's 128 + n."""
    app = app_on_a_terminal(TRAINS_LONG)
    app.drawn("Hyperparameters")
    app.press("f5")
    app.wait_for_runs(_some_epochs, "epoch recorded")
    app.process.send_signal(signum)
    assert app.wait() == code
    app.read(0.5)
    assert b"\x1b[?1049l" in app.output  # left the alternate screen
    assert b"Traceback" not in app.output
    [run] = app.runs()
    assert run.status == "stopped" and run.epochs_done >= 1


def _stopped(pid: int) -> bool:
    with contextlib.suppress(psutil.Error):
        return psutil.Process(pid).status() == psutil.STATUS_STOPPED
    return False


def _sweeping(runs: list) -> bool:
    return any(run.group and run.status == "running" for run in runs)


@pytest.mark.parametrize("state", ["idle", "training", "a modal open", "suspended", "sweeping"])
def test_closing_the_terminal_ends_the_app_and_records_the_run(app_on_a_terminal, state):
    """The window closes (its pseudo-terminal's master): whatever the app is doing, it ends with
    129, its run or sweep stopped and recorded, no process of its own left behind.  (Textual's
    driver used to hang for ever writing to the terminal that was gone.)"""
    app = app_on_a_terminal(TRAINS_LONG if state != "sweeping" else
                            ["--dataset", "xor", "--epochs", "10000", "--pace", "0"])
    app.drawn("Hyperparameters")
    if state in ("training", "a modal open", "suspended"):
        app.press("f5")
        app.wait_for_runs(_some_epochs, "epoch recorded")
    if state == "suspended":  # Ctrl+Z; the hang-up brings SIGCONT with SIGHUP
        app.press("ctrl+z")
        app.read_until(lambda: _stopped(app.process.pid), "stop")
    if state == "a modal open":
        app.press("ctrl+q")
        app.drawn("Stop it and quit?")
    if state == "sweeping":
        app.press("ctrl+f")
        app.drawn("Start sweep")
        app.press("enter")
        app.wait_for_runs(_sweeping, "sweep run training")
    app.close_window()
    assert app.wait() == 129
    assert app.children_left() == []
    runs = app.runs()
    if state == "idle":
        assert runs == []
    else:
        assert runs and all(run.status == "stopped" for run in runs), \
            [(run.id, run.status) for run in runs]


@pytest.mark.parametrize("state", ["idle", "training"])
def test_a_terminal_gone_without_a_sighup_still_ends_the_app(app_on_a_terminal, state):
    """Started by a script that keeps the hang-up to itself (its session leader, trapping
    SIGHUP), the app never gets the signal: it finds the terminal gone by itself (a write that
    fails, or its look every second) and ends as on SIGHUP, its run stopped and recorded."""
    app = app_on_a_terminal(TRAINS_LONG, shell="trap : HUP")
    app.drawn("Hyperparameters")
    if state == "training":
        app.press("f5")
        app.wait_for_runs(_some_epochs, "epoch recorded")
    app.close_window()
    assert app.wait() == 129
    assert app.children_left() == []
    runs = app.runs()
    assert all(run.status == "stopped" for run in runs) and len(runs) == (state == "training")


@pytest.mark.parametrize("how", ["ctrl+z", "kill -TSTP"])
def test_suspending_gives_the_terminal_back_and_fg_redraws_everything(app_on_a_terminal, how):
    """Ctrl+Z (a key to the app, which turns it into SIGTSTP for its job) or ``kill -TSTP``:
    the terminal is given back and the process stops; SIGCONT (``fg``) takes the terminal again
    and draws every part of the screen, not only what changed, and training goes on."""
    app = app_on_a_terminal(TRAINS_LONG)
    app.drawn("Hyperparameters")
    app.press("f5")
    app.wait_for_runs(_some_epochs, "epoch recorded")
    if how == "ctrl+z":
        app.press("ctrl+z")
    else:
        app.process.send_signal(signal.SIGTSTP)
    app.read_until(lambda: _stopped(app.process.pid), "stop")
    assert app.output.rfind(b"\x1b[?1049l") > app.output.rfind(b"\x1b[?1049h")  # given back
    suspended_at = len(app.output)
    epochs = app.runs()[0].epochs_done
    os.killpg(app.process.pid, signal.SIGCONT)  # what the shell's `fg` sends
    # The screen taken again, and form, log and footer drawn again (the footer never changes
    # while training: only a whole redraw draws it).  Waited for, as the redraw may come in
    # several writes.
    parts = (b"\x1b[?1049h", b"Hyperparameters", b"data set", b"Epoch log", b"Quit")
    app.read_until(lambda: all(part in app.output[suspended_at:] for part in parts),
                   "every part drawn again")
    app.wait_for_runs(lambda runs: runs[0].epochs_done > epochs, "epoch after fg")
    assert app.runs()[0].status == "running"


async def test_an_unusable_run_history_warns_and_training_goes_on(wait_for, quick, unusable_db,
                                                                   open_app):
    async with open_app(quick, runs_db=unusable_db) as (app, pilot, run):
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


async def test_opened_with_a_saved_network_trains_on_from_it(tmp_path, open_app, wait_for):
    """``nntui --load net.npz --epochs 7``: the network's config in the form, as the other flags
    changed it, and the next F5 trains on from its weights."""
    from nntui.cli.main import OpenApp
    from nntui.cli.main import main as command_line
    from nntui.cli.train import main as train

    saved = tmp_path / "net.npz"
    assert train(["--dataset", "xor", "--hidden", "5", "--epochs", "1", "--quiet", "--save",
                  str(saved), "--runs-db", str(tmp_path / "train.db")]) == 0
    outcome = command_line(["--load", str(saved), "--epochs", "7"])
    assert isinstance(outcome, OpenApp) and outcome.load == str(saved)
    assert outcome.config.hidden == (5,) and outcome.config.epochs == 7
    async with open_app(outcome.config, load=saved) as (app, pilot, _):
        training = app.dashboard.training
        await wait_for(pilot, lambda: training.loaded_network is not None)
        config, problems = app.dashboard.form.read(outcome.config)
        assert problems == [] and config is not None
        assert config.hidden == (5,) and config.epochs == 7 and config.dataset == "xor"


def test_a_network_that_cannot_be_loaded_is_a_usage_error(tmp_path, capsys) -> None:
    from nntui.cli.main import main as command_line

    (tmp_path / "broken.npz").write_text("not a network")
    with pytest.raises(SystemExit) as exit_:
        command_line(["--load", str(tmp_path / "broken.npz")])
    assert exit_.value.code == 2
    assert capsys.readouterr().err.startswith("nntui: error: --load: ")


async def test_save_screenshot_saves_into_the_data_folder_and_says_where(
        tmp_path, monkeypatch, open_app, wait_for):
    """The palette's "Save screenshot" where no Downloads folder exists: the SVG goes to
    nntui's data folder (made for it), and the notification names the file."""
    monkeypatch.setenv("HOME", str(tmp_path / "home"))  # no ~/Downloads
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.delenv("XDG_DOWNLOAD_DIR", raising=False)
    folder = tmp_path / "data" / "nntui" / "screenshots"
    async with open_app() as (app, pilot, _):
        app.deliver_screenshot()  # what the palette's command calls
        await wait_for(pilot, lambda: any(folder.glob("*.svg")))
        await wait_for(pilot, lambda: any("Saved screenshot to" in str(n.message)
                                          for n in app._notifications))
        saved = next(folder.glob("*.svg"))
        assert str(saved) in " ".join(str(n.message) for n in app._notifications)
        assert saved.read_text().startswith("<svg")
