"""A training run in the app: trained on a worker thread, shown on the dashboard.

The worker's side is :class:`Session`: one run through the shared
:class:`~nntui.runner.lifecycle.Run` (load, train, record), whose events a :class:`RunReporter`
turns into this module's messages.  Everything heavy happens there, off the UI thread: loading the
data, training, writing the run record, and turning the history into downsampled plot curves.  The
dashboard receives only finished messages, at most a few per second: a worker that posted every
mini-batch was measured to cut training from ~17,000 to ~750 mini-batches a second, or to leave key
presses waiting 1-3 s behind a flooded queue.

The dashboard's side is :class:`Training`: it starts runs on the training worker (a
:class:`Session`, or a comparison's runs one after another), feeds the worker's messages to the
:class:`~nntui.tui.state.RunState` and draws what it says, saves the network, loads a saved one to
train on from.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import threading
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Protocol

import numpy as np
from textual.message import Message
from threadpoolctl import threadpool_limits

from nntui.config import Config, describe
from nntui.datasets import Dataset, DatasetError
from nntui.engine import BatchProgress, Control, EpochReport, Network, Paused, Resumed
from nntui.insight.neuron import neuron_outputs
from nntui.insight.saturation import SaturationReport
from nntui.render.plots import (
    RunCurves,
    Series,
    accuracy_series,
    cost_series,
    output_series,
    regularization_term,
    speed_series,
    thin,
)
from nntui.render.styles import STATUS_LINE_STYLES
from nntui.runner.experiment import load_data, measure_test_accuracy
from nntui.runner.lifecycle import HistoryRecorder, Run, RunObserver, RunStarted
from nntui.runner.lifecycle import RunEnded as Ended
from nntui.status import RunStatus
from nntui.storage.errors import RunFileError
from nntui.storage.history import HistoryError, RunHistory
from nntui.storage.networks import load_network, save_network
from nntui.tui.controllers.board import Board
from nntui.tui.controllers.inspection import FieldGrid, field_grid, look_inside_observers
from nntui.tui.messages import FileSaved, RunMessage
from nntui.tui.widgets.boundary import BoundaryPanel
from nntui.tui.widgets.plots import EMPTY_PLOTS, CostPlot, PlotData
from nntui.tui.widgets.status import EpochProgress

OUTPUT_LABEL = "output a"

RUNNING_SETTLE = 0.1
"""The share of an epoch whose running mini-batch cost is drawn but left out of the cost axis's
range: the mean of an epoch's first few mini-batches (0.6 where the epoch's cost is 0.41) would
stretch the axis and squeeze the epoch curves into two rows."""

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
"""BLAS threads while the UI runs: on two cores a second BLAS thread fights the UI for the other
core (benchmarks/bench_responsiveness.py measures both)."""


# --- what the worker tells the dashboard ---------------------------------------------------------

@dataclass(kw_only=True)
class DataLoaded(RunMessage):
    """The data set is loaded and the network built; training starts now.  For a 2-D data set
    ``points`` holds (training x, labels, held-out x, labels), for the decision-boundary panel;
    ``record_id`` is the run's id in the run history (None when it is not recorded)."""

    description: str
    sizes: list[int]
    n_train: int
    network: Network  # the one being trained: saved from here while the run is paused
    points: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None = None
    record_id: int | None = None


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
class SaturationMeasured(RunMessage):
    """The layers' saturated neurons were measured (at most every :data:`SATURATION_INTERVAL`
    seconds a message): ``reports`` holds every epoch's end so far, then the latest measurement
    if it was made during an epoch.  A newer one of the same run may take its place."""

    reports: list[SaturationReport]

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, SaturationMeasured) and message.run == self.run


SATURATION_INTERVAL = 0.5
"""Seconds between two saturation messages of a run (a tiny run finishes many epochs a
second)."""


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
    ``unrecorded`` when the run is no longer being recorded, ``recorded`` when it is again (the
    history took what was kept meanwhile)."""

    message: str
    unrecorded: bool = False
    recorded: bool = False


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


# --- the worker's side ---------------------------------------------------------------------------

def downsample(series: Series, limit: int = MAX_POINTS) -> Series:
    """Keep at most ``limit`` evenly spaced points, always including the last one."""
    return thin(series, limit)


def thinned(curves: RunCurves | None) -> RunCurves | None:
    """A recorded or swept run's ``curves`` with at most a few hundred points per series, as
    the live run's: cheap to redraw beside it."""
    if curves is None:
        return None
    return replace(curves, cost=downsample(curves.cost), accuracy=downsample(curves.accuracy),
                   speed=downsample(curves.speed),
                   output=curves.output and downsample(curves.output))


def output_reader(config: Config) -> Callable[[EpochReport], float] | None:
    """For Nielsen's single neuron (an accuracy of its one example says nothing), how to read
    its output a from an epoch's report; None for any other run."""
    if not neuron_outputs(config, []):
        return None
    return lambda report: neuron_outputs(config, [report])[-1][1]


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
        terms=() if config is None else (regularization_term(config),),
    )



@contextlib.contextmanager
def blas_limits(threads: int | None) -> Iterator[None]:
    """BLAS capped at ``threads`` threads while a worker trains (None: as it is)."""
    if threads is None:
        yield
        return
    with threadpool_limits(limits=threads):
        yield


Points = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]


class RunReporter(RunObserver):
    """Turns one run's events into the dashboard's messages, on the worker's thread.

    ``post`` is the dashboard's thread-safe ``post_message``; ``run`` numbers the run so the
    dashboard can drop the messages of a run it has replaced; ``record_id`` tells the run's id in
    the run history once it has started (its recorder runs first), and ``data`` the data set it
    loaded, for a 2-D set's points.  Progress is posted at most every ``min_interval`` seconds
    (a run whose trainer reports more often than the dashboard wants: a comparison's, trained by
    the sweep's own runs)."""

    def __init__(self, run: int, config: Config, post: Callable[[Message], object], *,
                 record_id: Callable[[], int | None] = lambda: None,
                 data: Callable[[], Dataset | None] = lambda: None,
                 min_interval: float = 0.0) -> None:
        self.run_id, self.config, self.post = run, config, post
        self.record_id, self.data, self.min_interval = record_id, data, min_interval
        self.history: list[EpochReport] = []
        self.ended = False  # the dashboard has been told how the run ended
        self._unsent: list[EpochReport] = []
        self._last_epoch_post = 0.0
        self._last_curve_post = 0.0
        self._last_progress_post = -math.inf
        self._running = Series("mini-batch (this epoch)", [], [], role="running")
        self.saturation: list[SaturationReport] = []  # every epoch's end so far
        self._saturation_latest: SaturationReport | None = None
        self._last_saturation_post = -math.inf

    def on_run_start(self, started: RunStarted) -> None:
        data, points = self.data(), None
        if data is not None and started.sizes[0] == 2:  # a plane to draw
            points = (data.train.x, data.train.labels, data.validation.x,
                      data.validation.labels)
        self.post(DataLoaded(run=self.run_id, description=started.description,
                             sizes=started.sizes, n_train=started.n_train,
                             network=started.network, points=points,
                             record_id=self.record_id()))

    def on_saturation(self, report: SaturationReport) -> None:
        if report.at_epoch_end:
            self.saturation.append(report)
        self._saturation_latest = report
        if time.monotonic() - self._last_saturation_post >= SATURATION_INTERVAL:
            self._post_saturation()

    def _post_saturation(self) -> None:
        latest = self._saturation_latest
        if latest is None:
            return
        self._saturation_latest = None
        self._last_saturation_post = time.monotonic()
        reports = list(self.saturation)
        if not latest.at_epoch_end:
            reports.append(latest)
        self.post(SaturationMeasured(run=self.run_id, reports=reports))

    def on_run_end(self, ended: Ended) -> None:
        self._flush_epochs()
        self._post_saturation()
        self.post(RunEnded(run=self.run_id, status=ended.status, message=ended.message,
                           epochs_run=ended.epochs_run, test_accuracy=ended.test_accuracy,
                           network=ended.network, stopped_at=ended.stopped_at))
        self.ended = True

    def failed(self, error: Exception) -> None:
        """An observer failed on the run's end (the run itself never raises): unless the
        dashboard heard the end already, it hears that the run failed."""
        if not self.ended:
            detail = "".join(traceback.format_exception_only(type(error), error)).strip()
            self.post(RunEnded(run=self.run_id, status=RunStatus.FAILED,
                               message=f"recording the run's end failed: {detail}",
                               epochs_run=len(self.history)))
            self.ended = True

    def on_progress(self, progress: BatchProgress) -> None:
        self._flush_epochs()
        x = progress.epoch - 1 + progress.batch / max(progress.batches, 1)
        self._running.x.append(x)
        self._running.y.append(progress.running_cost)
        now = time.monotonic()
        if now - self._last_progress_post < self.min_interval:
            return
        self._last_progress_post = now
        running = None
        if now - self._last_curve_post >= RUNNING_CURVE_INTERVAL:
            self._last_curve_post = now
            running = downsample(replace(self._running, x=list(self._running.x),
                                         y=list(self._running.y),
                                         settle=progress.epoch - 1 + RUNNING_SETTLE))
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


def warning_for(run: int, message: str) -> RunWarning:
    """A history's complaint (``the run history cannot be written: …``) as the dashboard says
    it: a sentence, and the run no longer recorded."""
    return RunWarning(run=run, message=message[:1].upper() + message[1:] + ".", unrecorded=True)


SATURATION_EVERY = 2.0
"""Seconds between measurements of the saturated neurons during an epoch (the probe waits
longer if a measurement is slow: it never takes more than 1 % of training)."""


class Session:
    """Runs one configuration to its end on the worker and describes everything that happens
    as messages (see :class:`RunReporter`).

    ``post`` is the dashboard's thread-safe ``post_message``; ``run`` numbers this run;
    ``network`` (a loaded one) is trained on instead of new weights; ``field_grid`` reads the
    decision-boundary panel's grid for a 2-D set's fields.
    """

    def __init__(self, run: int, config: Config, post: Callable[[Message], object], *,
                 control: Control, data_dir: str | None = None,
                 history: RunHistory | None = None, network: Network | None = None,
                 progress_interval: float = 0.2, blas_threads: int | None = BLAS_THREADS,
                 field_grid: FieldGrid | None = None) -> None:
        self.run_id, self.config, self.post = run, config, post
        self.blas_threads = blas_threads
        self.recorder = None if history is None else HistoryRecorder(
            history, config, lambda message: post(warning_for(run, message)),
            recovered=lambda message: post(RunWarning(
                run=run, message=message[:1].upper() + message[1:] + ".", recorded=True)))
        self.reporter = RunReporter(
            run, config, post, data=lambda: self.lifecycle.data,
            record_id=lambda: None if self.recorder is None else self.recorder.run_id)
        # The recorder first: when the dashboard hears that the run ended, the history already
        # says so.  Then the rules of thumb, and for a 2-D set the decision field.
        observers: list[RunObserver] = [self.reporter] if self.recorder is None \
            else [self.recorder, self.reporter]
        observers += look_inside_observers(run, post, data_dir=data_dir, field_grid=field_grid)
        self.lifecycle = Run(config, observers=observers, control=control, data_dir=data_dir,
                             progress_interval=progress_interval, network=network,
                             saturation_every=SATURATION_EVERY)

    @property
    def history(self) -> list[EpochReport]:
        return self.reporter.history

    def run(self) -> None:
        """Load, train, report; never raises (every failure ends as a :class:`RunEnded`)."""
        try:
            with blas_limits(self.blas_threads):
                self.lifecycle.execute()
        except Exception as error:  # an observer failed on the run's end: the dashboard must know
            self.reporter.failed(error)


# --- the dashboard's side ------------------------------------------------------------------------

class Work(Protocol):
    """What the training worker runs: a :class:`Session`, or a comparison's runs."""

    def run(self) -> None:
        """Train, report through messages; never raise."""


class Training:
    """The run on show and the training worker it trains on.

    One run (or one comparison's run after run) trains at a time; the worker thread of a run
    that was replaced may still be finishing as the next starts, so every thread has its own
    event and :attr:`done` is true once all have ended."""

    def __init__(self, board: Board) -> None:
        self.board = board
        self.loaded_network: Network | None = None  # trained on from by the next F5
        self._threads: list[threading.Event] = []

    # --- the worker ----------------------------------------------------------------------------

    def start(self, work: Work) -> None:
        """Run ``work`` on a thread worker (exclusive: one training at a time)."""
        finished = threading.Event()
        self._threads = [event for event in self._threads if not event.is_set()] + [finished]

        def train() -> None:  # the whole run happens here, off the UI thread
            try:
                work.run()
            finally:
                finished.set()

        self.board.run_worker(train, thread=True, exclusive=True, group="training",
                              exit_on_error=False)

    @property
    def done(self) -> bool:
        """No training thread is left."""
        return all(event.is_set() for event in self._threads)

    def wait(self, timeout: float) -> bool:
        """Block until every training thread has ended (at most ``timeout`` seconds in all)."""
        deadline = time.monotonic() + timeout
        return all(event.wait(max(0.0, deadline - time.monotonic()))
                   for event in list(self._threads))

    async def stop_and_wait(self, timeout: float = 10.0) -> None:
        """Ask the trainer to stop and wait (without blocking the UI) until its thread is done."""
        control = self.board.run_state.control
        if control is not None:
            control.stop()
        await asyncio.to_thread(self.wait, timeout)

    def stop_and_block(self, timeout: float = 10.0) -> None:
        """Whatever way the app ends, no training thread may outlive it."""
        control = self.board.run_state.control
        if control is not None:
            control.stop()
        self.wait(timeout)

    # --- starting a run ------------------------------------------------------------------------

    def begin(self, config: Config, *, step: bool = False) -> None:
        """Start a run of ``config`` in the worker (pausing after one epoch when ``step``); a
        loaded network is trained on from."""
        board = self.board
        network, self.loaded_network = self.loaded_network, None
        control, plane = self.show_run(config, step=step, loaded=network is not None)
        settings = board.settings
        self.start(Session(
            board.run_state.number, config, board.post_message, control=control,
            data_dir=settings.data_dir, history=board.history, network=network,
            progress_interval=settings.progress_interval, blas_threads=settings.blas_threads,
            field_grid=field_grid(plane)))

    def show_run(self, config: Config, *, step: bool = False, control: Control | None = None,
                 number: int | None = None,
                 loaded: bool = False) -> tuple[Control, BoundaryPanel | None]:
        """A new run on the dashboard: numbered in the run state (``number`` and ``control``: a
        comparison's; else the next number and a fresh control), empty plots and log, the plane
        on a 2-D set (returned beside the control), and the log's first line."""
        board = self.board
        state = board.run_state
        control = state.begin(config, step=step, recorded=board.history is not None,
                              control=control, number=number)
        # No curve yet, but the running cost to come adds the same regularization term.
        board.live_plots = replace(EMPTY_PLOTS, terms=(regularization_term(config),))
        plane = board.show_plane(config)
        with board.app.batch_update():
            board.epoch_log.start_run(config.validate_on, output_reader(config))
            board.draw_plots()
            board.query_one(EpochProgress).reset()
        # The run's number is the run history's id, known once the run is recorded: the line
        # of data_loaded names it.
        board.log_note(f"New run: {describe(config)}, {config.epochs} epochs"
                       + (", from the loaded network's weights" if loaded else ""))
        board.show_status()
        return control, plane

    def restart(self, config: Config) -> None:
        """F5 answered yes: the running run stops after its mini-batch, then ``config`` starts."""
        state = self.board.run_state
        if state.running and state.control is not None:
            state.stop(restart_with=config)
            self.board.show_status()

    # --- the worker's messages ------------------------------------------------------------------

    def current(self, message: RunMessage) -> bool:
        """Whether ``message`` is of the run on show (not one replaced) and worth drawing."""
        return self.board.run_state.is_current(message.run) and not self.board.quitting

    def data_loaded(self, message: DataLoaded) -> None:
        board = self.board
        board.run_state.data_loaded(message.sizes, message.n_train, message.network,
                                    message.record_id)
        if message.points is not None:
            board.query_one(BoundaryPanel).set_points(*message.points)
        sizes = "[" + ",".join(str(n) for n in message.sizes) + "]"
        examples = "example" if message.n_train == 1 else "examples"
        board.log_note(f"{board.run_state.title.capitalize()}: {message.description}, "
                       f"{message.n_train:,} training {examples}, layers {sizes}")
        board.show_status()

    def batch_update(self, message: BatchUpdate) -> None:
        board = self.board
        p = message.progress
        board.run_state.batch(p, time.monotonic())
        with board.app.batch_update():
            board.query_one(EpochProgress).set(p.epoch, p.batch, p.batches)
            board.show_status()
            if message.running is not None:
                board.draw_running(message.running)

    def epochs_done(self, message: EpochsDone) -> None:
        board = self.board
        board.run_state.epochs_done(message.reports, time.monotonic())
        board.live_plots = message.plots
        with board.app.batch_update():
            for report in message.reports:
                board.epoch_log.epoch(report)
            board.draw_plots()
            board.query_one(EpochProgress).set(*board.run_state.position)
            board.show_status()

    def paused(self, message: RunPaused) -> bool:
        """The trainer paused; False when a stop asked for meanwhile wins."""
        board = self.board
        pause = board.run_state.paused(message.epoch, message.batch)
        if pause is None:
            return False
        with board.app.batch_update():
            board.query_one(EpochProgress).set(*board.run_state.position)
            board.show_status()
        board.log_note(f"Paused {pause.where} (F6 resumes, {pause.step})", style="dim")
        return True

    def resumed(self, message: RunResumed) -> None:
        if self.board.run_state.resumed():
            self.board.show_status()

    def warned(self, message: RunWarning) -> None:
        board = self.board
        if message.recorded:  # good news
            board.notify(message.message, title="Run history", timeout=5)
            board.log_note(message.message, style="dim")
        else:
            board.notify(message.message, title="Warning", severity="warning", timeout=10)
            board.log_note(message.message, style="yellow")
        if message.unrecorded or message.recorded:
            board.show_status(board.run_state.status.evolve(recorded=message.recorded))

    def ended(self, message: RunEnded) -> bool:
        """The run on show is over; False for a message of another run, or while quitting
        (then only the run state learns of it)."""
        board = self.board
        if not board.run_state.is_current(message.run):
            return False
        board.run_state.ended(message.status, message.network, message.stopped_at)
        if board.quitting:
            return False
        board.query_one(CostPlot).end_run()
        said = message.message
        outputs = board.live_plots.output
        if outputs and len(outputs[0].y) > 1:  # the neuron: what its output did, not accuracies
            said += (f"; the neuron's output a went from {outputs[0].y[0]:.3f} to "
                     f"{outputs[0].y[-1]:.3f} (its target is 0)")
        board.log_note(f"{board.run_state.title.capitalize()} {said}"
                       if said.startswith(message.status)
                       else f"{board.run_state.title.capitalize()} {message.status}: {said}",
                       style=STATUS_LINE_STYLES.get(message.status, "bold red"))
        board.query_one(EpochProgress).set(*board.run_state.position)
        board.show_status()
        if message.status == "diverged":
            board.notify(message.message, title="Diverged", severity="error", timeout=10)
        elif message.status == "failed":
            board.notify(message.message, title="Training failed", severity="error", timeout=10)
        return True

    # --- the network: saved, and loaded to train on from ------------------------------------------

    def save(self) -> None:
        """Ctrl+S: the run's network (paused or ended) or a loaded one, as .npz beside the
        others; the run history notes the file."""
        board = self.board
        state = board.run_state
        network, config = state.network, state.network_config
        if network is None or config is None:
            board.notify("No trained network yet: train one first (F5).", severity="warning")
            return
        if state.running and state.state != "paused":
            board.notify("Pause (F6) or stop (F8) the run before saving.", severity="warning")
            return
        runs_dir = board.settings.runs_dir
        path = runs_dir / f"{state.name}.npz"
        number = 1
        while path.exists():  # a later save of the same run never replaces an earlier one
            number += 1
            path = runs_dir / f"{state.name}-{number}.npz"
        try:
            save_network(path, network, config)
        except RunFileError as error:
            board.notify(str(error), title="Not saved", severity="error", timeout=8)
            return
        board.notify(str(path), title="Network saved", timeout=8)
        board.log_note(f"Saved the network to {path}")
        board.post_message(FileSaved(path))  # served to a browser: offered there too
        if board.history is not None and state.record_id is not None:
            try:
                board.history.set_network_path(state.record_id, path)
            except HistoryError as error:
                board.log_note(f"The run history could not note the file: {error}",
                               style="yellow")

    def load_run_network(self, run_id: int) -> None:
        """The network saved from a recorded run (the runs screen's "n"), to train on from."""
        board = self.board
        assert board.history is not None
        try:
            path = board.history.get_run(run_id).network_path
        except HistoryError as error:
            board.notify(str(error), severity="error")
            return
        if path:
            self.load_network(Path(path))

    def load_network(self, path: Path) -> None:
        """Put a saved network's config into the form; the next F5 trains on from its weights.
        Its test accuracy is measured in a worker and written to the log."""
        board = self.board
        try:
            config, network = load_network(path)
        except RunFileError as error:
            board.notify(str(error), title="Not loaded", severity="error", timeout=10)
            return
        board.form.load(config)
        self.loaded_network = network
        state = board.run_state
        # Ctrl+S saves it as it is; the neurons screen names its file.
        state.network, state.network_config, state.network_file = network, config, path.name
        board.log_note(f"Loaded {path}: {describe(config)}. F5 trains on from its weights.")
        board.notify("F5 trains on from its weights; its test accuracy follows in the log.",
                     title="Network loaded", timeout=6)
        if not state.running:
            board.describe_form("loaded network: ")
            if board.show_plane(config) is not None:
                board.load_points(config, network)
        board.run_worker(lambda: self._measure(config, network), thread=True, group="measure",
                         exit_on_error=False)

    def _measure(self, config: Config, network: Network) -> None:
        board = self.board
        try:
            # Only the test split is used: never build an expanded training set for it.
            data = load_data(config.replace(expand=False), board.settings.data_dir)
            accuracy = measure_test_accuracy(network, data)
        except DatasetError as error:
            board.app.call_from_thread(board.log_note, f"Its test accuracy could not be "
                                                       f"measured: {error}", "yellow")
            return
        said = "not finite" if accuracy is None else f"{100 * accuracy:.2f} %"
        board.app.call_from_thread(board.log_note, f"The loaded network's test accuracy: {said}")
