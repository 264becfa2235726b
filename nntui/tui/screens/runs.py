"""The runs screen: the run history inside the app.

:class:`RunsScreen` lists every recorded run (newest first, or best held-out accuracy first;
``g`` lists them group by group: a sweep's or a comparison's runs together), filters them as
you type (a group's name keeps its runs), and acts on the selected one: its detail (the three
plots and a summary, :class:`~nntui.tui.screens.run_detail.RunDetailScreen`), pin, rename,
delete, export (:func:`nntui.storage.exports.export_run`, as ``nntui runs export`` does), load
its config or saved network into the dashboard, or (``a``) plot its group's results against the
field the group varied (:class:`~nntui.tui.screens.against.AgainstScreen`).  The loading is the
app's: the screen checks what it can (the config is readable, the network file is there) and
dismisses with a :class:`RunsAction` saying what to load.

Every failure of the history is a notification with its one-line message; the screen stays
usable.  What the history holds is shown through :func:`~nntui.render.text.safe` (a shared history
must never reach the terminal as control characters), notifications without markup, and a new
name with such characters is refused in the dialog.  The table fits the terminal the way ``nntui
runs`` does (:data:`nntui.render.tables.RUN_COLUMNS`): on a narrow one the columns of least use
give way.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.events import Resize
from textual.timer import Timer
from textual.widgets import DataTable, Footer, Input, Static

from nntui.config import format_number
from nntui.render.runs import dataset_label, epochs_text, hyperparameters
from nntui.render.tables import (
    RUN_COLUMNS,
    RUN_COLUMNS_KEPT,
    Column,
    clip,
    fit_columns,
    run_cell_style,
    run_cells,
)
from nntui.render.text import refusal, safe
from nntui.storage.errors import RunFileError
from nntui.storage.exports import FORMATS, export_run
from nntui.storage.history import HistoryError, RunDetail, RunHistory, RunSummary, UnknownRunError
from nntui.storage.safe_write import check_writable
from nntui.studies.against import AgainstError, against, from_ids, group_ids
from nntui.tui.dialogs.confirm import ConfirmScreen
from nntui.tui.dialogs.prompt import PromptScreen
from nntui.tui.messages import FileSaved
from nntui.tui.screens.against import AgainstScreen
from nntui.tui.screens.page import PageScreen
from nntui.tui.screens.run_detail import RunDetailScreen

EMPTY = "No runs recorded yet: press F5 on the dashboard to train one."
SORTS = {"started": "newest first", "best": "best held-out accuracy first"}
SORT_COLUMN = {"started": "when", "best": "best"}
SORT_MARK = "▾"
MAX_ROWS = 500
"""The table lists at most this many runs (the newest, or the best); the filter searches all.
Textual measures every cell a table is given: 500 rows take about a tenth of a second."""
LONG_HISTORY = 300
"""With more runs than this, the filter waits for a pause in the typing before it redraws."""
FILTER_DELAY = 0.15
FOLLOW_INTERVAL = 2.0
"""Seconds between looks at the runs still being recorded (the dashboard may be training one
behind this screen): their rows follow their epochs, and the list is read again when one ends;
an open run's detail follows it as often."""


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

def sorted_headers(sort: str) -> dict[str, str]:
    """The header of the column the list is sorted by, marked."""
    key = SORT_COLUMN[sort]
    header = next(column.header for column in RUN_COLUMNS if column.key == key)
    return {key: header + SORT_MARK}


def table_layout(rows: Sequence[dict[str, str]], available: int, sort: str
                 ) -> list[tuple[Column, int]]:
    """The columns to show in ``available`` cells and their widths (each column takes one cell
    more than its width, the space before it)."""
    return fit_columns(RUN_COLUMNS, rows, available, keep=RUN_COLUMNS_KEPT,
                       headers=sorted_headers(sort))


def cell(text: str, width: int, right: bool, style: str = "") -> Text:
    """A cell: a space, then the text cut or padded to ``width`` (the style covers the padding
    too, which shows nothing: one Text is cheaper than three, and there may be thousands)."""
    text, size = clip(text, width)
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


# --- the list ------------------------------------------------------------------------------------

class RunsScreen(PageScreen[RunsAction | None]):
    """The run history over the dashboard.  Dismisses with a :class:`RunsAction` to load a run's
    config or network, with ``RunsAction("pins-changed", id)`` when pins changed and nothing is
    to be loaded, and with None otherwise."""

    DEFAULT_CSS = """
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
        Binding("a", "against", "Against",
                tooltip="The selected run's group (a sweep's or a comparison's runs): each "
                        "run's best held-out accuracy and final training cost against the "
                        "value the group varied"),
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
        self._headers: dict[str, str] = {}  # the marked header of the sorted column
        self._loaded = False
        self._unreadable = ""  # why the history could not be listed at all
        self._filter_timer: Timer | None = None

    def compose(self) -> ComposeResult:
        yield Static(id="runs-title", classes="page-title")
        yield Input(placeholder="/ filter: name, group, preset, data set, status, "
                                "hyperparameters",
                    id="runs-filter", compact=True)
        yield RunsTable(id="runs-table", cursor_type="row", zebra_stripes=True, cell_padding=0)
        yield Static(id="runs-empty", markup=False)
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
        rows = [run_cells(run, moment) for run in self.shown]
        table = self.table
        # The table's margins, and a cell for its scroll bar.
        available = max(20, self.app.size.width - 3)
        layout = table_layout(rows, available, self.sort)
        headers = sorted_headers(self.sort)
        with self.app.batch_update():
            if layout != self._layout or headers != self._headers:
                table.clear(columns=True)
                for column, width in layout:
                    header = headers.get(column.key, column.header)
                    table.add_column(cell(header, width, column.right, "bold"), width=width + 1,
                                     key=column.key)
                self._layout, self._headers = layout, headers
            else:
                table.clear()
            for run, row in zip(self.shown, rows, strict=True):
                table.add_row(*(cell(row[column.key], width, column.right,
                                     run_cell_style(column.key, run)) for column, width in layout),
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
            row = run_cells(summary, now())
            for column, width in self._layout:
                self.table.update_cell(str(run.id), column.key, cell(
                    row[column.key], width, column.right, run_cell_style(column.key, summary)))

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
        title.append(f" · {safe(self.history.path)}", style="dim")
        self.query_one("#runs-title", Static).update(title)
        empty = self.query_one("#runs-empty", Static)
        if not self.runs:
            message = self._unreadable or EMPTY
        elif not self.shown:
            message = (f"No run matches '{safe(self.query_text.strip())}'; change or clear the "
                       f"filter.")
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
            self.say("No run selected." if self.runs else EMPTY, severity="warning")
        return run

    def say(self, message: str, **options: Any) -> None:
        """A notification whose text may hold what the history holds (a name, a path): shown
        as it reads, never obeyed as markup or control characters."""
        self.notify(safe(message), markup=False, **options)

    def problem(self, error: Exception, title: str = "Run history") -> None:
        self.say(str(error), title=title, severity="error", timeout=10)
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
        self.say("Runs listed group by group" if self.grouped else "Runs in one list", timeout=2)

    def action_against(self) -> None:
        run = self.selected()
        if run is None:
            return
        if not run.group:
            self.say("This run is in no group: a sweep's or a comparison's runs are, and "
                     "those can be plotted against what they vary.",
                     title="Results against a hyperparameter", severity="warning")
            return
        try:
            figure = against(from_ids(self.history, group_ids(self.history, run.group)),
                             source=run.group)
        except HistoryError as error:
            self.problem(error)
            return
        except AgainstError as error:
            self.say(f"Nothing to plot for group {run.group}: {error}.",
                     title="Results against a hyperparameter", severity="warning", timeout=8)
            return
        self.app.push_screen(AgainstScreen(figure))

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

        self.app.push_screen(RunDetailScreen(detail, self.history, FOLLOW_INTERVAL), back)

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
            self.say(f"Run {run.id} has no saved network: Ctrl+S on the dashboard saves the "
                     "network of a run that has ended or is paused.",
                     title="No network", severity="warning", timeout=8)
        elif not Path(path).is_file():
            self.say(f"The network of run {run.id} was saved as {path}, which is no longer "
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
        self.say(f"Run {run.id} {'unpinned' if run.pinned else 'pinned'}.", timeout=3)
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
            self.say(f"Run {run.id} is now named '{name}'." if name
                     else f"Run {run.id} no longer has a name.", timeout=4)
            self.reload(run.id)

        # A name with control characters (from a shared history) is offered with them written
        # as escapes: seen, and harmless if kept.
        self.app.push_screen(PromptScreen(
            f"Name of run {run.id} (empty: none)", safe(run.name),
            check=lambda text: refusal(text.strip()),
            hint="Enter saves · Escape cancels"), renamed)

    def action_delete(self) -> None:
        run = self.selected()
        if run is None:
            return
        if run.status == "running":
            self.say(f"Run {run.id} is still being recorded; stop it before deleting it.",
                     title="Not deleted", severity="warning", timeout=8)
            return
        label = safe(run.title) or dataset_label(dict(run.config_data))

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
            self.say(f"Deleted run {run.id}.{kept}", timeout=6)
            index = self.shown.index(run) if run in self.shown else 0
            following = self.shown[index + 1] if index + 1 < len(self.shown) else (
                self.shown[index - 1] if index > 0 else None)
            self.reload(following.id if following is not None else None)

        self.app.push_screen(ConfirmScreen(
            f"Delete run {run.id} ({label}, {safe(run.status)}, {epochs_text(run)} epochs) from "
            "the history?", yes="Delete", no="Keep"), answered)

    def action_export(self) -> None:
        run = self.selected()
        if run is None:
            return

        def check(text: str) -> str | None:
            path = export_path(text)
            if path is None:
                return "Give a file name."
            if path.suffix.lower().lstrip(".") not in FORMATS:
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
            self.say(f"Run {run.id}, {rows} epoch{'s' if rows != 1 else ''}, written to {path}",
                     title="Exported", timeout=8)
            self.post_message(FileSaved(path))  # served to a browser: offered there too

        default = self.runs_dir / f"run-{run.id}.json"
        self.app.push_screen(PromptScreen(
            f"Export run {run.id} to", str(default), check=check,
            hint="A .json file is the run record; a .csv file has one row per epoch. "
                 "Enter writes · Escape cancels"), chosen)


def export_path(text: str) -> Path | None:
    text = text.strip()
    return Path(text).expanduser().absolute() if text else None
