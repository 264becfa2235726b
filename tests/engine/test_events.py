"""Tests of the events and observers: each event reaches the method its hook names, a list of
observers hears everything in order, and the events are immutable and built with keywords."""

from __future__ import annotations

import dataclasses

import pytest

from nntui.engine import Observer, Observers
from nntui.engine.events import BatchProgress, EpochReport, Failed, Finished, Paused, Resumed

REPORT = EpochReport(epoch=2, epochs=5, train_cost=0.4, train_accuracy=0.9, val_cost=0.5,
                     val_accuracy=0.88, learning_speed=(0.1, 0.2), seconds=1.5,
                     examples_per_second=1000.0, eta=0.5, notes=("η halved to 0.5",))
EVENTS = {
    "on_progress": BatchProgress(epoch=1, epochs=5, batch=3, batches=10, running_cost=0.7,
                                 eta=0.5, examples_per_second=900.0, seconds=0.2),
    "on_epoch": REPORT,
    "on_pause": Paused(epoch=2, batch=4),
    "on_resume": Resumed(epoch=2, batch=4),
    "on_finish": Finished(reason="completed", epochs_run=5, best_val_accuracy=0.9,
                          best_epoch=4),
    "on_fail": Failed(message="diverged", epoch=3, diverged=True),
}


def _hearing(hook: str):
    """An observer method that records that ``hook`` heard its event."""
    def hear(self: _Hooks, event: object) -> None:
        self.heard.append((self.name, hook, event))

    return hear


class _Hooks(Observer):
    """Records which of its methods each event reached."""

    def __init__(self, name: str, heard: list) -> None:
        self.name, self.heard = name, heard

    on_progress, on_epoch, on_pause, on_resume, on_finish, on_fail = map(_hearing, EVENTS)


@pytest.mark.parametrize("hook", EVENTS)
def test_notify_hands_each_event_to_the_method_its_hook_names(hook: str) -> None:
    event = EVENTS[hook]
    assert event.hook == hook
    heard: list = []
    _Hooks("a", heard).notify(event)
    assert heard == [("a", hook, event)]


def test_the_base_observer_ignores_everything() -> None:
    observer = Observer()
    for event in EVENTS.values():
        assert observer.notify(event) is None


def test_observers_hand_every_event_to_each_in_order() -> None:
    heard: list = []
    observers = Observers([_Hooks("a", heard)])
    observers.append(_Hooks("b", heard))
    for hook, event in EVENTS.items():
        getattr(observers, hook)(event)  # as the trainer calls it
        observers.notify(event)  # as an event handed on whole
    expected = []
    for hook, event in EVENTS.items():
        expected += [("a", hook, event), ("b", hook, event)] * 2
    assert heard == expected


def test_events_are_frozen_and_built_with_keywords() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        REPORT.epoch = 3  # type: ignore[misc]
    with pytest.raises(TypeError):
        Paused(1, 2)  # type: ignore[misc]


def test_an_epoch_report_as_saved() -> None:
    assert REPORT.as_dict() == {
        "epoch": 2, "train_cost": 0.4, "train_accuracy": 0.9, "val_cost": 0.5,
        "val_accuracy": 0.88, "learning_speed": [0.1, 0.2], "seconds": 1.5, "eta": 0.5,
        "notes": ["η halved to 0.5"],
    }
