"""Scripted scenes of the app, shared by the snapshot tests and ``scripts/make_screenshots.py``.

Each scene is what a person does before the picture is taken; clocks and speeds are hidden by the
app's ``show_timing=False`` and the runs are seeded, so a scene always ends on the same screen.
Nothing in a picture may depend on how long the scene took: a scene waits for what it needs, then
clears the notifications that would still be on screen only on a fast machine, and stops the
text cursor's blinking (a slow machine would catch it in the dark half of a blink).
"""

from __future__ import annotations

import time
from pathlib import Path

from textual.widgets import Input, Select

from nntui.config import make_config
from nntui.presets import PRESETS
from nntui.tui.dialogs.sweep import SweepScreen

FINISHED_RUN = PRESETS["xor"].config().replace(epochs=12, train_size=400, seed=3, pace=0)
"""A short XOR run that finishes in well under a second."""

OVERFIT = PRESETS["nielsen-overfit"].config()
"""Nielsen's 1,000 images for 400 epochs: training accuracy reaches 100 %, test stalls."""

SPEED = PRESETS["speed-of-learning"].config().replace(epochs=150)
"""Five hidden sigmoid layers: the ladder of per-layer learning speeds, over the preset's first
150 epochs.  From about epoch 170 on, η = 0.1 makes this run chaotic: the last bits of rounding,
which differ with the CPU's BLAS kernels (AVX2 or AVX-512, say), grow into other curves, so a
picture of all 500 epochs would be this machine's alone."""


async def settle(pilot) -> None:
    await pilot.pause()
    await pilot.wait_for_scheduled_animations()
    await pilot.pause()


async def finish_run(pilot, timeout: float = 300) -> None:
    """Start the form's run with F5 and wait until it has finished."""
    await pilot.pause()
    await pilot.press("f5")
    deadline = time.monotonic() + timeout
    state = pilot.app.dashboard.run_state
    while state.state != "completed":
        assert time.monotonic() < deadline, f"the run did not finish: {state.state}"
        await pilot.pause(0.05)
    pilot.app.clear_notifications()  # a hint's stays 12 s: on screen only if the run was fast
    await settle(pilot)


def steady_cursor(pilot) -> None:
    """The focused text field's cursor shown steadily, as the pictures show it."""
    focused = pilot.app.focused
    if isinstance(focused, Input):
        focused.cursor_blink = False


async def type_invalid_eta(pilot) -> None:
    await pilot.pause()
    pilot.app.dashboard.form.field("eta").editor.focus()
    await pilot.press("ctrl+u", "-", "1")
    steady_cursor(pilot)
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
        dashboard = pilot.app.dashboard
        dashboard.start_comparison(name)
        deadline = time.monotonic() + timeout
        while dashboard.comparisons.session is not None or dashboard.run_state.running:
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
    pilot.app.dashboard.load_network_file(Path(path))
    deadline = time.monotonic() + 60
    while not any("test accuracy:" in line.text for line in pilot.app.dashboard.epoch_log.lines):
        assert time.monotonic() < deadline, "the loaded network was not measured"
        await pilot.pause(0.05)
    await settle(pilot)


# --- sweeps ---------------------------------------------------------------------------------------

async def dialog_with_two_fields(pilot) -> None:
    """The sweep dialog (Ctrl+F) with a second field, the layer lists, as values."""
    await pilot.pause()
    await pilot.press("ctrl+f")
    await pilot.pause()
    screen = pilot.app.screen
    screen.query_one("#sweep-field2", Select).value = "hidden"
    await pilot.pause()
    screen.query_one("#sweep-values2", Input).value = "4,8-8"
    await pilot.pause()
    screen.query_one("#sweep-values", Input).focus()
    await pilot.pause()
    steady_cursor(pilot)
    await pilot.wait_for_scheduled_animations()
    await pilot.pause()


async def run_sweep(pilot, name: str, values: str, field2: str = "", values2: str = "",
                    timeout: float = 120) -> None:
    """Ctrl+F's dialog filled in (η's ``values``, and a second field's if given), the sweep
    trained in this process to its end."""
    app = pilot.app
    await pilot.pause()
    await pilot.press("ctrl+f")
    await pilot.pause()
    screen = app.screen
    screen.query_one("#sweep-values", Input).value = values
    if field2:
        screen.query_one("#sweep-field2", Select).value = field2
        await pilot.pause()
        screen.query_one("#sweep-values2", Input).value = values2
    screen.query_one("#sweep-name", Input).value = name
    screen.query_one("#sweep-workers", Input).value = "0"
    await pilot.pause()
    await pilot.press("enter")
    deadline = time.monotonic() + timeout
    while app.dashboard.sweeps.session is not None or isinstance(app.screen, SweepScreen):
        assert time.monotonic() < deadline, "the sweep did not finish"
        await pilot.pause(0.05)


async def finished_sweep(pilot) -> None:
    """A sweep of three η a decade apart, trained in this process to its end."""
    app = pilot.app
    # η = 3 would show the failure better, but its run is chaotic (see SPEED): a decade lower.
    await run_sweep(pilot, "eta", "0.003,0.03,0.3")
    app.clear_notifications()
    await pilot.pause()
    await pilot.wait_for_scheduled_animations()
    await pilot.pause()


async def open_against(pilot, timeout: float = 30) -> None:
    """F11 on the dashboard, once a sweep or comparison has ended: its results against what it
    varied."""
    app = pilot.app
    await pilot.press("f11")
    deadline = time.monotonic() + timeout
    while type(app.screen).__name__ != "AgainstScreen":
        assert time.monotonic() < deadline, "F11 did not open the figure"
        await pilot.pause(0.05)
    app.clear_notifications()
    await settle(pilot)


async def more_data_against_size(pilot) -> None:
    """For the README: Nielsen's more-data comparison run from the palette's action (12 runs,
    minutes), then F11: best accuracy against the training-set size, plain and expanded."""
    await run_comparison("more-data")(pilot, timeout=1800)
    await open_against(pilot)


MORE_DATA_EPOCHS = 1
"""The more-data comparison's twelve runs cut to one epoch for the pictures: a few seconds, and
already the expanded set above the plain one at every size."""


def record_more_data(path) -> None:
    """The more-data comparison's runs (1,000 … 50,000 images, plain and expanded), one epoch
    each, recorded in the run history at ``path`` under the comparison's name as their group, as
    ``nntui compare more-data`` records them."""
    from nntui.runner.lifecycle import HistoryRecorder, Run
    from nntui.storage.history import RunHistory
    from nntui.studies.comparisons import COMPARISONS

    with RunHistory(path) as history:
        for label, config in COMPARISONS["more-data"].labelled_configs(MORE_DATA_EPOCHS):
            recorder = HistoryRecorder(history, config, print, name=label, group="more-data")
            Run(config, observers=[recorder]).execute()


async def group_against(pilot, timeout: float = 30) -> None:
    """The runs screen (F2), then `a` on its first run: its group's results against what the
    group's runs vary."""
    app = pilot.app
    await pilot.pause()
    await pilot.press("f2")
    deadline = time.monotonic() + timeout
    while type(app.screen).__name__ != "RunsScreen":
        assert time.monotonic() < deadline, "F2 did not open the runs screen"
        await pilot.pause(0.05)
    await pilot.pause()
    await pilot.press("a")
    while type(app.screen).__name__ != "AgainstScreen":
        assert time.monotonic() < deadline, "'a' did not open the figure"
        await pilot.pause(0.05)
    app.clear_notifications()
    await settle(pilot)


async def sweep_against(pilot) -> None:
    """A sweep of three η a decade apart (as :func:`finished_sweep`) for a tanh and a ReLU net,
    and F11 on its end: each run's best accuracy and final cost against η, a line per
    activation."""
    await run_sweep(pilot, "eta-activation", "0.003,0.03,0.3", "activation", "tanh,relu")
    await open_against(pilot)


# --- saturated neurons ----------------------------------------------------------------------------

WEIGHT_INIT_EPOCHS = 2
WEIGHT_INIT_IMAGES = 2000
"""The weight-init comparison's two runs, cut to 2 epochs on 2,000 images for a picture: the
spread of z before training does not depend on either."""


def record_weight_init(path) -> None:
    """The weight-init comparison's runs (large, then normalized), cut short, recorded and
    pinned in the run history at ``path`` under their comparison labels, as the app's
    comparison pins them."""
    from nntui.runner.lifecycle import HistoryRecorder, Run
    from nntui.storage.history import RunHistory
    from nntui.studies.comparisons import COMPARISONS

    with RunHistory(path) as history:
        for label, config in COMPARISONS["weight-init"].labelled_configs(WEIGHT_INIT_EPOCHS):
            variant = config.replace(train_size=WEIGHT_INIT_IMAGES, pace=0)
            recorder = HistoryRecorder(history, variant, print, name=label, group="weight-init")
            Run(variant, observers=[recorder]).execute()
            history.set_pinned(recorder.run_id, True)


async def open_saturation(pilot) -> None:
    """F12: the saturation screen."""
    await pilot.pause()
    await pilot.press("f12")
    await settle(pilot)


SATURATION_RUN = FINISHED_RUN.replace(epochs=250)
"""The short XOR run for 250 epochs: measured every 50 (its 400 examples are the sample)."""


async def finished_run_saturation(pilot) -> None:
    """A run trained to its end, then its saturated neurons (F12)."""
    await finish_run(pilot)
    await open_saturation(pilot)


async def weight_init_before_training(pilot) -> None:
    """The pinned weight-init runs side by side (F12), as they were before training (s)."""
    await open_saturation(pilot)
    await pilot.press("s")
    await settle(pilot)


async def weight_init_comparison_saturation(pilot) -> None:
    """For the README: the weight-init comparison run from the palette (its runs pinned as they
    end), then its saturated neurons side by side before training (F12, s)."""
    await run_comparison("weight-init")(pilot)
    await weight_init_before_training(pilot)


# --- drawing a digit ------------------------------------------------------------------------------

DIGIT_NETWORK = make_config(dataset="mnist", hidden="30", train_size=10000, epochs=4, eta=0.1,
                            output="softmax", cost="log-likelihood", seed=1, pace=0)
"""A small MNIST network, about 92 % right after a second or two of training."""

SEVEN = ("up",) * 8 + ("left",) * 6 + ("space",) + ("shift+right",) * 12 + (
    "shift+down", "shift+left") * 6 + ("shift+down",) * 6
"""A 7 drawn from the keyboard: the bar from the left, then down and to the left."""


async def draw_digit(pilot, keys: tuple[str, ...] = SEVEN) -> None:
    """Train :data:`DIGIT_NETWORK`, open the draw screen (Ctrl+Y) and draw ``keys``."""
    from nntui.tui.screens.draw import DrawScreen

    await finish_run(pilot)
    await pilot.press("ctrl+y")
    deadline = time.monotonic() + 30
    while not isinstance(pilot.app.screen, DrawScreen) or not pilot.app.screen.is_mounted:
        assert time.monotonic() < deadline, "the draw screen did not open"
        await pilot.pause(0.05)
    await pilot.press(*keys)
    pilot.app.clear_notifications()
    await settle(pilot)
