"""A digit drawn by a person, prepared as MNIST's digits were, and the network's answer to it.

MNIST's digits were made from NIST's black-and-white scans in two steps (LeCun et al., "The MNIST
database of handwritten digits"): each digit was scaled, keeping its aspect ratio, to fit a 20 × 20
box, the anti-aliasing of the scaling giving grey levels; then it was put in a 28 × 28 field so that
its centre of mass lies at the field's centre, pixel (14, 14) counting from 0.  A network trained
on MNIST has only ever seen digits of that size in that place: a fat stroke in a corner of the
canvas is far from anything it learned, and it answers badly for that reason alone.
:func:`prepare` repeats the two steps on any picture of ink (a drawing, an image file):

1. the bounding box of the ink is cut out and resampled to fit 20 × 20, its longer side 20 pixels
   long, with a linear (tent) filter whose support grows with the reduction, as Pillow's
   antialiased resize does, so a thin line shrunk becomes a grey line rather than a broken one;
2. the centre of mass (ȳ, x̄) = Σ v·(y, x) / Σ v is moved to (14, 14) by a shift of a fraction of a
   pixel: each pixel is split between the two pixels it falls across (linear interpolation),
   which moves the centre of mass by exactly the shift;

and the result is stored as MNIST stores it, 256 grey levels, then read as nntui reads MNIST
(value / 256).

:class:`Canvas` is the drawing itself: 28 × 28 grey levels painted by a round pen with soft edges,
stroke by stroke, with undo.  :func:`answer` is what the network says of a prepared input, with
sigmoid or linear outputs turned into proportions for a bar chart (softmax outputs already are).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from nntui.engine import Network, activations

Array = np.ndarray

FIELD = 28
"""MNIST's images are FIELD × FIELD pixels."""
BOX = 20
"""The box a digit is scaled to fit."""
CENTRE = 14.0
"""Where a digit's centre of mass goes, in pixels from the top-left pixel (which is 0)."""
INK_THRESHOLD = 0.1
"""A pixel darker than this (of 1, full ink) is paper when the ink's bounding box is found: the
soft edges of a stroke and the noise of a scan do not widen the box."""
LEVELS = 256
"""MNIST's grey levels: a pixel is a byte, read as byte / 256 (as nntui reads MNIST)."""

PEN_RADIUS = 1.2
"""The pen's radius in pixels: a stroke about 2.5 pixels wide with grey edges, as MNIST's strokes
are once scaled."""


class BlankImage(ValueError):
    """The picture has no ink: nothing to scale or centre."""


# --- preparing a picture as MNIST's digits were ----------------------------------------------

def _resample_matrix(n_in: int, n_out: int) -> Array:
    """The (n_out, n_in) matrix that resamples a line of ``n_in`` pixels to ``n_out``.

    Output pixel i's centre falls at u = (i + ½)·n_in/n_out in the input; input pixel j (centre
    j + ½) weighs max(0, 1 − |j + ½ − u| / s), s = max(1, n_in/n_out): linear interpolation when
    enlarging, a tent as wide as one output pixel when reducing (so every input pixel counts);
    each row sums to 1.
    """
    scale = n_in / n_out
    support = max(1.0, scale)
    centres = (np.arange(n_out) + 0.5) * scale
    distance = np.abs(np.arange(n_in)[None, :] + 0.5 - centres[:, None])
    weights = np.clip(1.0 - distance / support, 0.0, None)
    return weights / weights.sum(axis=1, keepdims=True)


def _shift_matrix(n_in: int, offset: float, n_out: int = FIELD) -> Array:
    """The (n_out, n_in) matrix that puts input pixel j at j + ``offset`` of an output line,
    split between the two output pixels it falls across in proportion (linear interpolation):
    the weighted mean position of a line moves by exactly ``offset`` while nothing falls off."""
    target = np.arange(n_in) + offset
    return np.clip(1.0 - np.abs(np.arange(n_out)[:, None] - target[None, :]), 0.0, None)


def centre_of_mass(image: Array) -> tuple[float, float]:
    """(ȳ, x̄) = Σ v·(y, x) / Σ v, pixels counted from 0 at the top left; BlankImage if Σ v = 0."""
    image = np.asarray(image, dtype=np.float64)
    total = image.sum()
    if not total > 0:
        raise BlankImage("the picture has no ink")
    rows, cols = np.indices(image.shape)
    return float((rows * image).sum() / total), float((cols * image).sum() / total)


def ink_box(image: Array, threshold: float = INK_THRESHOLD) -> tuple[slice, slice]:
    """The rows and columns of the smallest box holding every pixel above ``threshold``."""
    ink = np.asarray(image) > threshold
    rows, cols = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    if not rows.size:
        raise BlankImage("the picture has no ink: no pixel is darker than the paper")
    return slice(rows[0], rows[-1] + 1), slice(cols[0], cols[-1] + 1)


def fit_box(image: Array, box: int = BOX) -> Array:
    """The ink of ``image`` cut out and resampled so its longer side is ``box`` pixels and its
    aspect ratio is kept (the shorter side rounded, at least one pixel)."""
    rows, cols = ink_box(image)
    ink = np.asarray(image, dtype=np.float64)[rows, cols]
    height, width = ink.shape
    scale = box / max(height, width)
    new_height = min(box, max(1, round(height * scale)))
    new_width = min(box, max(1, round(width * scale)))
    return _resample_matrix(height, new_height) @ ink @ _resample_matrix(width, new_width).T


def prepare(image: Array) -> Array:
    """A picture of ink (any size, 0 paper … 1 full ink) as MNIST would have it: 28 × 28, the ink
    fit to 20 × 20 and its centre of mass at (14, 14), in MNIST's 256 grey levels read as
    level / 256.  BlankImage when there is no ink."""
    image = np.clip(np.nan_to_num(np.asarray(image, dtype=np.float64)), 0.0, 1.0)
    if image.ndim != 2:
        raise ValueError(f"expected a 2-D picture of grey levels, got shape {image.shape}")
    boxed = fit_box(image)
    y, x = centre_of_mass(boxed)
    placed = (_shift_matrix(boxed.shape[0], CENTRE - y) @ boxed
              @ _shift_matrix(boxed.shape[1], CENTRE - x).T)
    levels = np.clip(np.rint(placed * (LEVELS - 1)), 0, LEVELS - 1)
    return levels / LEVELS


# --- the network's answer ------------------------------------------------------------------------

@dataclass(frozen=True)
class Answer:
    """What the network says of one input.

    ``outputs``: the output layer's activations as they are.  ``shares``: what the bars show, the
    outputs as proportions that sum to 1: the softmax outputs themselves, sigmoid outputs divided
    by their sum (``normalized``), a linear output's softmax.  ``top``: the class of the largest.
    """

    outputs: Array
    shares: Array
    output: str

    @property
    def top(self) -> int:
        return int(np.argmax(self.shares))

    @property
    def normalized(self) -> bool:
        """The bars are not the outputs themselves."""
        return self.output != "softmax"

    @property
    def how(self) -> str:
        """How the bars were made from the outputs, in words for the screen."""
        if self.output == "softmax":
            return "softmax outputs: probabilities as they are"
        if self.output == "sigmoid":
            return "sigmoid outputs (a, shown as they are) divided by their sum for the bars"
        return f"{self.output} outputs (shown as they are) through a softmax for the bars"


def check_image_network(network: Network) -> None:
    """ValueError, saying what the network takes, unless it reads 28 × 28 images and answers
    with several classes."""
    if network.sizes[0] != FIELD * FIELD:
        raise ValueError(
            f"this network takes {network.sizes[0]:,} inputs, not the {FIELD * FIELD} pixels of a "
            f"{FIELD} × {FIELD} image: drawing needs a network trained on MNIST or Fashion-MNIST")
    if network.sizes[-1] < 2:
        raise ValueError("this network has a single output: drawing needs one output per class")


def answer(network: Network, prepared: Array) -> Answer:
    """The network's outputs for one prepared 28 × 28 input, and their shares for the bars."""
    check_image_network(network)
    x = np.asarray(prepared, dtype=np.float64).reshape(1, -1)
    outputs = network.feedforward(x)[0].astype(np.float64)
    name = network.output.name
    if name == "softmax":
        shares = outputs
    elif name == "sigmoid" and outputs.sum() > 0:
        shares = outputs / outputs.sum()
    else:
        shares = activations.get("softmax")(outputs[None, :].copy())[0]
    return Answer(outputs=outputs, shares=shares, output=name)


# --- the drawing ----------------------------------------------------------------------------------

def _segment_distance(rows: Array, cols: Array, start: tuple[float, float],
                      end: tuple[float, float]) -> Array:
    """Distance from each point (rows, cols) to the segment from ``start`` to ``end``."""
    (y0, x0), (y1, x1) = start, end
    dy, dx = y1 - y0, x1 - x0
    length2 = dy * dy + dx * dx
    if length2 == 0:
        t = np.zeros_like(rows)
    else:
        t = np.clip(((rows - y0) * dy + (cols - x0) * dx) / length2, 0.0, 1.0)
    return np.hypot(rows - (y0 + t * dy), cols - (x0 + t * dx))


@dataclass
class Canvas:
    """A square of grey levels (0 paper, 1 full ink) painted with a round pen.

    Positions are continuous, in pixels from the canvas's top-left corner (pixel (r, c) covers
    [r, r + 1) × [c, c + 1), its centre at (r + ½, c + ½)).  A pixel at distance d from the pen's
    path gets max(0, min(1, radius + ½ − d)) of ink: full within the radius, fading to nothing over
    one pixel, so a stroke has grey edges; ink only ever adds (the darker of old and new).

    A stroke is everything from :meth:`begin` (the mouse pressed, a key to paint) to the next
    :meth:`begin`; :meth:`undo` takes the last one away.
    """

    size: int = FIELD
    radius: float = PEN_RADIUS
    pixels: Array = field(init=False)
    _history: list[Array] = field(init=False, default_factory=list)
    _last: tuple[float, float] | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        self.pixels = np.zeros((self.size, self.size))
        centres = np.arange(self.size) + 0.5
        self._rows, self._cols = np.meshgrid(centres, centres, indexing="ij")

    @property
    def empty(self) -> bool:
        return not self.pixels.any()

    @property
    def can_undo(self) -> bool:
        return bool(self._history)

    def begin(self, y: float, x: float) -> None:
        """A new stroke at (y, x): the pen goes down and paints a dot."""
        self._history.append(self.pixels.copy())
        self._last = None
        self.line_to(y, x)

    def line_to(self, y: float, x: float) -> None:
        """The pen moves to (y, x), painting the way from where it was (a dot if it was up)."""
        start = self._last if self._last is not None else (y, x)
        distance = _segment_distance(self._rows, self._cols, start, (y, x))
        np.maximum(self.pixels, np.clip(self.radius + 0.5 - distance, 0.0, 1.0),
                   out=self.pixels)
        self._last = (y, x)

    def lift(self) -> None:
        """The pen goes up: the next :meth:`line_to` starts a new line."""
        self._last = None

    def undo(self) -> bool:
        """Take the last stroke (or clearing) away; False when there was none."""
        if not self._history:
            return False
        self.pixels = self._history.pop()
        self._last = None
        return True

    def clear(self) -> bool:
        """Wipe the canvas (undo brings the drawing back); False when it was already blank."""
        if self.empty:
            return False
        self._history.append(self.pixels.copy())
        self.pixels = np.zeros_like(self.pixels)
        self._last = None
        return True

