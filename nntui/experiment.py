"""From a :class:`~nntui.config.Config` to a running trainer: the one place config meets engine.

The engine takes plain arguments and knows nothing of the config; the app, the command line and
the tests all build their runs through these functions, so a hyperparameter means the same thing
wherever it is set.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np

from .config import Config
from .datasets import Dataset, load_dataset
from .engine import Control, Network, Observer, Trainer, TrainingResult


def load_data(config: Config, data_dir: str | os.PathLike | None = None) -> Dataset:
    """The data set the config names, split and subset as it asks."""
    return load_dataset(
        config.dataset,
        train_size=config.train_size,
        validate_on=config.validate_on,
        dtype=config.dtype,
        seed=config.seed,
        noise=config.noise,
        data_dir=data_dir,
    )


def layer_sizes(config: Config, data: Dataset) -> list[int]:
    """Input size from the data, the hidden layers from the config, output size from the data."""
    return [data.n_inputs, *config.hidden, data.n_outputs]


def build_network(config: Config, data: Dataset) -> Network:
    network = Network(
        layer_sizes(config, data),
        activation=config.activation,
        output=config.output,
        cost=config.cost,
        init=config.init,
        seed=config.seed,
        dtype=config.dtype,
    )
    if config.dataset == "neuron":
        # Nielsen's toy starts from a chosen weight and bias so the slowdown can be seen.
        network.weights[0][...] = config.neuron_w
        network.biases[0][...] = config.neuron_b
    return network


def build_trainer(
    config: Config,
    data: Dataset,
    network: Network | None = None,
    *,
    observer: Observer | None = None,
    control: Control | None = None,
    progress_interval: float = 0.2,
) -> Trainer:
    return Trainer(
        network if network is not None else build_network(config, data),
        data.train,
        data.validation,
        eta=config.eta,
        batch_size=config.batch_size,
        epochs=config.epochs,
        regularization=config.regularization,
        lmbda=config.lmbda,
        momentum=config.momentum,
        dropout=config.dropout,
        early_stop=config.early_stop,
        eta_schedule=config.eta_schedule,
        eval_train=config.eval_train,
        seed=config.seed,
        observer=observer,
        control=control,
        progress_interval=progress_interval,
        pace=config.pace,
    )


@dataclass
class Outcome:
    """A finished run: the trainer's result plus the accuracy on the held-out test set."""

    result: TrainingResult
    network: Network
    test_accuracy: float | None


def measure_test_accuracy(network: Network, data: Dataset) -> float | None:
    """Accuracy on the test set, or None if the weights are no longer finite."""
    if not all(np.isfinite(w).all() for w in network.weights):
        return None
    _, acc = network.evaluate(data.test.x, data.test.y, data.test.labels)
    return acc


def run_experiment(
    config: Config,
    data: Dataset,
    *,
    observer: Observer | None = None,
    control: Control | None = None,
    progress_interval: float = 0.2,
) -> Outcome:
    """Train a fresh network as ``config`` says and measure it on the test set."""
    trainer = build_trainer(config, data, observer=observer, control=control,
                            progress_interval=progress_interval)
    result = trainer.run()
    return Outcome(result, trainer.network, measure_test_accuracy(trainer.network, data))
