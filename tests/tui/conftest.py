"""Helpers shared by the app's Pilot tests: an app on small data, waits and key presses that do
not depend on an idle CPU, and the log as words."""

from __future__ import annotations

import time
from pathlib import Path

from nntui.config import Config, make_config
from nntui.presets import PRESETS
from nntui.tui.app import NNTuiApp
from nntui.tui.widgets.log import EpochLog

QUICK = PRESETS["xor"].config().replace(epochs=4, train_size=200)
"""Finishes in well under a second."""

SLOW = make_config(dataset="circle", hidden="16", train_size=20000, batch_size=1, epochs=50,
                   eta=0.05, regularization="none", lmbda=0)
"""An epoch of 20,000 single-example mini-batches takes about a second: time to press keys."""


def make_app(tmp_path: Path, config: Config = QUICK, **options) -> NNTuiApp:
    return NNTuiApp(config, runs_dir=tmp_path, runs_db=tmp_path / "runs.db", show_timing=False,
                    progress_interval=0.05, **options)


async def wait_for(pilot, condition, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out; app state {pilot.app.state!r}")
        await pilot.pause(0.02)


async def press(pilot, *keys: str) -> None:
    """Press keys without ``pilot.press``'s wait for an idle CPU, which never comes while the
    worker trains (each press would cost a second)."""
    for key in keys:
        pilot.app.simulate_key(key)
        await pilot.pause(0.05)


def log_text(app: NNTuiApp) -> str:
    """The log as one line of words (a message the log wrapped reads as it was written)."""
    return " ".join(" ".join(line.text for line in app.query_one(EpochLog).lines).split())
