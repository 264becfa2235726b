"""Scripted scenes of the app, shared by the snapshot tests and ``scripts/make_screenshots.py``.

Each scene is what a person does before the picture is taken; clocks and speeds are hidden by the
app's ``show_timing=False`` and the runs are seeded, so a scene always ends on the same screen.
"""

from __future__ import annotations

import time
from pathlib import Path

from nntui.presets import PRESETS

FINISHED_RUN = PRESETS["xor"].config().replace(epochs=12, train_size=400, seed=3, pace=0)
"""A short XOR run that finishes in well under a second."""

OVERFIT = PRESETS["nielsen-overfit"].config()
"""Nielsen's 1,000 images for 400 epochs: training accuracy reaches 100 %, test stalls."""

SPEED = PRESETS["speed-of-learning"].config()
"""Five hidden sigmoid layers: the ladder of per-layer learning speeds."""


async def settle(pilot) -> None:
    await pilot.pause()
    await pilot.wait_for_scheduled_animations()
    await pilot.pause()


async def finish_run(pilot, timeout: float = 300) -> None:
    """Start the form's run with F5 and wait until it has finished."""
    await pilot.pause()
    await pilot.press("f5")
    deadline = time.monotonic() + timeout
    while pilot.app.state != "completed":
        assert time.monotonic() < deadline, f"the run did not finish: {pilot.app.state}"
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


def run_comparison(name: str):
    """A scene that runs one of the books' comparisons from the palette's action and waits for
    its last run."""

    async def scene(pilot, timeout: float = 900) -> None:
        await pilot.pause()
        pilot.app.start_comparison(name)
        deadline = time.monotonic() + timeout
        while pilot.app.comparison is not None or pilot.app.running:
            assert time.monotonic() < deadline, "the comparison did not finish"
            await pilot.pause(0.1)
        pilot.app.clear_notifications()  # its description times out long before it ends
        await settle(pilot)

    return scene


PINNED = FINISHED_RUN.replace(epochs=30)
PINNED_ETAS = (0.01, 0.03, 0.1)
"""Three XOR runs that differ only in η: the pinned runs of the overlay pictures."""


def record_pinned(path, config=PINNED, etas=PINNED_ETAS) -> None:
    """Train ``config`` at each η through the real run lifecycle, recorded and pinned in the run
    history at ``path``: the legend names them by what differs, ``η=0.01`` and so on."""
    from nntui.runner.lifecycle import HistoryRecorder, Run
    from nntui.storage.history import RunHistory

    with RunHistory(path) as history:
        for eta in etas:
            variant = config.replace(eta=eta)
            recorder = HistoryRecorder(history, variant, print)
            Run(variant, observers=[recorder]).execute()
            history.set_pinned(recorder.run_id, True)


async def load_network(pilot, path: str = "xor-net.npz") -> None:
    """Load a saved network (the app's "n" on a run, or a file) and wait for its test accuracy."""
    await pilot.pause()
    pilot.app.load_network_file(Path(path))
    deadline = time.monotonic() + 60
    while not any("test accuracy:" in line.text for line in pilot.app.epoch_log.lines):
        assert time.monotonic() < deadline, "the loaded network was not measured"
        await pilot.pause(0.05)
    await settle(pilot)
