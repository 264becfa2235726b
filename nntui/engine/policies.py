"""What the trainer decides between epochs, each a small object it consults once an epoch, as
Keras consults its ``EarlyStopping`` and ``ReduceLROnPlateau`` callbacks.

* :class:`Best` keeps the best validation accuracy so far and counts the epochs since it improved:
  Nielsen's "no improvement in n epochs", which both of the next two go by.
* :class:`EarlyStopping` ends the run after ``patience`` epochs without a better validation
  accuracy (Nielsen ch. 3, "early stopping").
* An η schedule says the learning rate of the next epoch: :class:`ConstantEta` keeps it;
  :class:`HalvingSchedule` halves it after :data:`PLATEAU_EPOCHS` epochs without a better
  validation accuracy and ends the run once it has fallen to 1/128 of its start (Nielsen ch. 3,
  "learning rate schedules").
* :class:`Pace` caps training at P epochs per second, so that a small run can be watched.

A policy that ends the run says so with an :class:`Ending`: the few words of ``Finished.reason``
and a sentence for ``Finished.message``.
"""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from dataclasses import dataclass

from nntui.engine.control import Control

# η schedule "halve": halve after this many epochs without a better validation accuracy, and stop
# once η has fallen to 1/128 of its starting value.
PLATEAU_EPOCHS = 5
SCHEDULE_FLOOR = 1 / 128


@dataclass
class Best:
    """The best validation accuracy so far, the epoch that reached it, and the epochs since."""

    accuracy: float = -1.0
    epoch: int = 0
    epochs_since: int = 0

    def update(self, epoch: int, accuracy: float) -> None:
        """Epoch ``epoch`` reached ``accuracy``: a new best only if strictly better."""
        if accuracy > self.accuracy:
            self.accuracy, self.epoch, self.epochs_since = accuracy, epoch, 0
        else:
            self.epochs_since += 1


@dataclass(frozen=True)
class Ending:
    """Why a policy ends the run: ``reason`` for ``Finished.reason``, ``message`` to explain."""

    reason: str
    message: str


class EarlyStopping:
    """Stop after ``patience`` epochs without a better validation accuracy; 0 never stops."""

    def __init__(self, patience: int) -> None:
        self.patience = int(patience)

    def ending(self, best: Best) -> Ending | None:
        if self.patience and best.epochs_since >= self.patience:
            return Ending("early stop",
                          f"no better validation accuracy for {self.patience} epochs")
        return None


class EtaSchedule(ABC):
    """How η changes from epoch to epoch (live changes through the control aside)."""

    @abstractmethod
    def ending(self, best: Best, eta: float) -> Ending | None:
        """An Ending when the schedule has run its course, else None."""

    @abstractmethod
    def next_eta(self, best: Best, eta: float) -> tuple[float, str]:
        """η for the next epoch, given the one in use, and a note saying why it changed ("" when
        it did not)."""


class ConstantEta(EtaSchedule):
    """η stays as it is."""

    def ending(self, best: Best, eta: float) -> Ending | None:
        return None

    def next_eta(self, best: Best, eta: float) -> tuple[float, str]:
        return eta, ""


class HalvingSchedule(EtaSchedule):
    """Halve η after :data:`PLATEAU_EPOCHS` epochs without a better validation accuracy, counting
    afresh from each halving; done when such a plateau comes with η already down to
    :data:`SCHEDULE_FLOOR` of the ``start``."""

    def __init__(self, start: float) -> None:
        self.floor = start * SCHEDULE_FLOOR

    def ending(self, best: Best, eta: float) -> Ending | None:
        if best.epochs_since >= PLATEAU_EPOCHS and eta <= self.floor * 1.0001:
            return Ending("η schedule done", f"η reached 1/128 of its start ({eta:.3g})")
        return None

    def next_eta(self, best: Best, eta: float) -> tuple[float, str]:
        if best.epochs_since < PLATEAU_EPOCHS:
            return eta, ""
        best.epochs_since = 0  # the halved η gets as many epochs to improve
        eta /= 2
        return eta, f"η halved to {eta:.3g}"


def eta_schedule(name: str, start: float) -> EtaSchedule:
    """The schedule called ``name`` for a run starting at η = ``start``."""
    if name == "constant":
        return ConstantEta()
    if name == "halve":
        return HalvingSchedule(start)
    raise ValueError(f"unknown η schedule {name!r}; choose constant or halve")


class Pace:
    """At most ``per_second`` epochs a second; 0 trains as fast as it can.

    After each epoch but the last the trainer waits (:meth:`wait`) until 1/P s have passed since
    the epoch began, evaluation included.  The wait is on the control, so a stop, pause or step ends
    it at once and a new pace applies at once; with no pace it costs nothing.  The wait is not
    training time.
    """

    def __init__(self, per_second: float) -> None:
        self.per_second = max(0.0, float(per_second))

    def take(self, control: Control) -> None:
        """Keep the pace the control asks for, if it asks for one."""
        self.per_second = control.take_pace(self.per_second)

    def wait(self, began: float, control: Control) -> None:
        """Wait out the rest of 1/P s since the epoch ``began`` (a ``time.perf_counter()``)."""
        while True:
            if control.pending:
                self.take(control)
                if control.stop_requested or control.paused:
                    return  # the next epoch obeys at its first mini-batch
                if control.pause_if_stepping():  # a step: this epoch is done, so pause now
                    return
            if self.per_second <= 0:
                return
            remaining = began + 1.0 / self.per_second - time.perf_counter()
            if remaining <= 0:
                return
            control.wait_for_request(remaining)
