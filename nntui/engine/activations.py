"""Activation functions σ, each a small object holding its value and its derivative side by side.

Backprop needs σ'(z) at every layer.  For the functions used here the derivative can be written
from the activation a = σ(z) alone, so the network keeps only the activations of a forward pass,
not the weighted inputs z as well:

    sigmoid   σ(z) = 1 / (1 + e^(−z))            σ' = a(1 − a)
    tanh      σ(z) = tanh z                      σ' = 1 − a²
    relu      σ(z) = max(0, z)                   σ' = 1 where a > 0, else 0
    linear    σ(z) = z                           σ' = 1
    softmax   aⱼ = e^(zⱼ) / Σₖ e^(zₖ)            ∂aⱼ/∂zₖ = aⱼ (1[j = k] − aₖ)

Softmax is the odd one: every output depends on every weighted input, so its derivative is a
Jacobian, and what backprop needs is that Jacobian times the error, δⱼ aⱼ − aⱼ Σₖ δₖ aₖ.

Every method works *in place* on the arrays it is given: during training the same buffers are
reused for every mini-batch, which matters when a mini-batch holds only ten examples and the cost of
each NumPy call, not the arithmetic, sets the pace.  Look an activation up by the name the config
uses with :func:`get`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import ClassVar

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


class Activation(ABC):
    """σ applied in place (``sigma(z)`` overwrites z with σ(z) and returns it), and its
    derivative as backprop uses it (:meth:`times_derivative`)."""

    name: ClassVar[str]

    @abstractmethod
    def __call__(self, z: Array) -> Array:
        """σ(z), written over ``z``."""

    @abstractmethod
    def times_derivative(self, delta: Array, a: Array, scratch: Array) -> Array:
        """The error ``delta`` (∂C/∂a, one example per row) turned into ∂C/∂z, written over
        ``delta``, for a layer whose activations are ``a`` = σ(z): δ ⊙ σ'(z) for the functions
        that act on each neuron alone.  ``scratch`` is a buffer of a's shape it may overwrite."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class Sigmoid(Activation):
    """The logistic function of Nielsen's book: a smooth step from 0 to 1."""

    name = "sigmoid"

    def __call__(self, z: Array) -> Array:
        """σ(z) = 1 / (1 + e^(−z)), computed as (1 + tanh(z/2)) / 2 so no exp() can overflow."""
        half = HALF[z.dtype]
        z *= half
        np.tanh(z, out=z)
        z += ONE[z.dtype]
        z *= half
        return z

    def times_derivative(self, delta: Array, a: Array, scratch: Array) -> Array:
        """σ' = a(1 − a)."""
        np.subtract(ONE[a.dtype], a, out=scratch)
        scratch *= a
        delta *= scratch
        return delta


class Tanh(Activation):
    """The hyperbolic tangent: a sigmoid stretched to (−1, 1)."""

    name = "tanh"

    def __call__(self, z: Array) -> Array:
        return np.tanh(z, out=z)

    def times_derivative(self, delta: Array, a: Array, scratch: Array) -> Array:
        """tanh' = 1 − a²."""
        np.multiply(a, a, out=scratch)
        np.subtract(ONE[a.dtype], scratch, out=scratch)
        delta *= scratch
        return delta


class ReLU(Activation):
    """The rectified linear unit max(0, z): it does not saturate for positive z."""

    name = "relu"

    def __call__(self, z: Array) -> Array:
        return np.maximum(z, ZERO[z.dtype], out=z)

    def times_derivative(self, delta: Array, a: Array, scratch: Array) -> Array:
        """relu' = 1 where the neuron is active, 0 elsewhere."""
        np.sign(a, out=scratch)  # = relu' as a ≥ 0; cheaper than a comparison cast to floats
        delta *= scratch
        return delta


class Linear(Activation):
    """The identity: the neuron outputs its weighted input unchanged."""

    name = "linear"

    def __call__(self, z: Array) -> Array:
        return z

    def times_derivative(self, delta: Array, a: Array, scratch: Array) -> Array:
        """σ' = 1: nothing to do."""
        return delta


class Softmax(Activation):
    """Softmax over each row: a probability distribution over the layer's neurons."""

    name = "softmax"

    def __call__(self, z: Array) -> Array:
        """e^(zⱼ) / Σₖ e^(zₖ).  Subtracting each row's maximum first changes nothing
        mathematically and keeps exp() finite."""
        z -= z.max(axis=1, keepdims=True)
        np.exp(z, out=z)
        z /= z.sum(axis=1, keepdims=True)
        return z

    def times_derivative(self, delta: Array, a: Array, scratch: Array) -> Array:
        """The Jacobian of softmax applied to the error: Σⱼ δⱼ ∂aⱼ/∂zₖ = aₖ (δₖ − ⟨δ, a⟩)."""
        delta -= np.einsum("ij,ij->i", delta, a)[:, None]
        delta *= a
        return delta


ACTIVATIONS: dict[str, Activation] = {
    function.name: function for function in (Sigmoid(), Tanh(), ReLU(), Linear(), Softmax())
}
"""Every activation by the name the config, the command line and saved networks use."""


def get(name: str, role: str = "activation") -> Activation:
    """The activation called ``name``; ValueError naming the choices for an unknown one
    (``role`` says what it was meant to be, e.g. "output")."""
    try:
        return ACTIVATIONS[name]
    except (KeyError, TypeError):
        raise ValueError(f"unknown {role} {name!r}; choose one of "
                         f"{', '.join(ACTIVATIONS)}") from None
