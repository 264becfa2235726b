"""Tests of the activation functions: each value against its textbook formula, each derivative
against central differences of the value, in place, and looked up by name."""

from __future__ import annotations

import numpy as np
import pytest

from nntui.config import HIDDEN_ACTIVATIONS, OUTPUT_ACTIVATIONS
from nntui.engine import activations
from nntui.engine.activations import ACTIVATIONS, Softmax

FORMULAS = {
    "sigmoid": lambda z: 1.0 / (1.0 + np.exp(-z)),
    "tanh": np.tanh,
    "relu": lambda z: np.maximum(z, 0.0),
    "linear": lambda z: z,
    "softmax": lambda z: np.exp(z) / np.exp(z).sum(axis=1, keepdims=True),
}


def _inputs(seed: int = 0) -> np.ndarray:
    """Weighted inputs for 4 examples of 5 neurons, none within 0.05 of ReLU's kink at 0."""
    z = np.random.default_rng(seed).uniform(-3.0, 3.0, (4, 5))
    return np.where(np.abs(z) < 0.05, 0.5, z)


def test_every_function_the_config_offers_is_registered() -> None:
    assert set(HIDDEN_ACTIVATIONS) | set(OUTPUT_ACTIVATIONS) <= set(ACTIVATIONS)
    assert set(ACTIVATIONS) == set(FORMULAS)
    for name, function in ACTIVATIONS.items():
        assert function.name == name
        assert activations.get(name) is function


@pytest.mark.parametrize("name", FORMULAS)
def test_value_matches_the_formula_in_place(name: str) -> None:
    z = _inputs()
    expected = FORMULAS[name](z)
    got = activations.get(name)(z)
    assert got is z  # written over its input: training reuses the buffers
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("name", FORMULAS)
def test_times_derivative_matches_central_differences(name: str, central_differences) -> None:
    """δ turned into ∂C/∂z for C = Σ δ ⊙ σ(z), checked one weighted input at a time.  For
    softmax this is the Jacobian product, every output depending on every z of its row."""
    sigma = activations.get(name)
    z = _inputs(1)
    delta = np.random.default_rng(2).standard_normal(z.shape)
    numerical = central_differences(lambda: float(np.sum(delta * sigma(z.copy()))), z)
    a = sigma(z.copy())
    got = sigma.times_derivative(delta.copy(), a, np.empty_like(a))
    np.testing.assert_allclose(got, numerical, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("name", FORMULAS)
def test_times_derivative_writes_into_delta(name: str) -> None:
    sigma = activations.get(name)
    a = sigma(_inputs())
    delta = np.ones_like(a)
    assert sigma.times_derivative(delta, a, np.empty_like(a)) is delta


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_sigmoid_saturates_without_overflow(dtype: str) -> None:
    """(1 + tanh(z/2)) / 2 has no exp() to overflow, in either precision."""
    with np.errstate(over="raise", invalid="raise"):
        a = activations.get("sigmoid")(np.array([[-1000.0, 0.0, 1000.0]], dtype=dtype))
    assert a.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(a, [[0.0, 0.5, 1.0]])


def test_softmax_survives_huge_inputs() -> None:
    a = Softmax()(np.array([[1000.0, 1001.0, -1000.0]]))
    assert np.isfinite(a).all()
    np.testing.assert_allclose(a[0, :2], [1 / (1 + np.e), np.e / (1 + np.e)])


def test_unknown_names_say_what_there_is() -> None:
    with pytest.raises(ValueError, match="unknown activation 'swish'; choose one of sigmoid, "
                                         "tanh, relu, linear, softmax"):
        activations.get("swish")
    with pytest.raises(ValueError, match="unknown output 'step'"):
        activations.get("step", "output")
