"""Styles both front ends give the same things: each run status its colour, wherever it is shown.
"""

from __future__ import annotations

from nntui.status import RunStatus

STATUS_STYLES: dict[str, str] = {
    RunStatus.RUNNING: "bold cyan",
    RunStatus.COMPLETED: "green",
    RunStatus.EARLY_STOP: "green",
    RunStatus.SCHEDULE_DONE: "green",
    RunStatus.STOPPED: "yellow",
    RunStatus.DIVERGED: "red",
    RunStatus.FAILED: "red",
    RunStatus.INTERRUPTED: "yellow",
    RunStatus.NOT_RUN: "dim",
    "queued": "dim",  # a sweep's run waiting for a worker
}
"""A status in a table or a list (``nntui runs``, the runs screen, a comparison's or sweep's
summary)."""

STATUS_LINE_STYLES: dict[str, str] = {
    "ready": "bold",
    "loading data": "bold yellow",
    "training": "bold green",
    "pausing": "bold yellow",
    "paused": "bold yellow",
    "stopping": "bold yellow",
    RunStatus.COMPLETED: "bold cyan",
    RunStatus.EARLY_STOP: "bold cyan",
    RunStatus.SCHEDULE_DONE: "bold cyan",
    RunStatus.STOPPED: "bold magenta",
    RunStatus.DIVERGED: "bold red",
    RunStatus.FAILED: "bold red",
}
"""A run's state in the app: in its status line (``● training``), and in the log's line on how a
run ended; a sweep's line on each of its runs takes the colour without the weight.  A state not
here (a sweep's ``sweeping``) is plain bold."""
