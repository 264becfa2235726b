"""The rules-of-thumb hints, each on a small real run that provokes it and on one that must not.

Runs go through the real lifecycle (:class:`nntui.runner.lifecycle.Run`), on the 2-D sets, the
single neuron or 1,000 MNIST images, a second or less each.
"""

from __future__ import annotations

import functools
import json
import math
from pathlib import Path

import pytest

from nntui.config import Config, make_config
from nntui.engine import EpochReport
from nntui.presets import PRESETS
from nntui.runner import hints as hints_module
from nntui.runner.hints import KINDS, Hint, HintObserver, accuracy_noise, probe_examples, trend
from nntui.runner.lifecycle import Run

XOR = PRESETS["xor"].config().replace(pace=0)
SPIRAL = PRESETS["spiral"].config().replace(pace=0)
NIELSEN_1000 = PRESETS["nielsen-baseline"].config().replace(train_size=1000)


@functools.cache
def run(config: Config) -> tuple[tuple[Hint, ...], tuple[Hint, ...]]:
    """The hints a real run of ``config`` gives: as kept by the observer, and as notified."""
    told: list[Hint] = []
    observer = HintObserver(told.append)
    ended = Run(config, observers=[observer]).execute()
    assert ended.status in ("completed", "early stop"), ended.message
    return tuple(observer.hints), tuple(told)


def kinds(config: Config) -> set[str]:
    return {hint.kind for hint in run(config)[0]}


def hint(config: Config, kind: str) -> Hint:
    return next(h for h in run(config)[0] if h.kind == kind)


# --- η too high ---------------------------------------------------------------------------------

def test_eta_too_high_on_xor_at_eta_5():
    config = XOR.replace(eta=5.0, epochs=20)
    assert "eta-too-high" in kinds(config)
    found = hint(config, "eta-too-high")
    assert "η = 5 looks too high" in found.message
    assert "Nielsen" in found.message and "half" in found.message
    assert "Krohn" in found.message and "orders of magnitude" in found.message
    assert "0.5" in found.message  # the tenth to try


def test_eta_too_high_not_on_the_xor_preset_or_the_spiral_at_its_floor():
    assert "eta-too-high" not in kinds(XOR)
    assert "eta-too-high" not in kinds(SPIRAL.replace(epochs=60))


def replayed(run: str) -> list[Hint]:
    """The hints of a real MNIST run of a book's preset (recorded in tests/data: each takes
    a minute), replayed epoch by epoch through the observer."""
    recorded = json.loads((Path(__file__).parents[1] / "data" / "book_runs.json").read_text())
    preset, *eta = run.split()  # "nielsen-l2 --eta 2.5"
    config = PRESETS[preset].config()
    if eta:
        config = config.replace(eta=float(eta[1]))
    epochs = recorded["runs"][run]
    observer = HintObserver(probe=None)
    observer.start(config, None, batches=5000, n_train=50_000, n_held_out=10_000)
    for epoch in epochs:
        observer.on_epoch(EpochReport(epochs=len(epochs), learning_speed=(), seconds=1.0,
                                      examples_per_second=50_000.0, **epoch))
    return observer.hints


RECORDED = json.loads((Path(__file__).parents[1] / "data" / "hint_runs.json").read_text())
"""Real runs of the presets and of the issue's XOR plateau, each epoch's costs and accuracies
(tests/data/hint_runs.json says how they were made)."""


def replay(command: str) -> list[Hint]:
    """The hints of a recorded run, replayed epoch by epoch through the observer with the sizes
    of its training and held-out sets."""
    run = RECORDED["runs"][command]
    config = make_config(**run["config"])
    observer = HintObserver(probe=None)
    observer.start(config, None, batches=math.ceil(run["n_train"] / config.batch_size),
                   n_train=run["n_train"], n_held_out=run["n_held_out"])
    columns = ("train_cost", "train_accuracy", "val_cost", "val_accuracy")
    epochs = len(run["val_cost"])
    for index in range(epochs):
        observer.on_epoch(EpochReport(
            epoch=index + 1, epochs=epochs, learning_speed=(), seconds=1.0,
            examples_per_second=1.0, eta=config.eta,
            **{column: run[column][index] for column in columns}))
    return observer.hints


def test_eta_too_high_compares_with_the_lowest_cost_so_far():
    """Nielsen's too-high η = 2.5 on his ch. 3 network: the cost falls from 0.929 to 0.768 by
    epoch 6, then climbs back to 0.861 at epoch 7, still below where it started."""
    found = [h for h in replay("nntui train --preset nielsen-l2 --eta 2.5")
             if h.kind == "eta-too-high"]
    assert [h.epoch for h in found] == [7]
    assert "climbed back from its lowest, 0.768 at epoch 6, to 0.861" in found[0].message
    assert "started at 0.929" in found[0].message


def test_eta_too_high_not_on_the_books_own_settings():
    """Nielsen's ch. 3 runs at η = 0.5 with λ = 5: with 30 hidden neurons (the app's default) the
    cost wanders by up to 6 % an epoch around 0.38 after ten epochs; with 100 it jumps once, by
    18 % at epoch 18, and settles again: no oscillation of η's making.  η = 2.5, his too-high
    example, rises above its start at epoch 3."""
    for run in ("nielsen-l2 --eta 0.5", "nielsen-100"):
        assert "eta-too-high" not in {h.kind for h in replayed(run)}, run
    too_high = [h for h in replayed("nielsen-l2 --eta 2.5") if h.kind == "eta-too-high"]
    assert [h.epoch for h in too_high] == [3]


# --- η too small --------------------------------------------------------------------------------

def test_eta_too_small_not_where_the_vanishing_gradient_explains_the_stall():
    """Nielsen's ch. 5 net (the speed-of-learning preset) sits on a plateau for ~130 epochs
    because its first layers barely learn, not because of η = 0.1."""
    found = kinds(PRESETS["speed-of-learning"].config().replace(epochs=30, pace=0))
    assert "vanishing" in found and "eta-too-low" not in found


def test_eta_too_small_on_xor_at_eta_0_0001():
    config = XOR.replace(eta=0.0001, epochs=20)
    assert kinds(config) == {"eta-too-low"}
    found = hint(config, "eta-too-low")
    assert found.epoch == 11  # after ten epochs of barely falling
    assert "too small" in found.message and "0.001" in found.message and "Krohn" in found.message


def test_eta_too_small_not_on_a_plateau_nor_on_the_neuron_learning_step_by_step():
    assert "eta-too-low" not in kinds(SPIRAL.replace(epochs=60))  # a plateau, accuracy rising
    assert "eta-too-low" not in kinds(PRESETS["neuron-cross-entropy"].config().replace(pace=0))
    assert "eta-too-low" not in kinds(XOR)


# --- overfitting --------------------------------------------------------------------------------

OVERFIT = SPIRAL.replace(epochs=100, train_size=60, noise=0.3, hidden=(64, 64))
"""60 noisy spiral points and a 64-64 net: training accuracy climbs, validation stalls."""


def test_overfitting_on_sixty_noisy_spiral_points():
    """The validation accuracy is best at epoch 4; on 60 training points one point is 1.7 % of
    accuracy, so the hint waits until training and validation accuracy stand apart by more than
    the two sets' noise (about 12 points), with the validation cost rising all along."""
    assert "overfitting" in kinds(OVERFIT)
    found = hint(OVERFIT, "overfitting")
    assert found.epoch >= 40
    assert "No better validation accuracy for" in found.message
    assert "regularize" in found.message and "stop early" in found.message
    assert "Nielsen" in found.message


def test_overfitting_in_nielsens_thousand_images():
    """The book's own case (a few seconds): test accuracy stops at about 82 % near epoch 50
    while the test cost rises and the training cost keeps falling at 100 % training accuracy."""
    config = PRESETS["nielsen-overfit"].config().replace(epochs=64)
    found = hint(config, "overfitting")
    assert 55 <= found.epoch <= 64
    assert "No better test accuracy for 10 epochs" in found.message
    assert "the test cost rose" in found.message and "training cost fell" in found.message


def test_no_overfitting_on_the_issues_xor_plateau():
    """``nntui train --dataset xor --hidden 8 --epochs 40 --validate-on test``: from epoch 10
    both costs are flat and training accuracy wanders about 86 % on 1,000 points (a point of
    accuracy is noise there), 2-3 points above the test accuracy on 500.  The old rule called
    a 0.5-point rise overfitting at epoch 28; on the same plateau for 200 epochs no rule
    fires."""
    assert "overfitting" not in {h.kind for h in replay(
        "nntui train --dataset xor --hidden 8 --epochs 40 --validate-on test")}
    assert replay("nntui train --dataset xor --hidden 8 --epochs 200 --validate-on test") == []


def test_overfitting_when_training_accuracy_climbs_beyond_noise():
    """Nielsen's baseline without L2: validation accuracy is best at epoch 9 (96.28 %) while
    training accuracy climbs on 50,000 images, where half a point is far beyond noise."""
    found = [h for h in replay("nntui train --preset nielsen-baseline")
             if h.kind == "overfitting"]
    assert [h.epoch for h in found] == [19]
    assert "training accuracy rose from 97.44 % to 98.20 %" in found[0].message
    assert "counted as noise on 50,000 examples" in found[0].message


def test_overfitting_by_nielsens_cost_sign_once_test_accuracy_stalls():
    """Nielsen's 1,000 images: the test cost rises from epoch 18 while the test accuracy still
    improves (his "puzzle": he judges by the accuracy), so the hint waits for ten epochs without
    a better test accuracy, then names his sign: the test cost rising, the training cost
    falling, at 100 % training accuracy."""
    found = [h for h in replay("nntui train --preset nielsen-overfit") if h.kind == "overfitting"]
    assert [h.epoch for h in found] == [61]
    assert "best 82.06 % at epoch 51" in found[0].message
    assert "the test cost rose" in found[0].message and "Nielsen's sign" in found[0].message


def test_no_overfitting_where_l2_keeps_the_test_accuracy_climbing():
    """With λ = 0.1 the same 1,000 images keep improving on test for 400 epochs (Nielsen's
    point): the old rule called a 0.5-point training rise on 1,000 images overfitting at
    epoch 141."""
    assert "overfitting" not in {h.kind for h in replay(
        "nntui train --preset nielsen-overfit-l2")}


def test_accuracy_noise_is_the_binomial_standard_error():
    assert accuracy_noise(0.86, 1000) == pytest.approx(0.011, abs=0.0005)
    assert accuracy_noise(1.0, 1000) > 0  # 100 % on 1,000 is not exact
    assert accuracy_noise(0.5, 60) > 4 * accuracy_noise(0.5, 1000)
    assert accuracy_noise(0.9, 0) == 0.0  # size not known


def test_trend_tells_a_drift_from_wandering():
    assert trend([1.0, 0.9, 0.8, 0.7, 0.6]) < -1000  # a straight line: no wandering at all
    assert trend([0.5, 0.5, 0.5, 0.5]) == 0.0
    assert trend([1.0, 0.98, 1.01, 0.97, 0.96, 0.95, 0.93]) < -2
    assert abs(trend([1.07, 1.09, 1.06, 1.08, 1.07, 1.09, 1.06])) < 2
    assert trend([1.0, 2.0]) == 0.0  # too few to tell


def test_overfitting_not_when_training_and_validation_agree():
    assert "overfitting" not in kinds(XOR)
    assert "overfitting" not in kinds(SPIRAL.replace(epochs=60))


# --- vanishing gradient --------------------------------------------------------------------------

def test_vanishing_gradient_in_five_sigmoid_layers():
    config = PRESETS["speed-of-learning"].config().replace(epochs=4)
    assert "vanishing" in kinds(config)
    found = hint(config, "vanishing")
    assert found.epoch == 3  # the ratio held three epochs running
    assert "Hidden layer 1 learns" in found.message and "vanishing gradient" in found.message
    assert "ch. 5" in found.message and "Krohn" in found.message


def test_no_vanishing_gradient_in_krohns_relu_net():
    config = PRESETS["krohn-intermediate"].config().replace(train_size=1000, epochs=6,
                                                              validate_on="validation")
    assert "vanishing" not in kinds(config)


# --- the learning slowdown ------------------------------------------------------------------------

def test_slowdown_of_nielsens_saturated_neuron():
    config = PRESETS["neuron-quadratic"].config().replace(pace=0)
    assert "slowdown" in kinds(config)
    found = hint(config, "slowdown")
    assert "For the example a sigmoid output is saturated" in found.message
    assert "use cross-entropy" in found.message and "ch. 3" in found.message


def test_slowdown_of_large_weights_under_the_quadratic_cost_on_mnist():
    config = NIELSEN_1000.replace(epochs=4, cost="quadratic", init="large")
    assert "slowdown" in kinds(config)


def test_no_slowdown_from_a_good_start_or_under_cross_entropy():
    neuron = PRESETS["neuron-quadratic"].config().replace(pace=0, neuron_w=0.6, neuron_b=0.9)
    assert kinds(neuron) == set()  # Nielsen's unsaturated start learns at once
    assert "slowdown" not in kinds(NIELSEN_1000.replace(epochs=4, cost="quadratic"))
    assert "slowdown" not in kinds(NIELSEN_1000.replace(epochs=4, init="large"))


# --- dead ReLU units ------------------------------------------------------------------------------

DEAD = XOR.replace(activation="relu", init="he", eta=3.0, epochs=12)


def test_dead_relu_after_a_huge_step():
    assert "dead-relu" in kinds(DEAD)
    found = hint(DEAD, "dead-relu")
    assert "ReLU units of hidden layer" in found.message and "dead" in found.message
    assert "Krohn" in found.message
    assert "vanishing" not in kinds(DEAD)  # the dead layer is the one hint about it


def test_no_dead_relu_in_the_spiral_preset():
    assert "dead-relu" not in kinds(SPIRAL.replace(epochs=60))


def test_dead_relu_without_a_probe_is_read_from_the_learning_speeds(monkeypatch):
    monkeypatch.setattr(hints_module, "probe_examples", lambda *args, **kwargs: None)
    observer = HintObserver()
    Run(DEAD, observers=[observer]).execute()
    assert observer.probe is None
    dead = [h for h in observer.hints if h.kind == "dead-relu"]
    assert dead and "stopped learning" in dead[0].message


# --- the observer ---------------------------------------------------------------------------------

def test_each_hint_is_told_once_and_kept_in_order():
    kept, told = run(XOR.replace(eta=5.0, epochs=20))
    assert kept == told
    assert len({h.kind for h in kept}) == len(kept)
    assert all(h.kind in KINDS and h.title and str(h).startswith("Hint (epoch") for h in kept)
    assert [h.epoch for h in kept] == sorted(h.epoch for h in kept)


def test_a_new_run_starts_afresh():
    observer = HintObserver()
    Run(XOR.replace(eta=0.0001, epochs=12), observers=[observer]).execute()
    assert observer.noticed == {"eta-too-low"}
    Run(XOR.replace(epochs=12), observers=[observer]).execute()
    assert observer.hints == [] and len(observer.history) == 12


def test_epochs_before_any_run_are_ignored():
    observer = HintObserver()
    observer.on_epoch(EpochReport(epoch=1, epochs=2, train_cost=1.0, train_accuracy=0.5,
                                  val_cost=1.0, val_accuracy=0.5, learning_speed=(1.0,),
                                  seconds=0.1, examples_per_second=10.0, eta=0.5))
    assert observer.history == [] and observer.hints == []


def test_probe_of_a_toy_set_and_of_mnist():
    x, labels = probe_examples(XOR)
    assert x.shape == (500, 2) and labels.shape == (500,)
    x, labels = probe_examples(NIELSEN_1000, size=20)
    assert x.shape == (20, 784) and x.min() >= 0 and x.max() < 1 and labels.max() <= 9


def test_a_probe_that_does_not_fit_the_network_is_not_used():
    import numpy as np

    observer = HintObserver(probe=(np.zeros((3, 5), dtype=np.float32), np.zeros(3, dtype=int)))
    Run(XOR.replace(epochs=2), observers=[observer]).execute()
    assert observer._activations() is None


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_has_a_trigger_test(kind):
    provoking = {"eta-too-high": XOR.replace(eta=5.0, epochs=20),
                 "eta-too-low": XOR.replace(eta=0.0001, epochs=20), "overfitting": OVERFIT,
                 "vanishing": PRESETS["speed-of-learning"].config().replace(epochs=4),
                 "slowdown": PRESETS["neuron-quadratic"].config().replace(pace=0),
                 "dead-relu": DEAD}
    assert kind in kinds(provoking[kind])
