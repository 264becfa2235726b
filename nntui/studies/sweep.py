"""A sweep on the client: its runs trained by an executor, each run's events handed to the same
observers ``nntui train`` uses.

A :class:`Sweep` holds a :class:`SweepResult` per run of a plan (:mod:`nntui.studies.plan`) and
trains them with an executor, either of

* :class:`InProcess`: one after another in this thread (``--workers 0``, the books'
  comparisons by default);
* :class:`~nntui.studies.dask_executor.DaskExecutor`: side by side on ``dask.distributed``, each
  run on a worker (:mod:`nntui.studies.worker`), what happens there streamed back.

Either way what happens reaches the client as the lifecycle's own events (:class:`RunStarted`,
:class:`BatchProgress`, :class:`EpochReport`, :class:`RunEnded`), and each start of a run (an
:class:`Attempt`) hands them to a :class:`~nntui.runner.lifecycle.HistoryRecorder` (the client is
the only writer of the run history; each run's group is the sweep's name), a
:class:`~nntui.runner.lifecycle.JsonRecord` kept in memory for ``--json``, then the caller's own
(``observers_for``).  A run trained on a worker has no network on the client:
``RunStarted.network`` and ``RunEnded.network`` are None.

A stop (:meth:`Sweep.stop`, or the shared :class:`~nntui.engine.Control`) stops the running runs
after their mini-batch and never starts the others (status ``not run``, not recorded); a diverging
run is a result like any other; a run whose attempt is ended here (its worker died, a second
Ctrl+C would not wait) keeps the epochs that arrived.
"""

from __future__ import annotations

import math
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from nntui.config import Config
from nntui.engine import BatchProgress, Control, EpochReport
from nntui.runner.lifecycle import (
    HistoryRecorder,
    JsonRecord,
    Run,
    RunEnded,
    RunObserver,
    RunObservers,
    RunStarted,
    cut_short,
)
from nntui.status import RunStatus
from nntui.storage.history import RunHistory
from nntui.storage.records import RunRecord
from nntui.studies.plan import SweepRun

# --- what the client keeps of each run -----------------------------------------------------------

@dataclass
class SweepResult:
    """How one run of a sweep is going or went.

    ``state`` is ``queued``, ``running``, a final status (:class:`~nntui.status.RunStatus`) or
    ``not run``; ``ended`` is set once it ended; ``history`` holds the epochs of its latest
    attempt; ``record`` is its ``nntui train --json`` record; ``attempts`` counts its starts (2
    after a retry); ``worker`` is the Dask worker of its latest attempt ("" in process)."""

    run: SweepRun
    state: str = "queued"
    ended: RunEnded | None = None
    history: list[EpochReport] = field(default_factory=list)
    run_id: int | None = None
    record: dict | None = None
    attempts: int = 0
    worker: str = ""
    epoch: int = 0  # the epoch running or last finished
    last_cost: float | None = None  # the running cost of the epoch, or the last epoch's
    best: float | None = None  # best held-out accuracy so far
    held_out: str = ""  # "validation" or "test", once started

    @property
    def label(self) -> str:
        return self.run.label

    @property
    def config(self) -> Config:
        return self.run.config

    @property
    def final(self) -> bool:
        return self.ended is not None or self.state == RunStatus.NOT_RUN

    def as_record(self) -> dict:
        """Its ``--json`` entry: the record ``nntui train --json`` writes, with its label, run id
        and attempts beside it."""
        record = self.record
        if record is None:
            record = RunRecord(self.config, status=self.state).as_dict()
        return {"label": self.label, "run_id": self.run_id, "attempts": self.attempts,
                "worker": self.worker, **record}


ObserversFor = Callable[[SweepRun], Sequence[RunObserver]]
"""Given a run, the extra observers of its (next) attempt: called again for a retried run."""


class _Progress(RunObserver):
    """What the sweep keeps of an attempt as it goes: the epochs, and the run's result's epoch,
    last cost and best accuracy so far."""

    def __init__(self, result: SweepResult, epochs: list[EpochReport]) -> None:
        self.result, self.epochs = result, epochs

    def on_run_start(self, started: RunStarted) -> None:
        self.result.held_out = started.held_out
        self.result.epoch = 1

    def on_progress(self, progress: BatchProgress) -> None:
        self.result.epoch, self.result.last_cost = progress.epoch, progress.running_cost

    def on_epoch(self, report: EpochReport) -> None:
        result = self.result
        self.epochs.append(report)
        result.epoch = report.epoch
        result.last_cost = report.train_cost if report.train_cost is not None \
            else report.val_cost
        if not math.isnan(report.val_accuracy) and (result.best is None
                                                    or report.val_accuracy > result.best):
            result.best = report.val_accuracy


class _NoteId(RunObserver):
    """The run's id in the history, known to the caller's observers from its start on."""

    def __init__(self, result: SweepResult, recorder: HistoryRecorder) -> None:
        self.result, self.recorder = result, recorder

    def on_run_start(self, started: RunStarted) -> None:
        if self.recorder.run_id is not None:
            self.result.run_id = self.recorder.run_id


class Attempt(RunObservers):
    """One start of a run, on the client: the observers its events are handed to, in order:
    what the sweep keeps, the history, the JSON record, then the caller's.  An executor hands it
    the run's events (``notify``) and, where the run cannot say how it ended, ends it here
    (:meth:`end_here`); ``token`` tells this start from the next."""

    def __init__(self, sweep: Sweep, result: SweepResult, token: str) -> None:
        self.sweep, self.result, self.token = sweep, result, token
        self.epochs: list[EpochReport] = []
        self.started = time.perf_counter()
        self.ended = False
        self.recorder: HistoryRecorder | None = None
        if sweep.history is not None and not sweep._history_failed:
            self.recorder = HistoryRecorder(sweep.history, result.config, sweep._warn_history,
                                            name=result.label, group=sweep.name)
        self.json = JsonRecord(result.config, None, sweep.warn)
        extra = sweep.observers_for(result.run) if sweep.observers_for is not None else ()
        recording = [self.recorder, _NoteId(result, self.recorder)] \
            if self.recorder is not None else []
        super().__init__([_Progress(result, self.epochs), *recording, self.json, *extra])
        result.attempts += 1
        result.state = "running"
        result.history = self.epochs
        result.epoch, result.last_cost, result.best = 0, None, None

    def on_run_end(self, ended: RunEnded) -> None:
        """As in Run, every observer hears how the run ended even if one fails on it."""
        self.ended = True
        try:
            super().on_run_end(ended)
        finally:
            self._finish(ended)

    def _finish(self, ended: RunEnded) -> None:
        result = self.result
        result.ended = ended if ended.status != RunStatus.INTERRUPTED else result.ended
        result.state = ended.status
        result.run_id = self.recorder.run_id if self.recorder is not None else result.run_id
        result.record = self.json.record.as_dict()

    def end_here(self, status: RunStatus, message: str) -> RunEnded:
        """End this attempt on the client (its worker is gone or will not say): the epochs that
        arrived are kept."""
        ended = cut_short(status, message, self.epochs, time.perf_counter() - self.started)
        self.on_run_end(ended)
        return ended


# --- the sweep -----------------------------------------------------------------------------------

class Sweep:
    """The runs of a sweep, trained by an executor (:meth:`execute`).

    ``history`` (optional) records every run, with ``name`` as its group and its label as its
    name; ``control`` is shared with whoever may stop the sweep (a signal handler, the app);
    ``observers_for`` gives each attempt's extra observers; ``on_result`` is told of each run as
    it ends (in the order they end).  ``results`` holds a :class:`SweepResult` per run, updated
    as events arrive (a live table reads it)."""

    def __init__(self, name: str, runs: Sequence[SweepRun], *, history: RunHistory | None = None,
                 control: Control | None = None, data_dir: str | None = None,
                 warn: Callable[[str], None] = print,
                 observers_for: ObserversFor | None = None,
                 on_result: Callable[[SweepResult], None] | None = None) -> None:
        self.name = name
        self.runs = list(runs)
        self.history = history
        self.control = control or Control()
        self.data_dir = data_dir
        self.warn = warn
        self.observers_for = observers_for
        self.on_result = on_result
        self.results = [SweepResult(run) for run in self.runs]
        self._attempts: dict[int, Attempt] = {}  # the latest attempt of each run
        self._history_failed = False

    def _warn_history(self, message: str) -> None:
        # Each attempt has its own recorder; a history that fails fails for all of them.
        if not self._history_failed:
            self._history_failed = True
            self.warn(message)

    def stop(self) -> None:
        """Stop the running runs after their mini-batch and start no other."""
        self.control.stop()

    def execute(self, executor: Executor) -> list[SweepResult]:
        """Train every run; returns :attr:`results` once each has ended (or was kept from
        starting by a stop).  A second signal's :class:`~nntui.runner.signals.Interrupted` comes
        through: call :meth:`abandon` then."""
        executor.execute(self)
        return self.results

    # --- what an executor tells the sweep ------------------------------------------------------

    def start_attempt(self, index: int, token: str) -> Attempt:
        """Run ``index`` starts (again): the attempt its events go to from now on."""
        attempt = Attempt(self, self.results[index], token)
        self._attempts[index] = attempt
        return attempt

    def attempt_of(self, index: int) -> Attempt | None:
        """The latest start of run ``index``, None before its first."""
        return self._attempts.get(index)

    def run_ended(self, result: SweepResult) -> None:
        """``result`` is final: ``on_result`` hears of it."""
        if self.on_result is not None:
            self.on_result(result)

    def not_run(self, result: SweepResult) -> None:
        """A stop keeps ``result``'s run from starting (nothing if it is final already)."""
        if not result.final:
            result.state = RunStatus.NOT_RUN
            self.run_ended(result)

    def abandon(self, message: str) -> list[SweepResult]:
        """For a caller that had to leave the sweep at once (a second Ctrl+C): end every run
        still running as stopped with ``message`` and the epochs that arrived (in the history
        too), and mark the others not run.  Returns the runs it ended."""
        ended = []
        for result in self.results:
            if result.final:
                continue
            attempt = self._attempts.get(result.run.index)
            if result.state == "running" and attempt is not None and not attempt.ended:
                attempt.end_here(RunStatus.STOPPED, message)
                ended.append(result)
                self.run_ended(result)
            else:
                self.not_run(result)
        return ended


# --- one after another, here ---------------------------------------------------------------------

class Executor(Protocol):
    """Where a sweep's runs train: :class:`InProcess` or
    :class:`~nntui.studies.dask_executor.DaskExecutor`.  ``start`` gets it ready (a cluster
    started or reached, in ``started_in`` seconds), ``execute`` trains every run of a sweep,
    telling it what happens, ``close`` lets go of whatever it started.  ``start`` gives up,
    unready, once ``stop()`` is true (then ``execute`` starts no run)."""

    workers: int
    address: str
    started_in: float

    def start(self, runs: int = 0, stop: Callable[[], bool] | None = None) -> Executor: ...

    def execute(self, sweep: Sweep) -> None: ...

    def close(self) -> None: ...


class InProcess:
    """Train the runs one after another in this thread (a sweep of tiny runs, or no cluster)."""

    workers = 0
    address = "in process"
    started_in = 0.0

    def start(self, runs: int = 0, stop: Callable[[], bool] | None = None) -> InProcess:
        """Nothing to start."""
        return self

    def __enter__(self) -> InProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Nothing to shut down."""

    def execute(self, sweep: Sweep) -> None:
        for result in sweep.results:
            if sweep.control.stop_requested:
                sweep.not_run(result)
                continue
            attempt = sweep.start_attempt(result.run.index, uuid.uuid4().hex)
            Run(result.config, observers=[attempt], control=sweep.control,
                data_dir=sweep.data_dir).execute()
            sweep.run_ended(result)
