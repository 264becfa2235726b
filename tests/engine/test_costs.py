"""Tests of the costs: known values, the in-place sum against the mean, the output error δᴸ against
central differences of the cost for every pairing the config accepts, and the pairings refused."""

from __future__ import annotations

import numpy as np
import pytest

from nntui.config import COSTS as COST_NAMES
from nntui.config import parse_values
from nntui.engine import Network, activations, costs


def _outputs_and_targets(output: str, seed: int = 0, m: int = 6, n: int = 3):
    """Outputs a = σ(z) of the ``output`` layer for random z, and targets suited to it."""
    rng = np.random.default_rng(seed)
    z = rng.standard_normal((m, n))
    if output == "softmax":
        y = np.eye(n)[rng.integers(0, n, m)]
    elif output == "sigmoid":
        y = rng.uniform(0.05, 0.95, (m, n))  # cross-entropy is defined for any y in [0, 1]
    else:
        y = rng.standard_normal((m, n))
    return z, y


# --- known values ------------------------------------------------------------------------------

def test_every_cost_the_config_offers_is_registered() -> None:
    assert set(costs.COSTS) == set(COST_NAMES)
    for name, cost in costs.COSTS.items():
        assert cost.name == name and costs.get(name) is cost


def test_cross_entropy_known_value() -> None:
    cost = costs.get("cross-entropy")
    assert cost.fn(np.array([[0.9]]), np.array([[1.0]])) == pytest.approx(0.1054, abs=1e-4)
    assert cost.fn(np.array([[0.9]]), np.array([[1.0]])) == pytest.approx(-np.log(0.9))
    # y = 0, a = 0.9 costs −ln(0.1); the mean is taken over the examples.
    two = cost.fn(np.array([[0.9], [0.9]]), np.array([[1.0], [0.0]]))
    assert two == pytest.approx((-np.log(0.9) - np.log(0.1)) / 2)


def test_quadratic_known_value() -> None:
    cost = costs.get("quadratic")
    assert cost.fn(np.array([[0.6]]), np.array([[1.0]])) == pytest.approx(0.08)
    a = np.array([[0.6, 0.2], [1.0, 0.0]])
    y = np.array([[1.0, 0.0], [1.0, 0.0]])
    assert cost.fn(a, y) == pytest.approx(0.5 * (0.16 + 0.04) / 2)


def test_log_likelihood_of_a_softmax_output() -> None:
    z = np.array([[1.0, 2.0, 3.0]])
    a = activations.get("softmax")(z.copy())
    assert a.sum() == pytest.approx(1.0)
    y = np.array([[0.0, 0.0, 1.0]])
    expected = np.log(np.exp(1) + np.exp(2) + np.exp(3)) - 3.0  # −ln a_y
    assert costs.get("log-likelihood").fn(a, y) == pytest.approx(expected)
    assert expected == pytest.approx(0.4076, abs=1e-4)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_summed_is_fn_times_the_rows(pairing: tuple[str, str], dtype: str) -> None:
    """The trainer's in-place running-cost sum agrees with fn, also for targets that are
    not 0 or 1 and for outputs saturated at exactly 0 and 1."""
    output, name = pairing
    x, y = _outputs_and_targets(output, seed=4, n=3)
    net = Network([3, 5, 3], activation="tanh", output=output, cost=name, seed=3, dtype=dtype)
    a = net.feedforward(x)
    y = y.astype(dtype)
    if output == "sigmoid":
        a[0, :2] = (0.0, 1.0)
    cost = costs.get(name)
    expected = cost.fn(a, y) * len(a)
    got = cost.summed(a.copy(), y.copy())
    # They differ only in rounding and in how they keep a saturated output's logarithm finite.
    assert got == pytest.approx(expected, rel=1e-5 if dtype == "float32" else 1e-6)


def test_costs_stay_finite_for_saturated_outputs() -> None:
    a = np.array([[1.0, 0.0]], dtype=np.float32)
    y = np.array([[0.0, 1.0]], dtype=np.float32)
    assert np.isfinite(costs.get("cross-entropy").fn(a, y))
    assert np.isfinite(costs.get("log-likelihood").fn(a, y))
    for name in ("cross-entropy", "log-likelihood"):
        assert np.isfinite(costs.get(name).summed(a.copy(), y.copy()))


def test_unknown_cost_is_an_error() -> None:
    with pytest.raises(ValueError, match="unknown cost 'hinge'; choose one of quadratic, "
                                         "cross-entropy, log-likelihood"):
        costs.get("hinge")


# --- the output error --------------------------------------------------------------------------

def test_delta_matches_central_differences(pairing: tuple[str, str], central_differences) -> None:
    """δᴸ = ∂C/∂zᴸ, per example, for the cost summed over the examples (each row's δ is the
    derivative of that example's cost alone)."""
    output, name = pairing
    sigma, cost = activations.get(output), costs.get(name)
    z, y = _outputs_and_targets(output, seed=1)
    numerical = central_differences(lambda: cost.fn(sigma(z.copy()), y) * len(z), z)
    a = sigma(z.copy())
    before = a.copy(), y.copy()
    out = np.empty_like(a)
    assert cost.delta(sigma, a, y, out, np.empty_like(a)) is out
    np.testing.assert_allclose(out, numerical, rtol=1e-5, atol=1e-8)
    np.testing.assert_array_equal(a, before[0])  # a and y are left as they were
    np.testing.assert_array_equal(y, before[1])


@pytest.mark.parametrize("output", ["sigmoid", "softmax"])
def test_the_matched_pairs_give_a_minus_y(output: str) -> None:
    """Nielsen's point: with the matched cost the σ'(z) of the output cancels."""
    name = "cross-entropy" if output == "sigmoid" else "log-likelihood"
    z, y = _outputs_and_targets(output, seed=2)
    a = activations.get(output)(z)
    out = costs.get(name).delta(activations.get(output), a, y, np.empty_like(a),
                                np.empty_like(a))
    np.testing.assert_array_equal(out, a - y)


@pytest.mark.parametrize("output", ["tanh", "relu"])
def test_quadratic_takes_the_outputs_own_derivative(output: str) -> None:
    """Quadratic cost goes with any output (here two the config does not offer for it)."""
    z, y = _outputs_and_targets(output, seed=3)
    z = np.where(np.abs(z) < 0.05, 0.5, z)  # away from ReLU's kink
    sigma = activations.get(output)
    a = sigma(z.copy())
    out = costs.get("quadratic").delta(sigma, a, y, np.empty_like(a), np.empty_like(a))
    derivative = 1 - a * a if output == "tanh" else (z > 0).astype(float)
    np.testing.assert_allclose(out, (a - y) * derivative, rtol=1e-12)


def test_invalid_pairings_are_rejected(bad_pairing: tuple[str, str]) -> None:
    output, name = bad_pairing
    config, problems = parse_values({"output": output, "cost": name})
    assert config is None
    assert [p.field for p in problems] == ["cost"]
    message = problems[0].message
    assert "cross-entropy goes with a sigmoid output" in message
    assert "log-likelihood with softmax" in message
    assert "quadratic with any output" in message
    # The engine refuses them too, rather than silently computing a wrong δᴸ, and says why.
    a = np.full((2, 3), 0.3)
    with pytest.raises(ValueError, match=f"{name} cost cannot be paired with a {output} output "
                                         r"\(cross-entropy goes with a sigmoid output"):
        costs.get(name).delta(activations.get(output), a, a, np.empty_like(a),
                              np.empty_like(a))


def test_the_valid_pairings_are_the_books(valid_pairings: list[tuple[str, str]]) -> None:
    """Cross-entropy needs a sigmoid output, log-likelihood a softmax; quadratic takes any."""
    assert sorted(valid_pairings) == sorted([
        ("sigmoid", "quadratic"), ("softmax", "quadratic"), ("linear", "quadratic"),
        ("sigmoid", "cross-entropy"), ("softmax", "log-likelihood"),
    ])
