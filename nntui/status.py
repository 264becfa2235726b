"""One vocabulary for how runs end and how nntui's commands exit.

:class:`RunStatus` is what a run is or became, with one meaning wherever it appears: the lifecycle
that ends a run, the run history that stores it, the app's status line and log, and every table of
the command line.  :class:`ExitStatus` is what every ``nntui`` command returns to the shell.

Both are plain ``str`` / ``int`` enumerations: a status is stored, printed and compared as the
words a person reads (``"early stop"``), an exit status as its number.
"""

from __future__ import annotations

import enum


class RunStatus(str, enum.Enum):
    """What a run is doing, or how it ended.

    ``running`` while it goes on; ``completed`` (every epoch ran), ``early stop`` and ``η schedule
    done`` (the trainer stopped itself, as its config asked), ``stopped`` (a person or a signal
    stopped it), ``diverged`` (the cost became NaN or infinite), ``failed`` (anything else went
    wrong), ``interrupted`` for a run whose process died unannounced, and ``not run`` for a run of
    a comparison or sweep that was stopped before it began.
    """

    RUNNING = "running"
    COMPLETED = "completed"
    STOPPED = "stopped"
    EARLY_STOP = "early stop"
    SCHEDULE_DONE = "η schedule done"
    DIVERGED = "diverged"
    FAILED = "failed"
    INTERRUPTED = "interrupted"
    NOT_RUN = "not run"

    # A status is its words: equal to them, hashed as them (so it finds its entry in a table
    # keyed by the words, and the words find it), printed as them.
    __hash__ = str.__hash__

    def __str__(self) -> str:
        return self.value

    def __format__(self, spec: str) -> str:
        return format(self.value, spec)

    @property
    def ended_well(self) -> bool:
        """The run ended as its config asked: every epoch, or the trainer's own stopping rule."""
        return self in ENDED_WELL

    @property
    def failed(self) -> bool:
        """The run could not go on (its weights may be worthless)."""
        return self in (RunStatus.DIVERGED, RunStatus.FAILED)


ENDED_WELL = frozenset({RunStatus.COMPLETED, RunStatus.EARLY_STOP, RunStatus.SCHEDULE_DONE})
"""Statuses of a run that ended as its config asked."""

RECORDED = tuple(s for s in RunStatus if s is not RunStatus.NOT_RUN)
"""Every status the run history may hold (a run that never began is not recorded)."""

FINAL = tuple(s for s in RECORDED if s is not RunStatus.RUNNING)
"""How a recorded run can end."""


class ExitStatus(enum.IntEnum):
    """What an ``nntui`` command returns to the shell.

    A signal that stopped a command gives 128 + its number, as shells report a program a signal
    ended: :meth:`for_signal`.
    """

    SUCCESS = 0
    ERROR = 1  # a run diverged or failed, or a file could not be written
    USAGE = 2  # a mistake on the command line or in an input file: nothing was done
    SIGHUP = 129  # the terminal closed
    SIGINT = 130  # Ctrl+C
    SIGTERM = 143

    @classmethod
    def for_signal(cls, signum: int) -> int:
        """128 + ``signum``: the member for SIGHUP, SIGINT and SIGTERM, the number otherwise."""
        code = 128 + int(signum)
        try:
            return cls(code)
        except ValueError:
            return code
