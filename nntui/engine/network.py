"""A fully connected feedforward network and matrix-based backpropagation.

This is Nielsen's ``network2.py`` with one change of shape: instead of feeding one example at a
time as a column vector, a whole mini-batch goes through at once as the rows of a matrix X.  Layer l
then computes, for every example in one matrix product,

    Zˡ = Aˡ⁻¹ · (Wˡ)ᵀ + bˡ          Aˡ = σ(Zˡ)

and backprop runs the four equations of the book over the batch:

    δᴸ   = ∂C/∂zᴸ                   (from the cost: Cost.delta, see costs.py)
    δˡ   = (δˡ⁺¹ · Wˡ⁺¹) ⊙ σ'(zˡ)   (Activation.times_derivative, see activations.py)
    ∂C/∂Wˡ = (δˡ)ᵀ · Aˡ⁻¹          summed over the examples of the batch
    ∂C/∂bˡ = Σ_rows δˡ

The network holds its activations and cost as the small objects of activations.py and costs.py,
looked up once from the names it is given.  The training loop calls :meth:`Network.backprop`
thousands of times per epoch with the same batch size, so it writes into buffers allocated once
per batch size (:class:`_Workspace`) rather than creating new arrays each time.  With ten examples
a batch each NumPy call costs about as much as the arithmetic it does, so backprop makes as few
calls as the equations allow; each saving is noted where it is made.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from nntui.engine import activations, costs
from nntui.engine.init import initial_parameters
from nntui.engine.inputs import as_floats

Array = np.ndarray

# Evaluating 50,000 images at once would need a large matrix per layer; chunks bound the memory.
EVAL_CHUNK = 10_000


@dataclass
class _Workspace:
    """Buffers reused by every mini-batch of one size, one per layer that computes something: list
    index l holds layer l + 1 of the equations (A¹ and δ¹ at index 0)."""

    activations: list[Array]  # A¹ … Aᴸ, each (m, n_l); Aᴸ: output, or where the caller said
    output: Array  # the workspace's own Aᴸ, for a caller that keeps no outputs
    deltas: list[Array]  # δ¹ … δᴸ, each (m, n_l)
    scratch: list[Array]  # one (m, n_l) spare per layer, for σ'(z)
    masks: list[Array]  # dropout masks of the hidden layers, 0 or 1/(1 − p)
    dropped: list[Array]  # hidden activations after dropout, what the next layer is fed
    grad_w: list[Array]  # ∂C/∂Wˡ summed over the batch
    grad_b: list[Array]  # ∂C/∂bˡ summed over the batch, unless the caller said where
    ones: Array  # a row of m ones: ones · δ sums δ over the batch in one BLAS call
    transposed: list[Array | None]  # per layer, (n_l, m) for Zᵀ = W·Aᵀ when m < n_l, else None
    inputs: list[Array | None]  # what each layer was fed in the last forward pass: X, A¹ … Aᴸ⁻¹


class Network:
    """A network of layer ``sizes`` (input first) trained against ``cost``.

    ``activation`` (the hidden layers'), ``output`` and ``cost`` are given by name (see
    :data:`~nntui.engine.activations.ACTIVATIONS` and :data:`~nntui.engine.costs.COSTS`) and held
    as the objects of those names, ``init`` names a scheme of
    :data:`~nntui.engine.init.INITIALIZATIONS`.
    """

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
        self.sizes = list(sizes)
        self.activation = activations.get(activation)
        self.output = activations.get(output, "output")
        self.cost = costs.get(cost)
        self.dtype = np.dtype(dtype)
        weights, biases = initial_parameters(
            self.sizes, init, np.random.default_rng(seed), self.dtype
        )
        # Every layer's weights live in one array, and all the biases in another; ``weights`` and
        # ``biases`` are views of them, layer by layer.  The trainer's update is then one call
        # for all the weights and one for all the biases, instead of two per layer.
        self.all_weights = np.concatenate([w.ravel() for w in weights])
        self.all_biases = np.concatenate(biases)
        self._weights = layer_views(self.all_weights, [w.shape for w in weights])
        self._biases = layer_views(self.all_biases, [b.shape for b in biases])
        self._workspaces: dict[int, _Workspace] = {}
        # σ of each layer: the hidden layers' activation, then the output's.
        self._sigmas = [self.activation] * (self.num_layers - 1) + [self.output]
        # What the forward pass of backprop needs of each layer, gathered once (the views stay
        # valid: the parameters are only ever changed in place): saves a lookup per use.
        self._forward = list(zip(self._weights, [w.T for w in self._weights], self._biases,
                                 self._sigmas, strict=True))
        self._scale = (1.0, np.array(1.0, self.dtype))  # the last scale, as a 0-d array of dtype
        self._dropout = (0.0, None, None)  # the last dropout p, p and 1/(1 − p) as 0-d arrays

    @property
    def weights(self) -> list[Array]:
        """Wˡ of each layer, (n_l, n_(l−1)): views of :attr:`all_weights`, to change in place."""
        return self._weights

    @weights.setter
    def weights(self, values: list[Array]) -> None:
        """Copy new weights in, layer by layer (the shapes must be the network's)."""
        _copy_into(self._weights, values, "weights")

    @property
    def biases(self) -> list[Array]:
        """bˡ of each layer, (n_l,): views of :attr:`all_biases`, to change in place."""
        return self._biases

    @biases.setter
    def biases(self, values: list[Array]) -> None:
        _copy_into(self._biases, values, "biases")

    @property
    def num_layers(self) -> int:
        """Layers that compute something: everything but the input layer."""
        return len(self.weights)

    # --- the forward pass -------------------------------------------------------------------

    def feedforward(self, x: Array) -> Array:
        """The network's outputs for the inputs ``x`` (one example per row), in new memory."""
        outputs = [self.layer_activations(x[i : i + EVAL_CHUNK])[-1]
                   for i in range(0, len(x), EVAL_CHUNK)]
        return outputs[0] if len(outputs) == 1 else np.concatenate(outputs)

    def layer_activations(self, x: Array) -> list[Array]:
        """Every layer's activations A¹ … Aᴸ for the inputs ``x`` (one example per row), each in
        new memory: Aᴸ is the output, the others are the hidden layers', for whatever looks
        inside a network (a hidden neuron over the plane, dead units on a probe).

        All of ``x`` goes through at once; :meth:`feedforward` cuts a large ``x`` into chunks.
        Inputs stored as uint8 bytes are converted here (see inputs.py), so a chunk at a time.
        """
        return self._forward_pass(x)

    def weighted_inputs(self, x: Array) -> list[Array]:
        """Every layer's weighted inputs Z¹ … Zᴸ for the inputs ``x`` (one example per row), each
        in new memory: Zˡ = Aˡ⁻¹ · (Wˡ)ᵀ + bˡ, before σ.  Whether a neuron saturates is a
        matter of z (σ'(z) is small where |z| is large), which the activations alone cannot show
        for a ReLU or once a sigmoid rounds to 0 or 1.

        All of ``x`` goes through at once, as in :meth:`layer_activations`.
        """
        zs: list[Array] = []
        self._forward_pass(x, zs)
        return zs

    def _forward_pass(self, x: Array, zs: list[Array] | None = None) -> list[Array]:
        """The one forward pass: Aˡ = σ(Aˡ⁻¹ · (Wˡ)ᵀ + bˡ) for every layer, σ applied in place
        to z's memory; with ``zs``, a copy of each z goes there first.  Inputs stored as uint8
        bytes are converted here (see inputs.py)."""
        a = as_floats(x, self.dtype)
        layers = []
        for w, b, sigma in zip(self.weights, self.biases, self._sigmas, strict=True):
            z = a @ w.T
            z += b
            if zs is not None:
                zs.append(z.copy())
            a = sigma(z)
            layers.append(a)
        return layers

    def evaluate(self, x: Array, y: Array, labels: Array) -> tuple[float, float]:
        """Mean cost (without regularization) and accuracy, the fraction answered correctly."""
        a = self.feedforward(x)
        return self.cost.fn(a, y), accuracy(a, labels)

    # --- backpropagation ----------------------------------------------------------------------

    def workspace(self, m: int) -> _Workspace:
        """The buffers for mini-batches of ``m`` examples, created on first use."""
        ws = self._workspaces.get(m)
        if ws is None:
            def new(n: int) -> Array:
                return np.empty((m, n), dtype=self.dtype)

            output = new(self.sizes[-1])
            ws = _Workspace(
                activations=[new(n) for n in self.sizes[1:-1]] + [output],
                output=output,
                deltas=[new(n) for n in self.sizes[1:]],
                scratch=[new(n) for n in self.sizes[1:]],
                masks=[new(n) for n in self.sizes[1:-1]],
                dropped=[new(n) for n in self.sizes[1:-1]],
                grad_w=[np.empty_like(w) for w in self.weights],
                grad_b=[np.empty_like(b) for b in self.biases],
                ones=np.ones(m, dtype=self.dtype),
                transposed=[np.empty((n, m), dtype=self.dtype) if m < n else None
                            for n in self.sizes[1:]],
                inputs=[None] * self.num_layers,
            )
            self._workspaces[m] = ws
        return ws

    def backprop(self, x: Array, y: Array, *, scale: float = 1.0, dropout: float = 0.0,
                 rng: np.random.Generator | None = None, outputs: Array | None = None,
                 grad_w: list[Array] | None = None,
                 grad_b: list[Array] | None = None) -> tuple[list[Array], list[Array]]:
        """The gradients of the cost *summed* over the batch of inputs ``x`` and targets ``y``
        (m rows each, in the network's precision), times ``scale``: (∂C/∂W per layer, ∂C/∂b per
        layer), in buffers reused by the next batch of m.

        The trainer passes ``scale`` = η/m, so that the gradients come out as the steps themselves,

            (η/m) Σₓ ∂Cₓ/∂Wˡ,    (η/m) Σₓ ∂Cₓ/∂bˡ:

        every gradient is linear in δᴸ, so one multiplication of δᴸ scales them all.
        With ``dropout`` p > 0 each hidden neuron is silenced with probability p (drawn from
        ``rng``) and the survivors are scaled by 1/(1 − p) ("inverted" dropout), so no rescaling
        is needed at test time.

        ``outputs`` (m, n_L), if given, receives the output layer's activations, which the
        trainer keeps to price later; ``grad_w`` and ``grad_b``, if given, receive ∂C/∂Wˡ and
        ∂C/∂bˡ instead of the workspace (one array per layer, of Wˡ's and bˡ's shapes: the
        trainer keeps the steps in arrays laid out as :attr:`all_weights` and :attr:`all_biases`,
        each batch's bias steps in a row of their own for the speed of learning).
        """
        ws = self._workspaces.get(len(x)) or self.workspace(len(x))
        acts, deltas, transposed = ws.activations, ws.deltas, ws.transposed
        last = len(acts) - 1
        acts[last] = ws.output if outputs is None else outputs
        # Forward, keeping every layer's activations and what each layer was fed.
        inputs = ws.inputs  # a list kept in the workspace: none built per mini-batch
        inputs[0] = a = x
        for layer, (w, w_t, b, sigma) in enumerate(self._forward):
            z = acts[layer]
            zt = transposed[layer]
            if zt is None:
                np.matmul(a, w_t, out=z)
                z += b
            else:  # fewer examples than neurons: BLAS then packs the small Aᵀ, not all of W
                np.matmul(w, a.T, out=zt)  # Zᵀ = W·Aᵀ
                np.add(zt.T, b, out=z)  # turned back with the bias: no extra call
            a = sigma(z)
            if dropout and layer < last:
                if self._dropout[0] != dropout:  # p and 1/(1 − p) as 0-d arrays, made once
                    self._dropout = (dropout, np.array(dropout, self.dtype),
                                     np.array(1.0 / (1.0 - dropout), self.dtype))
                keep = ws.masks[layer]
                rng.random(out=keep, dtype=self.dtype)
                np.greater_equal(keep, self._dropout[1], out=keep)
                keep *= self._dropout[2]
                a = np.multiply(z, keep, out=ws.dropped[layer])
            if layer < last:
                inputs[layer + 1] = a
        # Backward: δᴸ from the cost, then each layer's error from the one after it.
        self.cost.delta(self.output, acts[last], y, deltas[last], ws.scratch[last])
        if scale != 1.0:  # one (m, n_L) product here saves scaling every W-sized gradient later
            if scale != self._scale[0]:  # the same η/m batch after batch: one 0-d array for it
                self._scale = (scale, np.array(scale, self.dtype))
            deltas[last] *= self._scale[1]
        if grad_w is None:
            grad_w = ws.grad_w
        if grad_b is None:
            grad_b = ws.grad_b
        hidden, weights, ones = self.activation, self._weights, ws.ones
        for layer in range(last, -1, -1):
            delta = deltas[layer]
            np.matmul(delta.T, inputs[layer], out=grad_w[layer])
            np.matmul(ones, delta, out=grad_b[layer])
            if layer > 0:
                below = deltas[layer - 1]
                np.matmul(delta, weights[layer], out=below)
                hidden.times_derivative(below, acts[layer - 1], ws.scratch[layer - 1])
                if dropout:  # a dropped neuron passed nothing on, so it gets no error back
                    below *= ws.masks[layer - 1]
        return grad_w, grad_b

    # --- regularization -------------------------------------------------------------------

    def weight_penalty(self, regularization: str, lmbda: float, n: int) -> float:
        """The regularization term of the cost: (λ/2n) Σw² for L2, (λ/n) Σ|w| for L1."""
        if regularization == "l2":
            return 0.5 * lmbda / n * sum(float(np.vdot(w, w)) for w in self.weights)
        if regularization == "l1":
            return lmbda / n * sum(float(np.abs(w).sum()) for w in self.weights)
        return 0.0


def layer_views(flat: Array, shapes: list[tuple[int, ...]]) -> list[Array]:
    """Consecutive pieces of the 1-D array ``flat`` shaped as ``shapes``, one per layer: writing
    to a piece writes to ``flat``, and one operation on ``flat`` acts on every layer at once."""
    views, start = [], 0
    for shape in shapes:
        size = math.prod(shape)
        views.append(flat[start : start + size].reshape(shape))
        start += size
    return views


def _copy_into(views: list[Array], values: list[Array], what: str) -> None:
    if len(values) != len(views) or any(np.shape(v) != w.shape
                                        for v, w in zip(values, views, strict=False)):
        raise ValueError(f"expected {what} of shapes {[w.shape for w in views]}, got "
                         f"{[np.shape(v) for v in values]}")
    for view, value in zip(views, values, strict=True):
        view[...] = value


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
