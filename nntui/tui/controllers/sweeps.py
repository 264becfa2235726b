"""A sweep inside the app: its runs trained by :class:`nntui.studies.sweep.Sweep` on a thread
worker, reported to the dashboard a few times a second as ready-to-draw overlay curves.

The dialog (:mod:`nntui.tui.dialogs.sweep`) hands over a :class:`SweepRequest`; the
:class:`Sweeps` controller starts a worker that runs :meth:`SweepSession.run`, which starts the
executor (a local Dask cluster, a given one, or
:class:`~nntui.studies.sweep.InProcess` for none), trains every run and closes the cluster whatever
happens.  Each run attempt gets an observer (``observers_for``) that only notes that something
changed; at most every :data:`SWEEP_INTERVAL` seconds the session turns what changed into one
:class:`SweepProgress`: every run's curves for both overlay splits, thinned like the pinned runs'
(:func:`~nntui.render.plots.run_curves`, :func:`~nntui.tui.controllers.training.downsample`), the
runs that ended since the last message, and the counts the status line shows.  The UI thread only
picks the split it shows and redraws.  A sweep of tiny runs finishes thousands of epochs a second:
without the throttle each would wake the UI (see :mod:`nntui.tui.controllers.training`).

While a sweep runs its runs are drawn in the pinned runs' place; when it ends they are pinned in
place of an earlier sweep's or comparison's, beside the runs the person pinned by hand.  F5, F6,
F7 and comparisons wait for it, F8 stops it, quitting stops it and shuts its local Dask cluster
down.
"""

from __future__ import annotations

import asyncio
import math
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from textual.message import Message

from nntui.engine import BatchProgress, Control, EpochReport
from nntui.insight.neuron import neuron_outputs
from nntui.render.plots import RunCurves, run_curves
from nntui.render.styles import STATUS_LINE_STYLES
from nntui.runner.lifecycle import RunEnded, RunObserver, RunStarted
from nntui.status import RunStatus
from nntui.storage.history import HistoryError, RunHistory
from nntui.studies.dask_executor import CONNECT_TIMEOUT, ClusterError, DaskExecutor
from nntui.studies.plan import SweepRun
from nntui.studies.sweep import InProcess, Sweep, SweepResult
from nntui.tui.controllers.board import Board
from nntui.tui.controllers.pinned import pin_instead, pinned_by_hand
from nntui.tui.controllers.training import BLAS_THREADS, blas_limits, thinned
from nntui.tui.state import Status
from nntui.tui.widgets.plots import EMPTY_PLOTS
from nntui.tui.widgets.status import EpochProgress

SWEEP_INTERVAL = 0.25
"""Seconds between a sweep's messages to the UI: at most four a second, however many runs."""

SPLITS = ("held-out", "training")


# --- what the dialog asks for -------------------------------------------------------------------

@dataclass(frozen=True)
class SweepRequest:
    """A sweep the dialog checked: its name (the runs' group), its runs, and where they train:
    ``scheduler`` (an existing Dask cluster), else ``workers`` local worker processes (None: one
    per core), or in this process one after another (``workers == 0``)."""

    name: str
    runs: list[SweepRun]
    workers: int | None = None
    scheduler: str | None = None

    @property
    def in_process(self) -> bool:
        return self.scheduler is None and self.workers == 0


def where_words(workers: int | None, scheduler: str | None, cores: int) -> str:
    """Where the runs of a sweep train, in words (before the cluster is up)."""
    if scheduler is not None:
        return f"on the Dask cluster at {scheduler}"
    if workers == 0:
        return "one after another in this process"
    n = workers or cores
    return f"on a local Dask cluster of {n} worker process{'es' if n != 1 else ''}"


# --- what the worker tells the app --------------------------------------------------------------

@dataclass(frozen=True)
class RunOutcome:
    """How one run of a sweep ended (or was kept from starting: status ``not run``)."""

    index: int
    label: str
    status: str
    message: str
    best: float | None  # best held-out accuracy
    best_epoch: int
    held_out: str  # "validation" or "test"
    run_id: int | None  # in the run history
    attempts: int


def outcome(result: SweepResult) -> RunOutcome:
    ended = result.ended
    best = None if ended is None else ended.best_val_accuracy
    if best is not None and math.isnan(best):
        best = None
    return RunOutcome(result.run.index, result.label, result.state,
                      "" if ended is None else ended.message, best,
                      0 if ended is None else ended.best_epoch,
                      result.held_out or ("test" if result.config.validate_on == "test"
                                          else "validation"),
                      result.run_id, result.attempts)


@dataclass(kw_only=True)
class SweepStarted(Message, bubble=False):
    """The executor is up: the sweep's runs go to ``where`` (a Dask cluster, ready after
    ``seconds``; empty when they train in this process)."""

    sweep: int
    name: str
    total: int
    where: str
    seconds: float


@dataclass(kw_only=True)
class SweepProgress(Message, bubble=False):
    """What changed since the last message: every run's curves so far (``curves[split]``, by
    run, only runs with an epoch), the runs that ended since (``ended``), how many are done,
    running and in all, and the epochs trained of all the runs' (``epochs_done`` of
    ``epochs``; a run that ended early counts whole)."""

    sweep: int
    name: str
    curves: dict[str, list[RunCurves]]
    ended: list[RunOutcome]
    done: int
    running: int
    total: int
    epochs_done: int = 0
    epochs: int = 0
    warnings: list[str] = field(default_factory=list)


@dataclass(kw_only=True)
class SweepEnded(Message, bubble=False):
    """The sweep is over: every run's outcome (in the sweep's order), or ``error`` when it
    could not run at all (the cluster could not start); ``stopped`` when F8 or quitting
    stopped it."""

    sweep: int
    name: str
    outcomes: list[RunOutcome]
    error: str = ""
    stopped: bool = False


def sweep_title(name: str) -> str:
    """``sweep grid``, but ``sweep-20261124-0712`` as it is."""
    return name if name.lower().startswith("sweep") else f"sweep {name}"


def progress_text(name: str, done: int, total: int, running: int) -> str:
    """``sweep eta: 3 of 6 done, 2 running``: the status line during a sweep."""
    text = f"{sweep_title(name)}: {done} of {total} done"
    return text + (f", {running} running" if running else "")


def ended_text(name: str, outcomes: Sequence[RunOutcome]) -> str:
    """The status line after a sweep: ``sweep eta: best η=0.25 97.50 %, 6 runs pinned``."""
    best = best_outcome(outcomes)
    ran = sum(o.run_id is not None for o in outcomes)
    if not ran:
        return f"{sweep_title(name)}: no run started"
    text = f"{sweep_title(name)}: "
    if best is not None:
        text += f"best {best.label} {100 * best.best:.2f} %, "
    return text + f"{ran} run{'s' if ran != 1 else ''} pinned (F2: group {name})"


def best_outcome(outcomes: Sequence[RunOutcome]) -> RunOutcome | None:
    """The run with the best held-out accuracy (the first such, in the sweep's order)."""
    scored = [o for o in outcomes if o.best is not None]
    return max(scored, key=lambda o: (o.best, -o.index)) if scored else None


def summary_text(name: str, outcomes: Sequence[RunOutcome], stopped: bool = False) -> str:
    """One line on how a sweep ended: what ran, how, and its best run by held-out accuracy."""
    counts: dict[str, int] = {}
    for o in outcomes:
        counts[o.status] = counts.get(o.status, 0) + 1
    if outcomes and all(o.status == RunStatus.NOT_RUN for o in outcomes):
        return f"Sweep {name} stopped before any of its {len(outcomes)} runs started."
    how = ", ".join(f"{n} {status}" for status, n in counts.items())
    text = f"Sweep {name} {'stopped' if stopped else 'done'}: {len(outcomes)} runs ({how})"
    best = best_outcome(outcomes)
    if best is None:
        return text + "; no run finished an epoch."
    return (text + f"; best {best.label}: {100 * best.best:.2f} % {best.held_out} accuracy "
                   f"(epoch {best.best_epoch}).")


def outcome_text(o: RunOutcome, done: int, total: int) -> str:
    """A log line for a run that ended: ``[3/6] η=0.25: completed, best 97.50 % validation``."""
    text = f"[{done}/{total}] {o.label}: {o.status}"
    if o.best is not None:
        text += f", best {100 * o.best:.2f} % {o.held_out} (epoch {o.best_epoch})"
    elif o.status not in (RunStatus.NOT_RUN, "completed") and o.message:
        text += f": {o.message}"
    if o.attempts > 1:
        text += f" (try {o.attempts})"
    return text


# --- the worker's body --------------------------------------------------------------------------

class SweepSession:
    """Trains one sweep on the thread that calls :meth:`run` and describes it to the dashboard.

    ``post`` is the dashboard's thread-safe ``post_message``; ``number`` numbers the sweep so the
    dashboard can drop the messages of one it no longer shows.  :meth:`stop` may be called from
    any thread: the running runs stop after their mini-batch, the others never start."""

    def __init__(self, number: int, request: SweepRequest, post: Callable[[Message], object], *,
                 history: RunHistory | None, data_dir: str | None = None,
                 interval: float = SWEEP_INTERVAL, timeout: float | None = None,
                 blas_threads: int | None = BLAS_THREADS) -> None:
        self.number, self.request, self.post = number, request, post
        self.interval, self.blas_threads = interval, blas_threads
        self.timeout = CONNECT_TIMEOUT if timeout is None else timeout  # to reach a scheduler
        self.control = Control()
        self.sweep = Sweep(request.name, request.runs, history=history, control=self.control,
                           data_dir=data_dir, warn=self._warn,
                           observers_for=self._observers_for, on_result=self._on_result)
        self.executor: InProcess | DaskExecutor | None = None
        self.posts = 0  # messages posted, for the tests of the throttle
        self._changed = False
        self._last_post = -math.inf
        self._ended: list[RunOutcome] = []
        self._warnings: list[str] = []
        # index → (its epochs list, how many were turned into curves, curves by split)
        self._curves: dict[int, tuple[list[EpochReport], int, dict[str, RunCurves | None]]] = {}

    @property
    def name(self) -> str:
        return self.request.name

    @property
    def total(self) -> int:
        return len(self.sweep.results)

    def stop(self) -> None:
        self.sweep.stop()

    @property
    def stopping(self) -> bool:
        return self.control.stop_requested

    def run(self) -> None:
        """Start the executor, train every run, close the executor; never raises: every
        failure ends as a :class:`SweepEnded` carrying the error, for the app to say."""
        error = ""
        try:
            # Runs trained in this process (InProcess) share the cores with the UI.
            with blas_limits(self.blas_threads):
                self._execute()
        except ClusterError as failure:
            error = str(failure)
        except Exception as failure:  # the cluster's own start failed, say, out of processes
            lines = str(failure).strip().splitlines()
            error = (f"the sweep could not run: {type(failure).__name__}"
                     + (f": {lines[0]}" if lines else ""))
        finally:
            # Normally every run has ended here; after a failure none stays "running".
            self.sweep.abandon(f"stopped: {error}" if error else
                               "stopped: the sweep ended before it heard from this run")
            self._post_progress(force=True)
            self.post(SweepEnded(sweep=self.number, name=self.name,
                                 outcomes=[outcome(r) for r in self.sweep.results], error=error,
                                 stopped=self.stopping))

    def _execute(self) -> None:
        request = self.request
        if request.in_process:
            executor: InProcess | DaskExecutor = InProcess()
        else:
            executor = DaskExecutor(workers=request.workers, scheduler=request.scheduler,
                                    timeout=self.timeout)
        self.executor = executor
        try:
            if isinstance(executor, DaskExecutor):
                if request.scheduler is None:
                    start_resource_tracker()
                executor.start(len(request.runs), stop=lambda: self.stopping)
            where, seconds = "", 0.0  # in process: the app has said so already
            if isinstance(executor, DaskExecutor):
                where, seconds = executor.address, executor.started_in
            if not self.stopping:  # a stop while it connected: no run starts
                self.post(SweepStarted(sweep=self.number, name=self.name, total=self.total,
                                       where=where, seconds=seconds))
            self.sweep.execute(executor)
        finally:
            executor.close()  # a local cluster's worker processes end here, whatever happened

    # --- observers (on this thread: the executor hands every event to them here) -------------

    def _observers_for(self, run: SweepRun) -> list[RunObserver]:
        return [_Redraw(self)]

    def _on_result(self, result: SweepResult) -> None:
        self._ended.append(outcome(result))
        self._changed = True
        self._post_progress()

    def _warn(self, message: str) -> None:
        self._warnings.append(message[:1].upper() + message[1:])
        self._changed = True

    # --- the messages ---------------------------------------------------------------------

    def _post_progress(self, force: bool = False) -> None:
        """Post what changed, unless a message went less than ``interval`` seconds ago."""
        now = time.monotonic()
        if not self._changed or (not force and now - self._last_post < self.interval):
            return
        self._changed = False
        self._last_post = now
        ended, self._ended = self._ended, []
        warnings, self._warnings = self._warnings, []
        results = self.sweep.results
        # A run that never started (the cluster could not be reached, a stop came first) is
        # not done: the bar must not say 3/3 runs of a sweep that trained none.
        ran = [r for r in results if r.state != RunStatus.NOT_RUN]
        self.posts += 1
        self.post(SweepProgress(
            sweep=self.number, name=self.name, curves=self.curves(), ended=ended,
            done=sum(r.final for r in ran),
            running=sum(r.state == "running" for r in results), total=len(results),
            epochs_done=sum(r.config.epochs if r.final else len(r.history) for r in ran),
            epochs=sum(r.config.epochs for r in results), warnings=warnings))

    def curves(self) -> dict[str, list[RunCurves]]:
        """Every run's overlay curves on each split, thinned; a run's are worked out again only
        when it has new epochs."""
        by_split: dict[str, list[RunCurves]] = {split: [] for split in SPLITS}
        for result in self.sweep.results:
            history = result.history
            if not history:
                continue
            index = result.run.index
            known = self._curves.get(index)
            if known is None or known[0] is not history or known[1] != len(history):
                epochs = list(history)
                outputs = neuron_outputs(result.config, epochs)
                made = {split: thinned(run_curves(result.label, epochs, split=split,
                                                  outputs=outputs, config=result.config))
                        for split in SPLITS}
                known = (history, len(epochs), made)
                self._curves[index] = known
            for split in SPLITS:
                curves = known[2][split]
                if curves is not None:
                    by_split[split].append(curves)
        return by_split


class _Redraw(RunObserver):
    """Each run of a sweep: a new epoch, start or end changes its curves; progress only moves
    the bar.  Either way the session posts its progress (no more often than its interval)."""

    def __init__(self, session: SweepSession) -> None:
        self.session = session

    def _changed(self) -> None:
        self.session._changed = True
        self.session._post_progress()

    def on_run_start(self, started: RunStarted) -> None:
        self._changed()

    def on_epoch(self, report: EpochReport) -> None:
        self._changed()

    def on_run_end(self, ended: RunEnded) -> None:
        self._changed()

    def on_progress(self, progress: BatchProgress) -> None:
        self.session._post_progress()


def start_resource_tracker() -> None:
    """Start multiprocessing's resource tracker with the real standard error.

    The first worker process a local cluster spawns starts the tracker, handing it
    ``sys.stderr``'s file descriptor; inside the app ``sys.stderr`` is Textual's capture, whose
    descriptor is -1, and the spawn fails ("bad value(s) in fds_to_keep").  Once the tracker
    runs, later processes (a restarted worker too) only connect to it."""
    from multiprocessing import resource_tracker

    captured = sys.stderr
    try:
        usable = captured is not None and captured.fileno() >= 0
    except (AttributeError, OSError, ValueError):
        usable = False
    if usable or sys.__stderr__ is None:
        resource_tracker.ensure_running()
        return
    sys.stderr = sys.__stderr__
    try:
        resource_tracker.ensure_running()
    finally:
        sys.stderr = captured


# --- the dashboard's side ------------------------------------------------------------------------

class Sweeps:
    """The sweep under way, if any, on its own thread worker: its number (so the messages of one
    no longer shown are dropped), its runs' curves as last posted, how many of its runs' ends
    the log has told, and whether its worker has closed its cluster."""

    def __init__(self, board: Board) -> None:
        self.board = board
        self.session: SweepSession | None = None
        self._number = 0
        self._curves: dict[str, list[RunCurves]] = {}
        self._reported = 0  # runs whose end the log has told
        self._done = threading.Event()
        self._done.set()

    def refuses(self, what: str) -> bool:
        """While a sweep runs: say so (and that ``what``) and return True."""
        if self.session is None:
            return False
        self.board.notify(f"Sweep {self.session.name} is running: {what}; F8 stops it.",
                          title="Sweep running", severity="warning", timeout=6)
        return True

    def start(self, request: SweepRequest) -> None:
        """Train a sweep the dialog checked."""
        board = self.board
        if self.session is not None or board.run_state.running:  # started meanwhile (palette)
            board.notify("Something else started training meanwhile; the sweep did not start.",
                         severity="warning")
            return
        self._number += 1
        settings = board.settings
        session = SweepSession(self._number, request, board.post_message,
                               history=board.history, data_dir=settings.data_dir,
                               blas_threads=settings.blas_threads)
        self.session, self._curves, self._reported = session, {}, 0
        board.live_plots = EMPTY_PLOTS
        with board.app.batch_update():
            board.epoch_log.start_run(request.runs[0].config.validate_on)
            board.draw_plots()
            board.query_one(EpochProgress).set_sweep(
                0, len(request.runs), 0, sum(run.config.epochs for run in request.runs))
        where = where_words(request.workers, request.scheduler, 0) if (
            request.scheduler or request.workers == 0) else "on a local Dask cluster"
        board.log_note(f"Sweep {request.name}: {len(request.runs)} runs {where}, drawn here as "
                       f"they train and pinned when they end (F8 stops them).", style="bold")
        self._status(
            progress_text(request.name, 0, len(request.runs), 0) if request.in_process else
            f"{sweep_title(request.name)}: {'reaching' if request.scheduler else 'starting'} "
            f"the Dask cluster")
        self._done.clear()

        def train() -> None:  # the cluster starts, the runs train and it closes, all here
            try:
                session.run()
            finally:
                self._done.set()

        board.run_worker(train, thread=True, group="sweep", exit_on_error=False)

    def _status(self, detail: str, state: str = "sweeping") -> None:
        self.board.show_status(Status(state=state, detail=detail,
                                      recorded=self.board.history is not None))

    def overlays(self, split: str) -> list[RunCurves] | None:
        """The running sweep's runs on ``split``, or None when no sweep runs."""
        if self.session is None:
            return None
        return self._curves.get(split, [])

    # --- stopping ------------------------------------------------------------------------------

    def stop(self) -> None:
        """F8 during a sweep: its running runs stop after their mini-batch, the rest never
        start."""
        session = self.session
        if session is None or session.stopping:
            return
        session.stop()
        self.board.log_note(f"Stopping sweep {session.name}: its running runs stop after their "
                            f"mini-batch, the others will not start.", style="magenta")
        self._status(self.board.run_state.status.detail, state="stopping")

    @property
    def done(self) -> bool:
        """The sweep's worker (if one ran) has closed its cluster."""
        return self._done.is_set()

    async def stop_and_wait(self, timeout: float = 45.0) -> None:
        """Stop the sweep and wait (without blocking the UI) until its worker has closed its
        cluster."""
        if self.session is not None:
            self.session.stop()
        await asyncio.to_thread(self._done.wait, timeout)

    def stop_and_block(self, timeout: float = 45.0) -> None:
        """Whatever way the app ends, the sweep stops and its local cluster shuts down."""
        if self.session is not None:
            self.session.stop()
        self._done.wait(timeout)

    # --- the worker's messages ------------------------------------------------------------------

    def current(self, message: SweepStarted | SweepProgress | SweepEnded) -> bool:
        return (self.session is not None and message.sweep == self.session.number
                and not self.board.quitting)

    def started(self, message: SweepStarted) -> None:
        if not message.where:
            return
        board = self.board
        ready = f" (ready in {message.seconds:.1f} s)" if board.settings.show_timing and \
            message.seconds else ""
        board.log_note(f"Training on {message.where}{ready}.", style="dim")
        if board.run_state.state == "sweeping":  # not stopping
            self._status(progress_text(message.name, 0, message.total, 0))

    def progress(self, message: SweepProgress) -> None:
        board = self.board
        self._curves = message.curves
        for warning in message.warnings:
            board.log_note(warning, style="yellow")
        for ended in message.ended:
            if ended.status != RunStatus.NOT_RUN:  # the summary counts those
                self._reported += 1
                colour = STATUS_LINE_STYLES.get(ended.status, "bold red").removeprefix("bold ")
                board.log_note(outcome_text(ended, self._reported, message.total), colour)
        stopping = self.session is not None and self.session.stopping
        with board.app.batch_update():
            board.draw_plots()
            board.query_one(EpochProgress).set_sweep(message.done, message.total,
                                                     message.epochs_done, message.epochs)
            self._status(progress_text(message.name, message.done, message.total,
                                       message.running),
                         "stopping" if stopping else "sweeping")

    def ended(self, message: SweepEnded) -> None:
        board = self.board
        self.session = None
        if message.error:
            started = any(o.attempts for o in message.outcomes)
            title = "Sweep failed" if started else "Sweep not started"
            board.notify(message.error, title=title, severity="error", timeout=15)
            board.log_note(f"{title}: {message.error}", style="bold red")
            self._status(sweep_title(message.name), state="failed")
        recorded = [o.run_id for o in message.outcomes if o.run_id is not None]
        by_hand = []
        if recorded and board.history is not None:
            try:  # in place of an earlier sweep's runs; those pinned by hand stay
                by_hand = pin_instead(board.history, recorded)
            except HistoryError as error:
                board.notify(f"The sweep's runs could not be pinned: {error}", severity="error")
        board.show_pinned()
        # Each run in the colour it had while the sweep ran (the history lists them in the
        # order their starts were heard, which on several workers may differ), after the runs
        # pinned by hand.
        places = {o.label: o.index for o in message.outcomes}
        if board.overlays:
            board.overlays.sort(key=lambda curves: places.get(curves.label, -1))
            board.draw_plots()
        if by_hand:
            board.log_note(pinned_by_hand(by_hand), style="dim")
        if message.error:
            return
        summary = summary_text(message.name, message.outcomes, message.stopped)
        board.log_note(summary, style=STATUS_LINE_STYLES[RunStatus.STOPPED if message.stopped
                                                         else RunStatus.COMPLETED])
        board.notify(summary, title="Sweep stopped" if message.stopped else "Sweep done",
                     timeout=10)
        self._status(ended_text(message.name, message.outcomes),
                     "stopped" if message.stopped else "completed")
