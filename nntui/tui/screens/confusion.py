"""The confusion-matrix screen: which classes the network takes for which.

:class:`ConfusionScreen` takes the network's :class:`~nntui.insight.inspection.Predictions` on a
split and, for image data, the split's inputs.  A :class:`ConfusionTable` shows true classes down
and predicted classes across: counts, the diagonal (the correct answers) set apart in the theme's
success colour, the most frequent confusion in its error colour, each class's accuracy (its recall)
at the end of its row and each predicted class's precision in the last row; a line under it names
the most frequent confusion.  Selecting a cell off the diagonal (Enter, or a click) opens the
:class:`~nntui.tui.screens.mistakes.MistakesScreen` filtered to that pair.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import DataTable, Footer, Static

from nntui.insight.inspection import Confusion, Predictions, confusion_of
from nntui.tui.screens.mistakes import MistakesScreen
from nntui.tui.screens.page import PageScreen

PRECISION_ROW = "precision"
ACCURACY_COLUMN = "accuracy"
COUNT_COLUMN = "n"


def percent(value: float) -> str:
    return "–" if math.isnan(value) else f"{100 * value:.1f}%"


class ConfusionTable(DataTable):
    """The matrix as a table whose cursor moves from cell to cell; selecting a cell of two
    classes posts :class:`ConfusionTable.PairSelected`."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select_cursor", "Show mistakes",
                tooltip="The images of this true class the network took for this class"),
    ]

    @dataclass
    class PairSelected(Message):
        """A cell of true class ``true`` and predicted class ``predicted`` was selected; it
        counts ``count`` examples."""

        true: int
        predicted: int
        count: int

    def __init__(self, matrix: Confusion, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="cell", zebra_stripes=False)
        self.matrix = matrix

    def on_mount(self) -> None:
        self.fill()

    def fill(self) -> None:
        """Columns and rows from the matrix, styled with the theme's colours."""
        theme = self.app.current_theme
        right = f"bold {theme.success or 'green'}"
        confused = f"bold {theme.error or 'red'}"
        matrix, k = self.matrix, self.matrix.n_classes
        width = max(len(str(int(matrix.counts.max(initial=0)))), 3)
        self.clear(columns=True)
        self.add_column(Text("true", style="bold"), key="true")
        for j in range(k):
            self.add_column(Text(str(j), style="bold", justify="right"), key=str(j), width=width)
        self.add_column(Text("accuracy", style="bold"), key=ACCURACY_COLUMN)
        self.add_column(Text(COUNT_COLUMN.rjust(6), style="bold"), key=COUNT_COLUMN)
        top = matrix.most_frequent_confusion()
        totals = matrix.counts.sum(axis=1)
        for i in range(k):
            cells = [Text(f"{i:>4}", style="bold")]
            for j in range(k):
                count = int(matrix.counts[i, j])
                style = right if i == j else confused if top and (i, j) == top[:2] else (
                    "dim" if count == 0 else "")
                cells.append(Text(str(count).rjust(width) if count or i == j
                                  else "·".rjust(width), style=style))
            cells.append(Text(percent(matrix.per_class_accuracy[i]).rjust(8)))
            cells.append(Text(f"{int(totals[i]):,}".rjust(6), style="dim"))
            self.add_row(*cells, key=str(i))
        precision = [Text("prec.", style="bold")]
        precision += [Text(f"{100 * p:.0f}%".rjust(width) if not math.isnan(p)
                           else "–".rjust(width), style="italic") for p in matrix.precision]
        precision += [Text(percent(matrix.accuracy).rjust(8), style="bold"),
                      Text(f"{matrix.total:,}".rjust(6), style="dim")]
        self.add_row(*precision, key=PRECISION_ROW)
        self.move_cursor(row=0, column=1, animate=False)

    @on(DataTable.CellSelected)
    def _selected(self, event: DataTable.CellSelected) -> None:
        event.stop()
        row, column = event.cell_key.row_key.value, event.cell_key.column_key.value
        if row is None or column is None or not (row.isdigit() and column.isdigit()):
            return
        true, predicted = int(row), int(column)
        self.post_message(self.PairSelected(true, predicted,
                                            int(self.matrix.counts[true, predicted])))


class ConfusionScreen(PageScreen[None]):
    """The confusion matrix of one split.

    ``answers``: :func:`nntui.insight.inspection.predict` of the network on the split; ``images``:
    the split's inputs (``split.x``), needed to open the mistakes of a cell; None, or inputs that
    are not images (the 2-D sets), leave the matrix without pictures behind it.  ``split`` names it
    in the title ("validation" or "test").
    """

    DEFAULT_CSS = """
    #confusion-table {
        height: auto;
        max-height: 1fr;
        margin: 1 0 0 0;
        scrollbar-size: 1 1;
    }
    #confusion-summary {
        height: auto;
        padding: 1 1 0 1;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close", tooltip="Back to where you were"),
        Binding("m", "mistakes", "All mistakes",
                tooltip="Every mistake of this split, most confident first"),
    ]

    def __init__(self, answers: Predictions, images: np.ndarray | None = None, *,
                 split: str = "validation") -> None:
        super().__init__()
        self.answers, self.split = answers, split
        self.images = images if images is not None and MistakesScreen.available(
            np.asarray(images).shape[1]) else None
        self.matrix = confusion_of(answers)

    def compose(self) -> ComposeResult:
        yield Static(id="confusion-title", classes="page-title")
        yield ConfusionTable(self.matrix, id="confusion-table")
        yield Static(id="confusion-summary")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        matrix = self.matrix
        title = Text("Confusion matrix", style="bold")
        title.append(f" · {self.split} set · {matrix.correct:,} of {matrix.total:,} right "
                     f"({percent(matrix.accuracy)})")
        self.query_one("#confusion-title", Static).update(title)
        theme = self.app.current_theme
        summary = Text()
        top = matrix.most_frequent_confusion()
        if top is None:
            summary.append("No confusions: every example was answered correctly.")
        else:
            true, said, count = top
            summary.append("Most frequent confusion: ")
            summary.append(f"{true} taken for {said}", style=f"bold {theme.error or 'red'}")
            summary.append(f", {count:,} time{'s' if count != 1 else ''} "
                           f"({100 * count / max(int(matrix.counts[true].sum()), 1):.1f}% of "
                           f"the {true}s).")
        worst = int(np.nanargmin(matrix.per_class_accuracy)) if matrix.total else None
        if worst is not None:
            summary.append(f"\nHardest class: {worst} ({percent(matrix.per_class_accuracy[worst])}"
                           f" right). ")
        summary.append("Rows are the true classes, columns the network's answers. Accuracy is "
                       "each true class's share answered correctly (its recall); prec., each "
                       "answer's share that was right (precision).", style="dim")
        if self.images is not None:
            summary.append("\nEnter on a cell shows those mistakes.", style="dim")
        self.query_one("#confusion-summary", Static).update(summary)
        self.query_one(ConfusionTable).focus()

    @on(ConfusionTable.PairSelected)
    def _open_pair(self, event: ConfusionTable.PairSelected) -> None:
        if event.true == event.predicted:
            self.notify(f"The diagonal holds the correct answers: {event.count:,} {event.true}s "
                        f"taken for {event.true}s.", title="Confusion matrix")
        elif event.count == 0:
            self.notify(f"No {event.true} was taken for a {event.predicted}.",
                        title="Confusion matrix")
        else:
            self._push_mistakes(event.true, event.predicted)

    def action_mistakes(self) -> None:
        self._push_mistakes(None, None)

    def _push_mistakes(self, true: int | None, predicted: int | None) -> None:
        if self.images is None:
            self.notify("The mistakes screen draws images; this data set's examples are not "
                        "images.", title="Confusion matrix", severity="warning")
            return
        self.app.push_screen(MistakesScreen(self.answers, self.images, split=self.split,
                                            true_class=true, predicted_class=predicted))

    def action_close(self) -> None:
        self.dismiss(None)
