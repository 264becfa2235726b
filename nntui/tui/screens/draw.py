"""The draw screen: write a digit and watch the network answer as you draw.

On the left a :class:`~nntui.tui.widgets.canvas.DigitCanvas`, 28 × 28 pixels in half blocks, drawn
on with the mouse (press and drag) or the keyboard (arrows, space, shift+arrows); ``u`` undoes a
stroke and ``c`` clears.  Beside it what the network is shown: the drawing prepared as MNIST's
digits were (:func:`nntui.insight.digit.prepare`: fit to 20 × 20, centre of mass at the centre),
at full size on a wide terminal and at half size (each cell four pixels averaged, two above two)
on a narrow one.  On the right the network's answer (an
:class:`~nntui.tui.widgets.answer.AnswerPanel`): the top class large and a bar per class, Fashion-
MNIST's named.  Each stroke is prepared and answered on the UI thread: the whole path is a few
milliseconds (``benchmarks/bench_digit.py``).

The network is the dashboard's: the last run's (paused or finished) or a loaded one.  While a run
trains, with no network yet, or with a network not made for 28 × 28 images, the canvas still
draws and the right side says why there is no answer (:meth:`DrawScreen.for_network`).
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.events import Resize
from textual.widgets import Footer, Static

from nntui.config import Config
from nntui.datasets.classes import class_names
from nntui.engine import Network
from nntui.insight.digit import FIELD, BlankImage, answer, check_image_network, prepare
from nntui.render.halfblock import grey_rgb
from nntui.tui.screens.page import PageScreen
from nntui.tui.widgets.answer import AnswerPanel
from nntui.tui.widgets.canvas import DigitCanvas
from nntui.tui.widgets.halfblock import HalfBlockImage

FULL_SIZE_WIDTH = 100
"""From this many columns on the prepared input is shown at full size, below at half size."""

NO_NETWORK = "No network yet: close (Esc), then train one (F5) or load one (F2, n)."
TRAINING = ("Training is running: the weights change with every mini-batch. Close (Esc) and "
            "pause it (F6), or let it finish, to ask the network.")


def half_size(image: np.ndarray) -> np.ndarray:
    """Each 2 × 2 block of pixels averaged: a 28 × 28 image as 14 × 14."""
    rows, cols = image.shape
    return image.reshape(rows // 2, 2, cols // 2, 2).mean(axis=(1, 3))


class DrawScreen(PageScreen[None]):
    """A canvas, what the network is shown, and its answer.

    ``network`` answers (None: ``problem`` says why none does); ``dataset`` names the classes;
    ``title`` says whose network it is.
    """

    DEFAULT_CSS = """
    #draw-body {
        padding: 1 1 0 1;
        height: 1fr;
    }
    #draw-left, #draw-seen {
        width: auto;
        height: auto;
        margin-right: 2;
    }
    DrawScreen DigitCanvas {
        border: round $primary;
        box-sizing: content-box;
    }
    DrawScreen DigitCanvas:focus {
        border: round $accent;
    }
    .draw-caption {
        width: 30;
        height: auto;
        color: $text-muted;
    }
    #draw-seen-caption, #draw-seen-note {
        width: 100%;
    }
    #draw-seen-image {
        border: round $primary 30%;
    }
    #draw-answer {
        width: 1fr;
        height: auto;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close", tooltip="Back to the dashboard"),
        Binding("u,ctrl+z", "undo", "Undo", tooltip="Take the last stroke (or clearing) back"),
        Binding("c,delete", "clear", "Clear", tooltip="Wipe the canvas (u brings it back)"),
    ]

    def __init__(self, network: Network | None, *, dataset: str = "mnist", title: str = "",
                 problem: str | None = None) -> None:
        super().__init__()
        self.network = network
        self.problem = problem
        self.title_text = title
        self.names = class_names(dataset, network.sizes[-1]) if network is not None else ()
        self.thing = "a piece of clothing" if dataset == "fashion-mnist" else "a digit"
        self.canvas = DigitCanvas(id="draw-canvas")
        self.seen = HalfBlockImage(id="draw-seen-image")
        self.panel = AnswerPanel(id="draw-answer")
        self.prepared: np.ndarray = np.zeros((FIELD, FIELD))
        self._small: bool | None = None  # the prepared input is shown at half size
        self.answered = 0  # answers shown so far: what a test or a benchmark waits for

    @classmethod
    def for_network(cls, network: Network | None, config: Config | None, *, running: bool,
                    title: str = "") -> DrawScreen:
        """The screen for the dashboard's network: None (none yet), one still training
        (``running``), or one to ask; a network not made for 28 × 28 images is told so."""
        if network is None or config is None:
            return cls(None, problem=NO_NETWORK)
        if running:
            return cls(None, dataset=config.dataset, title=title, problem=TRAINING)
        try:
            check_image_network(network)
        except ValueError as error:
            return cls(None, dataset=config.dataset, title=title,
                       problem=f"Nothing to draw for: {error}.")
        return cls(network, dataset=config.dataset, title=title)

    def compose(self) -> ComposeResult:
        yield Static(id="draw-title", classes="page-title")
        with Horizontal(id="draw-body"):
            with Vertical(id="draw-left"):
                yield Static(id="draw-canvas-caption", classes="draw-caption")
                yield self.canvas
                yield Static("Mouse: press and drag. Keys: arrows move the cursor, space "
                             "paints, shift+arrows draw.", classes="draw-caption")
            with Vertical(id="draw-seen"):
                yield Static(id="draw-seen-caption", classes="draw-caption")
                yield self.seen
                yield Static("The drawing as MNIST's digits were made: fit to 20 × 20, "
                             "centre of mass at the centre.", id="draw-seen-note",
                             classes="draw-caption")
            yield self.panel
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        title = Text(f"Draw {self.thing}", style="bold")
        if self.title_text:
            title.append(f" · {self.title_text}")
        self.query_one("#draw-title", Static).update(title)
        self.query_one("#draw-canvas-caption", Static).update(f"Draw {self.thing} here")
        self._show_prepared()
        self._answer()
        self.canvas.focus()

    def on_resize(self, event: Resize) -> None:
        self._show_prepared()

    def on_digit_canvas_changed(self, message: DigitCanvas.Changed) -> None:
        self._answer()

    def _show_prepared(self) -> None:
        small = self.size.width < FULL_SIZE_WIDTH
        self.seen.show(grey_rgb(half_size(self.prepared) if small else self.prepared))
        if small == self._small:
            return
        self._small = small
        self.query_one("#draw-seen-caption", Static).update(
            "Network sees" if small else "What the network sees")
        self.query_one("#draw-seen-note", Static).update(
            "½ size; fit to 20×20, centred as MNIST" if small else
            "The drawing as MNIST's digits were made: fit to 20 × 20, centre of mass at the "
            "centre.")
        self.query_one("#draw-seen").styles.width = (FIELD // 2 if small else FIELD) + 2

    def _answer(self) -> None:
        """Prepare the drawing, show it, and show the network's answer (or why there is none)."""
        try:
            self.prepared = prepare(self.canvas.canvas.pixels)
        except BlankImage:
            self.prepared = np.zeros((FIELD, FIELD))
        self._show_prepared()
        if self.network is None:
            self.panel.explain(self.problem or NO_NETWORK)
        elif self.canvas.canvas.empty:
            self.panel.explain(f"Draw {self.thing} on the canvas: the network's answer appears "
                               "here as you draw.")
        else:
            self.panel.show(answer(self.network, self.prepared), self.names)
        self.answered += 1

    def action_undo(self) -> None:
        if not self.canvas.undo():
            self.notify("Nothing to undo.", timeout=2)

    def action_clear(self) -> None:
        self.canvas.clear()

    def action_close(self) -> None:
        self.dismiss(None)
