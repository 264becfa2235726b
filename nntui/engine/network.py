"""A fully connected feedforward network and matrix-based backpropagation.

This is Nielsen's ``network2.py`` with one change of shape: instead of feeding one example at a
time as a column vector, a whole mini-batch goes through at once as the rows of a matrix X.  Layer l
then computes, for every example in one matrix product,

    Zˡ = Aˡ⁻¹ · (Wˡ)ᵀ + bˡ          Aˡ = σ(Zˡ)

and backprop runs the four equations of the book over the batch:

    δᴸ   = ∂C/∂zᴸ                   (from the cost, see costs.py)
    δˡ   = (δˡ⁺¹ · Wˡ⁺¹) ⊙ σ'(zˡ)
    ∂C/∂Wˡ = (δˡ)ᵀ · Aˡ⁻¹          summed over the examples of the batch
    ∂C/∂bˡ = Σ_rows δˡ

The training loop calls :meth:`Network.backprop` thousands of times per epoch with the same batch
size, so it writes into buffers allocated once per batch size (:class:`_Workspace`) rather than
creating new arrays each time.  With ten examples a batch each NumPy call costs about as much as
the arithmetic it does, so backprop makes as few calls as the equations allow; each saving is
noted where it is made.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nntui.engine.activations import ACTIVATIONS, multiply_by_derivative
from nntui.engine.costs import cost_value, output_delta
from nntui.engine.init import initial_parameters

Array = np.ndarray

# Evaluating 50,000 images at once would need a large matrix per layer; chunks bound the memory.
EVAL_CHUNK = 10_000


@dataclass
class _Workspace:
    """Buffers reused by every mini-batch of one size: activations, errors and gradients."""

    activations: list[Array]  # A⁰ (the input batch) … Aᴸ, each (m, n_l)
    deltas: list[Array]  # δ¹ … δᴸ, each (m, n_l)
    scratch: list[Array]  # one (m, n_l) spare per layer, for σ'(z)
    masks: list[Array]  # dropout masks of the hidden layers, 0 or 1/(1 − p)
    dropped: list[Array]  # hidden activations after dropout, what the next layer is fed
    grad_w: list[Array]  # ∂C/∂Wˡ summed over the batch
    grad_b: list[Array]  # ∂C/∂bˡ summed over the batch
    targets: Array  # Y, (m, n_out)
    ones: Array  # a row of m ones: ones · δ sums δ over the batch in one BLAS call
    transposed: list[Array | None]  # per layer, (n_l, m) for Zᵀ = W·Aᵀ when m < n_l, else None


class Network:
    """A network of layer ``sizes`` (input first) trained against ``cost``."""

    def __init__(
        self,
        sizes: list[int],
        *,
        activation: str = "sigmoid",
        output: str = "sigmoid",
        cost: str = "cross-entropy",
        init: str = "normalized",
        seed: int = 1,
        dtype: str = "float32",
    ):
        if len(sizes) < 2:
            raise ValueError("a network needs at least an input and an output layer")
        for kind, name in (("activation", activation), ("output", output)):
            if name not in ACTIVATIONS:
                raise ValueError(f"unknown {kind} {name!r}")
        self.sizes = list(sizes)
        self.activation = activation
        self.output = output
        self.cost = cost
        self.dtype = np.dtype(dtype)
        self.weights, self.biases = initial_parameters(
            self.sizes, init, np.random.default_rng(seed), self.dtype
        )
        self._workspaces: dict[int, _Workspace] = {}
        # σ of each layer, looked up once rather than by name in every forward pass.
        self._sigmas = [ACTIVATIONS[self._activation_of(layer)]
                        for layer in range(self.num_layers)]

    @property
    def num_layers(self) -> int:
        """Layers that compute something: everything but the input layer."""
        return len(self.weights)

    def _activation_of(self, layer: int) -> str:
        return self.output if layer == self.num_layers - 1 else self.activation

    # --- the forward pass -------------------------------------------------------------------

    def feedforward(self, x: Array) -> Array:
        """The network's outputs for the inputs ``x`` (one example per row), in new memory."""
        outputs = [self._feedforward_chunk(x[i : i + EVAL_CHUNK])
                   for i in range(0, len(x), EVAL_CHUNK)]
        return outputs[0] if len(outputs) == 1 else np.concatenate(outputs)

    def _feedforward_chunk(self, x: Array) -> Array:
        a = np.asarray(x, dtype=self.dtype)
        for layer, (w, b) in enumerate(zip(self.weights, self.biases, strict=True)):
            z = a @ w.T
            z += b
            a = ACTIVATIONS[self._activation_of(layer)](z)
        return a

    def evaluate(self, x: Array, y: Array, labels: Array) -> tuple[float, float]:
        """Mean cost (without regularization) and accuracy, the fraction answered correctly."""
        a = self.feedforward(x)
        return cost_value(self.cost, a, y), accuracy(a, labels)

    # --- backpropagation ----------------------------------------------------------------------

    def workspace(self, m: int) -> _Workspace:
        """The buffers for mini-batches of ``m`` examples, created on first use."""
        ws = self._workspaces.get(m)
        if ws is None:
            def new(n: int) -> Array:
                return np.empty((m, n), dtype=self.dtype)

            ws = _Workspace(
                activations=[new(n) for n in self.sizes],
                deltas=[new(n) for n in self.sizes[1:]],
                scratch=[new(n) for n in self.sizes[1:]],
                masks=[new(n) for n in self.sizes[1:-1]],
                dropped=[new(n) for n in self.sizes[1:-1]],
                grad_w=[np.empty_like(w) for w in self.weights],
                grad_b=[np.empty_like(b) for b in self.biases],
                targets=new(self.sizes[-1]),
                ones=np.ones(m, dtype=self.dtype),
                transposed=[np.empty((n, m), dtype=self.dtype) if m < n else None
                            for n in self.sizes[1:]],
            )
            self._workspaces[m] = ws
        return ws

    def backprop(self, ws: _Workspace, dropout: float = 0.0,
                 rng: np.random.Generator | None = None, scale: float = 1.0) -> None:
        """Gradients of the cost *summed* over the batch held in ``ws``, times ``scale``, into
        ``ws.grad_*``.

        The caller has put the inputs in ``ws.activations[0]`` and the targets in ``ws.targets``.
        The trainer passes ``scale`` = η/m, so that the gradients come out as the steps themselves,

            ws.grad_w[l] = (η/m) Σₓ ∂Cₓ/∂Wˡ,    ws.grad_b[l] = (η/m) Σₓ ∂Cₓ/∂bˡ:

        every gradient is linear in δᴸ, so one multiplication of δᴸ scales them all.
        With ``dropout`` p > 0 each hidden neuron is silenced with probability p and the survivors
        are scaled by 1/(1 − p) ("inverted" dropout), so no rescaling is needed at test time.
        """
        acts, deltas = ws.activations, ws.deltas
        weights, last = self.weights, self.num_layers - 1
        # Forward, keeping every layer's activations and what each layer was fed.
        inputs = [acts[0]]
        for layer, sigma in enumerate(self._sigmas):
            z = acts[layer + 1]
            zt = ws.transposed[layer]
            if zt is None:
                np.matmul(inputs[layer], weights[layer].T, out=z)
                z += self.biases[layer]
            else:  # fewer examples than neurons: BLAS then packs the small Aᵀ, not all of W
                np.matmul(weights[layer], inputs[layer].T, out=zt)  # Zᵀ = W·Aᵀ
                np.add(zt.T, self.biases[layer], out=z)  # turned back with the bias: no extra call
            sigma(z)
            if dropout and layer < last:
                keep = ws.masks[layer]
                rng.random(out=keep, dtype=self.dtype)
                np.greater_equal(keep, dropout, out=keep)
                keep *= 1.0 / (1.0 - dropout)
                inputs.append(np.multiply(z, keep, out=ws.dropped[layer]))
            else:
                inputs.append(z)
        # Backward: δᴸ from the cost, then each layer's error from the one after it.
        output_delta(self.cost, self.output, acts[-1], ws.targets, out=deltas[last])
        if scale != 1.0:  # one (m, n_L) product here saves scaling every W-sized gradient later
            deltas[last] *= np.array(scale, self.dtype)
        for layer in range(last, -1, -1):
            delta = deltas[layer]
            np.matmul(delta.T, inputs[layer], out=ws.grad_w[layer])
            np.matmul(ws.ones, delta, out=ws.grad_b[layer])
            if layer > 0:
                below = deltas[layer - 1]
                np.matmul(delta, weights[layer], out=below)
                multiply_by_derivative(self.activation, below, acts[layer],
                                       ws.scratch[layer - 1])
                if dropout:  # a dropped neuron passed nothing on, so it gets no error back
                    below *= ws.masks[layer - 1]

    def batch_cost(self, ws: _Workspace) -> float:
        """The mean cost of the mini-batch last passed through :meth:`backprop`."""
        return cost_value(self.cost, ws.activations[-1], ws.targets)

    # --- regularization -------------------------------------------------------------------

    def weight_penalty(self, regularization: str, lmbda: float, n: int) -> float:
        """The regularization term of the cost: (λ/2n) Σw² for L2, (λ/n) Σ|w| for L1."""
        if regularization == "l2":
            return 0.5 * lmbda / n * sum(float(np.vdot(w, w)) for w in self.weights)
        if regularization == "l1":
            return lmbda / n * sum(float(np.abs(w).sum()) for w in self.weights)
        return 0.0


def accuracy(outputs: Array, labels: Array) -> float:
    """Fraction of examples whose label the network picks: its most active output neuron, or, for
    a single output neuron, whether the output is above ½."""
    if len(labels) == 0:
        return float("nan")
    if outputs.shape[1] == 1:
        guesses = (outputs[:, 0] > 0.5).astype(labels.dtype)
    else:
        guesses = outputs.argmax(axis=1)
    return float(np.mean(guesses == labels))
