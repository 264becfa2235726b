"""What the trainer tells its observers: the events, and the Keras-style observer that hears them.

The trainer runs in one thread (a worker of the app, or the main thread of ``nntui train``) and
reports what happens as *events* to an :class:`Observer`, the way Keras reports to its callbacks:
one method per kind of event, each a no-op in the base class, so an observer overrides only what it
cares about, and :class:`Observers` fans every event out to a list of them.  Each event names the
method that receives it (``hook``), so an event handed on whole (``observer.notify(event)``) reaches
the right method without anyone testing its type.

Control flows the other way, through a :class:`~nntui.engine.control.Control`.  All of it is plain
Python with no UI in it, so the same trainer serves the terminal app, the command line and the
tests.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import ClassVar


@dataclass(frozen=True, kw_only=True)
class BatchProgress:
    """Sent a few times a second during an epoch (never every mini-batch: that would flood a UI)."""

    hook: ClassVar[str] = "on_progress"

    epoch: int  # 1-based
    epochs: int
    batch: int  # mini-batches done in this epoch (the same count as Paused.batch)
    batches: int  # mini-batches in the epoch, ⌈n / batch size⌉
    running_cost: float  # mean cost of all the epoch's mini-batches so far: Trainer.running_cost
    eta: float
    examples_per_second: float
    seconds: float  # time spent on this epoch so far, pauses excluded


@dataclass(frozen=True, kw_only=True)
class EpochReport:
    """The metrics of one finished epoch; costs include the regularization term, as in the book."""

    hook: ClassVar[str] = "on_epoch"

    epoch: int
    epochs: int
    train_cost: float | None  # None when training-set evaluation is switched off
    train_accuracy: float | None
    val_cost: float
    val_accuracy: float
    learning_speed: tuple[float, ...]  # per layer: RMS over mini-batches of ‖∂C/∂bˡ‖
    seconds: float  # training time of the epoch (evaluation excluded), pauses excluded
    examples_per_second: float
    eta: float  # η in use at the end of the epoch
    notes: tuple[str, ...] = ()  # e.g. "η 0.5 → 0.05 (live)" or "η halved to 0.25"

    def as_dict(self) -> dict:
        """The record saved per epoch in run files and ``--json`` output."""
        return {
            "epoch": self.epoch,
            "train_cost": self.train_cost,
            "train_accuracy": self.train_accuracy,
            "val_cost": self.val_cost,
            "val_accuracy": self.val_accuracy,
            "learning_speed": list(self.learning_speed),
            "seconds": self.seconds,
            "eta": self.eta,
            "notes": list(self.notes),
        }


@dataclass(frozen=True, kw_only=True)
class Paused:
    """The trainer has stopped between mini-batches and waits for resume, step or stop.

    ``batch`` is the number of mini-batches of ``epoch`` already done: 0 when paused at the start of
    an epoch (as after a step, which finishes the epoch before and pauses before this one).
    """

    hook: ClassVar[str] = "on_pause"

    epoch: int
    batch: int


@dataclass(frozen=True, kw_only=True)
class Resumed:
    hook: ClassVar[str] = "on_resume"

    epoch: int
    batch: int


@dataclass(frozen=True, kw_only=True)
class Finished:
    """The run ended normally; ``reason`` says why in a few words.

    A stopped run was interrupted in epoch ``epochs_run + 1`` after ``batch`` of its ``batches``
    mini-batches (``batch`` = 0: before that epoch began); their steps are kept in the weights.
    """

    hook: ClassVar[str] = "on_finish"

    reason: str  # "completed", "stopped", "early stop" or "η schedule done"
    epochs_run: int  # complete epochs
    best_val_accuracy: float
    best_epoch: int
    message: str = ""  # e.g. "during epoch 5 after 4,281 of 5,000 mini-batches (4 complete epochs)"
    batch: int = 0  # mini-batches done in the interrupted epoch; 0 unless stopped
    batches: int = 0  # mini-batches per epoch, ⌈n / batch size⌉


@dataclass(frozen=True, kw_only=True)
class Failed:
    """The run could not go on.  ``diverged`` marks a cost that became NaN or infinite."""

    hook: ClassVar[str] = "on_fail"

    message: str
    epoch: int
    diverged: bool = False


Event = BatchProgress | EpochReport | Paused | Resumed | Finished | Failed


class Observer:
    """Told of everything the trainer does, one method per event, like a Keras callback.

    Every method does nothing here; a subclass overrides those it needs.  :meth:`notify` hands an
    event to its method (the one its ``hook`` names), for code that passes events along whole.
    """

    def notify(self, event: Event) -> None:
        getattr(self, event.hook)(event)

    def on_progress(self, progress: BatchProgress) -> None:
        """A few times a second during an epoch."""

    def on_epoch(self, report: EpochReport) -> None:
        """An epoch ended and was measured."""

    def on_pause(self, paused: Paused) -> None:
        """The trainer paused between mini-batches."""

    def on_resume(self, resumed: Resumed) -> None:
        """The trainer goes on after a pause."""

    def on_finish(self, finished: Finished) -> None:
        """Training ended normally (every epoch, a stop, early stopping or the η schedule)."""

    def on_fail(self, failed: Failed) -> None:
        """Training could not go on."""


class Observers(Observer):
    """A list of observers that hears every event and hands it to each of them, in order
    (Keras' ``CallbackList``)."""

    def __init__(self, observers: Iterable[Observer] = ()) -> None:
        self.observers = list(observers)

    def append(self, observer: Observer) -> None:
        self.observers.append(observer)

    def notify(self, event: Event) -> None:
        for observer in self.observers:
            observer.notify(event)

    def on_progress(self, progress: BatchProgress) -> None:
        self.notify(progress)

    def on_epoch(self, report: EpochReport) -> None:
        self.notify(report)

    def on_pause(self, paused: Paused) -> None:
        self.notify(paused)

    def on_resume(self, resumed: Resumed) -> None:
        self.notify(resumed)

    def on_finish(self, finished: Finished) -> None:
        self.notify(finished)

    def on_fail(self, failed: Failed) -> None:
        self.notify(failed)
