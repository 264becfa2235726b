"""The decision-boundary panel of the 2-D data sets, as TensorFlow Playground draws it.

:class:`BoundaryPanel` draws the plane [−extent, extent]²: under the points, the network's
output as a coloured field (half blocks, two pixels per cell: orange where it says class 0, dark
grey on the boundary, blue where it says class 1), the training points on it in their class
colours and, with ``t``, the test points in paler tints.  A colour scale under the field says what
0, ½ and 1 mean.  ``n`` / ``shift+n`` cycle the field through the output and each neuron of the
first hidden layer ("neuron 3 of layer 1"), Playground's per-neuron view.

The panel computes nothing itself.  Its inputs:

* :meth:`BoundaryPanel.set_points` — the training (and test) points and labels, once per run;
* :meth:`BoundaryPanel.show_field` — a :class:`~nntui.insight.inspection.DecisionField`, computed
  off the UI thread by :func:`nntui.insight.inspection.decision_field` at
  :attr:`BoundaryPanel.grid_size` over :attr:`BoundaryPanel.extent` (both plain attributes, safe to
  read from the worker), at the app's report rate.  A field of another size (the panel was resized
  meanwhile) is resampled to the panel's.

The plane is drawn square (a circle stays round), centred in the panel.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Center, Vertical
from textual.events import Resize
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Static

from nntui.insight.inspection import TOY_EXTENT, DecisionField, toy_extent
from nntui.render.halfblock import (
    CLASS_COLOURS,
    FIELD_STOPS,
    TEST_COLOURS,
    field_rgb,
    put_points,
    scale_rgb,
    to_text,
)
from nntui.tui.widgets.halfblock import HalfBlockImage

SCALE_WIDTH = 17
"""Cells of the colour bar under the field (an odd number puts ½ in its middle)."""


def rgb_hex(rgb: tuple[int, int, int]) -> str:
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def resample(values: np.ndarray, rows: int, cols: int) -> np.ndarray:
    """``values`` (r, c) brought to rows × cols by taking the nearest grid point."""
    r, c = values.shape
    if (r, c) == (rows, cols):
        return values
    row_index = np.minimum((np.arange(rows) + 0.5) * r / rows, r - 1).astype(np.int64)
    col_index = np.minimum((np.arange(cols) + 0.5) * c / cols, c - 1).astype(np.int64)
    return values[row_index[:, None], col_index[None, :]]


def pixels(points: np.ndarray, extent: float, side: int) -> tuple[np.ndarray, np.ndarray]:
    """(rows, cols) of the pixels of a side × side image of [−extent, extent]² that the 2-D
    ``points`` fall in; y grows upwards, rows downwards."""
    scale = side / (2 * extent)
    cols = np.floor((points[:, 0] + extent) * scale).astype(np.int64)
    rows = np.floor((extent - points[:, 1]) * scale).astype(np.int64)
    return rows, cols


class BoundaryPanel(Vertical, can_focus=True):
    """The plane of a 2-D data set with the network's field under its points."""

    DEFAULT_CSS = """
    BoundaryPanel {
        height: 1fr;
        width: 1fr;
        border: round $primary 60%;
        border-title-color: $text;
    }
    BoundaryPanel:focus {
        border: round $primary;
    }
    BoundaryPanel > #boundary-title, BoundaryPanel > #boundary-scale {
        height: 1;
        width: 1fr;
        text-wrap: nowrap;
        text-overflow: ellipsis;
        padding: 0 1;
    }
    BoundaryPanel > #boundary-area {
        height: 1fr;
        width: 1fr;
        align: center top;
    }
    BoundaryPanel #boundary-empty {
        color: $text-muted;
        width: auto;
        padding: 1 0;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "cycle_view(1)", "Next neuron",
                tooltip="Show the next neuron of hidden layer 1 (after the last, the output)"),
        Binding("shift+n", "cycle_view(-1)", "Previous neuron", show=False,
                tooltip="Show the previous neuron of hidden layer 1, or the output"),
        Binding("o", "show_output", "Output", show=False,
                tooltip="Show the network's output again"),
        Binding("t", "toggle_test", "Test points",
                tooltip="Show or hide the test points (paler) beside the training points"),
    ]

    view: reactive[int] = reactive(0, init=False)
    """0: the network's output; k ≥ 1: neuron k of hidden layer 1."""
    show_test: reactive[bool] = reactive(False, init=False)

    @dataclass
    class ViewChanged(Message):
        """The field now shows ``view`` (0: the output), described by ``title``."""

        view: int
        title: str

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.field: DecisionField | None = None
        self.train: tuple[np.ndarray, np.ndarray] | None = None
        self.test: tuple[np.ndarray, np.ndarray] | None = None
        self.extent: float = TOY_EXTENT
        """Half the side of the square drawn; the worker computes the field over it."""
        self.grid_size: tuple[int, int] = (40, 40)
        """(rows, cols) of pixels the field should have to fill the panel: read it from the
        worker when computing the field.  Updated when the panel is resized."""
        self.image = HalfBlockImage(id="boundary-image")

    def compose(self) -> ComposeResult:
        yield Static(id="boundary-title")
        with Center(id="boundary-area"):
            yield self.image
            yield Static("Train a 2-D data set (circle, xor, gauss, spiral) to see its decision "
                         "boundary here.", id="boundary-empty")
        yield Static(id="boundary-scale")

    def on_mount(self) -> None:
        self._title_for_width()
        self._redraw()

    def on_resize(self, event: Resize) -> None:
        self._title_for_width()
        self._measure()
        self._redraw()

    def _title_for_width(self) -> None:
        """The whole title where it fits in the border, a short one in a narrow panel."""
        wide = self.size.width == 0 or self.size.width >= len("Decision boundary") + 6
        self.border_title = "Decision boundary" if wide else "Boundary"

    def _measure(self) -> None:
        area = self.query_one("#boundary-area")
        width, height = area.size.width, area.size.height
        if width <= 0 or height <= 0:
            width, height = self.size.width - 2, self.size.height - 4
        side = max(2, min(width, 2 * height))
        self.grid_size = (side, side)

    # --- inputs --------------------------------------------------------------------------------

    def set_points(self, train_x: np.ndarray, train_labels: np.ndarray,
                   test_x: np.ndarray | None = None, test_labels: np.ndarray | None = None
                   ) -> None:
        """The data set's points (n, 2) and labels (0 or 1); sets :attr:`extent` so that every
        point shows.  Forgets the field of an earlier run."""
        for name, x in (("training", train_x), ("test", test_x)):
            if x is not None and (np.ndim(x) != 2 or np.shape(x)[1] != 2):
                raise ValueError(f"the {name} points must be shaped (n, 2), not {np.shape(x)}")
        self.train = (np.asarray(train_x, dtype=np.float64), np.asarray(train_labels))
        self.test = None if test_x is None or test_labels is None else (
            np.asarray(test_x, dtype=np.float64), np.asarray(test_labels))
        self.extent = toy_extent([p[0] for p in (self.train, self.test) if p is not None])
        self.field = None
        self.view = 0
        self._redraw()

    def show_field(self, field: DecisionField) -> None:
        """Draw ``field`` (from :func:`nntui.insight.inspection.decision_field`) under the
        points."""
        self.field = field
        if self.view >= field.views:
            self.view = 0
        self._redraw()

    # --- drawing -------------------------------------------------------------------------------

    def view_title(self) -> str:
        if self.view == 0:
            return "output of the network"
        activation = self.field.activation if self.field is not None else ""
        return f"neuron {self.view} of layer 1 ({activation})"

    def _redraw(self) -> None:
        if not self.is_mounted:
            return
        empty = self.field is None and self.train is None
        self.query_one("#boundary-empty").display = empty
        self.image.display = not empty
        self._draw_title()
        self._draw_scale()
        if empty:
            return
        side = self.grid_size[0]
        if self.field is not None:
            values = resample(self.field.view(self.view), side, side)
            extent = self.field.extent
        else:
            values = np.full((side, side), 0.5)
            extent = self.extent
        rgb = field_rgb(values)
        if self.test is not None and self.show_test:
            rgb = put_points(rgb, *pixels(self.test[0], extent, side), self.test[1],
                             TEST_COLOURS)
        if self.train is not None:
            rgb = put_points(rgb, *pixels(self.train[0], extent, side), self.train[1],
                             CLASS_COLOURS)
        self.image.show(rgb)

    def _draw_title(self) -> None:
        title = Text(self.view_title(), style="bold")
        if self.train is not None:
            title.append(" · ")
            title.append("■", style=rgb_hex(CLASS_COLOURS[0]))
            title.append(" class 0 ")
            title.append("■", style=rgb_hex(CLASS_COLOURS[1]))
            title.append(" class 1")
            if self.test is not None and self.show_test:
                title.append(" · test ")
                title.append("■", style=rgb_hex(TEST_COLOURS[0]))
                title.append("■", style=rgb_hex(TEST_COLOURS[1]))
        self.query_one("#boundary-title", Static).update(title)

    def scale_labels(self) -> tuple[str, str, str, str]:
        """What the low end, the middle and the high end of the colour scale mean, and a
        sentence saying it."""
        if self.view == 0 or self.field is None:
            return "0", "½", "1", "0 class 0 · ½ the boundary · 1 class 1"
        lo, hi = self.field.hidden_range()
        mid = (lo + hi) / 2
        return (f"{lo:.3g}", f"{mid:.3g}", f"{hi:.3g}",
                f"the neuron's activation, {lo:.3g} to {hi:.3g}")

    def _draw_scale(self) -> None:
        lo, mid, hi, said = self.scale_labels()
        # The bar gives way in a narrow panel, so that both of its ends stay readable.
        room = self.size.width - 2 - len(lo) - len(hi) - 2
        width = max(5, min(SCALE_WIDTH, room if self.size.width else SCALE_WIDTH))
        half = width // 2
        bar = scale_rgb(width, FIELD_STOPS)
        text = Text(f"{lo} ")
        text.append_text(to_text(bar[:, :half]))
        text.append(mid, style="bold")
        text.append_text(to_text(bar[:, half + 1:]))
        text.append(f" {hi}")
        if text.cell_len + 2 + len(said) <= self.size.width - 2 or not self.size.width:
            text.append(f"  {said}", style="dim")  # where it fits: the ends are what matter
        self.query_one("#boundary-scale", Static).update(text)

    # --- reacting -------------------------------------------------------------------------------

    def validate_view(self, view: int) -> int:
        views = self.field.views if self.field is not None else 1
        return view % views

    def watch_view(self, view: int) -> None:
        self._redraw()
        self.post_message(self.ViewChanged(view, self.view_title()))

    def watch_show_test(self) -> None:
        self._redraw()

    def action_cycle_view(self, step: int) -> None:
        if self.field is None or self.field.views == 1:
            self.notify("This network has no hidden layer to look into." if self.field
                        else "No field yet: train a 2-D data set.", title="Decision boundary")
            return
        self.view = self.view + step

    def action_show_output(self) -> None:
        self.view = 0

    def action_toggle_test(self) -> None:
        if self.test is None:
            self.notify("No test points were given.", title="Decision boundary")
            return
        self.show_test = not self.show_test
