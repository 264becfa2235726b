"""The app's terminal: Textual's Linux driver, kept safe when the terminal closes or the process
is suspended.

Textual's :class:`~textual.drivers.linux_driver.LinuxDriver` writes through a thread fed by a
bounded queue, and handles SIGTSTP and SIGCONT in plain signal handlers.  Three things follow
that this driver changes:

- When the terminal hangs up (its window closed, ``tmux kill-session``, an ssh link dropped),
  the writer thread's next write fails with EIO and the thread dies; the queue then fills, and
  the event loop blocks for ever in ``Queue.put``.  Nothing else runs after that, not even the
  handlers of SIGTERM, which asyncio runs in the loop.  Here a failed write drops the output
  instead, and the standard streams are pointed at ``/dev/null``, as a daemon does when it loses
  its terminal: every later write and the interpreter's last flush succeed, the exit status stays
  the one the app chose, and the input thread, reading end-of-file, is told to end.
- A hang-up comes with SIGCONT (the kernel sends SIGHUP and SIGCONT to the terminal's session
  leader), and the stock handler of SIGCONT restarts application mode whether or not the
  process was suspended: a second writer and input thread on a terminal that is gone.  Here
  SIGCONT resumes only a process this driver suspended, and only onto a terminal that is there.
- The stock handlers run inside whatever the main thread was doing when the signal came, which
  may be holding the writer queue's lock; suspending writes to that queue.  Here SIGTSTP and
  SIGCONT are handled in the event loop (``loop.add_signal_handler``), between callbacks.

Suspending (Ctrl+Z in the app, or ``kill -TSTP``) restores the terminal, stops the process, and
on ``fg`` restarts application mode; Textual then publishes the app's ``app_resume_signal``, on
which the app redraws everything.
"""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import termios
from typing import IO, Any

from textual.drivers.linux_driver import LinuxDriver


def hung_up(fd: int) -> bool:
    """Whether ``fd`` is a terminal that has hung up: the kernel answers every request on such a
    terminal with EIO (a file or pipe that is no terminal answers ENOTTY, and is not hung up)."""
    try:
        termios.tcgetattr(fd)
    except termios.error as error:
        return bool(error.args) and error.args[0] == errno.EIO
    except (OSError, ValueError):
        return False
    return False


def in_foreground(fd: int) -> bool:
    """Whether this process is the foreground job of the terminal at ``fd`` (after ``bg`` it is
    not, and may not take the terminal)."""
    try:
        return os.tcgetpgrp(fd) == os.getpgrp()
    except OSError:
        return True  # no terminal to ask: as if it were, and Textual finds out


def detach_standard_streams() -> None:
    """Point file descriptors 0, 1 and 2 at ``/dev/null``: what is written later is dropped
    without an error, and reading gives end-of-file at once."""
    null = os.open(os.devnull, os.O_RDWR)
    try:
        for fd in (0, 1, 2):
            with contextlib.suppress(OSError):
                os.dup2(null, fd)
    finally:
        os.close(null)


class TerminalOutput:
    """The writer thread's file: the terminal's, until a write to it fails (the terminal hung
    up); then ``lost`` is called once and everything later is dropped."""

    def __init__(self, file: IO[str], lost: Any) -> None:
        self._file = file
        self._lost = lost
        self.gone = False

    def _failed(self) -> None:
        if not self.gone:
            self.gone = True
            self._lost()

    def write(self, text: str) -> None:
        if self.gone:
            return
        try:
            self._file.write(text)
        except (OSError, ValueError):  # EIO on a hung-up terminal; ValueError once closed
            self._failed()

    def flush(self) -> None:
        if self.gone:
            return
        try:
            self._file.flush()
        except (OSError, ValueError):
            self._failed()

    def fileno(self) -> int:
        return self._file.fileno()

    def isatty(self) -> bool:
        return not self.gone and self._file.isatty()


class Terminal(LinuxDriver):
    """Textual's Linux driver for a terminal that may close or be suspended (see the module's
    docstring)."""

    def __init__(self, app: Any, **options: Any) -> None:
        super().__init__(app, **options)
        self._file = TerminalOutput(self._file, self._terminal_lost)
        self.gone = False
        """The terminal hung up: nothing is drawn any more and nothing is restored."""
        self.suspended = False
        """Suspended by SIGTSTP: SIGCONT resumes."""
        # In the event loop, not in a signal handler (the driver is made inside the app's
        # running loop).  These replace the handlers LinuxDriver.__init__ installed.
        for signum, handler in ((signal.SIGTSTP, self._suspend), (signal.SIGCONT, self._resume)):
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                self._loop.add_signal_handler(signum, handler)

    # --- the terminal going away -------------------------------------------------------------

    def check_terminal(self) -> bool:
        """Whether the terminal is gone (looked at now, e.g. on SIGHUP); if it is, stop
        drawing and reading as when a write fails."""
        if not self.gone and hung_up(self._file.fileno()):
            self._file.gone = True
            self._terminal_lost()
        return self.gone

    def _terminal_lost(self) -> None:
        """Called once, from whichever thread found the terminal gone.  The app is told too
        (``terminal_lost``, in its event loop): a hang-up reaches only the terminal's session
        leader, and a shell or script that started nntui without passing SIGHUP on would leave
        it running for ever with nothing to draw on."""
        self.gone = True
        detach_standard_streams()
        self.exit_event.set()  # the input thread ends; disable_input() has nothing to restore
        lost = getattr(self._app, "terminal_lost", None)
        if lost is not None:
            with contextlib.suppress(RuntimeError):  # the loop already closed: the app has ended
                self._loop.call_soon_threadsafe(lost)

    def write(self, data: str) -> None:
        # Nothing reads the writer thread's queue while suspended (Textual stopped it), and
        # nothing reaches a terminal that is gone: dropped, rather than queued until it fills.
        if not (self.gone or self.suspended):
            super().write(data)

    def stop_application_mode(self) -> None:
        if not self.check_terminal():
            super().stop_application_mode()

    # --- suspending --------------------------------------------------------------------------

    def _suspend(self) -> None:
        """SIGTSTP (Ctrl+Z, ``kill -TSTP``): give the terminal back as it was, then stop.  Inside
        ``App.suspend()`` the app has already given it back."""
        if self.check_terminal():
            return
        if self._auto_restart and not self.suspended:
            self.suspend_application_mode()
            self.suspended = True
            self._must_signal_resume = True  # start_application_mode tells the app it resumed
        os.kill(os.getpid(), signal.SIGSTOP)

    def _resume(self) -> None:
        """SIGCONT (``fg``): take the terminal back, if this driver gave it up and it is still
        there.  Any other SIGCONT (the one a hang-up brings, a stray ``kill -CONT``) is
        ignored."""
        if not self.suspended or self.check_terminal():
            return
        if not in_foreground(self.fileno):  # `bg`: the terminal is the shell's; wait for `fg`
            os.kill(os.getpid(), signal.SIGSTOP)
            return
        self.suspended = False
        self.resume_application_mode()
        writer = self._writer_thread
        if writer is None or not writer.is_alive():  # Textual could not take the terminal back
            self.suspended = True
