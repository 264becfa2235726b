"""``DigitCanvas``: a 28 × 28 square to draw a digit on, with the mouse or the keyboard.

The drawing is a :class:`~nntui.insight.digit.Canvas` (grey levels, a round pen with soft edges,
undo), shown in half blocks: white ink on black paper, as MNIST's digits are drawn, 28 cells wide
and 14 lines tall, each cell two pixels one above the other.

The mouse: press and drag.  Textual reports the pointer in fractions of a cell
(``MouseEvent.pointer_x`` / ``pointer_y``) when the terminal sends pixel coordinates: its Linux
driver turns on xterm's SGR-pixels mouse mode (1016) in terminals that report their size in
pixels (in-band resize, mode 2048: kitty, Ghostty, foot, recent WezTerm and iTerm2), and divides
by the cell size.  There the pen follows the pointer to the pixel, upper or lower half of a cell
alike.  Elsewhere the pointer is only known to the cell, and the pen
is put at the cell's centre, between its two pixels: the pen (about 2.5 pixels across) then paints
both, which is how a stroke is drawn at that resolution.

The keyboard: the arrow keys move a cursor (an orange pixel) one pixel at a time, space puts the
pen down there (a dot), and shift with an arrow draws a line as the cursor moves, so a digit can
be drawn without a mouse.  Every change posts :class:`DigitCanvas.Changed`.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
from rich.segment import Segment
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Region, Size
from textual.message import Message
from textual.strip import Strip
from textual.widget import Widget

from nntui.insight.digit import FIELD, Canvas
from nntui.render.halfblock import grey_rgb, render_lines

CURSOR_COLOUR = np.array((255, 160, 40), dtype=np.uint8)
"""The keyboard's cursor: the orange of the app's class 0, distinct from any grey."""


def pointer_pixel(x: float, y: float) -> tuple[float, float]:
    """(row, column) on the canvas, in pixels, of the pointer at cell coordinates (x, y).

    A cell is one pixel wide and two tall.  Whole numbers are what a terminal without pixel
    coordinates reports (the cell's top-left corner): the pen goes to the cell's centre.
    """
    if float(x).is_integer() and float(y).is_integer():
        x, y = x + 0.5, y + 0.5
    return 2.0 * y, float(x)


class DigitCanvas(Widget, can_focus=True):
    """A :class:`~nntui.insight.digit.Canvas` to draw on; ``canvas.pixels`` is the drawing."""

    DEFAULT_CSS = """
    DigitCanvas {
        width: 28;
        height: 14;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "move(-1, 0)", "Cursor", show=False, tooltip="Move the cursor up"),
        Binding("down", "move(1, 0)", "Cursor", show=False, tooltip="Move the cursor down"),
        Binding("left", "move(0, -1)", "Cursor", show=False, tooltip="Move the cursor left"),
        Binding("right", "move(0, 1)", "Cursor", show=False, tooltip="Move the cursor right"),
        Binding("shift+up", "move(-1, 0, True)", "Draw", show=False,
                tooltip="Draw upwards from the cursor"),
        Binding("shift+down", "move(1, 0, True)", "Draw", show=False,
                tooltip="Draw downwards from the cursor"),
        Binding("shift+left", "move(0, -1, True)", "Draw", show=False,
                tooltip="Draw to the left of the cursor"),
        Binding("shift+right", "move(0, 1, True)", "Draw", show=False,
                tooltip="Draw to the right of the cursor"),
        Binding("space", "paint", "Paint", tooltip="Put the pen down at the cursor (a dot); "
                                                   "shift+arrows draw lines"),
    ]

    class Changed(Message):
        """The drawing changed."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.canvas = Canvas()
        self.cursor = (FIELD // 2, FIELD // 2)
        self._pen_down = False
        self._keyboard_line_end: tuple[int, int] | None = None  # where shift+arrows left off
        self._lines: list[list[Segment]] = []
        self._rgb: np.ndarray | None = None  # what the lines show
        self._draw()

    # --- what is shown ----------------------------------------------------------------------

    def get_content_width(self, container: Size, viewport: Size) -> int:
        return FIELD

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return FIELD // 2

    def _draw(self) -> None:
        """Build the lines again; only the lines that changed are repainted (a pen move
        touches a few), which keeps a stroke's repaint short."""
        rgb = grey_rgb(self.canvas.pixels)
        rgb[self.cursor] = CURSOR_COLOUR
        self._lines = render_lines(rgb)
        if self._rgb is None:
            self.refresh()
        else:
            changed = np.flatnonzero((rgb != self._rgb).any(axis=(1, 2))) // 2
            for line in np.unique(changed).tolist():
                self.refresh(Region(0, line, FIELD, 1))
        self._rgb = rgb

    def render_line(self, y: int) -> Strip:
        if y >= len(self._lines):
            return Strip.blank(self.size.width, self.rich_style)
        return Strip(self._lines[y], FIELD).crop_extend(0, self.size.width, self.rich_style)

    def changed(self) -> None:
        """Redraw and tell the screen."""
        self._draw()
        self.post_message(self.Changed())

    # --- what a person does -----------------------------------------------------------------

    def undo(self) -> bool:
        self._keyboard_line_end = None
        done = self.canvas.undo()
        if done:
            self.changed()
        return done

    def clear(self) -> bool:
        self._keyboard_line_end = None
        done = self.canvas.clear()
        if done:
            self.changed()
        return done

    def _pixel(self, event: events.MouseEvent) -> tuple[float, float]:
        """The canvas pixel under the pointer: the event counts from the widget's corner, the
        drawing from inside its border."""
        gutter = self.styles.gutter
        return pointer_pixel(event.pointer_x - gutter.left, event.pointer_y - gutter.top)

    def on_mouse_down(self, event: events.MouseDown) -> None:
        if event.button != 1:
            return
        self.capture_mouse()
        self._pen_down = True
        self._keyboard_line_end = None
        self.canvas.begin(*self._pixel(event))
        self.changed()

    def on_mouse_move(self, event: events.MouseMove) -> None:
        if self._pen_down:
            self.canvas.line_to(*self._pixel(event))
            self.changed()

    def on_mouse_up(self, event: events.MouseUp) -> None:
        if self._pen_down:
            self._pen_down = False
            self.canvas.lift()
            self.release_mouse()

    def action_move(self, rows: int, cols: int, draw: bool = False) -> None:
        row, col = self.cursor
        moved = (min(max(row + rows, 0), FIELD - 1), min(max(col + cols, 0), FIELD - 1))
        if draw:
            if not self._drawing_from(self.cursor):
                self.canvas.begin(self.cursor[0] + 0.5, self.cursor[1] + 0.5)
            self.canvas.line_to(moved[0] + 0.5, moved[1] + 0.5)
            self._keyboard_line_end = moved
        self.cursor = moved
        if draw:
            self.changed()
        else:
            self._keyboard_line_end = None
            self._draw()

    def _drawing_from(self, where: tuple[int, int]) -> bool:
        """A line drawn from the keyboard goes on from ``where`` (one stroke, one undo)."""
        return self._keyboard_line_end == where

    def action_paint(self) -> None:
        self._keyboard_line_end = None
        self.canvas.begin(self.cursor[0] + 0.5, self.cursor[1] + 0.5)
        self.canvas.lift()
        self.changed()
