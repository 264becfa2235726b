"""Pictures in the terminal with half blocks: two pixels in every character cell.

A terminal cell is about twice as tall as it is wide.  The upper half block '▀' drawn with its
foreground colour set to one pixel and its background colour to the pixel below fills the cell
with two square pixels, so an image of H × W pixels takes ⌈H/2⌉ lines of W cells: a 28 × 28
MNIST digit is 28 cells wide and 14 lines tall.

Everything here works on RGB images, ``uint8`` arrays shaped (H, W, 3), and the colour maps that
make them from numbers:

* :func:`grey_rgb`      grey levels, for digits (0 black … 1 white);
* :func:`diverging_rgb` a diverging map for weights: negative blue, zero dark, positive red;
* :func:`field_rgb`     the two-class field of a decision boundary: 0 is class 0 (orange),
                        ½ the boundary (dark grey), 1 class 1 (blue), as TensorFlow
                        Playground colours its classes;

and :func:`render_lines` turns an image into lines of Rich :class:`~rich.segment.Segment`
(truecolor styles, each distinct pair of colours built once per call, neighbouring cells of the
same colours merged into one segment).  :func:`to_text` gives a Rich :class:`~rich.text.Text`
for printing (``nntui inspect``); the app wraps each line in a Textual ``Strip``.

Pure NumPy and Rich: no Textual, so the command line can draw without loading the app.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

import numpy as np
from rich.color import Color
from rich.color_triplet import ColorTriplet
from rich.segment import Segment
from rich.style import Style
from rich.text import Text

UPPER_HALF = "▀"
"""The character every cell is drawn with: foreground = upper pixel, background = lower."""

BLACK = (0, 0, 0)
"""The colour of the missing lower pixel when an image has an odd number of rows."""

# Two classes, as TensorFlow Playground colours them: the field is dark so the points show on it.
CLASS_COLOURS = ((255, 160, 40), (60, 160, 255))
"""Training points of class 0 (orange) and class 1 (blue)."""
TEST_COLOURS = ((255, 214, 160), (150, 210, 255))
"""Test points: paler tints of the class colours."""
FIELD_STOPS = ((0.0, (96, 50, 10)), (0.5, (36, 36, 36)), (1.0, (8, 50, 96)))
"""The field under the points: dark orange at 0 (class 0), dark grey at ½, dark blue at 1."""
DIVERGING_STOPS = ((-1.0, (40, 110, 255)), (0.0, (20, 20, 20)), (1.0, (255, 70, 40)))
"""Weights: strongly negative blue, zero near black, strongly positive red."""


def _as_unit(values: np.ndarray, lo: float, hi: float) -> np.ndarray:
    """``values`` mapped linearly so that ``lo`` → 0 and ``hi`` → 1, clipped; NaN → 0."""
    values = np.asarray(values, dtype=np.float64)
    if values.ndim != 2:
        raise ValueError(f"expected a 2-D array of values, got shape {values.shape}")
    if not hi > lo:
        raise ValueError(f"the colour range needs lo < hi, got {lo} and {hi}")
    unit = (values - lo) / (hi - lo)
    return np.clip(np.nan_to_num(unit, nan=0.0, posinf=1.0, neginf=0.0), 0.0, 1.0)


def _ramp(unit: np.ndarray, stops: Sequence[tuple[float, tuple[int, int, int]]]) -> np.ndarray:
    """Colours interpolated linearly between ``stops`` ((position, rgb), positions rising),
    at the positions ``unit``; a uint8 image (H, W, 3)."""
    positions = np.array([p for p, _ in stops], dtype=np.float64)
    colours = np.array([c for _, c in stops], dtype=np.float64)
    rgb = np.empty((*unit.shape, 3), dtype=np.float64)
    for channel in range(3):
        rgb[..., channel] = np.interp(unit, positions, colours[:, channel])
    return np.rint(rgb).astype(np.uint8)


def grey_rgb(values: np.ndarray, lo: float = 0.0, hi: float = 1.0) -> np.ndarray:
    """Grey levels: ``lo`` black, ``hi`` white (an MNIST pixel runs from 0 to 255/256)."""
    level = np.rint(_as_unit(values, lo, hi) * 255).astype(np.uint8)
    return np.repeat(level[..., None], 3, axis=2)


def diverging_rgb(values: np.ndarray, limit: float | None = None) -> np.ndarray:
    """Blue for negative, near black for zero, red for positive; ``±limit`` (default: the
    largest magnitude in ``values``) are the full colours."""
    values = np.asarray(values, dtype=np.float64)
    if limit is None:
        finite = np.abs(values[np.isfinite(values)])
        limit = float(finite.max()) if finite.size else 0.0
    if not limit > 0:
        limit = 1.0  # all zero: every pixel is the colour of zero
    unit = _as_unit(values, -limit, limit) * 2.0 - 1.0
    return _ramp(unit, DIVERGING_STOPS)


def field_rgb(values: np.ndarray) -> np.ndarray:
    """The decision field: values in [0, 1], 0 = class 0, ½ = the boundary, 1 = class 1."""
    return _ramp(_as_unit(values, 0.0, 1.0), FIELD_STOPS)


def scale_rgb(width: int, stops: Sequence[tuple[float, tuple[int, int, int]]] = FIELD_STOPS,
              lo: float = 0.0, hi: float = 1.0) -> np.ndarray:
    """A colour scale one pixel row by two, ``width`` pixels wide, from ``lo`` to ``hi``
    through ``stops`` (a legend line under a field)."""
    positions = np.linspace(lo, hi, max(width, 1))[None, :]
    row = _ramp(positions, stops)
    return np.concatenate([row, row])


def put_points(rgb: np.ndarray, rows: np.ndarray, cols: np.ndarray, labels: np.ndarray,
               colours: Sequence[tuple[int, int, int]] = CLASS_COLOURS) -> np.ndarray:
    """Paint one pixel per point, in its class's colour, on a copy of ``rgb``; points outside
    the image are left out.  ``rows`` and ``cols`` are pixel coordinates."""
    out = rgb.copy()
    rows = np.asarray(rows, dtype=np.int64)
    cols = np.asarray(cols, dtype=np.int64)
    labels = np.asarray(labels, dtype=np.int64)
    inside = (rows >= 0) & (rows < rgb.shape[0]) & (cols >= 0) & (cols < rgb.shape[1])
    palette = np.array(colours, dtype=np.uint8)
    klass = np.clip(labels[inside], 0, len(palette) - 1)
    out[rows[inside], cols[inside]] = palette[klass]
    return out


def _check_rgb(rgb: np.ndarray) -> np.ndarray:
    rgb = np.asarray(rgb)
    if rgb.ndim != 3 or rgb.shape[2] != 3:
        raise ValueError(f"expected an RGB image shaped (height, width, 3), got {rgb.shape}")
    if rgb.dtype != np.uint8:
        raise ValueError(f"expected uint8 colours, got {rgb.dtype}")
    return rgb


@functools.lru_cache(maxsize=8192)
def _colour(packed: int) -> Color:
    """The truecolor Rich colour of a packed 0xRRGGBB (kept: a grey ramp has only 256)."""
    return Color.from_triplet(ColorTriplet((packed >> 16) & 255, (packed >> 8) & 255,
                                           packed & 255))


def render_lines(rgb: np.ndarray) -> list[list[Segment]]:
    """The image as terminal lines: line i shows pixel rows 2i (upper half, the foreground) and
    2i + 1 (lower half, the background; black below an odd last row).  Every line is exactly
    W cells; neighbouring cells of the same two colours share one segment.

    Each distinct (upper, lower) pair of colours gets one :class:`~rich.style.Style`, built here
    once for the whole image, so a page of digits costs a few thousand NumPy-indexed lookups
    rather than a Style per cell.
    """
    rgb = _check_rgb(rgb)
    height, width = rgb.shape[:2]
    if height == 0 or width == 0:
        return []
    packed = ((rgb[..., 0].astype(np.int64) << 16) | (rgb[..., 1].astype(np.int64) << 8)
              | rgb[..., 2].astype(np.int64))
    if height % 2:
        padding = (BLACK[0] << 16) | (BLACK[1] << 8) | BLACK[2]
        packed = np.vstack([packed, np.full((1, width), padding, dtype=np.int64)])
    pairs = (packed[0::2] << 24) | packed[1::2]  # (lines, width): upper and lower in one key
    keys, inverse = np.unique(pairs, return_inverse=True)
    inverse = inverse.reshape(pairs.shape)
    styles = [Style.from_color(_colour(key >> 24), _colour(key & 0xFFFFFF))
              for key in keys.tolist()]
    lines = []
    for row in inverse:
        # Where the colours change along the line: each run of equal cells is one segment.
        starts = np.flatnonzero(np.concatenate(([True], row[1:] != row[:-1])))
        ends = np.append(starts[1:], width)
        lines.append([Segment(UPPER_HALF * int(end - start), styles[int(row[start])])
                      for start, end in zip(starts, ends, strict=True)])
    return lines


def to_text(rgb: np.ndarray) -> Text:
    """The image as one Rich Text of ⌈H/2⌉ lines, for printing."""
    text = Text(no_wrap=True, overflow="crop")
    for index, line in enumerate(render_lines(rgb)):
        if index:
            text.append("\n")
        for segment in line:
            text.append(segment.text, segment.style)
    return text


def side_by_side(images: Sequence[np.ndarray], gap: int = 2,
                 background: tuple[int, int, int] = BLACK) -> np.ndarray:
    """Several RGB images on one row, ``gap`` pixels apart, top-aligned on ``background``."""
    if not images:
        raise ValueError("no images to put side by side")
    height = max(image.shape[0] for image in images)
    width = sum(image.shape[1] for image in images) + gap * (len(images) - 1)
    out = np.empty((height, width, 3), dtype=np.uint8)
    out[...] = np.array(background, dtype=np.uint8)
    x = 0
    for image in images:
        image = _check_rgb(image)
        out[: image.shape[0], x : x + image.shape[1]] = image
        x += image.shape[1] + gap
    return out
