"""The saturation screen's side of the dashboard: the live run's reports as they come, and which
runs the screen shows when it opens.

F12 (or the palette) opens the dashboard's saturation screen with the run
on show (live, paused or finished) and, beside it, the pinned runs whose saturation the run
history recorded (a comparison's runs are pinned as they end, so the weight-init comparison's
large and normalized runs stand side by side).  While it is open, each
:class:`~nntui.tui.controllers.training.SaturationMeasured` of the run on show goes to it
(:meth:`SaturationView.follow`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from nntui.insight.saturation import SaturationReport, reports_from_dicts
from nntui.storage.history import HistoryError, RunHistory

if TYPE_CHECKING:
    from nntui.tui.controllers.training import SaturationMeasured

RunReports = tuple[str, list[SaturationReport]]
"""A run's label and its reports in order (epoch 0 first; the last may be during an epoch)."""


def recorded_runs(history: RunHistory | None, *, leave_out: int | None = None,
                  pinned: bool = True) -> list[RunReports]:
    """The pinned runs of the history that have saturation statistics (oldest first), each
    labelled by its name or preset, else its id; ``leave_out`` is the live run's id."""
    if history is None:
        return []
    runs = []
    try:
        summaries = [r for r in history.list_runs() if r.pinned or not pinned]
        for summary in sorted(summaries, key=lambda r: r.id):
            if summary.id == leave_out:
                continue
            reports = reports_from_dicts(history.saturation(summary.id))
            if reports:
                runs.append((summary.title or f"run {summary.id}", reports))
    except HistoryError:
        return []
    return runs


class SaturationView:
    """The live run's reports, and who follows them (the open screen's ``update_run``)."""

    def __init__(self) -> None:
        self.reports: list[SaturationReport] = []
        self.label = "this run"
        self.follower: Callable[[str, list[SaturationReport]], None] | None = None

    def measured(self, message: SaturationMeasured, label: str) -> None:
        """The live run, called ``label``, was measured: keep its reports, tell the screen."""
        self.reports, self.label = message.reports, label
        if self.follower is not None:
            self.follower(label, self.reports)

    def follow(self, follower: Callable[[str, list[SaturationReport]], None] | None) -> None:
        self.follower = follower

    def runs(self, history: RunHistory | None, live_id: int | None) -> list[RunReports]:
        """The live run (if measured) and the pinned runs with statistics."""
        runs: list[RunReports] = [(self.label, self.reports)] if self.reports else []
        return runs + recorded_runs(history, leave_out=live_id)


def live_label(title: str, history: RunHistory | None, run_id: int | None) -> str:
    """How the screen names the live run: its title ("run 2"), and the name the history holds
    for it when it has one, as a comparison's run has ("run 2 · init=normalized"), so it reads
    beside the pinned runs, which are named that way."""
    if history is None or run_id is None:
        return title
    try:
        name = history.get_summary(run_id).title
    except HistoryError:
        return title
    return f"{title} · {name}" if name else title
