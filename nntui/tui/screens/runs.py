"""The runs screen: the run history inside the app.

:class:`RunsScreen` lists every recorded run (newest first, or best held-out accuracy first;
``g`` lists them group by group: a sweep's or a comparison's runs together), filters them as
you type (a group's name keeps its runs), and acts on the selected one: its detail (the three
plots and a summary, :class:`RunDetailScreen`), pin, rename, delete, export, or load its config
or saved network into the dashboard.  The loading is the app's: the screen checks what it can (the
config is readable, the network file is there) and dismisses with a :class:`RunsAction` saying
what to load.

Every failure of the history is a notification with its one-line message; the screen stays
usable.  The table fits the terminal: on a narrow one the columns of least use give way, as in
``nntui runs``.
"""

from __future__ import annotations

import csv
import io
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, ClassVar

from rich.cells import cell_len, set_cell_size
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, Vertical, VerticalScroll
from textual.events import Resize
from textual.screen import ModalScreen
from textual.timer import Timer
from textual.widgets import DataTable, Footer, Input, Label, Static

from nntui.config import describe, format_number
from nntui.render.runs import (
    best_text,
    dataset_label,
    duration,
    epochs_text,
    hyperparameters,
    percent,
    when,
)
from nntui.render.styles import STATUS_STYLES
from nntui.storage.files import RunFileError, check_writable, write_atomic, write_json_atomic
from nntui.storage.history import HistoryError, RunDetail, RunHistory, RunSummary, UnknownRunError
from nntui.tui.controllers.training import plot_data
from nntui.tui.dialogs.confirm import ConfirmScreen
from nntui.tui.widgets.plots import AccuracyPlot, CostPlot, SpeedPlot, show_all

EMPTY = "No runs recorded yet: press F5 on the dashboard to train one."
PIN_MARK = "★"
SORTS = {"started": "newest first", "best": "best held-out accuracy first"}
MAX_ROWS = 500
"""The table lists at most this many runs (the newest, or the best); the filter searches all.
Textual measures every cell a table is given: 500 rows take about a tenth of a second."""
LONG_HISTORY = 300
"""With more runs than this, the filter waits for a pause in the typing before it redraws."""
FILTER_DELAY = 0.15
FOLLOW_INTERVAL = 2.0
"""Seconds between looks at the runs still being recorded (the dashboard may be training one
behind this screen): their rows follow their epochs, and the list is read again when one ends."""


def now() -> float:
    """The time the "when" column is measured against (this year's runs show the day and time,
    older ones the date); the tests fix it."""
    return time.time()


@dataclass(frozen=True)
class RunsAction:
    """What the app does when the runs screen closes.

    ``kind`` is "load-config" (put the run's config into the form), "load-network" (load the
    network saved from the run, at ``RunHistory.get_run(run_id).network_path``) or "pins-changed"
    (a run was pinned, unpinned or a pinned run deleted: redraw whatever shows pinned runs).
    ``pins_changed`` says the last also happened before a run was loaded."""

    kind: str
    run_id: int
    pins_changed: bool = False


# --- the table -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Column:
    key: str
    header: str
    right: bool = False
    priority: int = 50  # on a narrow terminal the columns of lowest priority give way
    widest: int = 0  # cells at most (longer values end in …); 0: no limit
    narrowest: int = 0  # before any column gives way, this one shrinks down to here


COLUMNS = (
    Column("pin", "", priority=95),
    Column("id", "id", right=True, priority=100),
    Column("when", "when", priority=58),
    Column("group", "group", priority=78, widest=22, narrowest=8),
    Column("name", "name", priority=80, widest=24, narrowest=12),
    Column("data", "data", priority=75, widest=16, narrowest=9),
    Column("hidden", "hidden", priority=62, widest=12),
    Column("eta", "η", right=True, priority=60),
    Column("batch", "batch", right=True, priority=40),
    Column("reg", "reg.", priority=30, widest=12),
    Column("status", "status", priority=85),
    Column("epochs", "epochs", right=True, priority=70),
    Column("best", "best", right=True, priority=88),
    Column("time", "time", right=True, priority=50),
)
SORT_COLUMN = {"started": "when", "best": "best"}
OPTIONAL = {"group"}
"""Columns shown only when a listed run has something in them (most runs have no group)."""
ALWAYS = 5  # columns that stay however narrow the terminal (the table scrolls sideways then)


def row_cells(run: RunSummary, moment: float) -> dict[str, str]:
    """The run's cells as plain text, by column key."""
    config = dict(run.config_data)
    hidden, eta, batch, reg = hyperparameters(config)
    return {"pin": PIN_MARK if run.pinned else "", "id": str(run.id),
            "when": when(run.started, moment), "group": run.group, "name": run.title or "-",
            "data": dataset_label(config), "hidden": hidden, "eta": eta, "batch": batch,
            "reg": reg, "status": run.status, "epochs": epochs_text(run), "best": best_text(run),
            "time": duration(run.duration)}


def fit_columns(rows: Sequence[dict[str, str]], available: int, sort: str
                ) -> list[tuple[Column, int]]:
    """The columns to show in ``available`` cells and their widths.  Each column takes one cell
    more than its width, the space before it.  The columns of lowest priority give way until the
    rest fit with the long texts shortened; then those get back what room there is."""
    widths = {}
    columns = [column for column in COLUMNS if column.key not in OPTIONAL
               or any(row.get(column.key) for row in rows)]
    for column in columns:
        header = column.header + ("▾" if SORT_COLUMN[sort] == column.key else "")
        width = max([cell_len(header), *(cell_len(row.get(column.key, "")) for row in rows)])
        widths[column.key] = min(width, column.widest) if column.widest else width
    least = {key: min(width, next(c.narrowest or width for c in COLUMNS if c.key == key))
             for key, width in widths.items()}
    shown = list(columns)
    by_priority = sorted(shown, key=lambda c: c.priority)
    while len(shown) > ALWAYS and sum(least[c.key] + 1 for c in shown) > available:
        shown.remove(by_priority.pop(0))
    excess = sum(widths[c.key] + 1 for c in shown) - available
    for column in shown:
        if excess > 0 and column.narrowest:
            cut = min(excess, widths[column.key] - least[column.key])
            widths[column.key] -= cut
            excess -= cut
    return [(column, widths[column.key]) for column in shown]


def cell(text: str, width: int, right: bool, style: str = "") -> Text:
    """A cell: a space, then the text cut or padded to ``width`` (the style covers the padding
    too, which shows nothing: one Text is cheaper than three, and there may be thousands)."""
    size = cell_len(text)
    if size > width:
        text, size = set_cell_size(text, width - 1) + "…", width
    pad = " " * (width - size)
    return Text(f" {pad}{text}" if right else f" {text}{pad}", style=style, end="")


def by_group(runs: Sequence[RunSummary]) -> list[RunSummary]:
    """``runs`` (in their sorted order) group by group: the groups in the order their first run
    comes, each run of a group in its sorted place within it; runs without a group last."""
    first: dict[str, int] = {}
    for place, run in enumerate(runs):
        first.setdefault(run.group, place)
    return sorted(runs, key=lambda run: (not run.group, first[run.group]))


def search_text(run: RunSummary) -> str:
    """Everything a filter word may match: name, group, preset, status, data set and every
    hyperparameter (as ``name=value`` and as the value alone), in lower case."""
    config = dict(run.config_data)
    parts = [run.name, run.group, run.preset, run.status, run.dataset, dataset_label(config),
             *hyperparameters(config)]
    for key, value in config.items():
        shown = shown_value(value)
        parts += [shown, f"{key}={shown}"]
        if key == "eta":
            parts.append(f"η={shown}")
        elif key == "lmbda":
            parts.append(f"λ={shown}")
    return "\n".join(parts).lower()


def shown_value(value: Any) -> str:
    if isinstance(value, list | tuple):
        return ",".join(shown_value(v) for v in value)
    if isinstance(value, float) and math.isfinite(value):
        return format_number(value)
    return str(value)


def matches(haystack: str, query: str) -> bool:
    return all(word in haystack for word in query.lower().split())


class RunsTable(DataTable):
    """The list of runs; Enter opens the selected run (shown in the footer)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select_cursor", "Open",
                tooltip="The selected run's plots and summary"),
    ]


# --- small dialogs -------------------------------------------------------------------------------

class PromptScreen(ModalScreen[str | None]):
    """One line of text in a small dialog: Enter answers (once ``check`` finds nothing wrong
    with it: it returns the problem, or None), Escape cancels (None)."""

    DEFAULT_CSS = """
    PromptScreen {
        align: center middle;
    }
    #prompt-dialog {
        width: 90%;
        max-width: 76;
        height: auto;
        border: thick $primary;
        background: $surface;
        padding: 1 2;
    }
    #prompt-question {
        width: 1fr;
        margin-bottom: 1;
    }
    #prompt-input {
        width: 1fr;
    }
    #prompt-error {
        width: 1fr;
        color: $error;
        display: none;
    }
    #prompt-error.-shown {
        display: block;
    }
    #prompt-hint {
        width: 1fr;
        color: $text-muted;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", tooltip="Close without changing anything"),
    ]

    def __init__(self, question: str, value: str, *,
                 check: Callable[[str], str | None] | None = None,
                 hint: str = "Enter saves · Escape cancels") -> None:
        super().__init__()
        self.question, self.value, self.check, self.hint = question, value, check, hint

    def compose(self) -> ComposeResult:
        with Vertical(id="prompt-dialog"):
            yield Label(self.question, id="prompt-question")
            yield Input(self.value, id="prompt-input", select_on_focus=False)
            yield Static(id="prompt-error")
            yield Static(self.hint, id="prompt-hint")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        problem = self.check(event.value) if self.check is not None else None
        if problem:
            error = self.query_one("#prompt-error", Static)
            error.update(Text(problem))
            error.add_class("-shown")
            return
        self.dismiss(event.value)

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        event.stop()
        self.query_one("#prompt-error").remove_class("-shown")

    def action_cancel(self) -> None:
        self.dismiss(None)


# --- one run ------------------------------------------------------------------------------------

def summary_text(run: RunDetail) -> Text:
    """What the detail screen says about a run beside its plots."""
    lines = [Text(describe(run.config))]

    def line(label: str, value: str | Text) -> None:
        lines.append(Text.assemble((f"{label}: ", "bold"), value))

    style = STATUS_STYLES.get(run.status, "")
    # The best and test accuracy the message ends with have lines of their own below.
    message = "; ".join(part for part in run.message.split("; ")
                        if not part.startswith(("best ", "test accuracy "))) or run.status
    if message.startswith(run.status):  # "completed; best validation accuracy …"
        said = Text.assemble((run.status, style), message[len(run.status):])
    else:
        said = Text.assemble((run.status, style), f" - {message}")
    lines.append(said)
    line("epochs", f"{epochs_text(run)} in {duration(run.duration)}")
    line("started", time.strftime("%Y-%m-%d %H:%M", time.localtime(run.started)))
    if run.best_val_accuracy is not None:
        line(f"best {run.held_out}", f"{percent(run.best_val_accuracy)} at epoch {run.best_epoch}")
        line(f"final {run.held_out}", percent(run.final_val_accuracy))
    line("test accuracy", percent(run.test_accuracy) if run.test_accuracy is not None
         else "not measured")
    if run.preset:
        line("preset", run.preset)
    if run.group:
        line("group", run.group)
    line("network", run.network_path or "not saved (Ctrl+S on the dashboard saves one)")
    if run.pinned:
        line("pinned", "yes")
    return Text("\n").join(lines)


class RunDetailScreen(ModalScreen[str | None]):
    """One run: its cost, accuracy and learning-speed plots and a summary (given the history, a
    run still being recorded follows its epochs).  Escape goes back (None); l and n dismiss with
    "load-config" or "load-network" for the runs screen to do."""

    DEFAULT_CSS = """
    RunDetailScreen {
        background: $background;
    }
    #detail-title {
        height: 1;
        padding: 0 1;
        background: $primary 30%;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
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

    def __init__(self, run: RunDetail, history: RunHistory | None = None) -> None:
        super().__init__()
        self.run, self.history = run, history
        self._follow: Timer | None = None

    def compose(self) -> ComposeResult:
        yield Static(id="detail-title")
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
        if self.history is not None and self.run.status == "running":
            self._follow = self.set_interval(FOLLOW_INTERVAL, self.follow)

    def show(self) -> None:
        run = self.run
        title = Text(f"Run {run.id}" + (f": {run.title}" if run.title else ""), style="bold")
        title.append(f" · {dataset_label(dict(run.config_data))} · ", style="not bold")
        title.append(run.status, style=STATUS_STYLES.get(run.status, ""))
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


# --- the list ------------------------------------------------------------------------------------

class RunsScreen(ModalScreen[RunsAction | None]):
    """The run history over the dashboard.  Dismisses with a :class:`RunsAction` to load a run's
    config or network, with ``RunsAction("pins-changed", id)`` when pins changed and nothing is
    to be loaded, and with None otherwise."""

    DEFAULT_CSS = """
    RunsScreen {
        background: $background;
    }
    #runs-title {
        height: 1;
        padding: 0 1;
        background: $primary 30%;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    #runs-filter {
        width: 1fr;
        margin: 0 1;
    }
    #runs-table {
        height: 1fr;
        margin: 0 1;
        scrollbar-size-vertical: 1;
        scrollbar-size-horizontal: 1;
    }
    #runs-table.-empty {
        height: auto;
        max-height: 2;
    }
    #runs-empty {
        width: 1fr;
        margin: 1 2;
        display: none;
    }
    #runs-empty.-shown {
        display: block;
    }
    """

    # The footer shows these in order as far as the width allows (Enter, Open, comes from
    # the table itself and is first); at 80 columns it ends with Close.
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("l", "load_config", "Load config",
                tooltip="Put the selected run's hyperparameters into the form and close"),
        Binding("n", "load_network", "Load network",
                tooltip="Load the network saved from the selected run and close"),
        Binding("p", "pin", "Pin", tooltip="Pin or unpin the selected run"),
        Binding("r", "rename", "Rename", tooltip="Name the selected run"),
        Binding("d,delete", "delete", "Delete",
                tooltip="Delete the selected run from the history (asks first)"),
        Binding("e", "export", "Export",
                tooltip="Write the selected run to a file: JSON, or CSV (one row per epoch)"),
        Binding("escape", "close", "Close",
                tooltip="Close the list (in the filter: back to the list)"),
        Binding("s", "sort", "Sort", tooltip="Sort newest first or best held-out accuracy "
                                             "first"),
        Binding("slash", "filter", "Filter",
                tooltip="Type words to keep the runs whose name, group, preset, data set, "
                        "status or hyperparameters contain them all"),
        Binding("g", "group", "Group",
                tooltip="List the runs group by group (a sweep's or a comparison's runs "
                        "together, in the order sorted), or all in one list"),
    ]

    def __init__(self, history: RunHistory, runs_dir: Path) -> None:
        super().__init__()
        self.history, self.runs_dir = history, Path(runs_dir)
        self.sort = "started"
        self.grouped = False  # group by group: each group's runs together, in sorted order
        self.runs: list[RunSummary] = []  # as the history lists them, before the filter
        self.shown: list[RunSummary] = []
        self.pins_changed: int | None = None  # the last run whose pin changed
        self._search: dict[int, tuple[tuple[str, str, str], str]] = {}
        self.matched = 0  # runs the filter lets through (the table shows MAX_ROWS at most)
        self._layout: list[tuple[Column, int]] = []
        self._loaded = False
        self._unreadable = ""  # why the history could not be listed at all
        self._filter_timer: Timer | None = None

    def compose(self) -> ComposeResult:
        yield Static(id="runs-title")
        yield Input(placeholder="/ filter: name, group, preset, data set, status, "
                                "hyperparameters",
                    id="runs-filter", compact=True)
        yield RunsTable(id="runs-table", cursor_type="row", zebra_stripes=True, cell_padding=0)
        yield Static(id="runs-empty")
        yield Footer(compact=True, show_command_palette=False)

    @property
    def table(self) -> RunsTable:
        return self.query_one(RunsTable)

    @property
    def query_text(self) -> str:
        return self.query_one("#runs-filter", Input).value

    def on_mount(self) -> None:
        self.table.focus()
        self.reload()
        self.set_interval(FOLLOW_INTERVAL, self.follow_running)

    def on_resize(self, event: Resize) -> None:
        if self._loaded:
            self.show_rows()

    # --- reading the history ----------------------------------------------------------------

    def reload(self, keep: int | None = None) -> None:
        """Read the runs again and show them, the cursor on run ``keep`` (default: the selected
        run) if it is still listed."""
        if keep is None:
            keep = self.selected_id()
        try:
            self.runs = self.history.list_runs(order=self.sort)
            if self.grouped:
                self.runs = by_group(self.runs)
            self._unreadable = ""
        except HistoryError as error:  # what was listed stays
            self.problem(error)
            if not self._loaded:
                self._unreadable = f"The run history could not be read: {error}"
        search = {}
        for run in self.runs:
            # A run's config never changes: its search text changes only with these.
            key = (run.name, run.group, run.status)
            known = self._search.get(run.id)
            search[run.id] = known if known is not None and known[0] == key else (
                key, search_text(run))
        self._search = search
        self._loaded = True
        self.show_rows(keep)

    def show_rows(self, keep: int | None = None) -> None:
        """Lay the filtered runs out for the present width."""
        if keep is None:
            keep = self.selected_id()
        query = self.query_text
        matched = [run for run in self.runs if matches(self._search[run.id][1], query)]
        self.matched, self.shown = len(matched), matched[:MAX_ROWS]
        moment = now()
        rows = [row_cells(run, moment) for run in self.shown]
        table = self.table
        # The table's margins, and a cell for its scroll bar.
        available = max(20, self.app.size.width - 3)
        layout = fit_columns(rows, available, self.sort)
        with self.app.batch_update():
            if layout != self._layout:
                table.clear(columns=True)
                for column, width in layout:
                    header = column.header + ("▾" if SORT_COLUMN[self.sort] == column.key
                                              else "")
                    table.add_column(cell(header, width, column.right, "bold"), width=width + 1,
                                     key=column.key)
                self._layout = layout
            else:
                table.clear()
            for run, row in zip(self.shown, rows, strict=True):
                table.add_row(*(cell(row[column.key], width, column.right,
                                     self._style(column.key, run)) for column, width in layout),
                              key=str(run.id))
            if keep is not None and any(run.id == keep for run in self.shown):
                table.move_cursor(row=table.get_row_index(str(keep)), animate=False)
            self._show_state()

    def follow_running(self) -> None:
        """Bring the rows of running runs up to date; read the list again once one has ended
        (or, sorted by accuracy, once its best accuracy changed: it may move)."""
        for run in [run for run in self.shown if run.status == "running"]:
            try:
                fresh = self.history.get_run(run.id)
            except HistoryError:  # deleted, or the history fails: said when the user acts
                return
            if fresh.status != "running" or (self.sort == "best" and fresh.best_val_accuracy
                                              != run.best_val_accuracy):
                self.reload()
                return
            summary = RunSummary(**{name: getattr(fresh, name)
                                    for name in RunSummary.__dataclass_fields__})
            self.runs[self.runs.index(run)] = summary
            self.shown[self.shown.index(run)] = summary
            row = row_cells(summary, now())
            for column, width in self._layout:
                self.table.update_cell(str(run.id), column.key, cell(
                    row[column.key], width, column.right, self._style(column.key, summary)))

    @staticmethod
    def _style(key: str, run: RunSummary) -> str:
        if key == "status":
            return STATUS_STYLES.get(run.status, "")
        if key == "pin":
            return "bold yellow"
        if key == "id":
            return "bold"
        return ""

    def _show_state(self) -> None:
        title = Text.assemble(("Runs", "bold"), f" · {SORTS[self.sort]}"
                              + (", group by group" if self.grouped else "") + " · ")
        total = len(self.runs)
        if self.query_text.strip():
            title.append(f"{self.matched:,} of {total:,} runs match")
        else:
            title.append(f"{total:,} run{'s' if total != 1 else ''}")
        if len(self.shown) < self.matched:
            title.append(f", the first {len(self.shown):,} listed (filter to find others)")
        title.append(f" · {self.history.path}", style="dim")
        self.query_one("#runs-title", Static).update(title)
        empty = self.query_one("#runs-empty", Static)
        if not self.runs:
            message = self._unreadable or EMPTY
        elif not self.shown:
            message = f"No run matches '{self.query_text.strip()}'; change or clear the filter."
        else:
            message = ""
        empty.update(message)
        empty.set_class(bool(message), "-shown")
        self.table.set_class(not self.shown, "-empty")
        self.table.display = bool(self.runs)

    def selected_id(self) -> int | None:
        table = self.table
        if not self.shown or table.row_count == 0:
            return None
        row = min(max(table.cursor_row, 0), len(self.shown) - 1)
        return self.shown[row].id

    def selected(self) -> RunSummary | None:
        """The run under the cursor, or None after saying there is none."""
        run_id = self.selected_id()
        run = next((run for run in self.shown if run.id == run_id), None)
        if run is None:
            self.notify("No run selected." if self.runs else EMPTY, severity="warning")
        return run

    def problem(self, error: Exception, title: str = "Run history") -> None:
        self.notify(str(error), title=title, severity="error", timeout=10)
        if isinstance(error, UnknownRunError):  # deleted meanwhile, by another process
            self.call_later(self.reload)

    def detail(self, run_id: int) -> RunDetail | None:
        try:
            return self.history.get_run(run_id)
        except HistoryError as error:
            self.problem(error)
            return None

    # --- the filter and the sort --------------------------------------------------------------

    @on(Input.Changed, "#runs-filter")
    def _filter_changed(self) -> None:
        if self._filter_timer is not None:
            self._filter_timer.stop()
            self._filter_timer = None
        if len(self.runs) <= LONG_HISTORY:
            self.show_rows()
        else:
            self._filter_timer = self.set_timer(FILTER_DELAY, self.show_rows)

    @on(Input.Submitted, "#runs-filter")
    def _filter_done(self) -> None:
        if self._filter_timer is not None:  # the rows the filter asks for, now
            self._filter_timer.stop()
            self._filter_timer = None
            self.show_rows()
        self.table.focus()

    @on(DataTable.HeaderSelected, "#runs-table")
    def _header_clicked(self, event: DataTable.HeaderSelected) -> None:
        event.stop()
        if event.column_key.value == "group":
            self.action_group()
            return
        sort = {key: sort for sort, key in SORT_COLUMN.items()}.get(event.column_key.value)
        if sort is not None and sort != self.sort:
            self.action_sort()

    def action_filter(self) -> None:
        self.query_one("#runs-filter", Input).focus()

    def action_sort(self) -> None:
        self.sort = "best" if self.sort == "started" else "started"
        self.reload()
        self.table.move_cursor(row=0, animate=False)

    def action_group(self) -> None:
        self.grouped = not self.grouped
        self.reload()
        self.table.move_cursor(row=0, animate=False)
        self.notify("Runs listed group by group" if self.grouped else "Runs in one list",
                    timeout=2)

    def action_close(self) -> None:
        if self.query_one("#runs-filter", Input).has_focus:
            self.table.focus()
            return
        self.dismiss(None if self.pins_changed is None
                     else RunsAction("pins-changed", self.pins_changed))

    # --- acting on a run ------------------------------------------------------------------------

    @on(DataTable.RowSelected, "#runs-table")
    def _open(self, event: DataTable.RowSelected) -> None:
        event.stop()
        run = self.selected()
        if run is None:
            return
        detail = self.detail(run.id)
        if detail is None:
            return

        def back(kind: str | None) -> None:
            if kind == "load-config":
                self.action_load_config()
            elif kind == "load-network":
                self.action_load_network()

        self.app.push_screen(RunDetailScreen(detail, self.history), back)

    def _finish(self, kind: str, run_id: int) -> None:
        self.dismiss(RunsAction(kind, run_id, pins_changed=self.pins_changed is not None))

    def action_load_config(self) -> None:
        run = self.selected()
        if run is None:
            return
        if self.detail(run.id) is not None:  # its config can be read
            self._finish("load-config", run.id)

    def action_load_network(self) -> None:
        run = self.selected()
        if run is None:
            return
        detail = self.detail(run.id)  # the path as it is now, not as listed
        if detail is None:
            return
        path = detail.network_path
        if not path:
            self.notify(f"Run {run.id} has no saved network: Ctrl+S on the dashboard saves the "
                        "network of a run that has ended or is paused.",
                        title="No network", severity="warning", timeout=8)
        elif not Path(path).is_file():
            self.notify(f"The network of run {run.id} was saved as {path}, which is no longer "
                        "there.", title="No network", severity="warning", timeout=8)
        else:
            self._finish("load-network", run.id)

    def action_pin(self) -> None:
        run = self.selected()
        if run is None:
            return
        try:
            self.history.set_pinned(run.id, not run.pinned)
        except HistoryError as error:
            self.problem(error)
            return
        self.pins_changed = run.id
        self.notify(f"Run {run.id} {'unpinned' if run.pinned else 'pinned'}.", timeout=3)
        self.reload(run.id)

    def action_rename(self) -> None:
        run = self.selected()
        if run is None:
            return

        def renamed(name: str | None) -> None:
            if name is None:
                return
            name = name.strip()
            try:
                self.history.rename(run.id, name)
            except HistoryError as error:
                self.problem(error)
                return
            self.notify(f"Run {run.id} is now named '{name}'." if name
                        else f"Run {run.id} no longer has a name.", timeout=4)
            self.reload(run.id)

        self.app.push_screen(PromptScreen(
            f"Name of run {run.id} (empty: none)", run.name,
            hint="Enter saves · Escape cancels"), renamed)

    def action_delete(self) -> None:
        run = self.selected()
        if run is None:
            return
        if run.status == "running":
            self.notify(f"Run {run.id} is still being recorded; stop it before deleting it.",
                        title="Not deleted", severity="warning", timeout=8)
            return
        label = run.title or dataset_label(dict(run.config_data))

        def answered(yes: bool | None) -> None:
            if not yes:
                return
            try:
                self.history.delete([run.id])
            except HistoryError as error:
                self.problem(error)
                return
            if run.pinned:
                self.pins_changed = run.id
            kept = (f" The saved network {run.network_path} was left in place."
                    if run.network_path else "")
            self.notify(f"Deleted run {run.id}.{kept}", timeout=6)
            index = self.shown.index(run) if run in self.shown else 0
            following = self.shown[index + 1] if index + 1 < len(self.shown) else (
                self.shown[index - 1] if index > 0 else None)
            self.reload(following.id if following is not None else None)

        self.app.push_screen(ConfirmScreen(
            f"Delete run {run.id} ({label}, {run.status}, {epochs_text(run)} epochs) from the "
            "history?", yes="Delete", no="Keep"), answered)

    def action_export(self) -> None:
        run = self.selected()
        if run is None:
            return

        def check(text: str) -> str | None:
            path = export_path(text)
            if path is None:
                return "Give a file name."
            if path.suffix.lower() not in (".json", ".csv"):
                return "Name the file .json (the run record) or .csv (one row per epoch)."
            try:
                check_writable(path, "run record")
            except RunFileError as error:
                return str(error)
            return None

        def chosen(text: str | None) -> None:
            path = export_path(text or "")
            if path is None:
                return
            try:
                rows = export_run(self.history, run.id, path)
            except (HistoryError, RunFileError) as error:
                self.problem(error, title="Not exported")
                return
            self.notify(f"Run {run.id}, {rows} epoch{'s' if rows != 1 else ''}, written to "
                        f"{path}", title="Exported", timeout=8)

        default = self.runs_dir / f"run-{run.id}.json"
        self.app.push_screen(PromptScreen(
            f"Export run {run.id} to", str(default), check=check,
            hint="A .json file is the run record; a .csv file has one row per epoch. "
                 "Enter writes · Escape cancels"), chosen)


def export_path(text: str) -> Path | None:
    text = text.strip()
    return Path(text).expanduser().absolute() if text else None


def export_run(history: RunHistory, run_id: int, path: Path) -> int:
    """Write run ``run_id`` to ``path`` atomically: CSV for a ``.csv`` name, else the JSON run
    record (what ``nntui train --json`` writes).  Returns the number of epochs written."""
    if path.suffix.lower() == ".csv":
        text = history.export_csv(run_id)

        def write(handle: IO[bytes]) -> None:
            handle.write(text.encode("utf-8"))

        write_atomic(path, "run record", write)
        return sum(1 for _ in csv.reader(io.StringIO(text))) - 1
    data = history.export_json(run_id)
    write_json_atomic(path, data)
    return len(data["history"])
