"""One training run as the app's worker thread performs it: load, train, record, report.

Everything heavy happens here, off the UI thread: loading the data, training, writing the run
record, and turning the history into downsampled plot curves.  The app receives only finished
messages (see :mod:`nntui.tui.messages`), at most a few per second, because a UI flooded with
messages either slows training or lets key presses queue behind redraws (see DESIGN.md).
"""

from __future__ import annotations

import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

from textual.message import Message
from threadpoolctl import threadpool_limits

from ..config import Config
from ..datasets import DatasetError
from ..engine import (
    BatchProgress,
    Control,
    EpochReport,
    Event,
    Failed,
    Finished,
    Paused,
    Resumed,
)
from ..experiment import build_trainer, layer_sizes, load_data, measure_test_accuracy
from ..plots import Series, accuracy_series, cost_series, speed_series
from ..runs import RunFileError, RunRecord
from .messages import (
    BatchUpdate,
    DataLoaded,
    EpochsDone,
    PlotData,
    RunEnded,
    RunPaused,
    RunResumed,
    RunWarning,
)

MAX_POINTS = 300
"""Curves are thinned to this many points: wider than any plot, cheap for plotext to draw."""

EPOCH_INTERVAL = 0.25
"""Seconds between epoch messages: tiny data sets finish hundreds of epochs a second, and each
message redraws three plots and the log on the UI thread, which holds the GIL the trainer needs."""

RUNNING_CURVE_INTERVAL = 1.0
"""Seconds between redraws of the running mini-batch cost; the progress bar and the status line
move with every progress report (3 a second), the plot needs no more than one: redrawing the cost
plot costs the UI thread ~16 ms, time the trainer waits for the GIL."""

BLAS_THREADS = 1
"""BLAS threads while the UI runs: on two cores a second BLAS thread fights the UI (DESIGN.md)."""


def downsample(series: Series, limit: int = MAX_POINTS) -> Series:
    """Keep at most ``limit`` evenly spaced points, always including the last one."""
    n = len(series.x)
    if n <= limit:
        return series
    step = n / limit
    idx = sorted({min(n - 1, int(i * step)) for i in range(limit)} | {n - 1})
    return replace(series, x=[series.x[i] for i in idx], y=[series.y[i] for i in idx])


def plot_data(history: Sequence[EpochReport], held_out: str = "validation") -> PlotData:
    """The three plots' curves; ``held_out`` names what the run measures on ("test" when it
    validates on the test set, so no curve is called validation that is not)."""
    return PlotData(
        [downsample(s) for s in cost_series(history, held_out=held_out)],
        [downsample(s) for s in accuracy_series(history, held_out=held_out)],
        [downsample(s) for s in speed_series(history)],
    )


class Session:
    """Runs one configuration to its end and describes everything that happens as messages.

    ``post`` is the app's thread-safe ``post_message``; ``run`` numbers this run so the app can
    drop messages of a run it has replaced.
    """

    def __init__(self, run: int, config: Config, post: Callable[[Message], object], *,
                 control: Control, data_dir: str | None = None, record_path: Path | None = None,
                 progress_interval: float = 0.2, blas_threads: int | None = BLAS_THREADS) -> None:
        self.run_id, self.config, self.post = run, config, post
        self.control, self.data_dir = control, data_dir
        self.record = RunRecord(config, record_path)
        self.progress_interval = progress_interval
        self.blas_threads = blas_threads
        self.history: list[EpochReport] = []
        self._unsent: list[EpochReport] = []
        self._last_epoch_post = 0.0
        self._last_curve_post = 0.0
        self._running = Series("mini-batch (this epoch)", [], [], role="running")
        self._record_ok = True

    # --- the worker's body -------------------------------------------------------------------

    def run(self) -> None:
        """Load, train, report; never raises (every failure becomes a :class:`RunEnded`)."""
        try:
            if self.blas_threads is None:
                self._run()
            else:
                with threadpool_limits(limits=self.blas_threads):
                    self._run()
        except DatasetError as error:
            self._end("failed", f"could not load the data: {error}")
        except Exception as error:
            detail = "".join(traceback.format_exception_only(type(error), error)).strip()
            self._end("failed", f"training failed: {detail}")

    def _run(self) -> None:
        data = load_data(self.config, self.data_dir)
        if self.control.stop_requested:
            self._end("stopped", "stopped before training began")
            return
        trainer = build_trainer(self.config, data, observer=self.observe, control=self.control,
                                progress_interval=self.progress_interval)
        self.post(DataLoaded(self.run_id, data.description, layer_sizes(self.config, data),
                             len(data.train), trainer.network))
        result = trainer.run()
        self._flush_epochs()
        if result.failed is not None:
            status = "diverged" if result.failed.diverged else "failed"
            self._end(status, result.failed.message, epochs_run=len(self.history),
                      network=None if result.failed.diverged else trainer.network)
            return
        finished = result.finished
        assert finished is not None
        test_accuracy = measure_test_accuracy(trainer.network, data)
        stopped = finished.reason == "stopped"
        message = finished.reason + (f": {finished.message}" if finished.message else "")
        if finished.epochs_run:
            message += (f"; best {self.config.validate_on} accuracy "
                        f"{100 * finished.best_val_accuracy:.2f} % at epoch {finished.best_epoch}")
        if test_accuracy is not None and finished.epochs_run:
            message += f"; test accuracy {100 * test_accuracy:.2f} % at the end"
        self._end("stopped" if stopped else "finished", message,
                  epochs_run=finished.epochs_run, test_accuracy=test_accuracy,
                  network=trainer.network,
                  stopped_at=(finished.epochs_run + 1, finished.batch, finished.batches) if stopped
                  else None)

    # --- the trainer's observer ----------------------------------------------------------------

    def observe(self, event: Event) -> None:
        if isinstance(event, BatchProgress):
            self._flush_epochs()
            x = event.epoch - 1 + event.batch / max(event.batches, 1)
            self._running.x.append(x)
            self._running.y.append(event.running_cost)
            running = None
            now = time.monotonic()
            if now - self._last_curve_post >= RUNNING_CURVE_INTERVAL:
                self._last_curve_post = now
                running = downsample(replace(self._running, x=list(self._running.x),
                                             y=list(self._running.y)))
            self.post(BatchUpdate(self.run_id, event, running))
        elif isinstance(event, EpochReport):
            self.history.append(event)
            self._unsent.append(event)
            self._running = replace(self._running, x=[], y=[])
            self._save_epoch(event)
            if time.monotonic() - self._last_epoch_post >= EPOCH_INTERVAL:
                self._flush_epochs()
        elif isinstance(event, Paused):
            self._flush_epochs()
            self.post(RunPaused(self.run_id, event.epoch, event.batch))
        elif isinstance(event, Resumed):
            self.post(RunResumed(self.run_id, event.epoch, event.batch))
        elif isinstance(event, Finished | Failed):
            self._flush_epochs()

    def _flush_epochs(self) -> None:
        if not self._unsent:
            return
        reports, self._unsent = self._unsent, []
        self._last_epoch_post = time.monotonic()
        self.post(EpochsDone(self.run_id, reports,
                             plot_data(self.history, self.config.validate_on)))

    # --- the run record ----------------------------------------------------------------------

    def _save_epoch(self, report: EpochReport) -> None:
        try:
            self.record.add_epoch(report)
        except RunFileError as error:
            self._record_failed(error)

    def _record_failed(self, error: RunFileError) -> None:
        if self._record_ok:  # warn once, then keep training without a record
            self._record_ok = False
            self.post(RunWarning(self.run_id, f"The run record could not be saved ({error}); "
                                              "training goes on."))
        self.record.path = None

    def _end(self, status: str, message: str, **details) -> None:
        try:
            self.record.finish(status, message, details.get("test_accuracy"))
        except RunFileError as error:
            self._record_failed(error)
        self.post(RunEnded(self.run_id, status, message, **details))
