"""One training run as the app's worker thread performs it, through the shared
:class:`~nntui.runner.lifecycle.Run`: load, train, record, report.

Everything heavy happens here, off the UI thread: loading the data, training, writing the run
record, and turning the history into downsampled plot curves.  The app receives only finished
messages (defined here), at most a few per second: a worker that posted every
mini-batch was measured to cut training from ~17,000 to ~750 mini-batches a second, or to leave key
presses waiting 1-3 s behind a flooded queue.
"""

from __future__ import annotations

import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np
from textual.message import Message
from threadpoolctl import threadpool_limits

from nntui.config import Config
from nntui.engine import BatchProgress, Control, EpochReport, Network, Paused, Resumed
from nntui.render.plots import (
    Series,
    accuracy_series,
    cost_series,
    output_series,
    speed_series,
    thin,
)
from nntui.runner.lifecycle import HistoryRecorder, Run, RunObserver, RunStarted
from nntui.runner.lifecycle import RunEnded as Ended
from nntui.status import RunStatus
from nntui.storage.history import RunHistory
from nntui.studies.comparisons import neuron_outputs
from nntui.tui.controllers.look_inside import FieldObserver, hint_observer
from nntui.tui.messages import RunMessage
from nntui.tui.widgets.plots import PlotData

OUTPUT_LABEL = "output a"

FieldGrid = tuple[Callable[[], tuple[int, int]], Callable[[], float]]

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


# --- what the worker tells the dashboard ---------------------------------------------------------

@dataclass(kw_only=True)
class DataLoaded(RunMessage):
    """The data set is loaded and the network built; training starts now.  For a 2-D data set
    ``points`` holds (training x, labels, held-out x, labels), for the decision-boundary panel."""

    description: str
    sizes: list[int]
    n_train: int
    network: Network  # the one being trained: saved from here while the run is paused
    points: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None = None


@dataclass(kw_only=True)
class BatchUpdate(RunMessage):
    """A few times a second: progress through the epoch, and now and then (``running`` not None)
    the running mini-batch cost curve to redraw."""

    progress: BatchProgress
    running: Series | None = None

    def can_replace(self, message: Message) -> bool:
        """Whether this report, still unhandled, may be dropped for ``message``, a newer one:
        a newer report of the same run says where the run is now, unless this one carries the
        running cost curve (redrawn once a second) and the newer one does not."""
        return (isinstance(message, BatchUpdate) and message.run == self.run
                and (self.running is None or message.running is not None))


@dataclass(kw_only=True)
class EpochsDone(RunMessage):
    """One or more epochs finished since the last such message (tiny data sets finish many
    epochs a second, so the worker batches them) and the plots' new curves.  Never dropped:
    the log writes every epoch."""

    reports: list[EpochReport]
    plots: PlotData


@dataclass(kw_only=True)
class RunPaused(RunMessage):
    """The trainer paused before mini-batch ``batch`` of ``epoch`` (0: between epochs)."""

    epoch: int
    batch: int


@dataclass(kw_only=True)
class RunResumed(RunMessage):
    """The trainer goes on from mini-batch ``batch`` of ``epoch``."""

    epoch: int
    batch: int


@dataclass(kw_only=True)
class RunWarning(RunMessage):
    """Something went wrong beside training (e.g. the run history could not be written);
    ``unrecorded`` when the run is no longer being recorded."""

    message: str
    unrecorded: bool = False


@dataclass(kw_only=True)
class RunEnded(RunMessage):
    """The run is over: ``status`` is one of :data:`nntui.runner.lifecycle.STATUSES`.
    ``stopped_at`` is (epoch, mini-batches done in it, mini-batches per epoch) where a stopped run
    stopped."""

    status: str
    message: str
    epochs_run: int = 0
    test_accuracy: float | None = None
    network: Network | None = None
    stopped_at: tuple[int, int, int] | None = None



def downsample(series: Series, limit: int = MAX_POINTS) -> Series:
    """Keep at most ``limit`` evenly spaced points, always including the last one."""
    return thin(series, limit)


def plot_data(history: Sequence[EpochReport], held_out: str = "validation",
              config: Config | None = None) -> PlotData:
    """The three plots' curves; ``held_out`` names what the run measures on ("test" when it
    validates on the test set, so no curve is called validation that is not).  For Nielsen's
    single neuron (``config``) also its output a per epoch."""
    outputs = neuron_outputs(config, history) if config is not None and history else []
    return PlotData(
        [downsample(s) for s in cost_series(history, held_out=held_out)],
        [downsample(s) for s in accuracy_series(history, held_out=held_out)],
        [downsample(s) for s in speed_series(history)],
        [downsample(replace(s, role="held-out")) for s in output_series([(OUTPUT_LABEL,
                                                                           outputs)])]
        if outputs else [],
    )


class Session(RunObserver):
    """Runs one configuration to its end and describes everything that happens as messages.

    ``post`` is the app's thread-safe ``post_message``; ``run`` numbers this run so the app can
    drop messages of a run it has replaced.
    """

    def __init__(self, run: int, config: Config, post: Callable[[Message], object], *,
                 control: Control, data_dir: str | None = None,
                 history: RunHistory | None = None, network: Network | None = None,
                 name: str = "", group: str = "",
                 progress_interval: float = 0.2, blas_threads: int | None = BLAS_THREADS,
                 field_grid: FieldGrid | None = None) -> None:
        self.run_id, self.config, self.post = run, config, post
        self.blas_threads = blas_threads
        self.history: list[EpochReport] = []
        self._unsent: list[EpochReport] = []
        self._last_epoch_post = 0.0
        self._last_curve_post = 0.0
        self._running = Series("mini-batch (this epoch)", [], [], role="running")
        self._ended = False  # the app has been told how the run ended
        self.recorder = None if history is None else HistoryRecorder(
            history, config, self._warn, name=name, group=group)
        # The recorder first: when the app hears that the run ended, the history already says so.
        observers: list[RunObserver] = [self] if self.recorder is None else [self.recorder, self]
        # Looking inside: the rules of thumb, and for a 2-D set the decision field at the
        # panel's size (``field_grid``: what to read the panel's grid and extent with).
        observers.append(hint_observer(run, post, data_dir=data_dir))
        if field_grid is not None:
            grid, extent = field_grid
            observers.append(FieldObserver(run, post, grid=grid, extent=extent))
        self.lifecycle = Run(config, observers=observers, control=control, data_dir=data_dir,
                             progress_interval=progress_interval, network=network)

    # --- the worker's body -------------------------------------------------------------------

    def run(self) -> None:
        """Load, train, report; never raises (every failure ends as a :class:`RunEnded`)."""
        try:
            if self.blas_threads is None:
                self.lifecycle.execute()
            else:
                with threadpool_limits(limits=self.blas_threads):
                    self.lifecycle.execute()
        except Exception as error:  # an observer failed on the run's end: the app must know
            if not self._ended:
                detail = "".join(traceback.format_exception_only(type(error), error)).strip()
                self.post(RunEnded(run=self.run_id, status=RunStatus.FAILED,
                                   message=f"recording the run's end failed: {detail}",
                                   epochs_run=len(self.history)))

    def _warn(self, message: str) -> None:
        self.post(RunWarning(run=self.run_id, message=message[:1].upper() + message[1:] + ".",
                             unrecorded=True))

    # --- the trainer's observer ----------------------------------------------------------------

    def on_run_start(self, started: RunStarted) -> None:
        data, points = self.lifecycle.data, None
        if data is not None and started.sizes[0] == 2:  # a plane to draw
            points = (data.train.x, data.train.labels, data.validation.x,
                      data.validation.labels)
        self.post(DataLoaded(run=self.run_id, description=started.description,
                             sizes=started.sizes, n_train=started.n_train,
                             network=started.network, points=points))

    def on_run_end(self, ended: Ended) -> None:
        self._flush_epochs()
        self.post(RunEnded(run=self.run_id, status=ended.status, message=ended.message,
                           epochs_run=ended.epochs_run, test_accuracy=ended.test_accuracy,
                           network=ended.network, stopped_at=ended.stopped_at))
        self._ended = True

    def on_progress(self, progress: BatchProgress) -> None:
        self._flush_epochs()
        x = progress.epoch - 1 + progress.batch / max(progress.batches, 1)
        self._running.x.append(x)
        self._running.y.append(progress.running_cost)
        running = None
        now = time.monotonic()
        if now - self._last_curve_post >= RUNNING_CURVE_INTERVAL:
            self._last_curve_post = now
            running = downsample(replace(self._running, x=list(self._running.x),
                                         y=list(self._running.y)))
        self.post(BatchUpdate(run=self.run_id, progress=progress, running=running))

    def on_epoch(self, report: EpochReport) -> None:
        self.history.append(report)
        self._unsent.append(report)
        self._running = replace(self._running, x=[], y=[])
        if time.monotonic() - self._last_epoch_post >= EPOCH_INTERVAL:
            self._flush_epochs()

    def on_pause(self, paused: Paused) -> None:
        self._flush_epochs()
        self.post(RunPaused(run=self.run_id, epoch=paused.epoch, batch=paused.batch))

    def on_resume(self, resumed: Resumed) -> None:
        self.post(RunResumed(run=self.run_id, epoch=resumed.epoch, batch=resumed.batch))

    def _flush_epochs(self) -> None:
        if not self._unsent:
            return
        reports, self._unsent = self._unsent, []
        self._last_epoch_post = time.monotonic()
        self.post(EpochsDone(run=self.run_id, reports=reports,
                             plots=plot_data(self.history, self.config.validate_on, self.config)))
