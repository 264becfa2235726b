"""Looking inside a network from the dashboard: its decision boundary, its confusion matrix and
mistakes, its first layer's neurons, and the books' rules of thumb as hints.

The training worker's side is two observers of a :class:`~nntui.runner.lifecycle.Run`
(:func:`look_inside_observers` makes them for a run).  They run in the worker thread, between
mini-batches or epochs, where reading the network being trained is safe, and post finished data
to the dashboard with its thread-safe ``post_message``:

* :class:`FieldObserver` posts a :class:`FieldReady` with the network's
  :class:`~nntui.insight.inspection.DecisionField` for the 2-D sets: one forward pass over the
  panel's grid at most every ``interval`` seconds, and once more when the run pauses or ends, so the
  panel shows the network as it stands;
* :func:`hint_observer` wraps :class:`~nntui.runner.hints.HintObserver` so that each hint arrives as
  a :class:`HintNoticed`.

The dashboard's side is :class:`Inspection`: the decision-boundary panel in the speed plot's
place on a 2-D set (its points loaded off the UI thread), the fields and hints the worker posts,
the held-out set predicted in a worker for the confusion matrix (:class:`ConfusionReady`), and an
open neurons screen kept up with the run.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from textual.message import Message

from nntui.config import TOY_SETS, Config
from nntui.datasets import DatasetError
from nntui.engine import EpochReport, Network, Paused
from nntui.insight.inspection import (
    TOY_EXTENT,
    DecisionField,
    Predictions,
    decision_field,
    image_shape,
    predict,
    weight_images,
)
from nntui.runner.experiment import load_data
from nntui.runner.hints import Hint, HintObserver
from nntui.runner.lifecycle import RunEnded, RunObserver, RunStarted
from nntui.tui.controllers.board import Board
from nntui.tui.messages import RunMessage
from nntui.tui.state import HINT_WORDS
from nntui.tui.widgets.boundary import BoundaryPanel
from nntui.tui.widgets.plots import SpeedPlot

FIELD_INTERVAL = 0.25
"""Seconds between decision fields: the rate the worker posts epochs at."""

NEURONS_INTERVAL = 3.0
"""Seconds between redraws of an open neurons screen while the run trains."""

FieldGrid = tuple[Callable[[], tuple[int, int]], Callable[[], float]]
"""How a worker reads the boundary panel's grid (rows, columns) and extent, each time it draws."""


@dataclass(kw_only=True)
class FieldReady(RunMessage):
    """A new decision field of run ``run``'s network, for :meth:`BoundaryPanel.show_field`."""

    field: DecisionField

    def can_replace(self, message: Message) -> bool:
        """A newer field of the same run shows the network as it is now: this one, still
        unhandled, need not be drawn."""
        return isinstance(message, FieldReady) and message.run == self.run


@dataclass(kw_only=True)
class HintNoticed(RunMessage):
    """Run ``run`` shows a situation a rule of thumb speaks to: log ``hint.message``, show
    ``hint.title`` in the status area."""

    hint: Hint


class FieldObserver(RunObserver):
    """Posts :class:`FieldReady` for a network of two inputs (the 2-D sets), nothing otherwise.

    ``grid`` gives the (rows, cols) to compute, read each time (``lambda: panel.grid_size``),
    and ``extent`` the half-side of the square (``lambda: panel.extent``).  The first epoch's
    field is posted at once; after that at most one every ``interval`` seconds, and a last one
    when the run pauses or ends.
    """

    def __init__(self, run: int, post: Callable[[Message], object], *,
                 grid: Callable[[], tuple[int, int]],
                 extent: Callable[[], float] = lambda: TOY_EXTENT,
                 interval: float = FIELD_INTERVAL) -> None:
        self.run, self.post, self.grid, self.extent = run, post, grid, extent
        self.interval = interval
        self.network: Network | None = None
        self._last = -float("inf")
        self.posted = 0

    def on_run_start(self, started: RunStarted) -> None:
        network = started.network  # None for a run trained elsewhere (a sweep's worker)
        self.network = network if network is not None and network.sizes[0] == 2 else None
        self._last = -float("inf")

    def on_epoch(self, report: EpochReport) -> None:
        now = time.monotonic()
        if self.network is not None and now - self._last >= self.interval:
            self._last = now
            self._post()

    def on_pause(self, paused: Paused) -> None:
        if self.network is not None:
            self._post()

    def on_run_end(self, ended: RunEnded) -> None:
        if self.network is not None and ended.network is not None:
            self._post()
        self.network = None

    def _post(self) -> None:
        assert self.network is not None
        rows, cols = self.grid()
        self.post(FieldReady(run=self.run, field=decision_field(self.network, rows, cols,
                                                                extent=self.extent())))
        self.posted += 1


def hint_observer(run: int, post: Callable[[Message], object],
                  data_dir: str | None = None) -> HintObserver:
    """A :class:`~nntui.runner.hints.HintObserver` that posts each hint as a
    :class:`HintNoticed`."""
    return HintObserver(lambda hint: post(HintNoticed(run=run, hint=hint)), data_dir=data_dir)


def look_inside_observers(run: int, post: Callable[[Message], object], *,
                          data_dir: str | None = None,
                          field_grid: FieldGrid | None = None) -> list[RunObserver]:
    """The observers a run of the dashboard gets for looking inside: the rules of thumb, and for
    a 2-D set (``field_grid``: how to read the panel's grid and extent) the decision field."""
    observers: list[RunObserver] = [hint_observer(run, post, data_dir=data_dir)]
    if field_grid is not None:
        grid, extent = field_grid
        observers.append(FieldObserver(run, post, grid=grid, extent=extent))
    return observers


def field_grid(panel: BoundaryPanel | None) -> FieldGrid | None:
    """What a run's worker reads the boundary panel's grid and extent with (None: no panel)."""
    if panel is None:
        return None
    return (lambda: panel.grid_size, lambda: panel.extent)


# --- the dashboard's side ------------------------------------------------------------------------

@dataclass(kw_only=True)
class ConfusionReady(Message, bubble=False):
    """The held-out set predicted, off the UI thread: the dashboard opens the confusion matrix
    over ``answers`` (``images``: the split's inputs; ``split``: "validation" or "test")."""

    answers: Predictions
    images: np.ndarray
    split: str


class Inspection:
    """What the dashboard shows of a network's insides, and what it keeps for that: the
    boundary panel, the hints, the confusion matrix's worker, the neurons screen it follows."""

    def __init__(self, board: Board) -> None:
        self.board = board
        self._update_neurons: Callable[[np.ndarray], None] | None = None
        self._neurons_drawn = 0.0

    # --- the decision boundary of a 2-D set ------------------------------------------------

    def show_plane(self, config: Config) -> BoundaryPanel | None:
        """On a 2-D set the decision-boundary panel takes the speed plot's place (returned);
        otherwise the speed plot is back."""
        plane = config.dataset in TOY_SETS
        panel = self.board.query_one(BoundaryPanel)
        panel.display = plane
        self.board.query_one(SpeedPlot).display = not plane
        return panel if plane else None

    def load_points(self, config: Config, network: Network | None = None) -> None:
        """The 2-D set's points for the panel (and the field of ``network``), off the UI
        thread."""
        self.board.run_worker(lambda: self._load_points(config, network), thread=True,
                              group="inspect", exit_on_error=False)

    def _load_points(self, config: Config, network: Network | None) -> None:
        board = self.board
        try:
            data = load_data(config, board.settings.data_dir)
        except DatasetError as error:
            board.app.call_from_thread(board.log_note, f"The data set's points could not be "
                                                       f"drawn: {error}", "yellow")
            return
        panel = board.query_one(BoundaryPanel)
        points = (data.train.x, data.train.labels, data.validation.x, data.validation.labels)
        board.app.call_from_thread(panel.set_points, *points)
        if network is not None and network.sizes[0] == 2:
            rows, cols = panel.grid_size
            board.app.call_from_thread(panel.show_field,
                                       decision_field(network, rows, cols, extent=panel.extent))

    def show_field(self, message: FieldReady) -> None:
        self.board.query_one(BoundaryPanel).show_field(message.field)

    def cycle_view(self) -> bool:
        """Ctrl+N on a 2-D set: the panel shows the next neuron (True); False without a panel."""
        panel = self.board.query_one(BoundaryPanel)
        if panel.display:
            panel.action_cycle_view(1)
        return bool(panel.display)

    # --- the rules of thumb -------------------------------------------------------------------

    def hint(self, message: HintNoticed) -> None:
        hint = message.hint
        board = self.board
        board.log_note(str(hint), style="yellow")
        board.notify(hint.message, title=f"Hint: {hint.title}", severity="warning", timeout=12)
        board.show_status(board.run_state.status.evolve(
            hint=HINT_WORDS.get(hint.kind, hint.title)))

    # --- the confusion matrix -------------------------------------------------------------------

    def inspectable(self) -> tuple[Network, Config] | None:
        """The network to look into (a finished, paused or loaded one), or None after saying
        why there is none."""
        state = self.board.run_state
        network, config = state.network, state.network_config
        if network is None or config is None:
            self.board.notify("No trained network yet: train one (F5) or load one (F2, n).",
                              severity="warning")
            return None
        if state.running and state.state != "paused":
            self.board.notify("Pause (F6) first: the weights change with every mini-batch.",
                              severity="warning")
            return None
        return network, config

    def measure_confusion(self) -> None:
        """Predict the held-out set in a worker; a :class:`ConfusionReady` follows."""
        found = self.inspectable()
        if found is None:
            return
        self.board.notify("Measuring the held-out set…", timeout=2)
        self.board.run_worker(lambda: self._predict(*found), thread=True, group="inspect",
                              exclusive=True, exit_on_error=False)

    def _predict(self, network: Network, config: Config) -> None:
        board = self.board
        try:
            # Only the held-out split is used: never build an expanded training set for it.
            data = load_data(config.replace(expand=False), board.settings.data_dir)
        except DatasetError as error:
            board.app.call_from_thread(board.notify, str(error), title="No confusion matrix",
                                       severity="error")
            return
        split = data.validation
        if split.x.shape[1] != network.sizes[0] or len(split) == 0:
            board.app.call_from_thread(board.notify, "The data set does not fit this network.",
                                       title="No confusion matrix", severity="error")
            return
        answers = predict(network, split.x, split.labels)
        name = "test" if config.validate_on == "test" else "validation"
        board.post_message(ConfusionReady(answers=answers, images=split.x, split=name))

    # --- the neurons screen ------------------------------------------------------------------

    def weights(self) -> np.ndarray | None:
        """The first layer's weights as images, or None after saying why there are none."""
        network = self.board.run_state.network
        if network is None:
            self.board.notify("No network yet: train one (F5) or load one (F2, n).",
                              severity="warning")
            return None
        if len(network.sizes) < 3 or image_shape(network.sizes[0]) is None:
            self.board.notify("The neurons view draws a hidden layer's weights as images: it "
                              "needs image inputs (MNIST) and a hidden layer.",
                              severity="warning")
            return None
        return weight_images(network)

    def neurons_title(self) -> str:
        """Whose weights the neurons screen shows: a run's, by its number in the run history,
        and where it is, or a loaded network's file."""
        state = self.board.run_state
        if state.network_file:
            return f"loaded network {state.network_file}"
        where = state.state if state.running else "after the run"
        return f"{state.title}, {where}"

    def follow_neurons(self, update: Callable[[np.ndarray], None] | None) -> None:
        """An open neurons screen's ``update_weights`` (None once it is closed): it follows the
        run."""
        self._update_neurons = update

    def refresh_neurons(self, force: bool = False) -> None:
        """A neurons screen that is open follows the run: at a pause and the end, and every few
        seconds while it trains."""
        network = self.board.run_state.network
        if self._update_neurons is None or network is None:
            return
        now = time.monotonic()
        if force or now - self._neurons_drawn >= NEURONS_INTERVAL:
            self._neurons_drawn = now
            with contextlib.suppress(ValueError):  # another run's layer: the screen keeps its own
                self._update_neurons(weight_images(network))
