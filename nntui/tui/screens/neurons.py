"""The neurons screen: what each first-layer hidden neuron of an image network looks for.

:class:`NeuronsScreen` draws the incoming weights of every neuron of the first hidden layer as
an image of the input's shape (28 × 28 for MNIST, in 28 × 14 cells), in diverging colours: red
where a bright pixel excites the neuron, blue where it inhibits it, near black where the neuron
ignores the pixel.  Each image is scaled to its own largest weight, printed under it.  The arrow
keys move between neurons, Page Up/Down by a screenful; ``s`` switches between each neuron's own
scale and one scale for all (which shows which neurons have grown large weights).

It takes the weight images (:func:`nntui.inspection.weight_images` of the network) and can be
given new ones while it is open (:meth:`NeuronsScreen.update_weights`: when the run pauses or
ends, or at a low rate while it trains).
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, VerticalScroll
from textual.events import Resize
from textual.reactive import reactive
from textual.screen import ModalScreen
from textual.widgets import Footer, Static

from ...halfblock import DIVERGING_STOPS, diverging_rgb, scale_rgb, to_text
from ...inspection import weight_images
from ..widgets.halfblock import ImageCard

CARD_BORDER = 2


class NeuronsScreen(ModalScreen[None]):
    """A grid of the first hidden layer's weight images.

    ``images``: (neurons, rows, columns), e.g. ``weight_images(network)``; ``title`` says whose
    they are (e.g. "run 12, epoch 30").  :meth:`for_network` builds it from a network.
    """

    DEFAULT_CSS = """
    NeuronsScreen {
        background: $background;
    }
    #neurons-title {
        height: 1;
        padding: 0 1;
        background: $primary 30%;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    #neurons-legend {
        height: 1;
        padding: 0 1;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    #neurons-scroll {
        height: 1fr;
        scrollbar-size-vertical: 1;
    }
    #neurons-grid {
        height: auto;
        width: auto;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close", tooltip="Back to where you were"),
        Binding("left", "move(-1)", "Previous", show=False),
        Binding("right", "move(1)", "Next", show=False),
        Binding("up", "move_row(-1)", "Row up", show=False),
        Binding("down", "move_row(1)", "Row down", show=False),
        Binding("pageup", "move_page(-1)", "Page up", show=False),
        Binding("pagedown", "move_page(1)", "Page down", show=False),
        Binding("s", "toggle_scale", "Scale",
                tooltip="Each neuron on its own scale, or all on the scale of the largest weight"),
    ]

    selected: reactive[int] = reactive(0)
    shared_scale: reactive[bool] = reactive(False)

    def __init__(self, images: np.ndarray, *, title: str = "") -> None:
        super().__init__()
        images = np.asarray(images, dtype=np.float64)
        if images.ndim != 3 or images.shape[0] == 0:
            raise ValueError(f"expected weight images shaped (neurons, rows, columns), got "
                             f"{images.shape}")
        self.images, self.title_text = images, title
        self.cards: list[ImageCard] = []
        self.columns = 1

    @classmethod
    def for_network(cls, network, *, title: str = "",
                    shape: tuple[int, int] | None = None) -> NeuronsScreen:
        """The screen for ``network``'s first layer; ValueError when its inputs are not
        images (see :func:`nntui.inspection.weight_images`)."""
        return cls(weight_images(network, shape), title=title)

    def compose(self) -> ComposeResult:
        yield Static(id="neurons-title")
        with VerticalScroll(id="neurons-scroll", can_focus=False):
            yield Grid(id="neurons-grid")
        yield Static(id="neurons-legend")
        yield Footer(compact=True, show_command_palette=False)

    @property
    def card_size(self) -> tuple[int, int]:
        rows, cols = self.images.shape[1:]
        return cols + CARD_BORDER, (rows + 1) // 2 + 1 + CARD_BORDER

    def on_mount(self) -> None:
        self.cards = [ImageCard(np.zeros((*self.images.shape[1:], 3), dtype=np.uint8), "")
                      for _ in range(self.images.shape[0])]
        self.query_one("#neurons-grid", Grid).mount_all(self.cards)
        self._lay_out()
        self._draw()

    def on_resize(self, event: Resize) -> None:
        self._lay_out()
        self._draw_legend()

    def _lay_out(self) -> None:
        width, height = self.card_size
        self.columns = max(1, (self.size.width - 1) // width)
        grid = self.query_one("#neurons-grid", Grid)
        grid.styles.grid_size_columns = self.columns
        grid.styles.grid_columns = f"{width}"
        grid.styles.grid_rows = f"{height}"

    def update_weights(self, images: np.ndarray) -> None:
        """Show new weights of the same layer (the run went on)."""
        images = np.asarray(images, dtype=np.float64)
        if images.shape != self.images.shape:
            raise ValueError(f"new weight images {images.shape} do not match the shown "
                             f"{self.images.shape}")
        self.images = images
        self._draw()

    def _draw(self) -> None:
        largest = float(np.abs(self.images).max()) or 1.0
        with self.app.batch_update():
            for k, (card, image) in enumerate(zip(self.cards, self.images, strict=True)):
                own = float(np.abs(image).max()) or 1.0
                limit = largest if self.shared_scale else own
                label = Text(f"neuron {k + 1}", no_wrap=True, overflow="ellipsis")
                label.append(f"  ±{own:.2g}", style="dim")
                card.show(diverging_rgb(image, limit), label)
                card.selected = k == self.selected
            title = Text("What the neurons learned", style="bold")
            title.append(f" · incoming weights of the {len(self.images)} neurons of hidden "
                         f"layer 1")
            if self.title_text:
                title.append(f" · {self.title_text}")
            self.query_one("#neurons-title", Static).update(title)
            self._draw_legend()

    def _draw_legend(self) -> None:
        if not self.is_mounted:
            return
        largest = float(np.abs(self.images).max())
        scale = Text("inhibits ", style="dim")
        scale.append(f"{-largest:.2g} " if self.shared_scale else "− ")
        scale.append_text(to_text(scale_rgb(21, DIVERGING_STOPS, -1.0, 1.0)))
        scale.append(f" {largest:.2g}" if self.shared_scale else " +")
        scale.append(" excites", style="dim")
        scale.append(" · one scale for all (s)" if self.shared_scale
                     else " · each neuron on its own scale, the ± under it (s)", style="dim")
        self.query_one("#neurons-legend", Static).update(scale)

    def watch_selected(self, old: int, new: int) -> None:
        if not self.cards:
            return
        self.cards[old].selected = False
        self.cards[new].selected = True
        self.query_one("#neurons-scroll", VerticalScroll).scroll_to_widget(
            self.cards[new], animate=False)

    def watch_shared_scale(self) -> None:
        if self.cards:
            self._draw()

    def validate_selected(self, value: int) -> int:
        return min(max(value, 0), len(self.images) - 1)

    def action_move(self, step: int) -> None:
        self.selected += step

    def action_move_row(self, step: int) -> None:
        self.selected += step * self.columns

    def action_move_page(self, step: int) -> None:
        rows = max(1, (self.size.height - 4) // self.card_size[1])
        self.selected += step * rows * self.columns

    def action_toggle_scale(self) -> None:
        self.shared_scale = not self.shared_scale

    def action_close(self) -> None:
        self.dismiss(None)
