"""A scrolling grid of weight images: what each first-layer neuron looks for.

:class:`WeightGrid` tiles one image per neuron (diverging colours: red where a bright pixel
excites the neuron, blue where it inhibits it) with a caption under each, in as many columns as
fit.  It is one widget drawing its lines itself, and it renders a neuron's image only when that
neuron first scrolls into view (and again after its weights or the scale change), so a layer of
100 neurons opens and updates as fast as the dozen on screen: live updates while a run trains
cost the UI thread only the visible images.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding, BindingType
from textual.geometry import Region, Size
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from nntui.render.halfblock import diverging_rgb, render_lines

GAP = 2
"""Cells between two images side by side."""


class WeightGrid(ScrollView, can_focus=True):
    """Images (neurons, rows, columns) of weights in a grid; ``selected`` is marked under its
    image; ``shared_scale`` puts every image on the scale of the largest weight of all instead
    of its own."""

    DEFAULT_CSS = """
    WeightGrid {
        height: 1fr;
        overflow-x: hidden;
        scrollbar-size-vertical: 1;
    }
    WeightGrid > .weight-grid--caption {
        color: $text-muted;
    }
    WeightGrid > .weight-grid--selected {
        color: $accent;
        text-style: bold;
    }
    """
    COMPONENT_CLASSES: ClassVar[set[str]] = {"weight-grid--caption", "weight-grid--selected"}

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("left", "move(-1)", "Previous", show=False, tooltip="The previous neuron"),
        Binding("right", "move(1)", "Next", show=False, tooltip="The next neuron"),
        Binding("up", "move_row(-1)", "Row up", show=False),
        Binding("down", "move_row(1)", "Row down", show=False),
        Binding("pageup", "move_page(-1)", "Page up", show=False),
        Binding("pagedown", "move_page(1)", "Page down", show=False),
        Binding("home", "move(-1_000_000)", "First", show=False),
        Binding("end", "move(1_000_000)", "Last", show=False),
    ]

    selected: reactive[int] = reactive(0, init=False)
    shared_scale: reactive[bool] = reactive(False, init=False)

    def __init__(self, images: np.ndarray, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.images = self._checked(images)
        self._rendered: dict[int, list[list[Segment]]] = {}
        self.columns = 1

    @staticmethod
    def _checked(images: np.ndarray) -> np.ndarray:
        images = np.asarray(images, dtype=np.float64)
        if images.ndim != 3 or images.shape[0] == 0:
            raise ValueError(f"expected weight images shaped (neurons, rows, columns), got "
                             f"{images.shape}")
        return images

    # --- geometry ------------------------------------------------------------------------------

    @property
    def cell_size(self) -> tuple[int, int]:
        """(width, height) of one neuron's place: its image and gap, its image's lines and a
        caption line."""
        rows, cols = self.images.shape[1:]
        return cols + GAP, (rows + 1) // 2 + 1

    def on_resize(self) -> None:
        self._lay_out()

    def _lay_out(self) -> None:
        width, height = self.cell_size
        self.columns = max(1, (self.scrollable_content_region.width + GAP) // width)
        lines = -(-len(self.images) // self.columns) * height
        self.virtual_size = Size(self.columns * width - GAP, lines)
        self.refresh()

    def region_of(self, neuron: int) -> Region:
        width, height = self.cell_size
        row, column = divmod(neuron, self.columns)
        return Region(column * width, row * height, width - GAP, height)

    # --- content ---------------------------------------------------------------------------------

    def update_images(self, images: np.ndarray) -> None:
        """New weights of the same layer: redrawn as they come into view."""
        images = self._checked(images)
        if images.shape != self.images.shape:
            raise ValueError(f"new weight images {images.shape} do not match the shown "
                             f"{self.images.shape}")
        self.images = images
        self._rendered.clear()
        self.refresh()

    def largest(self, neuron: int) -> float:
        return float(np.abs(self.images[neuron]).max())

    def _lines_of(self, neuron: int) -> list[list[Segment]]:
        lines = self._rendered.get(neuron)
        if lines is None:
            limit = float(np.abs(self.images).max()) if self.shared_scale else self.largest(neuron)
            lines = render_lines(diverging_rgb(self.images[neuron], limit or 1.0))
            self._rendered[neuron] = lines
        return lines

    def caption(self, neuron: int) -> str:
        return f"neuron {neuron + 1}  ±{self.largest(neuron):.2g}"

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        width, height = self.cell_size
        row, line = divmod(y + scroll_y, height)
        base = self.rich_style
        segments: list[Segment] = []
        image_width = width - GAP
        for column in range(self.columns):
            neuron = row * self.columns + column
            if neuron >= len(self.images):
                break
            if column:
                segments.append(Segment(" " * GAP, base))
            if line < height - 1:
                segments.extend(self._lines_of(neuron)[line])
            else:
                segments.append(self._caption_segment(neuron, image_width, base))
        strip = Strip(segments).extend_cell_length(scroll_x + self.size.width, base)
        return strip.crop(scroll_x, scroll_x + self.size.width)

    def _caption_segment(self, neuron: int, width: int, base: Style) -> Segment:
        text = self.caption(neuron)
        if neuron == self.selected:
            text = f"▶ {text}"
            style = base + self.get_component_rich_style("weight-grid--selected")
        else:
            style = base + self.get_component_rich_style("weight-grid--caption")
        return Segment(text[:width].ljust(width), style)

    # --- reacting -------------------------------------------------------------------------------

    def validate_selected(self, value: int) -> int:
        return min(max(value, 0), len(self.images) - 1)

    def watch_selected(self) -> None:
        self.scroll_to_region(self.region_of(self.selected), animate=False)
        self.refresh()

    def watch_shared_scale(self) -> None:
        self._rendered.clear()
        self.refresh()

    def action_move(self, step: int) -> None:
        self.selected += step

    def action_move_row(self, step: int) -> None:
        self.selected += step * self.columns

    def action_move_page(self, step: int) -> None:
        rows = max(1, self.size.height // self.cell_size[1])
        self.selected += step * rows * self.columns
