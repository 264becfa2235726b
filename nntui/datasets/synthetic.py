"""Small made-up data sets: four 2-D classification problems and Nielsen's single neuron.

The four 2-D sets are TensorFlow Playground's (playground.tensorflow.org), drawn in the same
geometry but scaled from its [-5, 5] square to [-1, 1], the range where sigmoid and tanh units
learn comfortably:

    circle   class 1 inside radius 0.5, class 0 in the ring from 0.7 to 1  (not linearly separable)
    xor      class 1 where x and y have the same sign, class 0 where they differ
    gauss    two round gaussian blobs, class 1 around (0.4, 0.4), class 0 around (-0.4, -0.4)
    spiral   two interleaved spirals, each turning 1.75 times around the origin

Every point is first placed cleanly in its class's region; then `noise` (0 to 1) jitters it:
each coordinate moves by a uniform random amount in [-noise/2, +noise/2]. At noise 0 the classes
are separated by clear gaps; at the default 0.1 (a shift of at most 0.05) they still barely touch;
from about 0.2 points begin to cross into the other class's region, so no network can be
perfect; at 1 the circle and spiral are hard to make out at all.

Each split comes from its own random stream derived from `seed`, so training, validation and test
points differ, the same seed always gives the same points, and changing the training size leaves
the validation and test sets unchanged.

`neuron` is the toy of Nielsen's chapter 3 ("the cross-entropy cost function"): one neuron, one
input x = 1, desired output y = 0. It shows how the quadratic cost learns slowly when the neuron
starts badly wrong, and the cross-entropy cost does not.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from nntui.datasets.base import Dataset, DatasetError, Split

SYNTHETIC_TRAIN_SIZE = 1000
"""Training points when no training size is given."""

SYNTHETIC_VALIDATION_SIZE = 500
SYNTHETIC_TEST_SIZE = 500

MAX_SYNTHETIC_SIZE = 1_000_000
"""A guard against a typo asking for billions of points (and the memory they would need)."""

XOR_PADDING = 0.06
"""Playground pushes XOR points 0.3 (of 5) away from the axes, leaving a gap between quadrants."""

Points = tuple[np.ndarray, np.ndarray]
"""Clean points (n, 2) and their labels (n,), before jitter."""


def _random_angles(rng: np.random.Generator, n: int) -> np.ndarray:
    return rng.uniform(0.0, 2 * np.pi, size=n)


def _on_polar(radius: np.ndarray, angle: np.ndarray) -> np.ndarray:
    return np.column_stack([radius * np.cos(angle), radius * np.sin(angle)])


def _circle(rng: np.random.Generator, n: int) -> Points:
    """Class 1: uniform radius in [0, 0.5]; class 0: uniform radius in [0.7, 1]."""
    n_inside = n // 2
    n_outside = n - n_inside
    inside = _on_polar(rng.uniform(0.0, 0.5, n_inside), _random_angles(rng, n_inside))
    outside = _on_polar(rng.uniform(0.7, 1.0, n_outside), _random_angles(rng, n_outside))
    labels = np.concatenate([np.ones(n_inside), np.zeros(n_outside)]).astype(np.int64)
    return np.concatenate([inside, outside]), labels


def _xor(rng: np.random.Generator, n: int) -> Points:
    """Uniform points in the square, nudged away from the axes; class 1 where x·y > 0."""
    points = rng.uniform(-1.0, 1.0, size=(n, 2))
    points += np.where(points > 0, XOR_PADDING, -XOR_PADDING)
    labels = (points[:, 0] * points[:, 1] > 0).astype(np.int64)
    return points, labels


def _gauss(rng: np.random.Generator, n: int) -> Points:
    """Two gaussian blobs with standard deviation 0.14 (Playground's sqrt(0.5) of 5)."""
    spread = np.sqrt(0.5) / 5
    n_positive = n // 2
    n_negative = n - n_positive
    positive = rng.normal(0.4, spread, size=(n_positive, 2))
    negative = rng.normal(-0.4, spread, size=(n_negative, 2))
    labels = np.concatenate([np.ones(n_positive), np.zeros(n_negative)]).astype(np.int64)
    return np.concatenate([positive, negative]), labels


def _spiral(rng: np.random.Generator, n: int) -> Points:
    """Two spirals, the second the first turned half a turn; radius grows from 0 to 1.

    The Playground spaces points evenly along each arm; we draw each point's position along its
    arm at random, so that training, validation and test are genuinely different samples.
    """
    arms = []
    labels = []
    for label, turn, count in ((1, 0.0, n // 2), (0, np.pi, n - n // 2)):
        t = rng.uniform(0.0, 1.0, count)
        angle = 1.75 * 2 * np.pi * t + turn
        arms.append(np.column_stack([t * np.sin(angle), t * np.cos(angle)]))
        labels.append(np.full(count, label, dtype=np.int64))
    return np.concatenate(arms), np.concatenate(labels)


SHAPES: dict[str, Callable[[np.random.Generator, int], Points]] = {
    "circle": _circle,
    "xor": _xor,
    "gauss": _gauss,
    "spiral": _spiral,
}

DESCRIPTIONS = {
    "circle": "2-D points: class 1 inside a circle, class 0 in a ring around it",
    "xor": "2-D points: class 1 where x and y have the same sign (the XOR pattern)",
    "gauss": "2-D points: two gaussian blobs, one per class",
    "spiral": "2-D points: two interleaved spirals, one per class",
}


def make_points(shape: str, n: int, noise: float, rng: np.random.Generator) -> Points:
    """`n` jittered points of `shape` with their labels, in random order."""
    points, labels = SHAPES[shape](rng, n)
    points = points + rng.uniform(-noise / 2, noise / 2, size=points.shape)
    order = rng.permutation(n)
    return points[order], labels[order]


def _to_split(points: np.ndarray, labels: np.ndarray, dtype: np.dtype) -> Split:
    y = np.zeros((len(labels), 2), dtype=dtype)
    y[np.arange(len(labels)), labels] = 1
    return Split(x=points.astype(dtype), y=y, labels=labels)


def synthetic_dataset(
    shape: str,
    *,
    train_size: int = 0,
    validate_on: str = "validation",
    dtype: np.dtype,
    seed: int = 1,
    noise: float = 0.1,
) -> Dataset:
    """One of the four 2-D sets: `train_size` (default 1000) training points, 500 validation,
    500 test, two classes with one-hot targets."""
    if shape not in SHAPES:
        raise DatasetError(f"Unknown 2-D data set {shape!r}; choose one of {', '.join(SHAPES)}.")
    if not 0.0 <= noise <= 1.0:
        raise DatasetError(f"Noise must be between 0 and 1, not {noise}.")
    if train_size > MAX_SYNTHETIC_SIZE:
        raise DatasetError(
            f"Training size {train_size:,} is too large for a 2-D data set: at most "
            f"{MAX_SYNTHETIC_SIZE:,} points."
        )
    n_train = train_size or SYNTHETIC_TRAIN_SIZE
    train_stream, validation_stream, test_stream = (
        np.random.default_rng(child) for child in np.random.SeedSequence(seed).spawn(3)
    )
    train = _to_split(*make_points(shape, n_train, noise, train_stream), dtype)
    test = _to_split(*make_points(shape, SYNTHETIC_TEST_SIZE, noise, test_stream), dtype)
    if validate_on == "test":
        validation = test
    else:
        validation = _to_split(
            *make_points(shape, SYNTHETIC_VALIDATION_SIZE, noise, validation_stream), dtype
        )
    return Dataset(
        name=shape,
        train=train,
        validation=validation,
        test=test,
        n_inputs=2,
        n_outputs=2,
        description=f"{DESCRIPTIONS[shape]} (noise {noise:g}, seed {seed})",
        validation_is_test=validate_on == "test",
    )


def neuron_dataset(
    *, train_size: int = 0, validate_on: str = "validation", dtype: np.dtype
) -> Dataset:
    """Nielsen's single-neuron toy: one example, input 1.0, target 0.0, in every split.

    There is nothing to hold back, so validation and test are that same example.
    """
    if train_size > 1:
        raise DatasetError(
            f"Training size {train_size:,} is more than the neuron toy has: it has exactly 1 "
            f"example (use 0 or 1)."
        )
    example = Split(
        x=np.ones((1, 1), dtype=dtype),
        y=np.zeros((1, 1), dtype=dtype),
        labels=np.zeros(1, dtype=np.int64),
    )
    return Dataset(
        name="neuron",
        train=example,
        validation=example,
        test=example,
        n_inputs=1,
        n_outputs=1,
        description="Nielsen ch. 3's single neuron: input x = 1.0, desired output y = 0.0",
        validation_is_test=validate_on == "test",
    )
