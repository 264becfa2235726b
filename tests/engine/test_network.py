"""Tests of the NumPy engine: backprop against numerical gradients, cost values, initialization.

The gradient checks compare what training actually uses, the trainer's step direction
(1/m)·Σ∂Cₓ/∂w plus the regularization term's derivative, with central differences of the full
regularized cost, for every valid pairing of hidden activation, output layer, cost and
regularization.  A mistake in any of the four backprop equations, in an activation's derivative or
in a cost's output error shows up here as a relative error far above 1e-6.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from nntui.config import (
    COSTS,
    HIDDEN_ACTIVATIONS,
    OUTPUT_ACTIVATIONS,
    REGULARIZATIONS,
    check_combination,
    make_config,
    parse_values,
)
from nntui.engine import Network, accuracy
from nntui.engine.activations import softmax
from nntui.engine.costs import cost_value, output_delta, summed_cost
from nntui.engine.init import initial_parameters

SIZES = [4, 5, 3, 3]
M = 6  # examples in the checked batch
N_TRAIN = 20  # the training-set size n that scales the regularization term
LMBDA = 0.7
EPS = 1e-6


def _valid(output: str, cost: str) -> bool:
    return not check_combination(make_config(output="sigmoid", cost="quadratic")
                                 .replace(output=output, cost=cost))


VALID = [(o, c) for o, c in itertools.product(OUTPUT_ACTIVATIONS, COSTS) if _valid(o, c)]
INVALID = [(o, c) for o, c in itertools.product(OUTPUT_ACTIVATIONS, COSTS) if not _valid(o, c)]


def test_the_valid_pairings_are_the_books() -> None:
    """Cross-entropy needs a sigmoid output, log-likelihood a softmax; quadratic takes any."""
    assert sorted(VALID) == sorted([
        ("sigmoid", "quadratic"), ("softmax", "quadratic"), ("linear", "quadratic"),
        ("sigmoid", "cross-entropy"), ("softmax", "log-likelihood"),
    ])


@pytest.mark.parametrize(("output", "cost"), INVALID)
def test_invalid_pairings_are_rejected(output: str, cost: str) -> None:
    config, problems = parse_values({"output": output, "cost": cost})
    assert config is None
    assert [p.field for p in problems] == ["cost"]
    message = problems[0].message
    assert "cross-entropy goes with a sigmoid output" in message
    assert "log-likelihood with softmax" in message
    assert "quadratic with any output" in message
    # The engine refuses them too, rather than silently computing a wrong δᴸ.
    a = np.full((2, 3), 0.3)
    with pytest.raises(ValueError, match="cannot be paired"):
        output_delta(cost, output, a, a, out=np.empty_like(a))


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


def _analytic(net: Network, x, y, reg: str, dropout: float = 0.0, mask_seed: int = 0):
    """The trainer's step direction: (1/m)·summed backprop gradient + penalty derivative."""
    ws = net.workspace(len(x))
    ws.activations[0][...] = x
    ws.targets[...] = y
    net.backprop(ws, dropout, np.random.default_rng(mask_seed))
    m = len(x)
    grads_w = []
    for w, g in zip(net.weights, ws.grad_w, strict=True):
        g = g / m
        if reg == "l2":
            g = g + LMBDA / N_TRAIN * w
        elif reg == "l1":
            g = g + LMBDA / N_TRAIN * np.sign(w)
        grads_w.append(g)
    grads_b = [g / m for g in ws.grad_b]
    return grads_w, grads_b


def _full_cost(net: Network, x, y, reg: str, dropout: float = 0.0, mask_seed: int = 0) -> float:
    """C(w) = mean cost over the batch + regularization term, with the same dropout mask."""
    if dropout:
        ws = net.workspace(len(x))
        ws.activations[0][...] = x
        ws.targets[...] = y
        net.backprop(ws, dropout, np.random.default_rng(mask_seed))
        cost = net.batch_cost(ws)
    else:
        cost = cost_value(net.cost, net.feedforward(x), y)
    return cost + net.weight_penalty(reg, LMBDA, N_TRAIN)


def _numerical(net: Network, params: list[np.ndarray], cost) -> list[np.ndarray]:
    grads = []
    for p in params:
        g = np.zeros_like(p)
        for index in np.ndindex(p.shape):
            old = p[index]
            p[index] = old + EPS
            up = cost()
            p[index] = old - EPS
            down = cost()
            p[index] = old
            g[index] = (up - down) / (2 * EPS)
        grads.append(g)
    return grads


def _assert_close(analytic: list[np.ndarray], numerical: list[np.ndarray]) -> None:
    for layer, (a, n) in enumerate(zip(analytic, numerical, strict=True)):
        scale = np.linalg.norm(a) + np.linalg.norm(n)
        assert scale > 1e-8, f"layer {layer + 1}: gradient vanished, the check proves nothing"
        relative = np.linalg.norm(a - n) / scale
        assert relative < 1e-6, f"layer {layer + 1}: relative error {relative:.2e}"


@pytest.mark.parametrize("reg", REGULARIZATIONS)
@pytest.mark.parametrize(("output", "cost"), VALID)
@pytest.mark.parametrize("activation", HIDDEN_ACTIVATIONS)
def test_gradient_matches_central_differences(activation: str, output: str, cost: str,
                                              reg: str) -> None:
    x, y = _problem(output, cost)
    net = _network(activation, output, cost)
    grads_w, grads_b = _analytic(net, x, y, reg)
    def full() -> float:
        return _full_cost(net, x, y, reg)

    _assert_close(grads_w, _numerical(net, net.weights, full))
    _assert_close(grads_b, _numerical(net, net.biases, full))


@pytest.mark.parametrize(("activation", "output", "cost"), [
    ("relu", "softmax", "log-likelihood"),
    ("sigmoid", "sigmoid", "cross-entropy"),
    ("tanh", "softmax", "quadratic"),
])
def test_gradient_with_fewer_examples_than_neurons(activation: str, output: str,
                                                   cost: str) -> None:
    """With fewer examples than a layer has neurons, backprop computes that layer's Zᵀ = W·Aᵀ
    (the faster way round for BLAS) and turns it back; the gradient must not notice."""
    x, y = _problem(output, cost, seed=6)
    x, y = x[:2], y[:2]
    net = _network(activation, output, cost, seed=9)
    assert all(t is not None for t in net.workspace(2).transposed)  # every layer: 2 < 5, 3, 3
    grads_w, grads_b = _analytic(net, x, y, "l2")
    def full() -> float:
        return _full_cost(net, x, y, "l2")

    _assert_close(grads_w, _numerical(net, net.weights, full))
    _assert_close(grads_b, _numerical(net, net.biases, full))
    ws = net.workspace(2)
    np.testing.assert_allclose(ws.activations[-1], net.feedforward(x), rtol=1e-12)


@pytest.mark.parametrize(("activation", "output", "cost"), [
    ("relu", "softmax", "log-likelihood"),
    ("sigmoid", "sigmoid", "cross-entropy"),
    ("tanh", "linear", "quadratic"),
])
def test_gradient_with_a_fixed_dropout_mask(activation: str, output: str, cost: str) -> None:
    """With the same rng seed on both sides the mask is fixed, so the dropped network is an
    ordinary function of the weights and its gradient can be checked like any other."""
    x, y = _problem(output, cost, seed=5)
    net = _network(activation, output, cost, seed=7)
    grads_w, grads_b = _analytic(net, x, y, "l2", dropout=0.4, mask_seed=11)
    def full() -> float:
        return _full_cost(net, x, y, "l2", dropout=0.4, mask_seed=11)

    _assert_close(grads_w, _numerical(net, net.weights, full))
    _assert_close(grads_b, _numerical(net, net.biases, full))
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


# --- known values of the costs ---------------------------------------------------------------

def test_cross_entropy_known_value() -> None:
    assert cost_value("cross-entropy", np.array([[0.9]]), np.array([[1.0]])) == pytest.approx(
        0.1054, abs=1e-4)
    assert cost_value("cross-entropy", np.array([[0.9]]), np.array([[1.0]])) == pytest.approx(
        -np.log(0.9))
    # y = 0, a = 0.9 costs −ln(0.1); the mean is taken over the examples.
    two = cost_value("cross-entropy", np.array([[0.9], [0.9]]), np.array([[1.0], [0.0]]))
    assert two == pytest.approx((-np.log(0.9) - np.log(0.1)) / 2)


def test_quadratic_known_value() -> None:
    assert cost_value("quadratic", np.array([[0.6]]), np.array([[1.0]])) == pytest.approx(0.08)
    a = np.array([[0.6, 0.2], [1.0, 0.0]])
    y = np.array([[1.0, 0.0], [1.0, 0.0]])
    assert cost_value("quadratic", a, y) == pytest.approx(0.5 * (0.16 + 0.04) / 2)


def test_log_likelihood_of_a_softmax_output() -> None:
    z = np.array([[1.0, 2.0, 3.0]])
    a = softmax(z.copy())
    assert a.sum() == pytest.approx(1.0)
    y = np.array([[0.0, 0.0, 1.0]])
    expected = np.log(np.exp(1) + np.exp(2) + np.exp(3)) - 3.0  # −ln a_y
    assert cost_value("log-likelihood", a, y) == pytest.approx(expected)
    assert expected == pytest.approx(0.4076, abs=1e-4)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize(("output", "cost"), VALID)
def test_summed_cost_is_cost_value_times_the_rows(output: str, cost: str, dtype: str) -> None:
    """The trainer's in-place running-cost sum agrees with cost_value, also for targets that are
    not 0 or 1 and for outputs saturated at exactly 0 and 1."""
    x, y = _problem(output, cost, seed=4)
    net = Network(SIZES, activation="tanh", output=output, cost=cost, seed=3, dtype=dtype)
    a = net.feedforward(x)
    y = y.astype(dtype)
    if output == "sigmoid":
        a[0, :2] = (0.0, 1.0)
    expected = cost_value(cost, a, y) * len(a)
    got = summed_cost(cost, a.copy(), y.copy())
    # They differ only in rounding and in how they keep a saturated output's logarithm finite.
    assert got == pytest.approx(expected, rel=1e-5 if dtype == "float32" else 1e-6)
    with pytest.raises(ValueError, match="unknown cost"):
        summed_cost("hinge", a, y)


def test_costs_stay_finite_for_saturated_outputs() -> None:
    a = np.array([[1.0, 0.0]], dtype=np.float32)
    y = np.array([[0.0, 1.0]], dtype=np.float32)
    assert np.isfinite(cost_value("cross-entropy", a, y))
    assert np.isfinite(cost_value("log-likelihood", a, y))


def test_softmax_survives_huge_inputs() -> None:
    a = softmax(np.array([[1000.0, 1001.0, -1000.0]]))
    assert np.isfinite(a).all()
    np.testing.assert_allclose(a[0, :2], [1 / (1 + np.e), np.e / (1 + np.e)])


def test_unknown_cost_is_an_error() -> None:
    with pytest.raises(ValueError, match="unknown cost"):
        cost_value("hinge", np.zeros((1, 1)), np.zeros((1, 1)))


def test_accuracy() -> None:
    outputs = np.array([[0.1, 0.9], [0.8, 0.2], [0.3, 0.7]])
    assert accuracy(outputs, np.array([1, 0, 0])) == pytest.approx(2 / 3)
    single = np.array([[0.7], [0.2]])
    assert accuracy(single, np.array([1, 1])) == 0.5


# --- initialization ---------------------------------------------------------------------------

@pytest.mark.parametrize(("scheme", "w_std", "b_std"), [
    ("large", lambda n_in, n_out: 1.0, 1.0),
    ("normalized", lambda n_in, n_out: 1 / np.sqrt(n_in), 1.0),
    ("glorot", lambda n_in, n_out: np.sqrt(6 / (n_in + n_out)) / np.sqrt(3), 0.0),
    ("he", lambda n_in, n_out: np.sqrt(2 / n_in), 0.0),
])
def test_initialization_shapes_and_spread(scheme: str, w_std, b_std: float) -> None:
    sizes = [400, 300, 50]
    weights, biases = initial_parameters(sizes, scheme, np.random.default_rng(0),
                                         np.dtype("float64"))
    for (n_in, n_out), w, b in zip(itertools.pairwise(sizes), weights, biases, strict=True):
        assert w.shape == (n_out, n_in)
        assert b.shape == (n_out,)
        assert abs(w.mean()) < 0.05 * w_std(n_in, n_out) + 1e-3
        assert w.std() == pytest.approx(w_std(n_in, n_out), rel=0.03)
        if b_std:
            assert b.std() == pytest.approx(b_std, rel=0.25)
        else:
            assert not b.any()
    if scheme == "glorot":  # uniform, bounded by the limit
        limit = np.sqrt(6 / (400 + 300))
        assert np.abs(weights[0]).max() <= limit


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
    with pytest.raises(ValueError, match="unknown initialization"):
        Network([3, 2], init="zeros")


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
