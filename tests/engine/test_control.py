"""Tests of the Control on its own: what each request sets, what the trainer's side clears, and
that a waiting trainer wakes.  (How a trainer obeys it is in test_training.py.)"""

from __future__ import annotations

import signal
import threading
import time

import pytest

from nntui.engine import Control


def test_an_idle_control_asks_nothing() -> None:
    control = Control()
    assert not control.pending
    assert not (control.paused or control.stop_requested or control.pause_after_epoch)
    assert control.live_eta is None
    assert control.take_eta(0.5) == 0.5 and control.take_pace(3.0) == 3.0


@pytest.mark.parametrize("request_", ["pause", "resume", "step", "stop"])
def test_every_request_is_pending_until_acknowledged(request_: str) -> None:
    control = Control()
    getattr(control, request_)()
    assert control.pending
    control.acknowledge()
    assert not control.pending


def test_the_flags_are_the_controls_own() -> None:
    """Only the control's methods change them: the trainer asks, it does not write."""
    control = Control()
    for flag in ("pending", "stop_requested", "pause_after_epoch", "paused", "live_eta"):
        with pytest.raises(AttributeError):
            setattr(control, flag, True)


def test_pause_resume_stop() -> None:
    control = Control()
    control.pause()
    assert control.paused and not control.wait_while_paused(timeout=0.01)
    control.resume()
    assert not control.paused and control.wait_while_paused(timeout=0.01)
    control.pause()
    control.stop()  # a paused trainer must wake up to stop
    assert control.stop_requested and not control.paused


def test_a_step_pauses_once_its_epoch_ends() -> None:
    control = Control()
    control.pause()
    control.step()
    assert control.pause_after_epoch and not control.paused  # runs one epoch, then pauses
    control.acknowledge()
    assert control.pause_if_stepping()
    assert control.paused and control.pending and not control.pause_after_epoch
    assert not control.pause_if_stepping()  # one step, one pause
    control.step()
    control.resume()  # resuming forgets the step
    assert not control.pause_if_stepping() and not control.paused


def test_control_owns_the_live_eta() -> None:
    control = Control()
    control.eta_changed(0.5)  # what a trainer does as it starts
    assert control.live_eta == 0.5
    control.scale_eta(10)
    assert control.live_eta == 5.0  # shown at once, before the trainer takes it
    assert control.take_eta(0.5) == 5.0 and control.live_eta == 5.0
    control.set_eta(0.1)
    control.eta_changed(2.5)  # the schedule may not overrule a request still pending
    assert control.live_eta == 0.1
    assert control.take_eta(2.5) == 0.1
    control.eta_changed(0.05)
    assert control.live_eta == 0.05


def test_eta_requests_combine_until_taken() -> None:
    control = Control()
    control.set_eta(0.2)
    control.scale_eta(0.5)
    control.scale_eta(0.5)
    assert control.take_eta(3.0) == pytest.approx(0.05)
    assert control.take_eta(0.05) == 0.05  # taken: nothing more to apply


def test_pace_requests() -> None:
    control = Control()
    control.set_pace(-4)  # no negative pace: 0 lifts the cap
    assert control.take_pace(2.0) == 0.0
    control.set_pace(12)
    assert control.take_pace(0.0) == 12.0
    assert control.take_pace(12.0) == 12.0


def test_a_request_wakes_a_waiting_trainer() -> None:
    control = Control()
    assert not control.wait_for_request(0.01)
    timer = threading.Timer(0.05, control.set_pace, (3.0,))
    timer.start()
    began = time.perf_counter()
    assert control.wait_for_request(10.0)
    assert time.perf_counter() - began < 5.0
    timer.join()
    assert not control.wait_for_request(0.01)  # the wake was used up


def test_a_signal_handler_may_stop_a_trainer_that_is_inside_the_control() -> None:
    """At the command line the trainer runs in the main thread, and the Ctrl+C handler runs on
    that thread wherever it is, also while it holds the control's lock (as in take_eta): the
    handler's stop must not wait for a lock its own thread holds."""
    control = Control()
    previous = signal.signal(signal.SIGUSR1, lambda signum, frame: control.stop())
    try:
        with control._lock:  # what the trainer's side holds while it reads the requests
            signal.raise_signal(signal.SIGUSR1)  # the handler runs before this line returns
            assert control.stop_requested
    finally:
        signal.signal(signal.SIGUSR1, previous)
    assert control.pending
