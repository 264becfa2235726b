"""Tests of stopping a headless run as a shell expects: the first signal stops the run after its
mini-batch, a second leaves at once, and the exit status is 128 + the first signal's number."""

from __future__ import annotations

import os
import signal

import pytest

from nntui.engine import Control
from nntui.runner.signals import SIGNAL_NAMES, Interrupted, StopOnSignals
from nntui.status import ExitStatus

STOP_SIGNALS = [s for s in (signal.SIGINT, signal.SIGTERM, getattr(signal, "SIGHUP", None))
                if s is not None]


@pytest.mark.parametrize("signum", STOP_SIGNALS)
def test_the_first_signal_stops_the_run_and_names_itself(signum: int) -> None:
    control, heard = Control(), []
    with StopOnSignals(control, heard.append) as signals:
        assert signals.name == "" and signals.exit_code is None
        os.kill(os.getpid(), signum)
        assert control.stop_requested
    assert heard == [SIGNAL_NAMES[signum]] and signals.name == SIGNAL_NAMES[signum]
    assert signals.exit_code == 128 + signum == ExitStatus.for_signal(signum)


def test_a_second_signal_leaves_at_once() -> None:
    control = Control()
    with pytest.raises(Interrupted), StopOnSignals(control) as signals:
        os.kill(os.getpid(), signal.SIGTERM)
        os.kill(os.getpid(), signal.SIGINT)
    assert signals.name == "SIGTERM" and signals.exit_code == ExitStatus.SIGTERM == 143
    # A BaseException, like KeyboardInterrupt: the lifecycle, which turns every Exception of a
    # run into a failed run, lets it through.
    assert not issubclass(Interrupted, Exception)


def test_the_previous_handlers_come_back() -> None:
    before = {s: signal.getsignal(s) for s in SIGNAL_NAMES}
    with StopOnSignals(Control()):
        assert all(signal.getsignal(s) != before[s] for s in SIGNAL_NAMES)
    assert {s: signal.getsignal(s) for s in SIGNAL_NAMES} == before


def test_exit_statuses_are_the_shells() -> None:
    assert (ExitStatus.SUCCESS, ExitStatus.ERROR, ExitStatus.USAGE) == (0, 1, 2)
    assert ExitStatus.for_signal(signal.SIGINT) is ExitStatus.SIGINT == 130
    assert ExitStatus.for_signal(signal.SIGHUP) is ExitStatus.SIGHUP == 129
    assert ExitStatus.for_signal(signal.SIGUSR1) == 128 + signal.SIGUSR1  # not a member: a number


def test_entered_again_it_keeps_its_handlers_until_the_outer_with_ends() -> None:
    """A command installs the handlers before its first line and trains within them again: the
    inner ``with`` leaving must not put the old handlers back while the outer one goes on."""
    before = {s: signal.getsignal(s) for s in SIGNAL_NAMES}
    control = Control()
    with (signals := StopOnSignals(control)):
        with signals:
            pass
        os.kill(os.getpid(), signal.SIGTERM)  # still handled: the run stops, nothing dies
        assert control.stop_requested
    assert {s: signal.getsignal(s) for s in SIGNAL_NAMES} == before
