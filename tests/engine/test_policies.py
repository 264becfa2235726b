"""Tests of the policies on their own: the best epoch, early stopping, the η schedules and the
pace.  (Whole runs that end by them are in test_training.py.)"""

from __future__ import annotations

import threading
import time

import pytest

from nntui.engine import Control, policies
from nntui.engine.policies import (
    PLATEAU_EPOCHS,
    Best,
    ConstantEta,
    EarlyStopping,
    Ending,
    HalvingSchedule,
    Pace,
    eta_schedule,
)


def _best(*accuracies: float) -> Best:
    best = Best()
    for epoch, accuracy in enumerate(accuracies, start=1):
        best.update(epoch, accuracy)
    return best


def test_best_counts_the_epochs_since_a_strictly_better_accuracy() -> None:
    best = _best(0.5, 0.7, 0.7, 0.6)
    assert (best.accuracy, best.epoch, best.epochs_since) == (0.7, 2, 2)
    best.update(5, 0.71)
    assert (best.accuracy, best.epoch, best.epochs_since) == (0.71, 5, 0)
    assert (Best().accuracy, Best().epoch) == (-1.0, 0)  # any first epoch is the best so far


def test_early_stopping_waits_for_its_patience() -> None:
    stopping = EarlyStopping(3)
    assert stopping.ending(_best(0.9, 0.8, 0.8)) is None
    assert stopping.ending(_best(0.9, 0.8, 0.8, 0.8)) == Ending(
        "early stop", "no better validation accuracy for 3 epochs")
    assert EarlyStopping(0).ending(_best(0.9, *[0.1] * 50)) is None  # 0: never


def test_constant_eta_never_changes_or_ends() -> None:
    schedule = eta_schedule("constant", 0.5)
    assert isinstance(schedule, ConstantEta)
    plateau = _best(0.9, *[0.1] * 20)
    assert schedule.ending(plateau, 0.5) is None
    assert schedule.next_eta(plateau, 0.5) == (0.5, "")


def test_halving_after_a_plateau_and_counting_afresh() -> None:
    schedule = eta_schedule("halve", 0.4)
    assert isinstance(schedule, HalvingSchedule)
    best = _best(0.9, *[0.8] * (PLATEAU_EPOCHS - 1))
    assert schedule.next_eta(best, 0.4) == (0.4, "")  # not yet a plateau
    best.update(PLATEAU_EPOCHS + 1, 0.8)
    assert schedule.ending(best, 0.4) is None
    assert schedule.next_eta(best, 0.4) == (0.2, "η halved to 0.2")
    assert best.epochs_since == 0  # the new η gets its own five epochs


def test_halving_ends_at_a_128th_of_the_start() -> None:
    schedule = HalvingSchedule(1.0)
    plateau = _best(0.9, *[0.8] * PLATEAU_EPOCHS)
    assert schedule.ending(plateau, 2 / 128) is None
    assert schedule.ending(_best(0.9), 1 / 128) is None  # only on a plateau
    assert schedule.ending(plateau, 1 / 128) == Ending(
        "η schedule done", "η reached 1/128 of its start (0.00781)")


def test_unknown_schedule_is_an_error() -> None:
    with pytest.raises(ValueError, match="unknown η schedule 'cosine'; choose constant or halve"):
        eta_schedule("cosine", 0.1)


def test_no_pace_waits_for_nothing() -> None:
    pace = Pace(-1)
    assert pace.per_second == 0.0
    began = time.perf_counter()
    pace.wait(began, Control())
    assert time.perf_counter() - began < 1.0


class _Clock:
    """Stands in for policies.time: time moves only when the pace waits on its control."""

    def __init__(self) -> None:
        self.now = 50.0

    def perf_counter(self) -> float:
        return self.now


def test_pace_waits_out_the_rest_of_its_interval(monkeypatch) -> None:
    clock = _Clock()
    monkeypatch.setattr(policies, "time", clock)
    waits: list[float] = []

    class Waiting(Control):
        def wait_for_request(self, timeout: float) -> bool:
            waits.append(timeout)
            clock.now += timeout
            return False

    Pace(4).wait(clock.now - 0.1, Waiting())  # the epoch took 0.1 s of its 0.25
    assert waits == [pytest.approx(0.15)]
    waits.clear()
    Pace(4).wait(clock.now - 0.3, Waiting())  # slower than the pace: no wait
    assert waits == []


def test_a_request_ends_the_wait_and_a_new_pace_applies() -> None:
    control = Control()
    pace = Pace(0.01)  # 100 s an epoch
    threading.Timer(0.05, control.set_pace, (0,)).start()
    began = time.perf_counter()
    pace.wait(began, control)
    assert time.perf_counter() - began < 10.0
    assert pace.per_second == 0.0
    control.step()
    Pace(0.01).wait(time.perf_counter(), control)  # a step: the epoch is done, pause now
    assert control.paused and not control.pause_after_epoch
