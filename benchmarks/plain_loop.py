"""The same SGD as nntui's engine, written as a careful plain NumPy loop, for timing beside it.

What a competent NumPy programmer would write for one epoch of mini-batch SGD, knowing the tricks
that matter at small batch sizes, and nothing else:

* the mini-batch goes through as the rows of a matrix (one product per layer, not per example);
* every buffer (weighted inputs, errors, gradients) is allocated once and written in place;
* shuffled examples are gathered as the engine gathers them (``np.take`` of ``GATHER_ROWS`` rows
  into one buffer, mini-batches as views of it);
* the forward product is computed as Zᵀ = W·Aᵀ when the batch has fewer examples than the layer
  has neurons (BLAS then packs the small Aᵀ, not all of W), as the engine does;
* η/m is folded into the output error δᴸ, so the gradients come out as the steps themselves and
  each update is one subtraction: W −= (η/m) δᵀ·A, b −= (η/m) Σ δ.

No statistics (speed of learning, running cost), no observers, no control, no regularization,
dropout or momentum: the loop ``bench_epoch.py`` and ``bench_floor.py`` hold nntui against, to
show what all of those cost.  Two networks: sigmoid hidden and output layers with cross-entropy
(δᴸ = a − y), or ReLU hidden layers with a softmax output and log-likelihood (δᴸ = a − y).
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import pairwise

import numpy as np

from nntui.engine.training import GATHER_ROWS


class PlainLoop:
    """Plain mini-batch SGD on inputs ``x`` and one-hot targets ``y`` (both in the precision to
    train in): ``hidden`` is "sigmoid" (with a sigmoid output and cross-entropy) or "relu" (with
    softmax and log-likelihood).  :meth:`epoch` trains one more epoch; ``weights`` and ``biases``
    start as nntui's "normalized" initialization would draw them from ``seed`` (or as given) and
    the examples are shuffled by ``np.random.default_rng(seed + 1)``, as nntui's trainer does, so
    a test can hold the two to the same numbers."""

    def __init__(self, sizes: tuple[int, ...], hidden: str, batch: int, eta: float,
                 x: np.ndarray, y: np.ndarray, seed: int = 1,
                 weights: list[np.ndarray] | None = None,
                 biases: list[np.ndarray] | None = None):
        self.epoch = _plain_epoch(self, sizes, hidden, batch, eta, x, y, seed, weights, biases)


def plain_epoch_runner(sizes: tuple[int, ...], hidden: str, batch: int, eta: float,
                       x: np.ndarray, y: np.ndarray, seed: int = 1) -> Callable[[], None]:
    """A function that trains one more epoch of :class:`PlainLoop`."""
    return PlainLoop(sizes, hidden, batch, eta, x, y, seed).epoch


def _plain_epoch(loop: PlainLoop, sizes, hidden, batch, eta, x, y, seed, weights,
                 biases) -> Callable[[], None]:
    dtype = x.dtype
    layers = list(pairwise(sizes))
    if weights is None or biases is None:
        init = np.random.default_rng(seed)
        drawn = [(init.standard_normal((n_out, n_in)) / np.sqrt(n_in), init.standard_normal(n_out))
                 for n_in, n_out in layers]
        weights = [w for w, _ in drawn]
        biases = [b for _, b in drawn]
    weights = [np.array(w, dtype) for w in weights]
    biases = [np.array(b, dtype) for b in biases]
    loop.weights, loop.biases = weights, biases
    rng = np.random.default_rng(seed + 1)
    grad_w = [np.empty_like(w) for w in weights]
    grad_b = [np.empty_like(b) for b in biases]
    n = len(x)
    stretch = min(n, max(1, GATHER_ROWS // batch) * batch)
    xs = np.empty((stretch, x.shape[1]), dtype)
    ys = np.empty((stretch, y.shape[1]), dtype)
    half, one, zero = (np.array(v, dtype) for v in (0.5, 1.0, 0.0))
    buffers: dict[int, dict[str, list]] = {}

    def buffers_for(m: int) -> dict[str, list]:
        if m not in buffers:
            buffers[m] = {
                "a": [np.empty((m, n_out), dtype) for _, n_out in layers],
                "zt": [np.empty((n_out, m), dtype) if m < n_out else None for _, n_out in layers],
                "delta": [np.empty((m, n_out), dtype) for _, n_out in layers],
                "scratch": [np.empty((m, n_out), dtype) for _, n_out in layers],
                "ones": [np.ones(m, dtype)],
            }
        return buffers[m]

    def sigmoid(z: np.ndarray) -> None:  # σ(z) = (1 + tanh(z/2)) / 2, in place
        z *= half
        np.tanh(z, out=z)
        z += one
        z *= half

    def softmax(z: np.ndarray) -> None:
        z -= z.max(axis=1, keepdims=True)
        np.exp(z, out=z)
        z /= z.sum(axis=1, keepdims=True)

    def relu(z: np.ndarray) -> None:
        np.maximum(z, zero, out=z)

    def sigmoid_prime(delta: np.ndarray, a: np.ndarray, scratch: np.ndarray) -> None:
        np.subtract(one, a, out=scratch)  # δ ⊙ a(1 − a)
        scratch *= a
        delta *= scratch

    def relu_prime(delta: np.ndarray, a: np.ndarray, scratch: np.ndarray) -> None:
        np.sign(a, out=scratch)  # δ ⊙ 1[a > 0]
        delta *= scratch

    hidden_sigma, prime = (sigmoid, sigmoid_prime) if hidden == "sigmoid" else (relu, relu_prime)
    output_sigma = sigmoid if hidden == "sigmoid" else softmax
    sigmas = [hidden_sigma] * (len(layers) - 1) + [output_sigma]
    last = len(layers) - 1

    def epoch() -> None:
        order = rng.permutation(n)
        for lo in range(0, n, batch):
            hi = min(lo + batch, n)
            k = lo % stretch
            if k == 0:
                end = min(lo + stretch, n)
                np.take(x, order[lo:end], axis=0, out=xs[: end - lo], mode="clip")
                np.take(y, order[lo:end], axis=0, out=ys[: end - lo], mode="clip")
            m = hi - lo
            ws = buffers_for(m)
            a, zt, deltas, scratch = ws["a"], ws["zt"], ws["delta"], ws["scratch"]
            inputs = [xs[k : k + m], *a[:-1]]
            for layer in range(last + 1):
                if zt[layer] is None:
                    np.matmul(inputs[layer], weights[layer].T, out=a[layer])
                    a[layer] += biases[layer]
                else:
                    np.matmul(weights[layer], inputs[layer].T, out=zt[layer])
                    np.add(zt[layer].T, biases[layer], out=a[layer])
                sigmas[layer](a[layer])
            delta = np.subtract(a[last], ys[k : k + m], out=deltas[last])
            delta *= np.array(eta / m, dtype)
            for layer in range(last, -1, -1):
                delta = deltas[layer]
                np.matmul(delta.T, inputs[layer], out=grad_w[layer])
                np.matmul(ws["ones"][0], delta, out=grad_b[layer])
                if layer > 0:
                    np.matmul(delta, weights[layer], out=deltas[layer - 1])
                    prime(deltas[layer - 1], a[layer - 1], scratch[layer - 1])
            for w, b, gw, gb in zip(weights, biases, grad_w, grad_b, strict=True):
                w -= gw
                b -= gb

    return epoch
