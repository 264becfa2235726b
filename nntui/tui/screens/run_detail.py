"""One recorded run in the app: its cost, accuracy and learning-speed plots beside a summary of how
it went, opened from the runs screen (:mod:`nntui.tui.screens.runs`).

Everything the history holds as text (the name, the message, the data set, paths) is shown through
:func:`~nntui.render.text.safe`: a shared history must never reach the terminal as control
characters.
"""

from __future__ import annotations

import time
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, VerticalScroll
from textual.timer import Timer
from textual.widgets import Footer, Static

from nntui.config import describe
from nntui.render.runs import accuracy_lines, dataset_label, duration, epochs_text, outcome_text
from nntui.render.styles import STATUS_STYLES
from nntui.render.text import safe
from nntui.storage.history import HistoryError, RunDetail, RunHistory
from nntui.tui.controllers.training import plot_data
from nntui.tui.screens.page import PageScreen
from nntui.tui.widgets.plots import AccuracyPlot, CostPlot, SpeedPlot, show_all


def summary_text(run: RunDetail) -> Text:
    """What the detail screen says about a run beside its plots."""
    lines = [Text(safe(describe(run.config)))]

    def line(label: str, value: str | Text) -> None:
        lines.append(Text.assemble((f"{label}: ", "bold"), value))

    lines.append(outcome_text(run))
    line("epochs", f"{epochs_text(run)} in {duration(run.duration)}")
    line("started", time.strftime("%Y-%m-%d %H:%M", time.localtime(run.started)))
    for label, value in accuracy_lines(run, short=True):
        line(label, value)
    if run.preset:
        line("preset", safe(run.preset))
    if run.group:
        line("group", safe(run.group))
    line("network", safe(run.network_path) if run.network_path
         else "not saved (Ctrl+S on the dashboard saves one)")
    if run.pinned:
        line("pinned", "yes")
    return Text("\n").join(lines)


class RunDetailScreen(PageScreen[str | None]):
    """One run: its cost, accuracy and learning-speed plots and a summary (given the history and
    ``follow``, seconds between looks, a run still being recorded follows its epochs).  Escape
    goes back (None); l and n dismiss with "load-config" or "load-network" for the runs screen to
    do."""

    DEFAULT_CSS = """
    #detail-panels {
        grid-size: 2 2;
        grid-gutter: 0 1;
        height: 1fr;
    }
    #detail-summary {
        border: round $primary 60%;
        border-title-color: $text;
        padding: 0 1;
        height: 1fr;
        scrollbar-size-vertical: 1;
    }
    #detail-summary:focus {
        border: round $primary;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", tooltip="Back to the list of runs"),
        Binding("l", "load('load-config')", "Load config",
                tooltip="Put this run's hyperparameters into the form"),
        Binding("n", "load('load-network')", "Load network",
                tooltip="Load the network saved from this run"),
    ]

    def __init__(self, run: RunDetail, history: RunHistory | None = None,
                 follow: float | None = None) -> None:
        super().__init__()
        self.run, self.history, self.follow_interval = run, history, follow
        self._follow: Timer | None = None

    def compose(self) -> ComposeResult:
        yield Static(id="detail-title", classes="page-title")
        with Grid(id="detail-panels"):
            yield CostPlot()
            yield AccuracyPlot()
            yield SpeedPlot()
            with VerticalScroll(id="detail-summary"):
                yield Static(id="detail-text")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        summary = self.query_one("#detail-summary")
        summary.border_title = "Summary"
        summary.focus()
        self.show()
        if (self.history is not None and self.follow_interval
                and self.run.status == "running"):
            self._follow = self.set_interval(self.follow_interval, self.follow)

    def show(self) -> None:
        run = self.run
        title = Text(f"Run {run.id}" + (f": {safe(run.title)}" if run.title else ""),
                     style="bold")
        title.append(f" · {dataset_label(dict(run.config_data))} · ", style="not bold")
        title.append(safe(run.status), style=STATUS_STYLES.get(run.status, ""))
        self.query_one("#detail-title", Static).update(title)
        self.query_one("#detail-text", Static).update(summary_text(run))
        with self.app.batch_update():
            show_all(self.query_one(CostPlot), self.query_one(AccuracyPlot),
                     self.query_one(SpeedPlot), plot_data(run.history, run.held_out,
                                                                  run.config))

    def follow(self) -> None:
        """A run still being recorded: show its new epochs, until it ends."""
        assert self.history is not None and self._follow is not None
        try:
            run = self.history.get_run(self.run.id)
        except HistoryError:  # deleted meanwhile, or the history fails: keep what is shown
            self._follow.stop()
            return
        if run.status != "running":
            self._follow.stop()
        if (run.epochs_done, run.status) != (self.run.epochs_done, self.run.status):
            self.run = run
            self.show()

    def action_back(self) -> None:
        self.dismiss(None)

    def action_load(self, kind: str) -> None:
        self.dismiss(kind)
