"""One picture from a file as ink on paper: what ``nntui inspect --image`` shows a network.

A person's picture of a digit may be a PNG from a paint program or a phone, or a PGM (the plain
``P2`` or binary ``P5`` grey map), of any size, black on white or white on black, with or without
transparency.  :func:`read_ink` reads it with Pillow (only those two formats, so nothing else is
ever decoded) and returns the ink as grey levels, 0 the paper and 1 the darkest stroke, ready for
:func:`nntui.insight.digit.prepare`:

* transparent parts are paper: the picture is laid on white when its strokes are dark and on
  black when they are light;
* the paper is the median of the border pixels (a digit seldom touches every edge); a picture
  whose paper is light has dark ink, and the other way round;
* the ink is each pixel's distance from the paper, stretched so the strongest is 1.

Every problem is a :class:`ImageError` (a :class:`~nntui.datasets.DatasetError`) whose message
says what is wrong with which file: missing, empty, not a PNG or PGM, damaged, too large, or
blank (no pixel differs from the paper).
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import numpy as np

from nntui.datasets.base import DatasetError

FORMATS = ("PNG", "PPM")
"""Pillow's readers allowed: PNG, and PPM's, which reads the PGM grey maps (P2 and P5)."""

MAX_PIXELS = 50_000_000
"""Larger pictures are refused before they are decoded (a digit needs far fewer pixels)."""

MIN_CONTRAST = 8 / 255
"""A picture whose strongest ink differs from the paper by less than this is blank."""


class ImageError(DatasetError):
    """A picture that cannot be read as ink; the message names the file and the problem."""


def _grey_and_alpha(image) -> tuple[np.ndarray, np.ndarray]:
    """Grey levels and opacity, both in [0, 1], of a Pillow image of any mode."""
    mode = image.mode
    if mode.startswith("I;16") or mode in ("I", "F"):
        grey = np.asarray(image.convert("F") if mode == "F" else image.convert("I"),
                          dtype=np.float64)
        top = 65535.0 if mode.startswith("I;16") else max(float(grey.max()), 1.0)
        return np.clip(grey / top, 0.0, 1.0), np.ones_like(grey)
    with warnings.catch_warnings():  # a palette with transparency: Pillow's note on converting
        warnings.simplefilter("ignore")
        pair = np.asarray(image.convert("LA"), dtype=np.float64) / 255.0
    return pair[..., 0], pair[..., 1]


def _to_ink(grey: np.ndarray, alpha: np.ndarray, name: str) -> np.ndarray:
    if alpha.min() < 1.0:
        weight = alpha.sum()
        stroke = float((grey * alpha).sum() / weight) if weight > 0 else 0.0
        paper = 1.0 if stroke < 0.5 else 0.0  # dark strokes on white, light ones on black
        grey = alpha * grey + (1.0 - alpha) * paper
    border = np.concatenate([grey[0], grey[-1], grey[:, 0], grey[:, -1]])
    paper = float(np.median(border))
    ink = paper - grey if paper >= 0.5 else grey - paper
    ink = np.clip(ink, 0.0, None)
    strongest = float(ink.max())
    if strongest < MIN_CONTRAST:
        raise ImageError(f"{name} is blank: no pixel stands out from the paper (grey "
                         f"{paper:.2f}); it needs a digit drawn dark on light or light on dark")
    return ink / strongest


def read_ink(path: str | os.PathLike) -> np.ndarray:
    """The picture at ``path`` (PNG or PGM) as ink, shape (height, width), 0 paper … 1 the
    strongest stroke.  ImageError, saying why, when it cannot be."""
    from PIL import Image, UnidentifiedImageError

    file = Path(path)
    name = f"'{path}'"
    if not file.exists():
        raise ImageError(f"{name} does not exist")
    if not file.is_file():
        raise ImageError(f"{name} is not a file; give a PNG or PGM picture")
    try:
        if file.stat().st_size == 0:
            raise ImageError(f"{name} is empty (0 bytes); give a PNG or PGM picture")
        with Image.open(file, formats=FORMATS) as image:
            width, height = image.size
            if width * height == 0:
                raise ImageError(f"{name} is empty: it is {width} × {height} pixels")
            if width * height > MAX_PIXELS:
                raise ImageError(f"{name} is {width:,} × {height:,} pixels, more than "
                                 f"{MAX_PIXELS:,}; scale it down first")
            image.load()
            grey, alpha = _grey_and_alpha(image)
    except UnidentifiedImageError:
        raise ImageError(f"{name} is not a PNG or PGM picture; save the drawing as PNG or "
                         f"PGM") from None
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as error:
        raise ImageError(f"{name} could not be read as a picture (damaged or cut short?): "
                         f"{error}") from None
    return _to_ink(grey, alpha, name)
