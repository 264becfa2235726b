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
