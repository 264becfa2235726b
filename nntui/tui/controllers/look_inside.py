"""The training worker's side of looking inside: run observers that post what the app draws.

Both are observers of a :class:`~nntui.runner.lifecycle.Run`, meant to be added to the observers
the app's :class:`~nntui.tui.controllers.training.Session` gives its run.  They run in the worker
thread, between mini-batches or epochs, where reading the network being trained is safe, and post
finished data to the app with its thread-safe ``post_message``:

* :class:`FieldObserver` posts a :class:`FieldReady` with the network's
  :class:`~nntui.insight.inspection.DecisionField` for the 2-D sets: one forward pass over the
  panel's grid at most every ``interval`` seconds, and once more when the run pauses or ends, so the
  panel shows the network as it stands;
* :func:`hint_observer` wraps :class:`~nntui.runner.hints.HintObserver` so that each hint arrives as
  a :class:`HintNoticed`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from textual.message import Message

from nntui.engine import EpochReport, Network, Paused
from nntui.insight.inspection import TOY_EXTENT, DecisionField, decision_field
from nntui.runner.hints import Hint, HintObserver
from nntui.runner.lifecycle import RunEnded, RunObserver, RunStarted
from nntui.tui.messages import RunMessage

FIELD_INTERVAL = 0.25
"""Seconds between decision fields: the rate the worker posts epochs at."""


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
