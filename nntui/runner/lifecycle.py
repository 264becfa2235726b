"""One run, from its config to its outcome: the single path the app and ``nntui train`` take.

    config → data → network → trainer → outcome

A :class:`Run` reports everything that happens to its observers (:class:`RunObserver`), the way
Keras' CallbackList fans out to its callbacks: the engine's events (``on_progress``, ``on_epoch``,
``on_pause``, …) and three of its own, ``on_run_start`` (:class:`RunStarted`: data loaded, network
built), ``on_saturation`` (a :class:`~nntui.insight.saturation.SaturationReport`: the layers'
saturated neurons, measured by the run's :class:`~nntui.runner.saturation.SaturationProbe`
before training and after every epoch) and ``on_run_end`` (:class:`RunEnded`: the outcome).
Printing progress, writing the ``--json`` record, recording in the run history and posting to
the app are all observers, so every front end ends a run with the same status (a
:class:`~nntui.status.RunStatus`), message and numbers.
"""

from __future__ import annotations

import math
import time
import traceback
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from nntui.config import Config
from nntui.datasets import Dataset, DatasetError
from nntui.engine import Control, EpochReport, Network, Observer, Observers
from nntui.insight.saturation import SaturationReport
from nntui.presets import preset_of
from nntui.runner.experiment import (
    build_trainer,
    check_memory,
    layer_sizes,
    load_data,
    measure_test_accuracy,
)
from nntui.runner.saturation import SaturationProbe
from nntui.status import RunStatus
from nntui.storage.errors import RunFileError
from nntui.storage.history import HistoryError, RunHistory, UnknownRunError
from nntui.storage.pending import PendingRun, aside_folders, keep_aside, keep_pending
from nntui.storage.records import RunRecord


@dataclass(frozen=True, kw_only=True)
class RunStarted:
    """The data are loaded and the network built; the first epoch starts now."""

    hook: ClassVar[str] = "on_run_start"

    config: Config
    description: str  # of the data set
    sizes: list[int]
    n_train: int
    held_out: str  # "validation", or "test" for a run validated on the test set
    batches: int  # mini-batches per epoch
    network: Network | None  # the one being trained (saved from here while a run is paused);
    # None where the run trains elsewhere (a sweep's Dask worker) and this is its news
    n_held_out: int = 0  # examples in the held-out split, whose size sets its accuracy's noise


@dataclass(frozen=True, kw_only=True)
class RunEnded:
    """The outcome of a run, the same whichever front end started it."""

    hook: ClassVar[str] = "on_run_end"

    status: RunStatus
    message: str  # one line for a person
    epochs_run: int = 0  # complete epochs
    best_val_accuracy: float | None = None  # on the held-out split, None before the first epoch
    best_epoch: int = 0
    test_accuracy: float | None = None  # of the network as it ended; None if it diverged or never
    seconds: float = 0.0  # wall clock: loading, training and evaluation
    stopped_at: tuple[int, int, int] | None = None  # (epoch, mini-batches done in it, per epoch)
    network: Network | None = None  # the trained network, None when it is not worth keeping
    detail: str = ""  # the trainer's own words, e.g. "during epoch 5 after 4,281 of 5,000 …"


class RunObserver(Observer):
    """An observer of a whole run: the trainer's events, and the run's start and end."""

    def on_run_start(self, started: RunStarted) -> None:
        """The data are loaded and the network built."""

    def on_saturation(self, report: SaturationReport) -> None:
        """The layers' saturated neurons were measured: before training (epoch 0), after each
        epoch, and during one where the run was asked to (``report.batch`` > 0)."""

    def on_run_end(self, ended: RunEnded) -> None:
        """The run is over (whatever happened: every run ends with this)."""


class EpochKeeper(RunObserver):
    """Keeps the report of every epoch in ``epochs`` as it ends."""

    def __init__(self, epochs: list[EpochReport] | None = None) -> None:
        self.epochs = [] if epochs is None else epochs

    def on_epoch(self, report: EpochReport) -> None:
        self.epochs.append(report)


class RunObservers(Observers, RunObserver):
    """The run's observers as one: each event goes to every one of them, in order.  How the run
    ended reaches all of them even if one fails on the news; the first failure is raised after."""

    def __init__(self, observers: Iterable[RunObserver] = ()) -> None:
        super().__init__(observers)

    def on_run_start(self, started: RunStarted) -> None:
        self.notify(started)

    def on_saturation(self, report: SaturationReport) -> None:
        self.notify(report)

    def on_run_end(self, ended: RunEnded) -> None:
        problems = []
        for observer in self.observers:
            try:
                observer.on_run_end(ended)
            except Exception as error:
                problems.append(error)
        if problems:
            raise problems[0]


class Run:
    """Train ``config`` once; :meth:`execute` never raises for anything the run itself does."""

    def __init__(self, config: Config, *, observers: Sequence[RunObserver] = (),
                 control: Control | None = None, data_dir: str | None = None,
                 progress_interval: float = 0.2, network: Network | None = None,
                 saturation: bool = True, saturation_every: float | None = None) -> None:
        """``network``: train on from these weights (a loaded network) instead of new ones.
        ``saturation``: measure the saturated neurons (a :class:`SaturationProbe` after the
        observers given), also during each epoch every ``saturation_every`` seconds or more."""
        self.config = config
        self.initial_network = network
        self.observers = RunObservers(observers)
        self.control = control or Control()
        self.data_dir = data_dir
        self.progress_interval = progress_interval
        self.saturation, self.saturation_every = saturation, saturation_every
        self.network: Network | None = None
        self.data: Dataset | None = None  # once loaded: what observers may look at
        self.history: list[EpochReport] = []

    def execute(self) -> RunEnded:
        started = time.perf_counter()
        try:
            ended = self._execute(started)
        except DatasetError as error:
            ended = self._failed(f"could not load the data: {error}", started)
        except MemoryError:
            ended = self._failed("out of memory: use fewer or smaller layers, a smaller batch "
                                 "or fewer training images", started)
        except Exception as error:  # a bug or an exotic failure: say what, keep the app alive
            detail = "".join(traceback.format_exception_only(type(error), error)).strip()
            ended = self._failed(f"training failed: {detail}", started)
        self.observers.on_run_end(ended)
        return ended

    def _failed(self, message: str, started: float) -> RunEnded:
        return RunEnded(status=RunStatus.FAILED, message=message,
                        seconds=time.perf_counter() - started)

    def _execute(self, started: float) -> RunEnded:
        data = self.data = load_data(self.config, self.data_dir)
        if self.control.stop_requested:
            return RunEnded(status=RunStatus.STOPPED, message="stopped before training began",
                            seconds=time.perf_counter() - started)
        too_big = check_memory(self.config, data)
        if too_big is not None:  # refuse now, rather than fail with MemoryError mid-way
            return self._failed(too_big, started)
        sizes = layer_sizes(self.config, data)
        if self.initial_network is not None and self.initial_network.sizes != sizes:
            have = "-".join(map(str, self.initial_network.sizes))
            return self._failed(f"the loaded network has layers {have}, but the config and the "
                                f"data ask for {'-'.join(map(str, sizes))}; load it again or "
                                f"change the config", started)
        trainer = build_trainer(self.config, data, self.initial_network,
                                observer=self.observers, control=self.control,
                                progress_interval=self.progress_interval)
        self.network = trainer.network
        if self.saturation:  # last: it measures epoch 0 once every other observer knows the run
            self.observers.append(SaturationProbe(
                data.train.x, self.config.seed, trainer.network, self.observers,
                every=self.saturation_every))
        self.observers.on_run_start(RunStarted(
            config=self.config, description=data.description, sizes=sizes,
            n_train=len(data.train), held_out=held_out_name(data),
            batches=math.ceil(len(data.train) / self.config.batch_size),
            network=trainer.network, n_held_out=len(data.validation)))
        result = trainer.run()
        self.history = result.history
        if result.failed is not None:
            diverged = result.failed.diverged
            return RunEnded(
                status=RunStatus.DIVERGED if diverged else RunStatus.FAILED,
                message=result.failed.message, epochs_run=len(result.history),
                best_val_accuracy=_best(result.history),
                best_epoch=_best_epoch(result.history), seconds=time.perf_counter() - started,
                network=None if diverged else trainer.network)
        finished = result.finished
        assert finished is not None
        # An accuracy of one example (Nielsen's neuron) is 0 or 100 % and says nothing.
        measured = finished.epochs_run if len(data.validation) > 1 else 0
        test_accuracy = measure_test_accuracy(trainer.network, data) if measured else None
        status = RunStatus(finished.reason)
        return RunEnded(
            status=status,
            message=outcome_message(status, finished.message, measured,
                                    finished.best_val_accuracy, finished.best_epoch,
                                    test_accuracy, held_out_name(data)),
            epochs_run=finished.epochs_run,
            best_val_accuracy=finished.best_val_accuracy if measured else None,
            best_epoch=finished.best_epoch, test_accuracy=test_accuracy,
            seconds=time.perf_counter() - started,
            stopped_at=((finished.epochs_run + 1, finished.batch, finished.batches)
                        if status is RunStatus.STOPPED else None),
            network=trainer.network, detail=finished.message,
        )


def cut_short(status: RunStatus, message: str, epochs: Sequence[EpochReport],
              seconds: float) -> RunEnded:
    """How a run ended that was ended from outside its trainer (its worker is gone, a second
    Ctrl+C would not wait): the epochs it finished are kept, ``message`` says why."""
    best = _best(epochs)
    return RunEnded(status=status, message=message, epochs_run=len(epochs),
                    best_val_accuracy=best, best_epoch=_best_epoch(epochs), seconds=seconds,
                    detail=message)


def held_out_name(data: Dataset) -> str:
    return "test" if data.validation_is_test else "validation"


def _best(history: Sequence[EpochReport]) -> float | None:
    """The best held-out accuracy of the epochs (an epoch that measured nothing, NaN, aside)."""
    return max((r.val_accuracy for r in history if not math.isnan(r.val_accuracy)),
               default=None)


def _best_epoch(history: Sequence[EpochReport]) -> int:
    best = _best(history)
    return next((r.epoch for r in history if r.val_accuracy == best), 0)


def outcome_message(reason: str, detail: str, epochs_run: int, best: float, best_epoch: int,
                    test_accuracy: float | None, held_out: str) -> str:
    """``completed; best validation accuracy 96.32 % at epoch 9; test accuracy 95.81 % at the
    end`` — what the log, the summary line and the run history say of a run that ended."""
    message = reason + (f": {detail}" if detail else "")
    if epochs_run:
        message += f"; best {held_out} accuracy {100 * best:.2f} % at epoch {best_epoch}"
    if test_accuracy is not None:
        message += f"; test accuracy {100 * test_accuracy:.2f} % at the end"
    return message


RETRY_FIRST = 1.0
RETRY_MOST = 60.0
"""Seconds before a write that failed is tried again while the run goes on: the first wait,
doubling with each failure in a row up to the last (a locked history makes each try wait
:data:`~nntui.storage.history.BUSY_TIMEOUT`; a full disk fails at once)."""


class _Recorder(RunObserver):
    """An observer that writes what it hears somewhere.  A write that fails is said once through
    ``warn`` (``problem`` names what could not be written); what was not written is kept and
    written by a later try, made while the run goes on after a wait that doubles (from
    :data:`RETRY_FIRST` to :data:`RETRY_MOST` seconds), and once more when it ends.  When a try
    works again, ``recovered`` (default: ``warn``) hears :attr:`back`.  An error of ``fatal``
    stops the writing for good, said once.  Training goes on whatever happens."""

    errors: tuple[type[Exception], ...] = ()
    fatal: tuple[type[Exception], ...] = ()
    problem = ""
    back = ""
    gone = ""

    def __init__(self, warn: Callable[[str], None],
                 recovered: Callable[[str], None] | None = None) -> None:
        self.warn = warn
        self.recovered = recovered or warn
        self.failed = False  # the last try failed: something waits to be written
        self.stopped = False  # a fatal error: nothing more is written
        self.failures = 0  # tries in a row that failed
        self._next_try = 0.0

    def _attempt(self, write: Callable[..., None], *args: object, final: bool = False) -> bool:
        """``write(*args)``, unless the last try failed and the next is not due yet (``final``:
        try all the same); whether it worked."""
        if self.stopped:
            return False
        if self.failed and not final and time.monotonic() < self._next_try:
            return False
        try:
            write(*args)
        except self.fatal as error:
            self.stopped = True
            self.warn(self.gone.format(error=error))
            return False
        except self.errors as error:
            self.failures += 1
            self._next_try = time.monotonic() + min(RETRY_MOST,
                                                    RETRY_FIRST * 2 ** (self.failures - 1))
            if not self.failed:
                self.failed = True
                self.warn(self.problem.format(error=error))
            return False
        if self.failed:
            self.failed, self.failures = False, 0
            self.recovered(self.back)
        return True


class JsonRecord(_Recorder):
    """Observer: the run's record as one JSON file (``nntui train --json``), rewritten at most
    once a second while it runs and when it ends, so a stopped run keeps every epoch.

    A write that fails (a full disk) is said once through ``warn``; the record is kept whole in
    memory and written by a later try.  If it still cannot be written when the run ends, it is
    kept aside (:func:`~nntui.storage.pending.keep_aside`) and ``warn`` says where: ``kept``.
    ``written`` says whether the final record reached its file.
    """

    errors = (RunFileError,)
    problem = ("the run record could not be written ({error}); nntui keeps it and writes it "
               "when it can, training goes on")
    back = "the run record is written again, with every epoch"

    def __init__(self, config: Config, path: str | Path | None,
                 warn: Callable[[str], None],
                 recovered: Callable[[str], None] | None = None) -> None:
        """``path`` None keeps the record in memory only (``record.as_dict()``)."""
        super().__init__(warn, recovered)
        self.record = RunRecord(config, None if path is None else Path(path))
        self.written = False
        self.kept: Path | None = None  # where the record went when its own file could not

    def on_epoch(self, report: EpochReport) -> None:
        self.record.keep_epoch(report)
        if self.record.save_due():
            self._attempt(self.record.save)

    def on_run_end(self, ended: RunEnded) -> None:
        record = self.record
        record.seconds = ended.seconds
        record.status, record.message = ended.status, ended.message
        record.test_accuracy = ended.test_accuracy
        self.written = self._attempt(record.save, final=True)
        if self.written or self.stopped or record.path is None:
            return
        try:
            self.kept = keep_aside(record.path.name, record.as_dict(), aside_folders())
        except RunFileError as error:
            self.warn(f"the run record {record.path} could not be written, nor kept anywhere "
                      f"else ({error})")
            return
        self.warn(f"the run record could not be written to {record.path}, so the whole record "
                  f"was kept as {self.kept}: move it there once there is room")


class HistoryRecorder(_Recorder):
    """Observer: the run in the run history (SQLite): its start, each epoch in its own
    transaction as it ends, and how it ended.  A run that fails before it starts is recorded
    too, with its message.

    A history that cannot be written (a full disk, a locked or damaged file) is said once
    through ``warn``; what was not written is kept in memory and written, in order, by a later
    try (``recovered`` hears when it is).  If the history still cannot take it when the run
    ends, it is kept aside (:mod:`nntui.storage.pending`), ``warn`` says where (``kept``), and
    the history finishes the run from it the next time it is opened with room.  Training goes on
    whatever happens.  ``run_id`` is the run's id once its start is recorded.
    """

    errors = (HistoryError,)
    fatal = (UnknownRunError,)
    problem = ("the run history could not be written ({error}); nntui keeps this run's epochs "
               "and records them when it can, training goes on")
    back = "the run history is written again: every epoch kept meanwhile is recorded"
    gone = "the run was deleted from the run history while it trained; it is no longer recorded"

    def __init__(self, history: RunHistory, config: Config, warn: Callable[[str], None], *,
                 name: str = "", group: str = "",
                 recovered: Callable[[str], None] | None = None) -> None:
        super().__init__(warn, recovered)
        self.history, self.config = history, config
        self.name, self.group, self.preset = name, group, preset_of(config)
        self.run_id: int | None = None
        self.held_out: str | None = None  # known once the run starts (or ends before)
        self.started = time.time()
        self.unwritten: list[EpochReport] = []  # epochs the history has not taken yet
        self.unwritten_saturation: list[SaturationReport] = []  # the same of the statistics
        self.end: dict | None = None  # how the run ended, until the history takes it
        self.kept: Path | None = None  # where what the history could not take was kept

    def on_run_start(self, started: RunStarted) -> None:
        self.held_out, self.started = started.held_out, time.time()
        self._attempt(self._write_all)

    def on_epoch(self, report: EpochReport) -> None:
        self.unwritten.append(report)
        self._attempt(self._write_all)

    def on_saturation(self, report: SaturationReport) -> None:
        if report.at_epoch_end:  # what a finished run shows; those during an epoch are live only
            self.unwritten_saturation.append(report)
            self._attempt(self._write_all)

    def on_run_end(self, ended: RunEnded) -> None:
        if self.held_out is None:  # it failed before it started: recorded all the same
            self.held_out = "test" if self.config.validate_on == "test" else "validation"
        best = ended.best_val_accuracy
        self.end = {"status": ended.status, "message": ended.message,
                    "test_accuracy": ended.test_accuracy, "seconds": ended.seconds,
                    "best_val_accuracy": best,
                    "best_epoch": ended.best_epoch if best is not None else None}
        if not self._attempt(self._write_all, final=True) and not self.stopped:
            self._keep_aside()

    def _write_all(self) -> None:
        """Write what the history has not taken yet, in order: the start, the epochs and their
        saturation statistics, the end."""
        if self.held_out is None:
            return
        if self.run_id is None:
            self.run_id = self.history.start_run(self.config, name=self.name, group=self.group,
                                                 preset=self.preset, held_out=self.held_out)
        while self.unwritten:
            self.history.add_epoch(self.run_id, self.unwritten[0])
            del self.unwritten[0]
        while self.unwritten_saturation:
            report = self.unwritten_saturation[0]
            self.history.add_saturation(self.run_id, report.epoch, report.as_dict())
            del self.unwritten_saturation[0]
        if self.end is not None:
            self.history.finish_run(self.run_id, **self.end)
            self.end = None

    def _keep_aside(self) -> None:
        """What the history could not take when the run ended, kept for it to take later."""
        pending = PendingRun(
            history=str(self.history.path.resolve()), run_id=self.run_id,
            config=self.config.to_dict(), name=self.name, group=self.group, preset=self.preset,
            held_out=self.held_out or "validation", started=self.started,
            epochs=list(self.unwritten), end=self.end)
        count = len(self.unwritten)
        what = (("this run" if self.run_id is None else f"run {self.run_id}'s last")
                + f" {count} epoch{'s' if count != 1 else ''} and its end")
        try:
            self.kept = keep_pending(pending)
        except RunFileError as error:
            self.warn(f"the run history could not take {what}, nor could they be kept "
                      f"anywhere else ({error})")
            return
        self.warn(f"the run history could not take {what}; they were kept in {self.kept} and "
                  f"go into the history the next time nntui opens it with room")


def open_history(path: str | Path | None, warn: Callable[[str], None]) -> RunHistory | None:
    """The run history at ``path`` (default: ``$NNTUI_RUNS_DB`` or the user's data folder), or
    None after saying through ``warn`` why it cannot be used."""
    try:
        return RunHistory(path)
    except HistoryError as error:
        warn(f"the run history cannot be used ({error}); runs will not be recorded")
        return None
