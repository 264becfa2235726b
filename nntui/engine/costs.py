"""Cost functions, each a small object with its value C and its output error δᴸ = ∂C/∂zᴸ side by
side, as in Nielsen's ``network2.py`` (``QuadraticCost.fn`` / ``.delta``).

All costs are averaged over the examples given, C = (1/m) Σₓ Cₓ, as in Nielsen's book:

    quadratic        Cₓ = ½ ‖y − a‖²
    cross-entropy    Cₓ = −Σⱼ [yⱼ ln aⱼ + (1 − yⱼ) ln(1 − aⱼ)]
    log-likelihood   Cₓ = −Σⱼ yⱼ ln aⱼ   (−ln a_y for a one-hot y: the log-probability of the
                                          right class)

The output error depends on the *pairing* of cost and output layer, and the good pairings are the
point of Nielsen's chapter 3:

* sigmoid output + cross-entropy, and softmax output + log-likelihood, both give δᴸ = a − y.  The
  σ'(z) that makes saturated neurons learn slowly under the quadratic cost cancels out.  Paired
  with another output the cancellation does not happen, so :meth:`Cost.delta` refuses.
* quadratic cost gives δᴸ = (a − y) ⊙ σ'(zᴸ), whatever the output.  With a softmax output every
  output depends on every z, so the derivative is a Jacobian product:
  δⱼ = aⱼ ((aⱼ − yⱼ) − Σₖ (aₖ − yₖ) aₖ).  Krohn's shallow net (softmax + mean squared
  error) needs it.

Look a cost up by the name the config uses with :func:`get`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import ClassVar

import numpy as np

from nntui.engine.activations import Activation

Array = np.ndarray

# Keeps log() finite when an output is exactly 0 or 1 (a saturated float32 sigmoid can be).
_EPS = 1e-12

_PAIRINGS = ("cross-entropy goes with a sigmoid output, log-likelihood with softmax, quadratic "
             "with any")


class Cost(ABC):
    """A cost: its mean value (:meth:`fn`), its sum worked out in place for the trainer's running
    cost (:meth:`summed`) and the output error that starts backprop (:meth:`delta`)."""

    name: ClassVar[str]

    @abstractmethod
    def fn(self, a: Array, y: Array) -> float:
        """The mean cost of outputs ``a`` against targets ``y`` (both shaped (m, n_out)), in
        float64 whatever their precision."""

    @abstractmethod
    def summed(self, a: Array, y: Array) -> float:
        """Σₓ Cₓ over the rows of ``a`` and ``y``: :meth:`fn` times the rows.

        The same formula, with the same ε keeping the logarithms finite, but worked out in place
        (``a`` and ``y`` are overwritten) in the network's own precision.  :meth:`fn` converts to
        float64 in fresh arrays, which for the 50,000 outputs of an MNIST epoch takes about
        19 ms; this takes about 3, summed in float64.
        """

    @abstractmethod
    def delta(self, output: Activation, a: Array, y: Array, out: Array, scratch: Array) -> Array:
        """δᴸ = ∂C/∂zᴸ for each example (rows) of an ``output`` layer whose activations are
        ``a``, written into ``out``; ``a`` and ``y`` are left unchanged, ``scratch`` (a's shape)
        may be overwritten.  ValueError for an output this cost cannot be paired with."""

    def _refuse(self, output: Activation) -> ValueError:
        return ValueError(f"{self.name} cost cannot be paired with a {output.name} output "
                          f"({_PAIRINGS})")

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class QuadraticCost(Cost):
    """Half the squared distance between output and target (Krohn's mean squared error)."""

    name = "quadratic"

    def fn(self, a: Array, y: Array) -> float:
        diff = a - y
        return 0.5 * float(np.vdot(diff, diff)) / a.shape[0]

    def summed(self, a: Array, y: Array) -> float:
        np.subtract(a, y, out=a)
        return 0.5 * float(np.vdot(a, a))

    def delta(self, output: Activation, a: Array, y: Array, out: Array, scratch: Array) -> Array:
        """δᴸ = (a − y) ⊙ σ'(zᴸ): the output's own derivative, a Jacobian product for softmax."""
        np.subtract(a, y, out=out)
        return output.times_derivative(out, a, scratch)


class CrossEntropyCost(Cost):
    """Nielsen's cure for the learning slowdown of saturated sigmoid outputs."""

    name = "cross-entropy"

    def fn(self, a: Array, y: Array) -> float:
        a64 = np.clip(a.astype(np.float64), _EPS, 1.0 - _EPS)
        return -float(np.sum(y * np.log(a64) + (1.0 - y) * np.log1p(-a64))) / a.shape[0]

    def summed(self, a: Array, y: Array) -> float:
        log_1_minus_a = np.subtract(1.0, a)
        np.maximum(log_1_minus_a, _EPS, out=log_1_minus_a)
        np.log(log_1_minus_a, out=log_1_minus_a)
        np.maximum(a, _EPS, out=a)
        np.log(a, out=a)
        a *= y
        np.subtract(1.0, y, out=y)
        log_1_minus_a *= y
        a += log_1_minus_a
        return -float(a.sum(dtype=np.float64))

    def delta(self, output: Activation, a: Array, y: Array, out: Array, scratch: Array) -> Array:
        """δᴸ = a − y, for a sigmoid output only."""
        if output.name != "sigmoid":
            raise self._refuse(output)
        return np.subtract(a, y, out=out)


class LogLikelihoodCost(Cost):
    """The negative log-probability of the right class: the cost for a softmax output."""

    name = "log-likelihood"

    def fn(self, a: Array, y: Array) -> float:
        a64 = np.clip(a.astype(np.float64), _EPS, None)
        return -float(np.sum(y * np.log(a64))) / a.shape[0]

    def summed(self, a: Array, y: Array) -> float:
        np.maximum(a, _EPS, out=a)
        np.log(a, out=a)
        a *= y
        return -float(a.sum(dtype=np.float64))

    def delta(self, output: Activation, a: Array, y: Array, out: Array, scratch: Array) -> Array:
        """δᴸ = a − y, for a softmax output only."""
        if output.name != "softmax":
            raise self._refuse(output)
        return np.subtract(a, y, out=out)


COSTS: dict[str, Cost] = {
    cost.name: cost for cost in (QuadraticCost(), CrossEntropyCost(), LogLikelihoodCost())
}
"""Every cost by the name the config, the command line and saved networks use."""


def get(name: str) -> Cost:
    """The cost called ``name``; ValueError naming the choices for an unknown one."""
    try:
        return COSTS[name]
    except (KeyError, TypeError):
        raise ValueError(f"unknown cost {name!r}; choose one of {', '.join(COSTS)}") from None
