"""Starting weights and biases.

Weight ``w`` of layer l has shape (n_l, n_{l-1}): row j holds the weights into neuron j, so that
w[j, k] connects neuron k of the previous layer to neuron j, as in Nielsen's book.

* ``large``: w, b ~ N(0, 1), Nielsen ch. 1.  With many inputs the weighted input z is so broad that
  sigmoid neurons start saturated and learn slowly.
* ``normalized``: w ~ N(0, 1/n_in), b ~ N(0, 1), Nielsen ch. 3.  z then has standard deviation
  about 1 whatever the number of inputs.
* ``glorot``: w ~ U(−r, r) with r = √(6 / (n_in + n_out)), b = 0 (Keras' default).
* ``he``: w ~ N(0, 2/n_in), b = 0, suited to ReLU layers, which silence half their inputs.
"""

from __future__ import annotations

from itertools import pairwise

import numpy as np


def initial_parameters(
    sizes: list[int], scheme: str, rng: np.random.Generator, dtype: np.dtype
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Weights and biases for a network with layer ``sizes`` (input layer first)."""
    weights, biases = [], []
    for n_in, n_out in pairwise(sizes):
        if scheme == "large":
            w = rng.standard_normal((n_out, n_in))
            b = rng.standard_normal(n_out)
        elif scheme == "normalized":
            w = rng.standard_normal((n_out, n_in)) / np.sqrt(n_in)
            b = rng.standard_normal(n_out)
        elif scheme == "glorot":
            limit = np.sqrt(6.0 / (n_in + n_out))
            w = rng.uniform(-limit, limit, (n_out, n_in))
            b = np.zeros(n_out)
        elif scheme == "he":
            w = rng.standard_normal((n_out, n_in)) * np.sqrt(2.0 / n_in)
            b = np.zeros(n_out)
        else:
            raise ValueError(f"unknown initialization {scheme!r}")
        weights.append(w.astype(dtype))
        biases.append(b.astype(dtype))
    return weights, biases
