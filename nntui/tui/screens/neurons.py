"""The neurons screen: what each first-layer hidden neuron of an image network looks for.

:class:`NeuronsScreen` draws the incoming weights of every neuron of the first hidden layer as
an image of the input's shape (28 × 28 for MNIST, in 28 × 14 cells), in diverging colours: red
where a bright pixel excites the neuron, blue where it inhibits it, near black where the neuron
ignores the pixel (a :class:`~nntui.tui.widgets.weights.WeightGrid`).  Each image is scaled to
its own largest weight, printed under it.  The arrow keys move between neurons, Page Up/Down by a
screenful; ``s`` switches between each neuron's own scale and one scale for all (which shows
which neurons have grown large weights).

It takes the weight images (:func:`nntui.insight.inspection.weight_images` of the network) and can
be given new ones while it is open (:meth:`NeuronsScreen.update_weights`: when the run pauses or
ends, or at a low rate while it trains).
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.events import Resize
from textual.widgets import Footer, Static

from nntui.insight.inspection import weight_images
from nntui.render.halfblock import DIVERGING_STOPS, scale_rgb, to_text
from nntui.tui.screens.page import PageScreen
from nntui.tui.widgets.weights import WeightGrid


class NeuronsScreen(PageScreen[None]):
    """A grid of the first hidden layer's weight images.

    ``images``: (neurons, rows, columns), e.g. ``weight_images(network)``; ``title`` says whose
    they are (e.g. "run 12, epoch 30").  :meth:`for_network` builds it from a network.
    """

    DEFAULT_CSS = """
    #neurons-grid {
        padding: 1 1 0 1;
    }
    #neurons-legend {
        height: 1;
        padding: 0 1;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close", tooltip="Back to where you were"),
        Binding("s", "toggle_scale", "Scale",
                tooltip="Each neuron on its own scale, or all on the scale of the largest weight"),
    ]

    def __init__(self, images: np.ndarray, *, title: str = "") -> None:
        super().__init__()
        self.grid = WeightGrid(images, id="neurons-grid")
        self.title_text = title

    @classmethod
    def for_network(cls, network, *, title: str = "",
                    shape: tuple[int, int] | None = None) -> NeuronsScreen:
        """The screen for ``network``'s first layer; ValueError when its inputs are not
        images (see :func:`nntui.insight.inspection.weight_images`)."""
        return cls(weight_images(network, shape), title=title)

    @property
    def images(self) -> np.ndarray:
        return self.grid.images

    def compose(self) -> ComposeResult:
        yield Static(id="neurons-title", classes="page-title")
        yield self.grid
        yield Static(id="neurons-legend")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        title = Text("What the neurons learned", style="bold")
        title.append(f" · incoming weights of the {len(self.images)} neurons of hidden layer 1")
        if self.title_text:
            title.append(f" · {self.title_text}")
        self.query_one("#neurons-title", Static).update(title)
        self._draw_legend()
        self.grid.focus()

    def on_resize(self, event: Resize) -> None:
        self._draw_legend()

    def update_weights(self, images: np.ndarray) -> None:
        """Show new weights of the same layer (the run went on); ValueError for another
        shape."""
        self.grid.update_images(images)
        self._draw_legend()

    def _draw_legend(self) -> None:
        if not self.is_mounted:
            return
        shared = self.grid.shared_scale
        largest = float(np.abs(self.images).max())
        scale = Text("inhibits ", style="dim")
        scale.append(f"{-largest:.2g} " if shared else "− ")
        scale.append_text(to_text(scale_rgb(21, DIVERGING_STOPS, -1.0, 1.0)))
        scale.append(f" {largest:.2g}" if shared else " +")
        scale.append(" excites", style="dim")
        scale.append(" · one scale for all (s)" if shared
                     else " · each neuron on its own scale, the ± under it (s)", style="dim")
        self.query_one("#neurons-legend", Static).update(scale)

    def action_toggle_scale(self) -> None:
        self.grid.shared_scale = not self.grid.shared_scale
        self._draw_legend()

    def action_close(self) -> None:
        self.dismiss(None)
