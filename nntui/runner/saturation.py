"""The saturation probe: every run's statistics of saturated neurons, measured as it trains.

The :class:`~nntui.runner.lifecycle.Run` adds a :class:`SaturationProbe` after the observers it
is given, so the app, ``nntui train`` and every run of a sweep measure the same way.  The probe
picks its sample of training inputs once (:func:`~nntui.insight.saturation.sample_rows`, with the
run's seed), measures the network before the first mini-batch (epoch 0), after every epoch that
ends once :data:`EVERY_SAMPLES` times the sample's size of examples were trained since the last
measurement (each epoch of MNIST's 50,000 or 60,000 images; every 50th epoch of a set no larger
than the sample, whose epochs cost little more than measuring them), and after the last epoch,
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

from nntui.engine import BatchProgress, EpochReport, Finished, Network, Observer
from nntui.insight.saturation import SaturationMeter, SaturationReport, sample_rows

COST_SHARE = 100
"""A measurement during an epoch waits at least this many times the last one's duration."""

EVERY_SAMPLES = 50
"""An epoch's end is measured once this many times the sample's size of examples were trained
since the last measurement: a measurement is a forward pass of the sample, an example trained
about three, so this keeps measuring below 1 % of the work whatever the set's size, and the same
epochs are measured on any machine (pictures stay the same)."""


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
        self.n_train = len(x)
        self._examples = 0  # trained since the last measurement at an epoch's end
        self._measured_epoch = -1
        self.last: SaturationReport | None = None
        self.seconds = 0.0  # spent measuring, all told
        self._took = 0.0
        self._measured_at = time.monotonic()

    def _measure(self, epoch: int, batch: int = 0) -> None:
        began = time.monotonic()
        self.last = report = self.meter.measure(self.network, epoch, batch)
        if batch == 0:
            self._examples, self._measured_epoch = 0, epoch
        self._measured_at = time.monotonic()
        self._took = self._measured_at - began
        self.seconds += self._took
        self.observers.on_saturation(report)

    def on_run_start(self, started: Any) -> None:
        self._measure(0)

    def on_epoch(self, report: EpochReport) -> None:
        self._examples += self.n_train
        if self._examples >= EVERY_SAMPLES * len(self.meter.x):
            self._measure(report.epoch)

    def on_finish(self, finished: Finished) -> None:
        """The last epoch is measured, if it was not (unless the run stopped in the middle of
        one, which the history does not keep)."""
        if finished.batch == 0 and finished.epochs_run != self._measured_epoch:
            self._measure(finished.epochs_run)

    def on_progress(self, progress: BatchProgress) -> None:
        if self.every is None or progress.batch >= progress.batches:
            return
        if time.monotonic() - self._measured_at >= max(self.every, COST_SHARE * self._took):
            self._measure(progress.epoch - 1, progress.batch)

    def on_saturation(self, report: SaturationReport) -> None:
        """Its own news: nothing to do."""

    def on_run_end(self, ended: Any) -> None:
        """Nothing left to measure."""
