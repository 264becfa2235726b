"""More training data for free: every image also shifted by one pixel up, down, left and right.

Nielsen's ``expand_mnist.py`` (ch. 6) turns the 50,000 training images into 250,000: each image,
then a copy moved one pixel down, one up, one right and one left, with a row or column of zeros
(white paper) shifted in where the image moved away.  A digit moved by a pixel is still the same
digit, so the network sees five slightly different examples of each, which is what more data
does: it makes overfitting harder (Nielsen ch. 3, "Other techniques for regularization:
artificially expanding the training data").

The expanded set is five times the plain one, so it is kept as it was read, one ``uint8`` per
pixel (a value v stands for the input v/256, see :class:`~nntui.datasets.base.Split`): 250,000
MNIST images take 196 MB rather than 784 MB as float32, and the trainer converts each stretch of
shuffled rows it gathers.  Validation and test are never expanded.

The copies are laid out in blocks, not interleaved: rows ``0 … m−1`` are the plain images (so the
first N rows of an expanded set are its plain set's first N), then the m moved down, the m moved
up, the m moved right and the m moved left.  Nothing is random here (Nielsen's script shuffled
the pairs once; the trainer shuffles every epoch from its seed anyway), so the same images always
give the same expanded set.
"""

from __future__ import annotations

import numpy as np

from nntui.datasets.base import DatasetError

SHIFTS: tuple[tuple[str, int, int], ...] = (
    ("down", 0, 1),
    ("up", 0, -1),
    ("right", 1, 1),
    ("left", 1, -1),
)
"""The four moves in Nielsen's order, as (name, axis of the image, step): axis 0 moves along the
rows (down is +1), axis 1 along the columns (right is +1)."""

FACTOR = 1 + len(SHIFTS)
"""How many images the expanded set holds per plain one: 5."""


def expanded_bytes(images: int, pixels: int, classes: int, dtype: np.dtype) -> int:
    """Bytes the expanded training split of ``images`` plain images takes: the pixels as uint8,
    the one-hot targets in ``dtype`` and the int64 labels, each ``FACTOR`` times over."""
    rows = FACTOR * images
    return rows * (pixels + classes * np.dtype(dtype).itemsize + np.dtype(np.int64).itemsize)


def shift(images: np.ndarray, axis: int, step: int, out: np.ndarray | None = None) -> np.ndarray:
    """``images`` (m, rows, columns) moved by ``step`` = ±1 pixel along ``axis`` (0: rows, 1:
    columns), zeros shifted in: Nielsen's ``np.roll`` followed by zeroing the row or column that
    wrapped round, written as one slice copy so nothing wraps in the first place."""
    if step not in (1, -1) or axis not in (0, 1):
        raise ValueError(f"a shift is one pixel along axis 0 or 1, not {step} along {axis}")
    out = np.zeros_like(images) if out is None else out
    target = [slice(None)] * 3
    source = [slice(None)] * 3
    if step == 1:
        target[axis + 1], source[axis + 1] = slice(1, None), slice(None, -1)
        edge = 0
    else:
        target[axis + 1], source[axis + 1] = slice(None, -1), slice(1, None)
        edge = -1
    out[tuple(target)] = images[tuple(source)]
    wrapped = [slice(None)] * 3
    wrapped[axis + 1] = edge  # type: ignore[call-overload]
    out[tuple(wrapped)] = 0  # a caller's buffer may hold anything
    return out


def expand_images(images: np.ndarray) -> np.ndarray:
    """The ``FACTOR`` × m images of the expanded set, (5m, rows, columns) uint8, in blocks: the
    plain ``images`` (m, rows, columns), then each of :data:`SHIFTS` in turn.  Written straight
    into one new array, so making it needs no memory beyond the result."""
    images = np.asarray(images)
    if images.ndim != 3:
        raise DatasetError(f"only images can be expanded by shifting them; these examples have "
                           f"the shape {images.shape[1:]}, not rows × columns")
    m, rows, columns = images.shape
    if rows < 2 or columns < 2:
        raise DatasetError(f"images of {rows}x{columns} pixels cannot be shifted by a pixel "
                           f"both ways and still show anything; turn expand off")
    expanded = np.empty((FACTOR * m, rows, columns), dtype=images.dtype)
    expanded[:m] = images
    for block, (_, axis, step) in enumerate(SHIFTS, start=1):
        shift(images, axis, step, out=expanded[block * m:(block + 1) * m])
    return expanded


def expand_labels(labels: np.ndarray) -> np.ndarray:
    """The labels of :func:`expand_images`' result: the plain ones, ``FACTOR`` times over."""
    return np.tile(np.asarray(labels), FACTOR)
