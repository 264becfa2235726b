"""Tests of the labels of runs nobody named: what sets each config apart from the others."""

from __future__ import annotations

import pytest

from nntui.config import DEFAULTS, make_config
from nntui.presets import PRESETS
from nntui.studies.comparisons import COMPARISONS
from nntui.studies.labels import difference_labels


@pytest.mark.parametrize(("changes", "labels"), [
    ([{"eta": 0.025}, {"eta": 0.25}, {"eta": 2.5}], ["η=0.025", "η=0.25", "η=2.5"]),
    ([{"eta": 0.25, "lmbda": 5}, {"eta": 0.5, "lmbda": 1}], ["η=0.25 λ=5", "η=0.5 λ=1"]),
    ([{"hidden": "30"}, {"hidden": "100"}], ["hidden=30", "hidden=100"]),
    ([{"hidden": "64,64"}, {"hidden": ""}], ["hidden=64,64", "hidden=none"]),
    ([{"init": "large"}, {"init": "normalized"}], ["init=large", "init=normalized"]),
    ([{"regularization": "none", "lmbda": 0}, {"regularization": "l2", "lmbda": 5}],
     ["no regularization", "L2 λ=5"]),
    ([{"regularization": "l1"}, {"regularization": "l2"}], ["L1 λ=5", "L2 λ=5"]),
    ([{"train_size": 1000}, {"train_size": 0}], ["1,000 images", "all images"]),
    ([{"cost": "quadratic"}, {"cost": "cross-entropy"}], ["quadratic", "cross-entropy"]),
    ([{"batch_size": 10, "momentum": 0.9}, {"batch_size": 128, "momentum": 0}],
     ["batch=10 μ=0.9", "batch=128 μ=0"]),
    # What only changes how a run is shown or measured never names it.
    ([{"pace": 5}, {"pace": 50, "eval_train": False}], ["run 1", "run 2"]),
    ([{"eta": 0.5}, {"eta": 0.5, "pace": 3}, {"eta": 0.1}], ["η=0.5 (1)", "η=0.5 (2)", "η=0.1"]),
])
def test_difference_labels_name_what_differs(changes: list[dict], labels: list[str]) -> None:
    configs = [make_config(**values) for values in changes]
    assert difference_labels(configs) == labels


def test_difference_labels_of_the_neuron_and_of_one_run() -> None:
    configs = [make_config(**values) for _, values in COMPARISONS["saturated-neuron"].variants]
    assert difference_labels(configs) == [
        "quadratic η=0.15 w=2 b=2", "cross-entropy η=0.15 w=2 b=2",
        "cross-entropy η=0.005 w=2 b=2", "quadratic η=0.15 w=0.6 b=0.9"]
    assert difference_labels([PRESETS["nielsen-l2"].config()]) == ["nielsen-l2"]
    assert difference_labels([DEFAULTS.replace(eta=0.3)]) == ["run 1"]
    assert difference_labels([]) == []
