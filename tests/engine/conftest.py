"""Fixtures of the engine's tests: made-up data sets for the trainer, numerical derivatives to
check the analytic ones against, and the pairings of output layer and cost that the config accepts
(each test of a pairing runs once for every one)."""

from __future__ import annotations

import itertools
from collections.abc import Callable

import numpy as np
import pytest

from nntui.config import COSTS, OUTPUT_ACTIVATIONS, check_combination, make_config
from nntui.datasets import Split


def _blobs(n: int, seed: int = 0, dtype: str = "float32") -> Split:
    """Two well-separated Gaussian blobs in 2-D, labels 0/1, one-hot targets.

    Separable enough that any sensible network reaches high accuracy in a few epochs, so a test
    that trains on it fails only when learning itself is broken.
    """
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 2, n)
    centres = np.array([[-1.0, -1.0], [1.0, 1.0]])
    x = centres[labels] + 0.35 * rng.standard_normal((n, 2))
    y = np.eye(2)[labels]
    return Split(x.astype(dtype), y.astype(dtype), labels.astype(np.int64))


@pytest.fixture
def make_blobs() -> Callable[..., Split]:
    """``make_blobs(n, seed=0, dtype="float32")``: a split of n points in two blobs."""
    return _blobs


@pytest.fixture
def blobs() -> tuple[Split, Split]:
    """(training, validation) splits of two blobs, 200 and 100 points."""
    return _blobs(200, seed=0), _blobs(100, seed=1)


def _central_differences(f: Callable[[], float], p: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """∂f/∂p, one element of ``p`` at a time: (f(p + ε) − f(p − ε)) / 2ε, with ``p`` changed in
    place for each call of ``f`` and put back after."""
    gradient = np.zeros_like(p)
    for index in np.ndindex(p.shape):
        old = p[index]
        p[index] = old + eps
        up = f()
        p[index] = old - eps
        down = f()
        p[index] = old
        gradient[index] = (up - down) / (2 * eps)
    return gradient


@pytest.fixture
def central_differences() -> Callable[[Callable[[], float], np.ndarray], np.ndarray]:
    """``central_differences(f, p)``: the numerical gradient of ``f()`` with respect to ``p``."""
    return _central_differences


def _accepted(output: str, cost: str) -> bool:
    return not check_combination(make_config(output="sigmoid", cost="quadratic")
                                 .replace(output=output, cost=cost))


PAIRINGS = list(itertools.product(OUTPUT_ACTIVATIONS, COSTS))
VALID = [pairing for pairing in PAIRINGS if _accepted(*pairing)]
INVALID = [pairing for pairing in PAIRINGS if not _accepted(*pairing)]


@pytest.fixture
def valid_pairings() -> list[tuple[str, str]]:
    """Every (output, cost) the config accepts."""
    return VALID


@pytest.fixture(params=VALID, ids="+".join)
def pairing(request) -> tuple[str, str]:
    """Each (output, cost) the config accepts, one per run of the test."""
    return request.param


@pytest.fixture(params=INVALID, ids="+".join)
def bad_pairing(request) -> tuple[str, str]:
    """Each (output, cost) the config refuses, one per run of the test."""
    return request.param
