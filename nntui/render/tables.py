"""Tables that fit the terminal, and the one layout of the list of runs.

A :class:`Column` has a priority: on a terminal too narrow for every column, the columns of lowest
priority give way (:func:`fit_columns`), after the long texts that may shrink have shrunk, and a
text too long for its column ends in "…" (:func:`clip`).  :data:`RUN_COLUMNS` are the columns of
the list of runs, the same in ``nntui runs`` and on the app's runs screen, and :func:`run_cells`
and :func:`run_cell_style` what a run shows in them.  :func:`fitted_table` lays a table out as one
styled text for the command line; the runs screen puts the same layout into a ``DataTable``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from rich.cells import cell_len, set_cell_size
from rich.console import Console
from rich.text import Span, Text

from nntui.render.runs import best_text, dataset_label, duration, epochs_text, hyperparameters, when
from nntui.render.styles import STATUS_STYLES
from nntui.render.text import safe
from nntui.storage.history import RunSummary


@dataclass(frozen=True)
class Column:
    """A column of a table: the key of its cells in a row, its header, and how it gives way."""

    key: str
    header: str
    right: bool = False
    priority: int = 50  # on a narrow terminal the columns of lowest priority give way
    widest: int = 0  # cells at most (longer values end in …); 0: no limit
    narrowest: int = 0  # before any column gives way, this one shrinks down to here
    optional: bool = False  # shown only when a row has something in it


def clip(text: str, width: int) -> tuple[str, int]:
    """``text`` cut to ``width`` cells, ending in "…" if it was longer, and the cells it takes."""
    size = cell_len(text)
    if size > width:
        return set_cell_size(text, width - 1) + "…", width
    return text, size


def fit_columns(columns: Sequence[Column], rows: Sequence[Mapping[str, str]],
                available: int | None, *, keep: int, gap: int = 1,
                headers: Mapping[str, str] | None = None) -> list[tuple[Column, int]]:
    """The columns to show in ``available`` cells (None: as many as they need) and their widths,
    each column taking ``gap`` cells more than its width.

    A column is as wide as its header (``headers`` may replace a column's) and its longest cell,
    at most its ``widest``; an optional one with nothing in any row is left out.  The columns of
    lowest priority give way, ``keep`` at least staying, until the rest fit with the long texts
    shortened to their ``narrowest``; then those get back what room there is.
    """
    headers = headers or {}
    shown = present(columns, rows)
    widths = {}
    for column in shown:
        header = headers.get(column.key, column.header)
        width = max([cell_len(header), *(cell_len(row.get(column.key, "")) for row in rows)])
        widths[column.key] = min(width, column.widest) if column.widest else width
    if available is None:
        return [(column, widths[column.key]) for column in shown]
    least = {column.key: min(widths[column.key], column.narrowest or widths[column.key])
             for column in shown}
    by_priority = sorted(shown, key=lambda c: c.priority)
    while len(shown) > keep and sum(least[c.key] + gap for c in shown) > available:
        shown.remove(by_priority.pop(0))
    excess = sum(widths[c.key] + gap for c in shown) - available
    for column in shown:
        if excess > 0 and column.narrowest:
            cut = min(excess, widths[column.key] - least[column.key])
            widths[column.key] -= cut
            excess -= cut
    return [(column, widths[column.key]) for column in shown]


def present(columns: Sequence[Column], rows: Sequence[Mapping[str, str]]) -> list[Column]:
    """``columns`` but the optional ones that have nothing in any row."""
    return [column for column in columns
            if not column.optional or any(row.get(column.key) for row in rows)]


GAP = 2
"""Cells between the columns of :func:`fitted_table`."""


def fitted_table(console: Console, columns: Sequence[Column], rows: Sequence[Mapping[str, str]],
                 styles: Sequence[Mapping[str, str]] | None = None, *, keep: int = 4
                 ) -> tuple[Text, list[str]]:
    """A table with one line per row, as wide as the console allows, and the headers of the
    columns left out.  On a terminal :func:`fit_columns` decides (``keep`` columns always stay);
    in a pipe or a file the console is widened so every column shows.  ``styles``, one mapping
    per row, give cells a style by column key.

    Laid out here as one styled text rather than by :class:`rich.table.Table`, which takes
    seconds over thousands of rows: columns two cells apart, a header in bold over a rule."""
    terminal = console.is_terminal
    layout = fit_columns(columns, rows, console.width + GAP if terminal else None, keep=keep,
                         gap=GAP)
    total = sum(width for _, width in layout) + GAP * (len(layout) - 1)
    if not terminal:
        console.width = max(console.width, total)
    parts: list[str] = []
    spans: list[Span] = []
    offset = 0
    last = len(layout) - 1

    def add_line(line: Mapping[str, str], style: Mapping[str, str]) -> None:
        nonlocal offset
        for position, (column, width) in enumerate(layout):
            text = line.get(column.key, "")
            size = cell_len(text)
            if size > width:
                text, size = clip(text, width)
            pad = " " * (width - size)
            if position:
                parts.append(" " * GAP)
                offset += GAP
            if column.right:
                parts.append(pad)
                offset += len(pad)
            if column.key in style:
                spans.append(Span(offset, offset + len(text), style[column.key]))
            parts.append(text)
            offset += len(text)
            if not column.right and position < last:
                parts.append(pad)
                offset += len(pad)
        parts.append("\n")
        offset += 1

    add_line({column.key: column.header for column, _ in layout},
             {column.key: "bold" for column, _ in layout})
    parts.append("─" * total + "\n")
    offset += total + 1
    for index, row in enumerate(rows):
        add_line(row, styles[index] if styles is not None else {})
    table = Text("".join(parts)[:-1], no_wrap=True, overflow="ellipsis")
    table.spans = spans
    shown = {column.key for column, _ in layout}
    return table, [column.header for column in present(columns, rows)
                   if column.key not in shown]


# --- the list of runs ----------------------------------------------------------------------------

PIN_MARK = "★"

RUN_COLUMNS = (
    Column("pin", "", priority=95),
    Column("id", "id", right=True, priority=100),
    Column("when", "when", priority=58),
    Column("group", "group", priority=78, widest=22, narrowest=8, optional=True),
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
    Column("network", "network", priority=59, optional=True),
)
"""The columns of the list of runs, most useful first by priority: the id, the pin, the best
held-out accuracy, the status and the name stay however narrow the terminal.  "network" says
whether a network was saved from the run (and is still where it was saved), shown when one was."""

RUN_COLUMNS_KEPT = 5
"""How many of :data:`RUN_COLUMNS` always stay (the table scrolls sideways then)."""


def run_cells(run: RunSummary, moment: float) -> dict[str, str]:
    """The run's cells as plain text, by column key, safe to show (:func:`safe`); ``moment`` is
    "now" for the "when" column (this year's runs show the day and time, older ones the date)."""
    config = dict(run.config_data)
    hidden, eta, batch, reg = hyperparameters(config)
    return {"pin": PIN_MARK if run.pinned else "", "id": str(run.id),
            "when": when(run.started, moment), "group": safe(run.group),
            "name": safe(run.title) or "-",
            "data": dataset_label(config), "hidden": hidden, "eta": eta, "batch": batch,
            "reg": reg, "status": safe(run.status), "epochs": epochs_text(run),
            "best": best_text(run), "time": duration(run.duration), "network": network_text(run)}


def network_text(run: RunSummary) -> str:
    """Whether the run's network was saved: "saved", "gone" when the file is no longer where it
    was saved, or nothing."""
    if not run.network_path:
        return ""
    try:
        there = Path(run.network_path).is_file()
    except (OSError, ValueError):  # a path this system cannot even look up
        there = False
    return "saved" if there else "gone"


def run_cell_style(key: str, run: RunSummary) -> str:
    """The style of the run's cell in column ``key``: its status in the status's colour, the pin
    and the id stand out."""
    if key == "status":
        return STATUS_STYLES.get(run.status, "")
    if key == "pin":
        return "bold yellow"
    if key == "id":
        return "bold"
    return ""
