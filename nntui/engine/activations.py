"""Activation functions, each with its derivative written in terms of its own output.

Backprop needs σ'(z) at every layer.  For the functions used here the derivative can be written
from the activation a = σ(z) alone (for the sigmoid σ' = a(1 − a)), so the network keeps only the
activations of a forward pass, not the weighted inputs z as well.

Every function works *in place* on the array it is given: during training the same buffers are
reused for every mini-batch, which matters when a mini-batch holds only ten examples and the cost of
each NumPy call, not the arithmetic, sets the pace.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

Array = np.ndarray


class _Constant(dict):
    """A number as a 0-d array of each dtype it is asked for (``HALF[z.dtype]``): NumPy combines a
    0-d array of the array's own dtype with it in about half the time it needs for a Python
    float, whose type it must first work out."""

    def __init__(self, value: float):
        super().__init__()
        self.value = value

    def __missing__(self, dtype: np.dtype) -> Array:
        self[dtype] = constant = np.array(self.value, dtype)
        return constant


ZERO, HALF, ONE = _Constant(0.0), _Constant(0.5), _Constant(1.0)


def sigmoid(z: Array) -> Array:
    """σ(z) = 1 / (1 + e^(−z)), computed as (1 + tanh(z/2)) / 2 so no exp() can overflow."""
    half = HALF[z.dtype]
    z *= half
    np.tanh(z, out=z)
    z += ONE[z.dtype]
    z *= half
    return z


def tanh(z: Array) -> Array:
    """The hyperbolic tangent: a sigmoid stretched to (−1, 1)."""
    return np.tanh(z, out=z)


def relu(z: Array) -> Array:
    """The rectified linear unit max(0, z): it does not saturate for positive z."""
    return np.maximum(z, ZERO[z.dtype], out=z)


def linear(z: Array) -> Array:
    """The identity: the neuron outputs its weighted input unchanged."""
    return z


def softmax(z: Array) -> Array:
    """Softmax over each row: e^(z_j) / Σ_k e^(z_k), a probability distribution over the outputs.

    Subtracting each row's maximum first changes nothing mathematically and keeps exp() finite.
    """
    z -= z.max(axis=1, keepdims=True)
    np.exp(z, out=z)
    z /= z.sum(axis=1, keepdims=True)
    return z


def multiply_by_derivative(name: str, delta: Array, a: Array, scratch: Array) -> Array:
    """delta ⊙ σ'(z) for a hidden layer whose activations are ``a``, written into ``delta``.

    ``scratch`` is a buffer of a's shape this function may overwrite.
    """
    if name == "sigmoid":  # σ' = a(1 − a)
        np.subtract(ONE[a.dtype], a, out=scratch)
        scratch *= a
        delta *= scratch
    elif name == "tanh":  # tanh' = 1 − a²
        np.multiply(a, a, out=scratch)
        np.subtract(ONE[a.dtype], scratch, out=scratch)
        delta *= scratch
    elif name == "relu":  # relu' = 1 where the neuron is active, 0 elsewhere
        np.sign(a, out=scratch)  # = relu' as a ≥ 0; cheaper than a comparison cast to floats
        delta *= scratch
    elif name != "linear":
        raise ValueError(f"unknown activation {name!r}")
    return delta


ACTIVATIONS: dict[str, Callable[[Array], Array]] = {
    "sigmoid": sigmoid,
    "tanh": tanh,
    "relu": relu,
    "linear": linear,
    "softmax": softmax,
}
