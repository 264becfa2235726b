"""The saturation probe: every run's statistics of saturated neurons, measured as it trains.

The :class:`~nntui.runner.lifecycle.Run` adds a :class:`SaturationProbe` after the observers it
is given, so the app, ``nntui train`` and every run of a sweep measure the same way.  The probe
picks its sample of training inputs once (:func:`~nntui.insight.saturation.sample_rows`, with the
run's seed), measures the network before the first mini-batch (epoch 0) and after every epoch,
and hands each :class:`~nntui.insight.saturation.SaturationReport` to all the run's observers
(``on_saturation``): the history's recorder keeps the epochs' reports, ``nntui train`` prints
them, the app draws them.

On request (``every``, seconds) it also measures during an epoch, for a histogram that follows
the run live; such a measurement waits at least a hundred times as long as the last one took,
so it never costs more than 1 % of training time, and it is not recorded.  The probe never
touches the training loop: it measures from the trainer's own events, on the training thread,
between mini-batches.
"""

from __future__ import annotations

import time
from typing import Any

from nntui.engine import BatchProgress, EpochReport, Network, Observer
from nntui.insight.saturation import SaturationMeter, SaturationReport, sample_rows

COST_SHARE = 100
"""A measurement during an epoch waits at least this many times the last one's duration."""


class SaturationProbe(Observer):
    """Measures ``network`` on a fixed sample of the training inputs ``x`` and tells
    ``observers`` (the run's, itself among them) through ``on_saturation``.

    It is one of the run's observers (``on_run_start``, ``on_epoch``, ``on_progress``); it
    defines the run's hooks itself rather than deriving from the lifecycle's observer, which
    creates it."""

    def __init__(self, x: Any, seed: int, network: Network, observers: Any, *,
                 every: float | None = None) -> None:
        self.meter = SaturationMeter(x[sample_rows(len(x), seed)])
        self.network, self.observers, self.every = network, observers, every
        self.last: SaturationReport | None = None
        self.seconds = 0.0  # spent measuring, all told
        self._took = 0.0
        self._measured_at = time.monotonic()

    def _measure(self, epoch: int, batch: int = 0) -> None:
        began = time.monotonic()
        self.last = report = self.meter.measure(self.network, epoch, batch)
        self._measured_at = time.monotonic()
        self._took = self._measured_at - began
        self.seconds += self._took
        self.observers.on_saturation(report)

    def on_run_start(self, started: Any) -> None:
        self._measure(0)

    def on_epoch(self, report: EpochReport) -> None:
        self._measure(report.epoch)

    def on_progress(self, progress: BatchProgress) -> None:
        if self.every is None or progress.batch >= progress.batches:
            return
        if time.monotonic() - self._measured_at >= max(self.every, COST_SHARE * self._took):
            self._measure(progress.epoch - 1, progress.batch)

    def on_saturation(self, report: SaturationReport) -> None:
        """Its own news: nothing to do."""

    def on_run_end(self, ended: Any) -> None:
        """Nothing left to measure."""
