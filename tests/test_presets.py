"""Tests of the books' presets: each a valid config that says what the book says."""

from __future__ import annotations

import pytest

from nntui.config import DEFAULTS, check_combination, config_from_dict
from nntui.presets import PRESETS, preset_of


@pytest.mark.parametrize("name", list(PRESETS))
def test_every_preset_builds_a_valid_config(name: str) -> None:
    preset = PRESETS[name]
    config = preset.config()
    assert check_combination(config) == []
    assert preset.title and preset.description
    # Every value a preset sets survives the run-record round trip.
    assert config_from_dict(config.to_dict()) == config


def test_krohn_shallow_explains_its_small_eta() -> None:
    preset = PRESETS["krohn-shallow"]
    config = preset.config()
    assert config.eta == 0.002
    assert config.cost == "quadratic" and config.output == "softmax"
    assert "0.002" in preset.description and "0.01" in preset.description
    assert "2/10" in preset.description  # the reason: Keras' MSE averages over the 10 outputs


def test_nielsen_presets_match_the_book() -> None:
    baseline = PRESETS["nielsen-baseline"].config()
    assert (baseline.hidden, baseline.eta, baseline.batch_size, baseline.cost) == (
        (30,), 0.5, 10, "cross-entropy")
    l2 = PRESETS["nielsen-l2"].config()
    assert (l2.regularization, l2.lmbda) == ("l2", 5.0)
    intermediate = PRESETS["krohn-intermediate"].config()
    assert intermediate.hidden == (64, 64) and intermediate.activation == "relu"
    assert intermediate.validate_on == "test" and intermediate.batch_size == 128


def test_defaults_are_the_nielsen_l2_preset() -> None:
    """The CLI's help and the README call the defaults the nielsen-l2 preset; keep them so."""
    assert PRESETS["nielsen-l2"].config() == DEFAULTS


@pytest.mark.parametrize("name", list(PRESETS))
def test_toy_presets_take_a_few_seconds_and_mnist_ones_run_flat_out(name: str) -> None:
    config = PRESETS[name].config()
    if config.dataset in ("mnist", "fashion-mnist"):
        assert config.pace == 0
    else:
        assert 2 <= config.epochs / config.pace <= 5, "seconds the run takes at its pace"


def test_speed_of_learning_is_nielsens_chapter_5_setting() -> None:
    """Nielsen ch. 5: the first 1,000 training images, 500 epochs, η = 0.1; mini-batches of 10
    so that after the ladder the network also learns (his own figure took full-batch steps)."""
    config = PRESETS["speed-of-learning"].config()
    assert (config.train_size, config.epochs, config.batch_size) == (1000, 500, 10)
    assert (config.eta, config.regularized) == (0.1, False)
    assert config.hidden == (30,) * 5
    assert (config.activation, config.output, config.cost, config.init) == (
        "sigmoid", "sigmoid", "cross-entropy", "normalized")
    assert config.pace == 0


@pytest.mark.parametrize("name", list(PRESETS))
def test_a_preset_is_recognized_whatever_its_pace(name: str) -> None:
    config = PRESETS[name].config()
    assert preset_of(config) == name
    assert preset_of(config.replace(pace=7.0)) == name  # the pace changes how a run looks only


def test_a_changed_preset_is_none_of_them() -> None:
    assert preset_of(PRESETS["xor"].config().replace(eta=0.11)) == ""


@pytest.fixture(scope="module")
def neuron_outputs_of():
    """The single neuron's output a per epoch, trained for real as its preset says."""
    from nntui.insight.neuron import neuron_outputs
    from nntui.runner.lifecycle import Run

    def outputs(name: str) -> dict[int, float]:
        config = PRESETS[name].config().replace(pace=0)
        run = Run(config)
        run.execute()
        return dict(neuron_outputs(config, run.history))

    return outputs


def test_the_neuron_presets_say_what_their_runs_show(neuron_outputs_of) -> None:
    """At Nielsen's η = 0.005 the cross-entropy neuron has no plateau but does not learn fast:
    its output goes from 0.98 to 0.78 in 300 epochs.  The quadratic one stalls near 0.98."""
    cross = neuron_outputs_of("neuron-cross-entropy")
    said = PRESETS["neuron-cross-entropy"].description
    assert "fast from the start" not in said
    assert f"{cross[0]:.2f}" in said and f"about {cross[300]:.2f}" in said
    assert all(b < a for a, b in zip(list(cross.values()), list(cross.values())[1:],
                                     strict=False))  # no plateau: it falls every epoch
    quadratic = neuron_outputs_of("neuron-quadratic")
    said = PRESETS["neuron-quadratic"].description
    assert quadratic[150] > 0.9 and f"{quadratic[100]:.2f} at epoch 100" in said
    assert f"about {quadratic[300]:.1f} by epoch 300" in said
