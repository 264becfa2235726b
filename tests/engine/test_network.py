"""Tests of the network: backprop against numerical gradients, the forward pass, its arguments.

The gradient checks compare what training actually uses, the trainer's step direction
(1/m)·Σ∂Cₓ/∂w plus the regularization term's derivative, with central differences of the full
regularized cost, for every valid pairing of hidden activation, output layer, cost and
regularization.  A mistake in any of the four backprop equations, in an activation's derivative or
in a cost's output error shows up here as a relative error far above 1e-6.
"""

from __future__ import annotations

import numpy as np
import pytest

from nntui.config import HIDDEN_ACTIVATIONS, REGULARIZATIONS
from nntui.engine import Network, accuracy, activations, costs

SIZES = [4, 5, 3, 3]
M = 6  # examples in the checked batch
N_TRAIN = 20  # the training-set size n that scales the regularization term
LMBDA = 0.7


def _problem(output: str, cost: str, seed: int = 0, dtype: str = "float64"):
    """A small network, a batch of random inputs and targets suited to the output layer."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((M, SIZES[0]))
    if output == "softmax":
        y = np.eye(SIZES[-1])[rng.integers(0, SIZES[-1], M)]
    elif output == "sigmoid":
        y = rng.uniform(0.05, 0.95, (M, SIZES[-1]))  # cross-entropy is defined for any y in [0,1]
    else:
        y = rng.standard_normal((M, SIZES[-1]))
    return x, y


def _network(activation: str, output: str, cost: str, seed: int = 3) -> Network:
    return Network(SIZES, activation=activation, output=output, cost=cost, init="normalized",
                   seed=seed, dtype="float64")


def _backprop(net: Network, x, y, dropout: float = 0.0, mask_seed: int = 0, **options):
    """Backprop of the batch (x, y), converted to the network's precision as the trainer has it."""
    return net.backprop(x.astype(net.dtype), y.astype(net.dtype), dropout=dropout,
                        rng=np.random.default_rng(mask_seed), **options)


def _analytic(net: Network, x, y, reg: str, dropout: float = 0.0, mask_seed: int = 0):
    """The trainer's step direction: (1/m)·summed backprop gradient + penalty derivative."""
    grad_w, grad_b = _backprop(net, x, y, dropout, mask_seed)
    m = len(x)
    grads_w = []
    for w, g in zip(net.weights, grad_w, strict=True):
        g = g / m
        if reg == "l2":
            g = g + LMBDA / N_TRAIN * w
        elif reg == "l1":
            g = g + LMBDA / N_TRAIN * np.sign(w)
        grads_w.append(g)
    grads_b = [g / m for g in grad_b]
    return grads_w, grads_b


def _full_cost(net: Network, x, y, reg: str, dropout: float = 0.0, mask_seed: int = 0) -> float:
    """C(w) = mean cost over the batch + regularization term, with the same dropout mask."""
    if dropout:  # the outputs of a forward pass through the same mask
        outputs = np.empty(y.shape, net.dtype)
        _backprop(net, x, y, dropout, mask_seed, outputs=outputs)
        cost = net.cost.fn(outputs, y)
    else:
        cost = net.cost.fn(net.feedforward(x), y)
    return cost + net.weight_penalty(reg, LMBDA, N_TRAIN)


def _assert_close(analytic: list[np.ndarray], numerical: list[np.ndarray]) -> None:
    for layer, (a, n) in enumerate(zip(analytic, numerical, strict=True)):
        scale = np.linalg.norm(a) + np.linalg.norm(n)
        assert scale > 1e-8, f"layer {layer + 1}: gradient vanished, the check proves nothing"
        relative = np.linalg.norm(a - n) / scale
        assert relative < 1e-6, f"layer {layer + 1}: relative error {relative:.2e}"


def _check_gradient(net: Network, x, y, reg: str, central_differences,
                    **dropout) -> list[np.ndarray]:
    """Compare the step direction with central differences of the full cost, every weight and
    bias of every layer; returns the weights' gradients."""
    grads_w, grads_b = _analytic(net, x, y, reg, **dropout)
    def full() -> float:
        return _full_cost(net, x, y, reg, **dropout)

    _assert_close(grads_w, [central_differences(full, w) for w in net.weights])
    _assert_close(grads_b, [central_differences(full, b) for b in net.biases])
    return grads_w


@pytest.mark.parametrize("reg", REGULARIZATIONS)
@pytest.mark.parametrize("activation", HIDDEN_ACTIVATIONS)
def test_gradient_matches_central_differences(activation: str, pairing: tuple[str, str],
                                              reg: str, central_differences) -> None:
    output, cost = pairing
    x, y = _problem(output, cost)
    _check_gradient(_network(activation, output, cost), x, y, reg, central_differences)


@pytest.mark.parametrize(("activation", "output", "cost"), [
    ("relu", "softmax", "log-likelihood"),
    ("sigmoid", "sigmoid", "cross-entropy"),
    ("tanh", "softmax", "quadratic"),
])
def test_gradient_with_fewer_examples_than_neurons(activation: str, output: str, cost: str,
                                                   central_differences) -> None:
    """With fewer examples than a layer has neurons, backprop computes that layer's Zᵀ = W·Aᵀ
    (the faster way round for BLAS) and turns it back; the gradient must not notice."""
    x, y = _problem(output, cost, seed=6)
    x, y = x[:2], y[:2]
    net = _network(activation, output, cost, seed=9)
    assert all(t is not None for t in net.workspace(2).transposed)  # every layer: 2 < 5, 3, 3
    _check_gradient(net, x, y, "l2", central_differences)
    np.testing.assert_allclose(net.workspace(2).activations[-1], net.feedforward(x), rtol=1e-12)


@pytest.mark.parametrize(("activation", "output", "cost"), [
    ("relu", "softmax", "log-likelihood"),
    ("sigmoid", "sigmoid", "cross-entropy"),
    ("tanh", "linear", "quadratic"),
])
def test_gradient_with_a_fixed_dropout_mask(activation: str, output: str, cost: str,
                                            central_differences) -> None:
    """With the same rng seed on both sides the mask is fixed, so the dropped network is an
    ordinary function of the weights and its gradient can be checked like any other."""
    x, y = _problem(output, cost, seed=5)
    net = _network(activation, output, cost, seed=7)
    grads_w = _check_gradient(net, x, y, "l2", central_differences, dropout=0.4, mask_seed=11)
    # The mask really dropped something, and a dropped neuron's incoming weights got no gradient.
    ws = net.workspace(M)
    dropped = ws.masks[0] == 0
    assert dropped.any()
    assert not np.allclose(grads_w[0], _analytic(net, x, y, "l2")[0][0])


def test_float32_backprop_agrees_with_float64() -> None:
    """The default float32 engine computes the same gradient to single precision."""
    x, y = _problem("softmax", "log-likelihood")
    nets = [Network(SIZES, activation="relu", output="softmax", cost="log-likelihood",
                    seed=2, dtype=d) for d in ("float32", "float64")]
    grads = [_analytic(net, x, y, "none")[0] for net in nets]
    assert grads[0][0].dtype == np.float32
    for g32, g64 in zip(*grads, strict=True):
        np.testing.assert_allclose(g32, g64, rtol=1e-3, atol=1e-5)


def test_accuracy() -> None:
    outputs = np.array([[0.1, 0.9], [0.8, 0.2], [0.3, 0.7]])
    assert accuracy(outputs, np.array([1, 0, 0])) == pytest.approx(2 / 3)
    single = np.array([[0.7], [0.2]])
    assert accuracy(single, np.array([1, 1])) == 0.5


# --- the network's arguments and its forward pass ------------------------------------------

def test_network_dtype_and_seed() -> None:
    a = Network([3, 4, 2], seed=5)
    b = Network([3, 4, 2], seed=5)
    c = Network([3, 4, 2], seed=6)
    assert a.weights[0].dtype == np.float32
    assert Network([3, 4, 2], dtype="float64").weights[0].dtype == np.float64
    np.testing.assert_array_equal(a.weights[0], b.weights[0])
    assert not np.array_equal(a.weights[0], c.weights[0])


def test_network_rejects_bad_arguments() -> None:
    with pytest.raises(ValueError, match="at least"):
        Network([3])
    with pytest.raises(ValueError, match="unknown activation"):
        Network([3, 2], activation="swish")
    with pytest.raises(ValueError, match="unknown output 'step'"):
        Network([3, 2], output="step")
    with pytest.raises(ValueError, match="unknown cost 'hinge'"):
        Network([3, 2], cost="hinge")
    with pytest.raises(ValueError, match="unknown initialization"):
        Network([3, 2], init="zeros")


def test_network_holds_the_objects_it_was_named() -> None:
    net = Network([3, 4, 2], activation="relu", output="softmax", cost="log-likelihood")
    assert net.activation is activations.get("relu")
    assert net.output is activations.get("softmax")
    assert net.cost is costs.get("log-likelihood")
    assert (net.activation.name, net.output.name, net.cost.name) == (
        "relu", "softmax", "log-likelihood")


def test_layer_activations_are_the_forward_pass() -> None:
    """Every layer's activations, the last being feedforward's output, each computed from the one
    before as Aˡ = σ(Aˡ⁻¹·(Wˡ)ᵀ + bˡ); the inputs are left alone."""
    net = Network([3, 5, 4, 2], activation="tanh", output="sigmoid", dtype="float64", seed=4)
    x = np.random.default_rng(1).standard_normal((7, 3))
    before = x.copy()
    layers = net.layer_activations(x)
    assert [a.shape for a in layers] == [(7, 5), (7, 4), (7, 2)]
    np.testing.assert_array_equal(x, before)
    a = x
    for layer, (w, b) in enumerate(zip(net.weights, net.biases, strict=True)):
        z = a @ w.T + b
        a = np.tanh(z) if layer < 2 else 1 / (1 + np.exp(-z))
        np.testing.assert_allclose(layers[layer], a, rtol=1e-12)
    np.testing.assert_array_equal(layers[-1], net.feedforward(x))
    float32 = Network([3, 5, 2], seed=4).layer_activations(x)
    assert all(a.dtype == np.float32 for a in float32)


def test_weighted_inputs_are_z_before_sigma() -> None:
    """Each layer's Zˡ = Aˡ⁻¹·(Wˡ)ᵀ + bˡ, fed by the activations of the layer before, and σ(Zˡ)
    is what layer_activations gives; the inputs are left alone."""
    net = Network([3, 5, 4, 2], activation="relu", output="softmax", cost="log-likelihood",
                  dtype="float64", seed=4)
    x = np.random.default_rng(1).standard_normal((7, 3))
    before = x.copy()
    zs = net.weighted_inputs(x)
    np.testing.assert_array_equal(x, before)
    assert [z.shape for z in zs] == [(7, 5), (7, 4), (7, 2)]
    a = x
    for z, w, b in zip(zs, net.weights, net.biases, strict=True):
        np.testing.assert_allclose(z, a @ w.T + b, rtol=1e-12)
        a = np.maximum(z, 0)
    np.testing.assert_allclose(np.maximum(zs[0], 0), net.layer_activations(x)[0], rtol=1e-12)
    assert (zs[0] < 0).any()  # z keeps what a ReLU's activation cuts off
    e = np.exp(zs[-1] - zs[-1].max(axis=1, keepdims=True))
    np.testing.assert_allclose(e / e.sum(axis=1, keepdims=True), net.feedforward(x), rtol=1e-12)


def test_backprop_writes_outputs_and_bias_gradients_where_it_is_told() -> None:
    """The trainer keeps each batch's outputs (for the running cost) and bias steps (for the speed
    of learning) in arrays of its own: backprop writes there, the same numbers it would write into
    its workspace, and leaves the workspace's bias gradients alone."""
    x, y = _problem("softmax", "log-likelihood", seed=2)
    net = _network("relu", "softmax", "log-likelihood")
    grad_w, grad_b = _backprop(net, x, y)
    expected_w = [g.copy() for g in grad_w]
    expected_b = [g.copy() for g in grad_b]
    own_outputs = net.workspace(M).activations[-1].copy()
    for g in grad_b:
        g.fill(np.nan)
    outputs = np.empty((M, SIZES[-1]))
    rows = [np.empty(n) for n in SIZES[1:]]
    grad_w, grad_b = _backprop(net, x, y, outputs=outputs, grad_b=rows)
    assert all(got is row for got, row in zip(grad_b, rows, strict=True))
    for got, want in zip(grad_b, expected_b, strict=True):
        np.testing.assert_array_equal(got, want)
    for got, want in zip(grad_w, expected_w, strict=True):
        np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(outputs, own_outputs)
    assert all(np.isnan(g).all() for g in net.workspace(M).grad_b)
    # Without outputs, the workspace's own buffer takes them again, not the caller's array.
    outputs.fill(7.0)
    _backprop(net, x, y)
    assert (outputs == 7.0).all()
    np.testing.assert_array_equal(net.workspace(M).activations[-1], own_outputs)
    # The weight gradients too go where they are told, the same numbers.
    steps = [np.full_like(w, np.nan) for w in net.weights]
    grad_w, _ = _backprop(net, x, y, grad_w=steps)
    assert all(got is step for got, step in zip(grad_w, steps, strict=True))
    for got, want in zip(grad_w, expected_w, strict=True):
        np.testing.assert_array_equal(got, want)


def test_parameters_are_views_of_one_array_each() -> None:
    """Every layer's weights are a piece of ``all_weights`` and its biases of ``all_biases``, in
    layer order, so one operation on either acts on every layer (the trainer's update); assigning
    new weights copies them in, and wrong shapes are refused."""
    net = Network([4, 3, 2], seed=1)
    assert net.all_weights.shape == (4 * 3 + 3 * 2,) and net.all_biases.shape == (5,)
    np.testing.assert_array_equal(
        net.all_weights, np.concatenate([w.ravel() for w in net.weights]))
    np.testing.assert_array_equal(net.all_biases, np.concatenate(net.biases))
    net.all_weights[:] = np.arange(18)
    assert net.weights[1].tolist() == [[12, 13, 14], [15, 16, 17]]
    held = net.weights[0]
    net.weights = [np.ones((3, 4)), np.zeros((2, 3))]
    assert net.weights[0] is held and (held == 1).all()  # copied in, not rebound
    assert net.all_weights.tolist() == [1.0] * 12 + [0.0] * 6
    net.biases = [np.full(3, 2.0), np.full(2, 3.0)]
    assert net.all_biases.tolist() == [2, 2, 2, 3, 3]
    with pytest.raises(ValueError, match=r"expected weights of shapes \[\(3, 4\), \(2, 3\)\]"):
        net.weights = [np.ones((4, 3)), np.zeros((2, 3))]
    with pytest.raises(ValueError, match="expected biases"):
        net.biases = [np.ones(3)]


@pytest.mark.parametrize(("activation", "output", "cost"), [
    ("softmax", "sigmoid", "cross-entropy"),  # softmax's Jacobian in a hidden layer
    ("sigmoid", "tanh", "quadratic"),  # quadratic with an output the config does not offer
    ("tanh", "relu", "quadratic"),
])
def test_gradient_beyond_the_configs_choices(activation: str, output: str, cost: str,
                                            central_differences) -> None:
    """The engine computes every σ' it knows, not only the combinations the config offers."""
    x, y = _problem("linear", cost, seed=8)
    if output == "sigmoid":
        y = np.random.default_rng(8).uniform(0.05, 0.95, y.shape)
    _check_gradient(_network(activation, output, cost, seed=5), x, y, "l2", central_differences)


def test_feedforward_in_chunks_matches_one_pass() -> None:
    """Evaluation splits large inputs into chunks; the outputs must not depend on that."""
    from nntui.engine import network as network_module

    net = Network([5, 7, 3], output="softmax", cost="log-likelihood", dtype="float64")
    x = np.random.default_rng(0).standard_normal((25, 5))
    whole = net.feedforward(x)
    old = network_module.EVAL_CHUNK
    network_module.EVAL_CHUNK = 4
    try:
        chunked = net.feedforward(x)
    finally:
        network_module.EVAL_CHUNK = old
    np.testing.assert_allclose(chunked, whole)
    assert whole.shape == (25, 3)


# --- nntui's step against the book's own per-example algorithm ---------------------------------

def _book_loop():
    """benchmarks/nielsen_loop.py: Nielsen's network2.py SGD, per example, as the book runs it."""
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "benchmarks" / "nielsen_loop.py"
    spec = importlib.util.spec_from_file_location("nielsen_loop", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("lmbda", [0.0, 5.0])
def test_one_step_matches_the_books_per_example_loop(lmbda: float) -> None:
    """One mini-batch of the whole training set: nntui's matrix-based backprop, with η/m folded
    into δᴸ and the L2 decay in place, moves every weight and bias where the book's loop (each
    example on its own, gradients summed, (1 − ηλ/n)w − (η/m)∇w) moves them."""
    from nntui.datasets import Split
    from nntui.engine import Trainer

    book = _book_loop()
    sizes, n, eta = [6, 5, 4], 12, 0.7
    rng = np.random.default_rng(8)
    x = rng.standard_normal((n, sizes[0]))
    y = np.eye(sizes[-1])[rng.integers(0, sizes[-1], n)]
    reference = book.BookNetwork(sizes, seed=3)
    net = Network(sizes, activation="sigmoid", output="sigmoid", cost="cross-entropy",
                  dtype="float64")
    for layer in range(len(sizes) - 1):
        net.weights[layer][...] = reference.weights[layer]
        net.biases[layer][...] = reference.biases[layer][:, 0]
    train = Split(x, y, y.argmax(axis=1))
    trainer = Trainer(net, train, train, eta=eta, batch_size=n, epochs=1, seed=1,
                      regularization="l2" if lmbda else "none", lmbda=lmbda)
    assert trainer._train_epoch(1)
    reference.update_mini_batch(book.as_training_data(x, y), eta, lmbda, n)
    for ours, theirs in zip(net.weights, reference.weights, strict=True):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-14)
    for ours, theirs in zip(net.biases, reference.biases, strict=True):
        np.testing.assert_allclose(ours, theirs[:, 0], rtol=1e-12, atol=1e-14)


def test_weighted_inputs_of_bytes_are_those_of_their_floats() -> None:
    """An expanded training set keeps its inputs as uint8 (v standing for v/256): what looks
    inside the network on a sample of it (the saturation probe) sees the inputs, not 256 times
    them."""
    net = Network([4, 3, 2], dtype="float32", seed=2)
    v = np.random.default_rng(3).integers(0, 256, size=(5, 4), dtype=np.uint8)
    floats = v.astype(np.float32) / np.float32(256)
    for z_bytes, z_floats in zip(net.weighted_inputs(v), net.weighted_inputs(floats), strict=True):
        np.testing.assert_array_equal(z_bytes, z_floats)
