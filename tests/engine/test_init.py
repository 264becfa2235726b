"""Tests of the initialization schemes: shapes, spread, reproducibility, and unknown names."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from nntui.config import INITS
from nntui.engine.init import INITIALIZATIONS, initial_parameters


def test_every_scheme_the_config_offers_exists() -> None:
    assert set(INITS) == set(INITIALIZATIONS)


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


@pytest.mark.parametrize("scheme", sorted(INITIALIZATIONS))
def test_weights_then_biases_layer_by_layer_from_one_generator(scheme: str) -> None:
    """A seed fixes the network: each layer draws its weights, then its biases, in turn."""
    sizes = [4, 3, 2]
    weights, biases = initial_parameters(sizes, scheme, np.random.default_rng(5),
                                         np.dtype("float32"))
    rng = np.random.default_rng(5)
    for (n_in, n_out), w, b in zip(itertools.pairwise(sizes), weights, biases, strict=True):
        want_w, want_b = INITIALIZATIONS[scheme](rng, n_in, n_out)
        assert w.dtype == b.dtype == np.float32
        np.testing.assert_array_equal(w, want_w.astype(np.float32))
        np.testing.assert_array_equal(b, want_b.astype(np.float32))
    if scheme == "normalized":  # the book's: N(0, 1) scaled by 1/√n_in, then N(0, 1)
        rng = np.random.default_rng(5)
        first = rng.standard_normal((3, 4)) / 2.0
        np.testing.assert_array_equal(weights[0], first.astype(np.float32))
        np.testing.assert_array_equal(biases[0], rng.standard_normal(3).astype(np.float32))


def test_unknown_scheme_says_what_there_is() -> None:
    with pytest.raises(ValueError, match="unknown initialization 'zeros'; choose one of large, "
                                         "normalized, glorot, he"):
        initial_parameters([3, 2], "zeros", np.random.default_rng(0), np.dtype("float32"))
