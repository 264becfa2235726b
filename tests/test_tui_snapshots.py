"""Snapshot tests of each screen at fixed sizes, with deterministic content.

Clocks and speeds are hidden (``show_timing=False``), the seed is fixed and the runs are tiny
synthetic ones, so the pictures are the same on every run.  Update with ``--snapshot-update``
only after looking at the new SVGs.
"""

from __future__ import annotations

import time
from pathlib import Path

from nntui.config import DEFAULTS, PRESETS
from nntui.tui.app import NNTuiApp

FINISHED_RUN = PRESETS["xor"].config().replace(epochs=12, train_size=400, seed=3)


def make_app(tmp_path: Path, config=DEFAULTS) -> NNTuiApp:
    return NNTuiApp(config, runs_dir=tmp_path, show_timing=False)


async def settle(pilot) -> None:
    await pilot.pause()
    await pilot.wait_for_scheduled_animations()
    await pilot.pause()


async def finish_run(pilot) -> None:
    await pilot.pause()
    await pilot.press("f5")
    deadline = time.monotonic() + 20
    while pilot.app.state != "finished":
        assert time.monotonic() < deadline, pilot.app.state
        await pilot.pause(0.05)
    await settle(pilot)


async def type_invalid_eta(pilot) -> None:
    await pilot.pause()
    pilot.app.form.field("eta").editor.focus()
    await pilot.press("ctrl+u", "-", "1")
    await settle(pilot)


async def open_help(pilot) -> None:
    await pilot.pause()
    await pilot.press("f1")
    await settle(pilot)


def test_first_screen_80x24(snap_compare, tmp_path):
    assert snap_compare(make_app(tmp_path), terminal_size=(80, 24), run_before=settle)


def test_first_screen_120x40(snap_compare, tmp_path):
    assert snap_compare(make_app(tmp_path), terminal_size=(120, 40), run_before=settle)


def test_field_error(snap_compare, tmp_path):
    assert snap_compare(make_app(tmp_path), terminal_size=(120, 40), run_before=type_invalid_eta)


def test_finished_short_run(snap_compare, tmp_path):
    assert snap_compare(make_app(tmp_path, FINISHED_RUN), terminal_size=(120, 40),
                        run_before=finish_run)


def test_help_screen(snap_compare, tmp_path):
    assert snap_compare(make_app(tmp_path), terminal_size=(120, 40), run_before=open_help)


def test_too_small(snap_compare, tmp_path):
    assert snap_compare(make_app(tmp_path), terminal_size=(70, 20), run_before=settle)
