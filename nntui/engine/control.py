"""How a training run is steered while it runs: pause, resume, stop, step, and live η and pace.

The trainer runs in one thread; the requests come from any other (a key pressed in the app, Ctrl+C
at the command line).  They meet in a :class:`Control`, which the trainer reads between
mini-batches and while it waits out its pace between epochs.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager


class Control:
    """Pause, resume, stop, step, and live changes of η and pace, safe to call from any thread.

    Every request sets :attr:`pending`; the trainer reads that one flag after each mini-batch and
    only looks further when it is set, so an idle control costs the training loop almost nothing.
    The trainer then calls :meth:`acknowledge` *before* it reads the requests, so that one
    arriving while it reads sets the flag again and is served at the next mini-batch.  Every
    request also wakes a trainer that is waiting out its pace between epochs.  A request changes
    its state and then sets the flag, all under the control's lock, and the trainer clears the flag
    under it too.

    The lock is re-entrant because a request may come from the trainer's own thread while that
    thread holds it: at the command line the trainer runs in the main thread, where Python runs
    the Ctrl+C handler that calls :meth:`stop`, between any two bytecodes.
    """

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._pending = False
        self._stop_requested = False
        self._pause_after_epoch = False  # a step: run to the end of the epoch, then pause
        self._live_eta: float | None = None
        self._eta_request: float | None = None
        self._eta_factor = 1.0
        self._pace_request: float | None = None
        self._running = threading.Event()
        self._running.set()
        self._wake = threading.Event()

    # --- what anyone may read ------------------------------------------------------------------

    @property
    def pending(self) -> bool:
        """A request has come that the trainer has not yet acknowledged."""
        return self._pending

    @property
    def stop_requested(self) -> bool:
        return self._stop_requested

    @property
    def pause_after_epoch(self) -> bool:
        """A step was asked for: the trainer pauses when the current epoch ends."""
        return self._pause_after_epoch

    @property
    def paused(self) -> bool:
        return not self._running.is_set()

    @property
    def live_eta(self) -> float | None:
        """The η in force, or the last one asked for until the trainer takes it: what a UI shows."""
        return self._live_eta

    # --- requests, from any thread -------------------------------------------------------------

    @contextmanager
    def _request(self) -> Iterator[None]:
        """Make a request: its own state is changed in the ``with`` block and :attr:`pending` set
        after it, under the lock; then a trainer waiting out its pace wakes and sees both."""
        with self._lock:
            yield
            self._pending = True
        self._wake.set()

    def pause(self) -> None:
        with self._request():
            self._running.clear()

    def resume(self) -> None:
        with self._request():
            self._pause_after_epoch = False
            self._running.set()

    def step(self) -> None:
        """Run to the end of the current epoch (or one whole epoch when paused at its start),
        then pause."""
        with self._request():
            self._pause_after_epoch = True
            self._running.set()

    def stop(self) -> None:
        """Stop after the current mini-batch; the epoch's partial work is kept in the weights."""
        with self._request():
            self._stop_requested = True
            self._running.set()

    def set_eta(self, eta: float) -> None:
        with self._request():
            self._eta_request, self._eta_factor = eta, 1.0
            self._live_eta = eta

    def scale_eta(self, factor: float) -> None:
        with self._request():
            self._eta_factor *= factor
            if self._live_eta is not None:
                self._live_eta *= factor

    def set_pace(self, epochs_per_second: float) -> None:
        """Cap training at this many epochs per second from now on; 0 removes the cap."""
        with self._request():
            self._pace_request = max(0.0, float(epochs_per_second))

    # --- the trainer's side ------------------------------------------------------------------

    def acknowledge(self) -> None:
        """The trainer saw :attr:`pending` and is about to act on the requests: clear the flag
        first, so that a request arriving meanwhile sets it again."""
        with self._lock:
            self._pending = False

    def pause_if_stepping(self) -> bool:
        """An epoch has ended: if a step was asked for, pause now.  True if it paused."""
        with self._lock:
            stepping, self._pause_after_epoch = self._pause_after_epoch, False
        if stepping:
            self.pause()
        return stepping

    def take_eta(self, eta: float) -> float:
        """The η to use from now on, given the one in use; clears the request."""
        with self._lock:
            if self._eta_request is not None:
                eta = self._eta_request
            eta *= self._eta_factor
            self._eta_request, self._eta_factor = None, 1.0
            self._live_eta = eta
        return eta

    def eta_changed(self, eta: float) -> None:
        """The trainer changed η itself (the halving schedule), or starts with it."""
        with self._lock:
            if self._eta_request is None and self._eta_factor == 1.0:
                self._live_eta = eta

    def take_pace(self, pace: float) -> float:
        """The pace to keep from now on, given the one kept; clears the request."""
        with self._lock:
            if self._pace_request is not None:
                pace, self._pace_request = self._pace_request, None
        return pace

    def wait_while_paused(self, timeout: float = 0.1) -> bool:
        """Block while paused (waking every ``timeout`` s); True once running again."""
        return self._running.wait(timeout)

    def wait_for_request(self, timeout: float) -> bool:
        """Block for up to ``timeout`` s, or until any request arrives (True if one did)."""
        woken = self._wake.wait(timeout)
        self._wake.clear()
        return woken
