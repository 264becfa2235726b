"""Widgets that draw pictures with half blocks (see :mod:`nntui.render.halfblock`).

:class:`HalfBlockImage` shows one RGB image, two pixels per cell; :class:`ImageCard` is an
image with a caption under it and a border that marks it selected, the unit of the mistakes and
neurons screens' grids.  The lines of segments are built once when the image changes (one Rich
style per distinct pair of colours) and only wrapped in a ``Strip`` as Textual asks for a line.
"""

from __future__ import annotations

import numpy as np
from rich.segment import Segment
from rich.text import Text
from textual.app import ComposeResult
from textual.geometry import Size
from textual.reactive import reactive
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Static

from nntui.render.halfblock import render_lines


class HalfBlockImage(Widget):
    """An RGB image (``uint8``, (H, W, 3)) drawn W cells wide and ⌈H/2⌉ lines tall, from the
    top-left corner; a region larger than the image is left blank, a smaller one crops it."""

    DEFAULT_CSS = """
    HalfBlockImage {
        width: auto;
        height: auto;
    }
    """

    def __init__(self, rgb: np.ndarray | None = None, *, id: str | None = None,
                 classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._lines: list[list[Segment]] = []
        self._width = 0
        if rgb is not None:
            self.show(rgb)

    @property
    def image_size(self) -> Size:
        """Cells the image needs: its width, and half its height rounded up."""
        return Size(self._width, len(self._lines))

    def show(self, rgb: np.ndarray) -> None:
        """Draw ``rgb`` from now on (its styles are built here, once)."""
        lines = render_lines(rgb)
        resized = (rgb.shape[1], len(lines)) != (self._width, len(self._lines))
        self._lines, self._width = lines, int(rgb.shape[1])
        self.refresh(layout=resized)

    def get_content_width(self, container: Size, viewport: Size) -> int:
        return self._width

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self._lines)

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        if y >= len(self._lines):
            return Strip.blank(width, self.rich_style)
        return Strip(self._lines[y], self._width).crop_extend(0, width, self.rich_style)


class ImageCard(Widget):
    """An image over a caption of one or two lines, in a border; ``selected`` brightens the
    border (the theme's accent) and makes the caption bold."""

    DEFAULT_CSS = """
    ImageCard {
        width: auto;
        height: auto;
        border: round $primary 30%;
        padding: 0;
    }
    ImageCard.-selected {
        border: round $accent;
    }
    ImageCard > Static {
        width: 100%;
        height: auto;
        color: $text-muted;
    }
    ImageCard.-selected > Static {
        color: $text;
        text-style: bold;
    }
    """

    selected: reactive[bool] = reactive(False)

    def __init__(self, rgb: np.ndarray, caption: str | Text, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.image = HalfBlockImage(rgb)
        self.caption = Static(caption, markup=False)

    def compose(self) -> ComposeResult:
        yield self.image
        yield self.caption

    def show(self, rgb: np.ndarray, caption: str | Text) -> None:
        self.image.show(rgb)
        self.caption.update(caption)

    def watch_selected(self, selected: bool) -> None:
        self.set_class(selected, "-selected")
