"""One run, from its config to its outcome: the single path the app and ``nntui train`` take.

    config → data → network → trainer → outcome

A :class:`Run` reports everything that happens to a list of observers, the way Keras' CallbackList
fans out to its callbacks: the engine's events (:class:`~nntui.engine.BatchProgress`,
:class:`~nntui.engine.EpochReport`, :class:`~nntui.engine.Paused`, …) and two of its own,
:class:`RunStarted` (data loaded, network built) and :class:`RunEnded` (the outcome).  Printing
progress, writing the ``--json`` record, recording in the run history and posting to the app are
all observers, so every front end ends a run with the same status, message and numbers.

Statuses (:data:`STATUSES`) have one meaning wherever they appear: ``completed`` (every epoch ran),
``stopped`` (a person or a signal stopped it), ``early stop`` and ``η schedule done`` (the trainer
stopped itself), ``diverged`` (the cost became NaN), ``failed`` (anything else went wrong),
``running`` while it goes on and ``interrupted`` for a run whose process died.
"""

from __future__ import annotations

import math
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nntui.config import Config, preset_of
from nntui.datasets import Dataset, DatasetError
from nntui.engine import Control, EpochReport, Network
from nntui.runner.experiment import (
    build_trainer,
    check_memory,
    layer_sizes,
    load_data,
    measure_test_accuracy,
)
from nntui.storage.files import RunFileError, RunRecord
from nntui.storage.history import HistoryError, RunHistory

STATUSES = ("running", "completed", "stopped", "early stop", "η schedule done", "diverged",
            "failed", "interrupted")
ENDED_WELL = ("completed", "early stop", "η schedule done")
"""Statuses of a run that ended as its config asked."""


@dataclass(frozen=True)
class RunStarted:
    """The data are loaded and the network built; the first epoch starts now."""

    config: Config
    description: str  # of the data set
    sizes: list[int]
    n_train: int
    held_out: str  # "validation", or "test" for a run validated on the test set
    batches: int  # mini-batches per epoch
    network: Network | None  # the one being trained (saved from here while a run is paused);
    # None where the run trains elsewhere (a sweep's Dask worker) and this is its news


@dataclass(frozen=True)
class RunEnded:
    """The outcome of a run, the same whichever front end started it."""

    status: str  # one of STATUSES
    message: str  # one line for a person
    epochs_run: int  # complete epochs
    best_val_accuracy: float | None  # on the held-out split, None before the first epoch
    best_epoch: int
    test_accuracy: float | None  # of the network as it ended; None if it diverged or never was
    seconds: float  # wall clock: loading, training and evaluation
    stopped_at: tuple[int, int, int] | None  # (epoch, mini-batches done in it, per epoch)
    network: Network | None  # the trained network, None when it is not worth keeping
    detail: str = ""  # the trainer's own words, e.g. "during epoch 5 after 4,281 of 5,000 …"


RunObserver = Callable[[Any], None]
"""Any callable taking an engine :data:`~nntui.engine.Event`, a :class:`RunStarted` or a
:class:`RunEnded`."""


class Run:
    """Train ``config`` once; :meth:`execute` never raises for anything the run itself does."""

    def __init__(self, config: Config, *, observers: Sequence[RunObserver] = (),
                 control: Control | None = None, data_dir: str | None = None,
                 progress_interval: float = 0.2, network: Network | None = None) -> None:
        """``network``: train on from these weights (a loaded network) instead of new ones."""
        self.config = config
        self.initial_network = network
        self.observers = list(observers)
        self.control = control or Control()
        self.data_dir = data_dir
        self.progress_interval = progress_interval
        self.network: Network | None = None
        self.data: Dataset | None = None  # once loaded: what observers may look at
        self.history: list[EpochReport] = []

    def notify(self, event: Any) -> None:
        """Hand ``event`` to every observer, in order."""
        for observer in self.observers:
            observer(event)

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
        # Every observer hears how the run ended, even if one before it fails on the news.
        problems = []
        for observer in self.observers:
            try:
                observer(ended)
            except Exception as error:
                problems.append(error)
        if problems:
            raise problems[0]
        return ended

    def _failed(self, message: str, started: float) -> RunEnded:
        return RunEnded("failed", message, 0, None, 0, None, time.perf_counter() - started,
                        None, None)

    def _execute(self, started: float) -> RunEnded:
        data = self.data = load_data(self.config, self.data_dir)
        if self.control.stop_requested:
            return RunEnded("stopped", "stopped before training began", 0, None, 0, None,
                            time.perf_counter() - started, None, None)
        too_big = check_memory(self.config, data)
        if too_big is not None:  # refuse now, rather than fail with MemoryError mid-way
            return self._failed(too_big, started)
        sizes = layer_sizes(self.config, data)
        if self.initial_network is not None and self.initial_network.sizes != sizes:
            have = "-".join(map(str, self.initial_network.sizes))
            return self._failed(f"the loaded network has layers {have}, but the config and the "
                                f"data ask for {'-'.join(map(str, sizes))}; load it again or "
                                f"change the config", started)
        trainer = build_trainer(self.config, data, self.initial_network, observer=self.notify,
                                control=self.control, progress_interval=self.progress_interval)
        self.network = trainer.network
        self.notify(RunStarted(self.config, data.description, layer_sizes(self.config, data),
                               len(data.train), held_out_name(data),
                               math.ceil(len(data.train) / self.config.batch_size),
                               trainer.network))
        result = trainer.run()
        self.history = result.history
        if result.failed is not None:
            diverged = result.failed.diverged
            return RunEnded("diverged" if diverged else "failed", result.failed.message,
                            len(result.history), _best(result.history), _best_epoch(result.history),
                            None, time.perf_counter() - started, None,
                            None if diverged else trainer.network)
        finished = result.finished
        assert finished is not None
        test_accuracy = measure_test_accuracy(trainer.network, data) if finished.epochs_run \
            else None
        stopped = finished.reason == "stopped"
        return RunEnded(
            finished.reason, outcome_message(finished.reason, finished.message,
                                             finished.epochs_run, finished.best_val_accuracy,
                                             finished.best_epoch, test_accuracy,
                                             held_out_name(data)),
            finished.epochs_run, finished.best_val_accuracy if finished.epochs_run else None,
            finished.best_epoch, test_accuracy, time.perf_counter() - started,
            (finished.epochs_run + 1, finished.batch, finished.batches) if stopped else None,
            trainer.network, finished.message,
        )


def held_out_name(data: Dataset) -> str:
    return "test" if data.validation_is_test else "validation"


def _best(history: Sequence) -> float | None:
    return max((r.val_accuracy for r in history), default=None)


def _best_epoch(history: Sequence) -> int:
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


class JsonRecord:
    """Observer: the run's record as one JSON file (``nntui train --json``), rewritten at most
    once a second while it runs and when it ends, so a stopped run keeps every epoch.

    A write that fails is reported once through ``warn`` and recording stops; training goes on.
    ``written`` says whether the final record reached the file.
    """

    def __init__(self, config: Config, path: str | Path | None,
                 warn: Callable[[str], None]) -> None:
        """``path`` None keeps the record in memory only (``record.as_dict()``)."""
        self.record = RunRecord(config, None if path is None else Path(path))
        self.warn = warn
        self.written = False
        self.failed = False

    def __call__(self, event: Any) -> None:
        if self.failed:
            return
        try:
            if isinstance(event, RunEnded):
                self.record.seconds = event.seconds
                self.record.finish(event.status, event.message, event.test_accuracy)
                self.written = True
            elif isinstance(event, EpochReport):
                self.record.add_epoch(event)
        except RunFileError as error:
            self.failed = True
            self.warn(f"the run record could not be written ({error}); training goes on")



class HistoryRecorder:
    """Observer: the run in the run history (SQLite): its start, each epoch in its own
    transaction as it ends, and how it ended.  A run that fails before it starts is recorded
    too, with its message.

    A history that cannot be written (full disk, a damaged file) is reported once through
    ``warn`` and recording stops; training goes on.  ``run_id`` is the run's id once recorded.
    """

    def __init__(self, history: RunHistory, config: Config, warn: Callable[[str], None], *,
                 name: str = "", group: str = "") -> None:
        self.history, self.config, self.warn = history, config, warn
        self.name, self.group, self.preset = name, group, preset_of(config)
        self.run_id: int | None = None
        self.failed = False

    def _start(self, held_out: str) -> None:
        self.run_id = self.history.start_run(self.config, name=self.name, group=self.group,
                                             preset=self.preset, held_out=held_out)

    def __call__(self, event: Any) -> None:
        if self.failed:
            return
        try:
            if isinstance(event, RunStarted):
                self._start(event.held_out)
            elif isinstance(event, EpochReport) and self.run_id is not None:
                self.history.add_epoch(self.run_id, event)
            elif isinstance(event, RunEnded):
                if self.run_id is None:
                    self._start("test" if self.config.validate_on == "test" else "validation")
                assert self.run_id is not None
                best = event.best_val_accuracy
                self.history.finish_run(
                    self.run_id, event.status, event.message, test_accuracy=event.test_accuracy,
                    seconds=event.seconds, best_val_accuracy=best,
                    best_epoch=event.best_epoch if best is not None else None)
        except HistoryError as error:
            self.failed = True
            self.warn(f"the run history could not be written ({error}); training goes on "
                      "without recording")


def open_history(path: str | Path | None, warn: Callable[[str], None]) -> RunHistory | None:
    """The run history at ``path`` (default: ``$NNTUI_RUNS_DB`` or the user's data folder), or
    None after saying through ``warn`` why it cannot be used."""
    try:
        return RunHistory(path)
    except HistoryError as error:
        warn(f"the run history cannot be used ({error}); runs will not be recorded")
        return None
