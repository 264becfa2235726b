"""The mistakes screen: the images a network gets wrong, most confident first.

:class:`MistakesScreen` takes plain inputs: the network's
:class:`~nntui.insight.inspection.Predictions` on a split and that split's inputs (one image per
row, e.g. ``data.validation.x``).  It draws a page of misclassified images in half blocks (a 28 × 28
digit in 28 × 14 cells, grey levels), each captioned with its true class, the network's answer and
its confidence, as many as the terminal holds.  The arrow keys move through them (turning the page
at its edges), Page Up/Down turn pages, ``t`` and ``p`` filter by true or predicted class (cycling
through the classes and back to any), ``c`` clears the filters and Escape closes the screen.

It works on any network and split: a finished run, a paused one (predict from the network the
run trains, in the worker, while it is paused) or a loaded network.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, Horizontal
from textual.events import Resize
from textual.reactive import reactive
from textual.widgets import Footer, Static

from nntui.insight.inspection import Predictions, image_shape, mistakes
from nntui.render.halfblock import grey_rgb
from nntui.tui.screens.page import PageScreen
from nntui.tui.widgets.halfblock import ImageCard

CARD_BORDER = 2
"""Cells a card's border adds to each side of its image and caption (one each way)."""
CAPTION_LINES = 1
DETAIL_WIDTH = 20
"""The detail of the selected mistake (its outputs, the filters) needs this many cells."""


def class_name(value: int | None) -> str:
    return "any" if value is None else str(value)


def caption(answers: Predictions, index: int) -> Text:
    """``4 → 9  97%``: true class, the network's answer, its confidence."""
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append(f"true {int(answers.labels[index])}")
    text.append(" → ")
    text.append(f"said {int(answers.predicted[index])}")
    text.append(f"  {100 * answers.confidence[index]:.0f}%")
    return text


class MistakesScreen(PageScreen[None]):
    """The misclassified images of one split, most confident first.

    ``answers``: :func:`nntui.insight.inspection.predict` of the network on the split; ``images``:
    the split's inputs (``split.x``), one image per row; ``split``: its name for the title
    ("validation" or "test"); ``true_class`` / ``predicted_class``: filters to start with (the
    confusion screen opens it on one pair); ``shape``: (rows, columns) of an image, square by
    default.  ValueError when the inputs are not images (the 2-D sets: see :meth:`available`).
    """

    DEFAULT_CSS = """
    #mistakes-body {
        height: 1fr;
    }
    #mistakes-grid {
        width: auto;
        height: 1fr;
    }
    #mistakes-detail {
        width: 1fr;
        height: 1fr;
        padding: 0 1;
        border-left: tall $primary 30%;
    }
    #mistakes-empty {
        display: none;
        height: 1fr;
        content-align: center middle;
        color: $text-muted;
    }
    #mistakes-empty.-shown {
        display: block;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close", tooltip="Back to where you were"),
        Binding("left", "move(-1)", "Previous", show=False,
                tooltip="The previous, more confident mistake"),
        Binding("right", "move(1)", "Next", show=False,
                tooltip="The next, less confident mistake"),
        Binding("up", "move_row(-1)", "Row up", show=False),
        Binding("down", "move_row(1)", "Row down", show=False),
        Binding("pageup", "move_page(-1)", "Page up", show=False),
        Binding("pagedown", "move_page(1)", "Page down", show=False),
        Binding("home", "first", "First", show=False, tooltip="The most confident mistake"),
        Binding("end", "last", "Last", show=False, tooltip="The least confident mistake"),
        Binding("t", "cycle_true(1)", "True class",
                tooltip="Show only the mistakes of one true class (cycles through the classes)"),
        Binding("shift+t", "cycle_true(-1)", "True class back", show=False),
        Binding("p", "cycle_predicted(1)", "Predicted",
                tooltip="Show only the images the network took for one class (cycles)"),
        Binding("shift+p", "cycle_predicted(-1)", "Predicted back", show=False),
        Binding("c", "clear", "Clear filters", tooltip="Show every mistake again"),
    ]

    index: reactive[int] = reactive(0)
    """Position of the selected mistake in the filtered list (0: the most confident)."""
    true_class: reactive[int | None] = reactive(None)
    predicted_class: reactive[int | None] = reactive(None)

    def __init__(self, answers: Predictions, images: np.ndarray, *, split: str = "validation",
                 true_class: int | None = None, predicted_class: int | None = None,
                 shape: tuple[int, int] | None = None) -> None:
        super().__init__()
        images = np.asarray(images)
        if images.ndim != 2 or images.shape[0] != len(answers):
            raise ValueError(f"expected one image per prediction ({len(answers):,} rows), got "
                             f"an array shaped {images.shape}")
        shape = shape or image_shape(images.shape[1])
        if shape is None or shape[0] * shape[1] != images.shape[1]:
            raise ValueError(f"the examples have {images.shape[1]:,} inputs, not the pixels of "
                             f"an image; the mistakes screen draws images")
        self.answers, self.images, self.split, self.shape = answers, images, split, shape
        self.shown: np.ndarray = np.empty(0, dtype=np.int64)
        self.cards: list[ImageCard] = []
        self.columns = self.rows = 1
        self.set_reactive(MistakesScreen.true_class, true_class)
        self.set_reactive(MistakesScreen.predicted_class, predicted_class)
        self._filter()

    @staticmethod
    def available(n_inputs: int) -> bool:
        """Whether examples of ``n_inputs`` numbers are images this screen can draw."""
        return image_shape(n_inputs) is not None

    # --- layout ----------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Static(id="mistakes-title", classes="page-title")
        with Horizontal(id="mistakes-body"):
            yield Grid(id="mistakes-grid")
            yield Static(id="mistakes-empty")
            yield Static(id="mistakes-detail")
        yield Footer(compact=True, show_command_palette=False)

    @property
    def card_size(self) -> tuple[int, int]:
        """(width, height) of one card in cells."""
        rows, cols = self.shape
        return cols + CARD_BORDER, (rows + 1) // 2 + CAPTION_LINES + CARD_BORDER

    @property
    def page_size(self) -> int:
        return self.columns * self.rows

    def on_mount(self) -> None:
        self._lay_out()

    def on_resize(self, event: Resize) -> None:
        self._lay_out()

    def _lay_out(self) -> None:
        """As many cards as the grid holds (at least one), the detail beside them in what is
        left when that is wide enough."""
        grid = self.query_one("#mistakes-grid", Grid)
        width, height = self.card_size
        available_height = max(self.size.height - 2, height)  # the title and the footer
        columns = max(1, self.size.width // width)
        if self.size.width - columns * width < DETAIL_WIDTH and columns > 1:
            columns -= 1  # room for the detail
        rows = max(1, available_height // height)
        self.query_one("#mistakes-detail").display = \
            self.size.width - columns * width >= DETAIL_WIDTH
        if (columns, rows) == (self.columns, self.rows) and self.cards:
            self._show_page()
            return
        self.columns, self.rows = columns, rows
        grid.styles.grid_size_columns = columns
        grid.styles.grid_size_rows = rows
        grid.styles.grid_columns = f"{width}"
        grid.styles.grid_rows = f"{height}"
        grid.styles.width = columns * width
        grid.remove_children()
        blank = np.zeros((*self.shape, 3), dtype=np.uint8)
        self.cards = [ImageCard(blank, "") for _ in range(self.page_size)]
        grid.mount_all(self.cards)
        self._show_page()

    # --- what is shown -------------------------------------------------------------------------

    def _filter(self) -> None:
        self.shown = mistakes(self.answers, self.true_class, self.predicted_class)

    def selected(self) -> int | None:
        """The index (into the split) of the selected mistake, None when there is none."""
        return int(self.shown[self.index]) if len(self.shown) else None

    def _show_page(self) -> None:
        if not self.is_mounted or not self.cards:
            return
        size = self.page_size
        start = (self.index // size) * size if len(self.shown) else 0
        with self.app.batch_update():
            for slot, card in enumerate(self.cards):
                position = start + slot
                if position < len(self.shown):
                    index = int(self.shown[position])
                    card.show(grey_rgb(self.images[index].reshape(self.shape)),
                              caption(self.answers, index))
                    card.display = True
                    card.selected = position == self.index
                else:
                    card.display = False
                    card.selected = False
            self._show_title(start)
            self._show_detail()
            empty = self.query_one("#mistakes-empty", Static)
            empty.set_class(not len(self.shown), "-shown")
            empty.update(self._empty_text())
            self.query_one("#mistakes-grid").display = bool(len(self.shown))

    def _show_title(self, start: int) -> None:
        answers = self.answers
        total = int((~answers.correct).sum())
        title = Text("Mistakes", style="bold")
        title.append(f" · {self.split} set · {total:,} of {len(answers):,} wrong · most "
                     f"confident first")
        self.query_one("#mistakes-title", Static).update(title)

    def _show_detail(self) -> None:
        """The selected mistake: what it is, every output of the network, the filters."""
        answers, index = self.answers, self.selected()
        text = Text(no_wrap=True, overflow="ellipsis")
        theme = self.app.current_theme
        right, wrong = theme.success or "green", theme.accent or "yellow"
        if index is not None:
            true, said = int(answers.labels[index]), int(answers.predicted[index])
            text.append(f"{true}", style=f"bold {right}")
            text.append(" taken for ")
            text.append(f"{said}", style=f"bold {wrong}")
            text.append(f"\n{100 * answers.confidence[index]:.1f}% sure")
            text.append(f"\nexample {index:,}\n", style="dim")
            outputs = answers.outputs[index]
            if len(outputs) > 1:
                text.append("\noutputs\n", style="bold")
                top = max(float(outputs.max()), 1e-12)
                content = self.size.width - self.columns * self.card_size[0] - 3
                bar_width = max(content - 8, 3)  # "k " before the bar, " 0.95" after it
                for k, value in enumerate(outputs):
                    style = right if k == true else wrong if k == said else "dim"
                    bar = "█" * max(0, round(float(value) / top * bar_width))
                    text.append(f"{k} ", style="bold" if k in (true, said) else "")
                    text.append(bar.ljust(bar_width), style=style)
                    text.append(f" {float(value):.2f}\n")
        text.append("\nfilter\n", style="bold")
        text.append(f"true {class_name(self.true_class):>3}  (t)\n")
        text.append(f"said {class_name(self.predicted_class):>3}  (p)\n")
        if len(self.shown):
            text.append(f"{self.index + 1:,} of {len(self.shown):,}")
        self.query_one("#mistakes-detail", Static).update(text)

    def _empty_text(self) -> str:
        if self.true_class is None and self.predicted_class is None:
            return f"No mistakes: every {self.split} example was answered correctly."
        if self.predicted_class is None:
            return f"No mistakes on the {self.true_class}s: each was answered correctly."
        if self.true_class is None:
            return f"Nothing was wrongly taken for a {self.predicted_class}."
        return f"No {self.true_class} was taken for a {self.predicted_class}."

    # --- reacting -----------------------------------------------------------------------------

    def validate_index(self, index: int) -> int:
        return min(max(index, 0), max(len(self.shown) - 1, 0))

    def watch_index(self) -> None:
        self._show_page()

    def watch_true_class(self) -> None:
        self._refilter()

    def watch_predicted_class(self) -> None:
        self._refilter()

    def _refilter(self) -> None:
        self._filter()
        self.index = 0
        self._show_page()

    # --- actions -------------------------------------------------------------------------------

    def action_close(self) -> None:
        self.dismiss(None)

    def action_move(self, step: int) -> None:
        self.index += step

    def action_move_row(self, step: int) -> None:
        self.index += step * self.columns

    def action_move_page(self, step: int) -> None:
        self.index = (self.index // self.page_size + step) * self.page_size

    def action_first(self) -> None:
        self.index = 0

    def action_last(self) -> None:
        self.index = len(self.shown) - 1

    def _cycled(self, value: int | None, step: int) -> int | None:
        """any → 0 → 1 → … → k−1 → any (or backwards)."""
        options: list[int | None] = [None, *range(self.answers.n_classes)]
        return options[(options.index(value) + step) % len(options)]

    def action_cycle_true(self, step: int) -> None:
        self.true_class = self._cycled(self.true_class, step)

    def action_cycle_predicted(self, step: int) -> None:
        self.predicted_class = self._cycled(self.predicted_class, step)

    def action_clear(self) -> None:
        self.true_class = self.predicted_class = None
