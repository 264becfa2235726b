"""Tests of the one place a config meets the engine: the data it loads, the network and trainer
it builds, and the memory check made before a run starts."""

from __future__ import annotations

import numpy as np
import pytest

from nntui.config import make_config
from nntui.engine.policies import HalvingSchedule
from nntui.presets import PRESETS
from nntui.runner import experiment
from nntui.runner.experiment import (
    build_network,
    build_trainer,
    check_memory,
    layer_sizes,
    load_data,
    measure_test_accuracy,
    memory_needed,
)


def test_the_data_are_split_and_subset_as_the_config_asks() -> None:
    config = make_config(dataset="mnist", train_size=300, validate_on="test")
    data = load_data(config)
    assert len(data.train) == 300 and data.validation_is_test
    assert data.train.x.dtype == np.float32
    assert layer_sizes(config, data) == [784, 30, 10]


def test_the_neuron_starts_from_the_chosen_weight_and_bias() -> None:
    config = PRESETS["neuron-quadratic"].config()
    network = build_network(config, load_data(config))
    assert network.sizes == [1, 1]
    assert network.weights[0].item() == 2.0 and network.biases[0].item() == 2.0


def test_the_trainer_gets_every_training_value_of_the_config() -> None:
    config = make_config(dataset="xor", hidden="4", eta=0.3, batch_size=7, epochs=9,
                         regularization="l1", lmbda=0.2, momentum=0.5, dropout=0.1,
                         early_stop=4, eta_schedule="halve", eval_train=False, pace=12)
    trainer = build_trainer(config, load_data(config))
    assert (trainer.eta, trainer.batch_size, trainer.epochs) == (0.3, 7, 9)
    assert (trainer.regularization, trainer.lmbda, trainer.momentum) == ("l1", 0.2, 0.5)
    assert (trainer.dropout, trainer.eval_train, trainer.pace.per_second) == (0.1, False, 12)
    assert trainer.early_stopping.patience == 4
    assert isinstance(trainer.schedule, HalvingSchedule)
    assert trainer.network.sizes == [2, 4, 2]


def test_same_config_same_network() -> None:
    config = make_config(dataset="xor", hidden="4")
    data = load_data(config)
    first, second = build_network(config, data), build_network(config, data)
    assert all((a == b).all() for a, b in zip(first.weights, second.weights, strict=True))
    other = build_network(config.replace(seed=2), data)
    assert any((a != b).any() for a, b in zip(first.weights, other.weights, strict=True))


def test_weights_no_longer_finite_have_no_test_accuracy() -> None:
    config = make_config(dataset="xor", hidden="4")
    data = load_data(config)
    network = build_network(config, data)
    assert 0 <= measure_test_accuracy(network, data) <= 1
    network.weights[0][0, 0] = np.nan
    assert measure_test_accuracy(network, data) is None


def test_a_run_that_cannot_fit_is_refused_with_advice(monkeypatch) -> None:
    config = make_config(dataset="xor", hidden="64,64", batch_size=500)
    data = load_data(config)
    needed = memory_needed(config, data)
    monkeypatch.setattr(experiment, "available_memory", lambda: needed - 1)
    problem = check_memory(config, data)
    assert problem is not None and "layers 2-64-64-2" in problem
    assert "batches of 500" in problem and "smaller batch size" in problem
    monkeypatch.setattr(experiment, "available_memory", lambda: needed)
    assert check_memory(config, data) is None
    monkeypatch.setattr(experiment, "available_memory", lambda: None)  # nobody can say
    assert check_memory(config, data) is None


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_the_memory_estimate_covers_what_the_network_holds(dtype: str) -> None:
    """Never below the bytes of the arrays the network really holds while it trains: its
    parameters and their gradients, and the workspaces of both batch sizes (the estimate adds
    the evaluation chunks and the epoch's outputs)."""
    config = make_config(dataset="xor", hidden="32,32", batch_size=16, dtype=dtype,
                         train_size=1000)
    data = load_data(config)
    trainer = build_trainer(config, data)
    network = trainer.network
    workspaces = [network.workspace(16), network.workspace(len(data.train) % 16 or 16)]
    held = sum(w.nbytes for w in network.weights + network.biases) * 2
    held += sum(a.nbytes for ws in workspaces for field in vars(ws).values()
                for a in (field if isinstance(field, list) else [field])
                if isinstance(a, np.ndarray))
    assert held < memory_needed(config, data)


# --- an expanded training set --------------------------------------------------------------------

def test_an_expanded_set_is_loaded_as_bytes() -> None:
    config = make_config(train_size=300, expand=True)
    data = load_data(config)
    assert len(data.train) == 1500 and data.train.x.dtype == np.uint8
    assert layer_sizes(config, data) == [784, 30, 10]


def test_an_expanded_set_that_cannot_fit_is_refused_before_it_is_made(monkeypatch) -> None:
    from nntui.datasets import DatasetError
    from nntui.datasets.expand import expanded_bytes

    config = make_config(train_size=2000, expand=True)
    needed = expanded_bytes(2000, 784, 10, np.float32)
    monkeypatch.setattr(experiment, "available_memory", lambda: needed - 1)
    with pytest.raises(DatasetError, match="Expanding 2,000 training images to 10,000"):
        load_data(config)
    monkeypatch.setattr(experiment, "available_memory", lambda: None)  # nobody can say
    assert len(load_data(config).train) == 10_000


def test_a_run_on_expanded_data_that_cannot_fit_says_to_turn_expand_off(monkeypatch) -> None:
    config = make_config(train_size=200, expand=True)
    data = load_data(config)
    monkeypatch.setattr(experiment, "available_memory", lambda: memory_needed(config, data) - 1)
    problem = check_memory(config, data)
    assert problem is not None and "fewer training images or expand off" in problem
    assert "expand off" not in check_memory(config.replace(expand=False), data)


@pytest.mark.parametrize("batch_size", [10, 128])
def test_the_memory_estimate_counts_the_byte_buffers_of_an_expanded_set(batch_size: int) -> None:
    """Bytes in, floats out: the trainer's byte stretch, its float stretch and each evaluation
    chunk converted to floats are in the estimate, which stays above what the trainer holds."""
    from dataclasses import replace

    from nntui.datasets import Split

    config = make_config(train_size=2000, expand=True, batch_size=batch_size)
    data = load_data(config)
    trainer = build_trainer(config, data)
    network = trainer.network
    assert trainer._gathered_bytes is not None
    chunk = min(10_000, len(data.train)) * 784 * 4  # one evaluation chunk of bytes as float32
    held = (sum(w.nbytes for w in network.weights + network.biases) * 2
            + trainer._outputs.nbytes + trainer._gathered_x.nbytes
            + trainer._gathered_y.nbytes + trainer._gathered_bytes.nbytes + chunk)
    assert held < memory_needed(config, data)
    # The same examples as floats need neither the byte stretch nor the converted chunk.
    floats = replace(data, train=Split(data.train.x * np.float32(1 / 256), data.train.y,
                                       data.train.labels))
    extra = memory_needed(config, data) - memory_needed(config, floats)
    assert extra == trainer._gathered_bytes.nbytes + chunk
