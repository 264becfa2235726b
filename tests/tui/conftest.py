"""Fixtures shared by the app's tests: an app on small data, waits and key presses that do not
depend on an idle CPU, the log as words, and the scenes the pictures are taken after.

Each helper is a fixture, so no test module imports another module of the tests.  The scenes
themselves live in :mod:`tests.tui.scenes`, a plain module (not a test module) because
``scripts/make_screenshots.py`` takes the README's pictures after the very same scenes.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from types import ModuleType

import pytest
from textual.widgets import Input, Select

from nntui.config import Config, make_config
from nntui.presets import PRESETS
from nntui.runner.lifecycle import HistoryRecorder, Run
from nntui.storage.history import RunHistory
from nntui.tui.app import NNTuiApp
from nntui.tui.controllers import comparisons as comparisons_module
from nntui.tui.dialogs import sweep as sweep_dialog
from nntui.tui.dialogs.sweep import SweepScreen
from nntui.tui.widgets.log import EpochLog
from tests.tui import scenes as scenes_module

QUICK = PRESETS["xor"].config().replace(epochs=4, train_size=200)
"""Finishes in well under a second."""

SLOW = make_config(dataset="circle", hidden="16", train_size=20000, batch_size=1, epochs=50,
                   eta=0.05, regularization="none", lmbda=0)
"""An epoch of 20,000 single-example mini-batches takes about a second: time to press keys."""

SWEPT = PRESETS["xor"].config().replace(epochs=6, train_size=200, pace=0, seed=3)
"""A few hundredths of a second a run: what most sweeps of the tests vary."""


@pytest.fixture
def quick() -> Config:
    """A run that finishes in well under a second."""
    return QUICK


@pytest.fixture
def slow() -> Config:
    """A run whose epochs take about a second each: time to press keys while it trains."""
    return SLOW


@pytest.fixture
def swept() -> Config:
    """A run of a few hundredths of a second, for a sweep to vary."""
    return SWEPT


@pytest.fixture
def make_app(tmp_path: Path) -> Callable[..., NNTuiApp]:
    """``make_app(config=quick, **options)``: the app on ``config``, recording in a history of
    the test's own, its clocks hidden and its progress reported often."""

    def make(config: Config = QUICK, **options) -> NNTuiApp:
        settings = {"runs_dir": tmp_path, "runs_db": tmp_path / "runs.db", "show_timing": False,
                    "progress_interval": 0.05, **options}
        return NNTuiApp(config, **settings)

    return make


@pytest.fixture
def unusable_db(tmp_path: Path) -> Path:
    """A run history that cannot be opened: its folder is a file."""
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    return blocker / "runs.db"


@pytest.fixture
def open_app(make_app) -> Callable[..., contextlib.AbstractAsyncContextManager]:
    """``async with open_app(config=quick, size=(120, 40), **options) as (app, pilot, run):``
    the app of :func:`make_app` running headless, its first screen shown, ``run`` the dashboard's
    run state."""

    @contextlib.asynccontextmanager
    async def open_(config: Config = QUICK, *, size: tuple[int, int] = (120, 40), **options):
        app = make_app(config, **options)
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            yield app, pilot, app.dashboard.run_state

    return open_


async def _wait_for(pilot, condition: Callable[[], object], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out; run state {pilot.app.dashboard.run_state.state!r}")
        await pilot.pause(0.02)


async def _press(pilot, *keys: str) -> None:
    for key in keys:
        pilot.app.simulate_key(key)
        await pilot.pause(0.05)


def _log_text(app: NNTuiApp) -> str:
    return " ".join(" ".join(line.text for line in app.query_one(EpochLog).lines).split())


@pytest.fixture
def wait_for() -> Callable[..., Awaitable[None]]:
    """``await wait_for(pilot, condition, timeout=30)``: poll until ``condition()`` holds."""
    return _wait_for


@pytest.fixture
def press() -> Callable[..., Awaitable[None]]:
    """``await press(pilot, *keys)``: press keys without ``pilot.press``'s wait for an idle CPU,
    which never comes while the worker trains (each press would cost a second)."""
    return _press


@pytest.fixture
def log_text() -> Callable[[NNTuiApp], str]:
    """``log_text(app)``: the epoch log as one line of words (a message the log wrapped reads
    as it was written)."""
    return _log_text


@pytest.fixture
def scenes() -> ModuleType:
    """What a person does before a picture is taken (:mod:`tests.tui.scenes`)."""
    return scenes_module


@pytest.fixture
def unpaced(monkeypatch) -> None:
    """The books' comparisons as fast as they go: their pace only spaces the runs in time."""
    monkeypatch.setattr(comparisons_module, "COMPARISON_PACE", {})


@pytest.fixture
def record_runs() -> Callable[..., list[int]]:
    """``record_runs(path, etas, pin=True)``: train tiny XOR runs at each η through the real
    lifecycle, recorded (and pinned) in the history at ``path`` and named by their η; their
    ids."""

    def record(path: Path, etas: list[float], *, pin: bool = True) -> list[int]:
        ids = []
        with RunHistory(path) as history:
            for eta in etas:
                config = QUICK.replace(eta=eta, pace=0)
                recorder = HistoryRecorder(history, config, print, name=f"η={eta:g}")
                Run(config, observers=[recorder]).execute()
                ids.append(recorder.run_id)
                history.set_pinned(recorder.run_id, pin)
        return ids

    return record


@pytest.fixture
def notes() -> Callable[[NNTuiApp], list[str]]:
    """``notes(app)``: what the app's notifications said."""
    return lambda app: [n.message for n in app._notifications]


async def _open_sweep_dialog(pilot) -> SweepScreen:
    await pilot.press("ctrl+f")
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, SweepScreen)
    return screen


async def _fill_sweep_dialog(pilot, values: str, *, workers: str = "0", second: str | None = None,
                             values2: str = "", name: str | None = None) -> SweepScreen:
    screen = await _open_sweep_dialog(pilot)
    screen.query_one("#sweep-values", Input).value = values
    if second is not None:
        screen.query_one("#sweep-field2", Select).value = second
        await pilot.pause()
        screen.query_one("#sweep-values2", Input).value = values2
    screen.query_one("#sweep-workers", Input).value = workers
    if name is not None:
        screen.query_one("#sweep-name", Input).value = name
    await pilot.pause()
    return screen


@pytest.fixture
def open_sweep_dialog() -> Callable[..., Awaitable[SweepScreen]]:
    """``await open_sweep_dialog(pilot)``: Ctrl+F, and the sweep dialog it opened."""
    return _open_sweep_dialog


@pytest.fixture
def fill_sweep_dialog() -> Callable[..., Awaitable[SweepScreen]]:
    """``await fill_sweep_dialog(pilot, values, workers="0", second=None, values2="",
    name=None)``: open the sweep dialog and type into it (workers 0: the runs train in this
    process)."""
    return _fill_sweep_dialog


PICTURED = PRESETS["xor"].config().replace(epochs=30, train_size=400, seed=3, pace=0)
"""Three seeded XOR runs of 30 epochs, η a decade apart (0.003, 0.03, 0.3): the finished sweep's
picture."""


@pytest.fixture
def pictured(tmp_path, monkeypatch) -> NNTuiApp:
    """The app for the sweep's pictures, at fixed numbers: the dialog's time stamp and this
    machine's cores."""
    monkeypatch.setattr(sweep_dialog, "stamp", lambda: "20261124-071203")
    monkeypatch.setattr(sweep_dialog, "cores", lambda: 2)
    return NNTuiApp(PICTURED, runs_dir=tmp_path, runs_db=tmp_path / "runs.db",
                    show_timing=False)
