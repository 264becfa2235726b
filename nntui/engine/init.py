"""Starting weights and biases, one small function per scheme.

Weight ``w`` of layer l has shape (n_l, n_{l-1}): row j holds the weights into neuron j, so that
w[j, k] connects neuron k of the previous layer to neuron j, as in Nielsen's book.

* ``large``: w, b ~ N(0, 1), Nielsen ch. 1.  With many inputs the weighted input z is so broad that
  sigmoid neurons start saturated and learn slowly.
* ``normalized``: w ~ N(0, 1/n_in), b ~ N(0, 1), Nielsen ch. 3.  z then has standard deviation
  about 1 whatever the number of inputs.
* ``glorot``: w ~ U(−r, r) with r = √(6 / (n_in + n_out)), b = 0 (Keras' default).
* ``he``: w ~ N(0, 2/n_in), b = 0, suited to ReLU layers, which silence half their inputs.

Each scheme draws a layer's weights and then its biases from the one generator, layer by layer,
so a seed gives the same network every time.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import pairwise

import numpy as np

Array = np.ndarray
Scheme = Callable[[np.random.Generator, int, int], tuple[Array, Array]]


def large(rng: np.random.Generator, n_in: int, n_out: int) -> tuple[Array, Array]:
    """w, b ~ N(0, 1)."""
    return rng.standard_normal((n_out, n_in)), rng.standard_normal(n_out)


def normalized(rng: np.random.Generator, n_in: int, n_out: int) -> tuple[Array, Array]:
    """w ~ N(0, 1/n_in), b ~ N(0, 1)."""
    return rng.standard_normal((n_out, n_in)) / np.sqrt(n_in), rng.standard_normal(n_out)


def glorot(rng: np.random.Generator, n_in: int, n_out: int) -> tuple[Array, Array]:
    """w ~ U(−r, r) with r = √(6 / (n_in + n_out)), b = 0."""
    limit = np.sqrt(6.0 / (n_in + n_out))
    return rng.uniform(-limit, limit, (n_out, n_in)), np.zeros(n_out)


def he(rng: np.random.Generator, n_in: int, n_out: int) -> tuple[Array, Array]:
    """w ~ N(0, 2/n_in), b = 0."""
    return rng.standard_normal((n_out, n_in)) * np.sqrt(2.0 / n_in), np.zeros(n_out)


INITIALIZATIONS: dict[str, Scheme] = {
    "large": large, "normalized": normalized, "glorot": glorot, "he": he,
}
"""Every scheme by the name the config uses."""


def initial_parameters(
    sizes: list[int], scheme: str, rng: np.random.Generator, dtype: np.dtype
) -> tuple[list[Array], list[Array]]:
    """Weights and biases for a network with layer ``sizes`` (input layer first)."""
    draw = INITIALIZATIONS.get(scheme)
    if draw is None:
        raise ValueError(f"unknown initialization {scheme!r}; choose one of "
                         f"{', '.join(INITIALIZATIONS)}")
    weights, biases = [], []
    for n_in, n_out in pairwise(sizes):
        w, b = draw(rng, n_in, n_out)
        weights.append(w.astype(dtype))
        biases.append(b.astype(dtype))
    return weights, biases
