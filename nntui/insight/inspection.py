"""Looking inside a network: what it answers, where it goes wrong, what its neurons learned.

Pure NumPy over the engine's :class:`~nntui.engine.Network`; nothing here knows about a user
interface, so the app's screens, ``nntui inspect`` and the tests share every number.

* :func:`predict`          the network's answer for every example of a split, and how sure it is;
* :func:`confusion`        true class × predicted class counts, per-class accuracy (recall),
                           precision, and the most frequent confusion;
* :func:`mistakes`         the misclassified examples, most confident first, optionally only
                           those of one true and/or one predicted class;
* :func:`decision_field`   for the 2-D sets: one forward pass over a fixed grid of the plane,
                           keeping the output and every first-layer hidden neuron's activation;
* :func:`weight_images`    the incoming weights of each first-layer hidden neuron as an image,
                           for image data (MNIST: 28 × 28).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from nntui.engine import Network, activations

Array = np.ndarray

TOY_EXTENT = 1.2
"""Half the side of the square the decision field covers for the 2-D sets: their points lie in
[-1, 1]² and noise moves them by at most half its value (0.05 at the default)."""


# --- answers --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Predictions:
    """A network's answers on one split.

    ``outputs``: the output layer's activations (m, n_out).  ``predicted``: the class it picks
    (its most active output; for a single output neuron, 1 when the output is above ½, as
    :func:`nntui.engine.network.accuracy` counts).  ``confidence``: how strongly it picks it, in
    [0, 1]: the softmax probability of the class, the activation of the winning sigmoid neuron
    (of the single neuron, a for class 1 and 1 − a for class 0), or for a linear output the
    softmax of its outputs.  ``labels``: the true classes.
    """

    outputs: Array
    predicted: Array
    confidence: Array
    labels: Array
    n_classes: int

    def __len__(self) -> int:
        return int(self.labels.shape[0])

    @property
    def correct(self) -> Array:
        return self.predicted == self.labels

    @property
    def accuracy(self) -> float:
        return float(np.mean(self.correct)) if len(self) else math.nan


def predict(network: Network, x: Array, labels: Array) -> Predictions:
    """The network's answers for inputs ``x`` (one example per row) whose classes are
    ``labels``.  Raises ValueError when ``x`` does not fit the network's input layer."""
    x = np.asarray(x)
    labels = np.asarray(labels, dtype=np.int64)
    check_inputs(network, x.shape[1] if x.ndim == 2 else -1)
    if x.shape[0] != labels.shape[0]:
        raise ValueError(f"{x.shape[0]:,} examples but {labels.shape[0]:,} labels")
    outputs = network.feedforward(x)
    n_out = outputs.shape[1]
    if n_out == 1:
        a = outputs[:, 0].astype(np.float64)
        predicted = (a > 0.5).astype(np.int64)
        confidence = np.where(predicted == 1, a, 1.0 - a)
        n_classes = 2
    else:
        predicted = outputs.argmax(axis=1).astype(np.int64)
        scores = outputs.astype(np.float64)
        if network.output.name == "linear":
            scores = activations.get("softmax")(scores.copy())
        confidence = scores[np.arange(len(predicted)), predicted]
        n_classes = n_out
    if len(labels) and (labels.min() < 0 or labels.max() >= n_classes):
        raise ValueError(f"labels must be 0 to {n_classes - 1} for a network of {n_out} "
                         f"output{'s' if n_out != 1 else ''}")
    return Predictions(outputs, predicted, np.clip(confidence, 0.0, 1.0), labels, n_classes)


def check_inputs(network: Network, n_inputs: int) -> None:
    """Raise ValueError, saying both sizes, when examples of ``n_inputs`` numbers cannot be fed
    to ``network``."""
    if n_inputs != network.sizes[0]:
        raise ValueError(f"the network takes {network.sizes[0]:,} inputs but the examples have "
                         f"{max(n_inputs, 0):,}")


# --- the confusion matrix -----------------------------------------------------------------------

@dataclass(frozen=True)
class Confusion:
    """``counts[i, j]``: examples of true class i the network called j (rows true, columns
    predicted).  Per-class figures are NaN for a class with no examples (recall) or never
    predicted (precision)."""

    counts: Array  # (k, k) int64

    @property
    def n_classes(self) -> int:
        return int(self.counts.shape[0])

    @property
    def total(self) -> int:
        return int(self.counts.sum())

    @property
    def correct(self) -> int:
        return int(np.trace(self.counts))

    @property
    def accuracy(self) -> float:
        return self.correct / self.total if self.total else math.nan

    @property
    def per_class_accuracy(self) -> Array:
        """Of the examples of each true class, the fraction answered correctly (its recall)."""
        return _ratio(np.diag(self.counts), self.counts.sum(axis=1))

    recall = per_class_accuracy

    @property
    def precision(self) -> Array:
        """Of the examples the network called each class, the fraction that were."""
        return _ratio(np.diag(self.counts), self.counts.sum(axis=0))

    def most_frequent_confusion(self) -> tuple[int, int, int] | None:
        """(true class, predicted class, count) of the largest cell off the diagonal, the lower
        true class first on a tie; None when there is no mistake at all."""
        off = self.counts.copy()
        np.fill_diagonal(off, 0)
        if not off.any():
            return None
        true, said = np.unravel_index(int(np.argmax(off)), off.shape)
        return int(true), int(said), int(off[true, said])

    def describe_most_frequent(self) -> str:
        """``most frequent confusion: 4 taken for 9, 23 times`` (or that there is none)."""
        top = self.most_frequent_confusion()
        if top is None:
            return "no confusions: every example was answered correctly"
        true, said, count = top
        return (f"most frequent confusion: {true} taken for {said}, "
                f"{count:,} time{'s' if count != 1 else ''}")


def _ratio(part: Array, whole: Array) -> Array:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(whole > 0, part / np.maximum(whole, 1), math.nan)


def confusion(labels: Array, predicted: Array, n_classes: int) -> Confusion:
    """Count each (true, predicted) pair.  Raises ValueError for classes outside
    0 … n_classes − 1 or arrays of different lengths."""
    labels = np.asarray(labels, dtype=np.int64)
    predicted = np.asarray(predicted, dtype=np.int64)
    if labels.shape != predicted.shape or labels.ndim != 1:
        raise ValueError(f"labels {labels.shape} and predictions {predicted.shape} must be "
                         f"two lists of the same length")
    if n_classes < 1:
        raise ValueError("a confusion matrix needs at least one class")
    for name, values in (("label", labels), ("prediction", predicted)):
        if values.size and (values.min() < 0 or values.max() >= n_classes):
            raise ValueError(f"a {name} is outside the classes 0 to {n_classes - 1}")
    counts = np.bincount(labels * n_classes + predicted, minlength=n_classes * n_classes)
    return Confusion(counts.reshape(n_classes, n_classes).astype(np.int64))


def confusion_of(predictions: Predictions) -> Confusion:
    return confusion(predictions.labels, predictions.predicted, predictions.n_classes)


# --- mistakes -------------------------------------------------------------------------------------

def mistakes(predictions: Predictions, true_class: int | None = None,
             predicted_class: int | None = None) -> Array:
    """Indices (into the split) of the misclassified examples, most confident first (ties in
    the split's order), only those of ``true_class`` and/or ``predicted_class`` when given."""
    wrong = ~predictions.correct
    if true_class is not None:
        wrong &= predictions.labels == true_class
    if predicted_class is not None:
        wrong &= predictions.predicted == predicted_class
    indices = np.flatnonzero(wrong)
    order = np.argsort(-predictions.confidence[indices], kind="stable")
    return indices[order]


# --- images ---------------------------------------------------------------------------------------

def image_shape(n_inputs: int) -> tuple[int, int] | None:
    """(rows, columns) of square images of ``n_inputs`` pixels (28 × 28 for 784), or None when
    the inputs are not a square image (the 2-D sets, the neuron)."""
    side = math.isqrt(n_inputs)
    return (side, side) if side * side == n_inputs and side >= 4 else None


def weight_images(network: Network, shape: tuple[int, int] | None = None) -> Array:
    """The incoming weights of each neuron of the first layer (the first hidden layer, or the
    output layer of a network without hidden layers) as images: (neurons, rows, columns).

    ``shape`` defaults to square images (:func:`image_shape`); ValueError when the inputs are
    not images of that shape."""
    n_inputs = network.sizes[0]
    shape = shape or image_shape(n_inputs)
    if shape is None or shape[0] * shape[1] != n_inputs:
        raise ValueError(f"the network's {n_inputs:,} inputs are not the pixels of an image"
                         + ("" if shape is None else f" of {shape[0]}×{shape[1]}"))
    weights = network.weights[0]
    return np.asarray(weights, dtype=np.float64).reshape(weights.shape[0], *shape)


# --- the decision field of the 2-D sets --------------------------------------------------------

@dataclass(frozen=True)
class DecisionField:
    """The network over a grid of the plane, rows from top (y = +extent) to bottom.

    ``output``: (rows, cols), in [0, 1], how strongly the network says class 1 (0: class 0,
    ½: on the boundary, 1: class 1); for two outputs a₁ / (a₀ + a₁), which is the softmax
    probability itself and ½ exactly where the two sigmoid outputs tie.  ``hidden``:
    (neurons, rows, cols), the activation of each neuron of the first hidden layer (empty
    without hidden layers), in its own units (see :attr:`hidden_range`).
    """

    output: Array
    hidden: Array
    activation: str  # of the hidden layers
    extent: float

    @property
    def shape(self) -> tuple[int, int]:
        return self.output.shape  # type: ignore[return-value]

    @property
    def views(self) -> int:
        """What the panel can show: the output, then each first-layer neuron."""
        return 1 + self.hidden.shape[0]

    def hidden_range(self) -> tuple[float, float]:
        """The activation's range, for the colour scale: sigmoid (0, 1), tanh (−1, 1), ReLU
        (0, the largest activation on the grid, 1 if none)."""
        if self.activation == "sigmoid":
            return 0.0, 1.0
        if self.activation == "tanh":
            return -1.0, 1.0
        top = float(self.hidden.max()) if self.hidden.size else 0.0
        return 0.0, top if top > 0 else 1.0

    def view(self, index: int) -> Array:
        """View 0 is the output; view k ≥ 1 is neuron k of layer 1, scaled to [0, 1] by
        :meth:`hidden_range`."""
        if index == 0:
            return self.output
        if not 1 <= index <= self.hidden.shape[0]:
            raise IndexError(f"view {index} does not exist: 0 is the output and 1 to "
                             f"{self.hidden.shape[0]} the neurons of layer 1")
        lo, hi = self.hidden_range()
        return np.clip((self.hidden[index - 1] - lo) / (hi - lo), 0.0, 1.0)

    def pixel_of(self, points: Array) -> tuple[Array, Array]:
        """(rows, cols) of the grid pixels the 2-D ``points`` fall in (outside: out of range)."""
        rows, cols = self.shape
        px = np.floor((points[:, 0] + self.extent) / (2 * self.extent) * cols)
        py = np.floor((self.extent - points[:, 1]) / (2 * self.extent) * rows)
        return py.astype(np.int64), px.astype(np.int64)


def field_grid(rows: int, cols: int, extent: float = TOY_EXTENT) -> Array:
    """The centres of a rows × cols grid over [−extent, extent]², row by row from the top:
    (rows·cols, 2) points (x, y)."""
    if rows < 1 or cols < 1:
        raise ValueError(f"a field needs at least one row and one column, not {rows}×{cols}")
    xs = (np.arange(cols) + 0.5) / cols * 2 * extent - extent
    ys = extent - (np.arange(rows) + 0.5) / rows * 2 * extent
    gx, gy = np.meshgrid(xs, ys)
    return np.column_stack([gx.ravel(), gy.ravel()])


def decision_field(network: Network, rows: int, cols: int,
                   extent: float = TOY_EXTENT) -> DecisionField:
    """The network's output and first-layer activations over a rows × cols grid: one forward
    pass, written for the training worker to call at its report rate (it reads the weights; call
    it from the thread that trains, between mini-batches, or on a paused or finished network).

    Raises ValueError for a network whose inputs are not 2-D points."""
    if network.sizes[0] != 2:
        raise ValueError(f"a decision field needs a network of 2 inputs (a 2-D data set), not "
                         f"{network.sizes[0]:,}")
    layers = network.layer_activations(field_grid(rows, cols, extent))
    hidden = (layers[0].T.reshape(-1, rows, cols).astype(np.float64) if len(layers) > 1
              else np.empty((0, rows, cols)))
    out = layers[-1].astype(np.float64)
    if out.shape[1] == 1:
        value = out[:, 0]
    else:
        if network.output.name == "linear":
            out = activations.get("softmax")(out)
        pair = out[:, :2]
        total = pair.sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            value = np.where(total > 0, pair[:, 1] / np.where(total > 0, total, 1.0), 0.5)
    value = np.clip(np.nan_to_num(value, nan=0.5), 0.0, 1.0)
    return DecisionField(value.reshape(rows, cols), hidden, network.activation.name, extent)


def toy_extent(points: Sequence[Array]) -> float:
    """The half-side of the square that shows every one of ``points`` (arrays (n, 2)) with a
    margin: :data:`TOY_EXTENT` for the usual noise, more for noisier sets."""
    largest = max((float(np.abs(p).max()) for p in points if len(p)), default=0.0)
    return max(TOY_EXTENT, math.ceil(largest * 1.05 * 10) / 10)
