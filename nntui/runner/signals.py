"""Stopping a headless run the way a shell expects: Ctrl+C, SIGTERM or SIGHUP.

The first signal asks the run's :class:`~nntui.engine.Control` to stop after the current
mini-batch, so the run ends "stopped", is recorded and summed up; a second one, for someone who
will not wait, raises :class:`Interrupted` at once.  The exit status is then 128 + the first
signal's number (130, 143, 129), as shells report a program a signal ended.
"""

from __future__ import annotations

import signal
from collections.abc import Callable
from types import FrameType

from nntui.engine import Control
from nntui.status import ExitStatus

SIGNAL_NAMES = {signal.SIGINT: "Ctrl+C", signal.SIGTERM: "SIGTERM"}
if hasattr(signal, "SIGHUP"):
    SIGNAL_NAMES[signal.SIGHUP] = "SIGHUP"


class Interrupted(BaseException):
    """A second stop signal arrived while the run was already stopping.  A BaseException, like
    KeyboardInterrupt, so that the lifecycle, which turns every exception of a run into a failed
    run, lets it through."""


class StopOnSignals:
    """Within ``with``, the stop signals stop ``control``'s run; ``heard(name)`` is told of each
    (to say in a summary who stopped it).  The previous handlers come back on leaving."""

    def __init__(self, control: Control, heard: Callable[[str], None] | None = None) -> None:
        self.control, self.heard = control, heard
        self.received: list[int] = []
        self._previous: dict = {}
        self._depth = 0  # how many ``with`` are open: the handlers go back when the last ends

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        self.received.append(signum)
        if self.heard is not None:
            self.heard(SIGNAL_NAMES.get(signum, "a signal"))
        if len(self.received) > 1:  # a second signal: stop waiting for the mini-batch to end
            raise Interrupted
        self.control.stop()

    def __enter__(self) -> StopOnSignals:
        # Re-entrant: a command may install the handlers before it says what it starts (so a
        # signal right after that line is obeyed, not fatal) and the training it calls again.
        self._depth += 1
        if self._depth == 1:
            self._previous = {s: signal.signal(s, self._on_signal) for s in SIGNAL_NAMES}
        return self

    def __exit__(self, *exc: object) -> None:
        self._depth -= 1
        if self._depth:
            return
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)

    @property
    def name(self) -> str:
        """Who stopped the run ("Ctrl+C", "SIGTERM", …), or "" if nobody did."""
        return SIGNAL_NAMES.get(self.received[0], "a signal") if self.received else ""

    @property
    def exit_code(self) -> int | None:
        """128 + the first signal's number (:meth:`ExitStatus.for_signal`), or None if no signal
        came."""
        return ExitStatus.for_signal(self.received[0]) if self.received else None
