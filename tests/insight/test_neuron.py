"""Tests of the single neuron's output worked back from its costs: the same a, epoch by epoch,
as the network itself gives, read from a run as it ends and from the run history."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from nntui.insight.neuron import neuron_outputs
from nntui.presets import PRESETS
from nntui.storage.history import RunHistory
from nntui.studies.comparisons import COMPARISONS
from nntui.studies.sweep import InProcess, Sweep

NEURON = COMPARISONS["saturated-neuron"]


def _network_outputs(make_recorder) -> tuple[object, dict[int, list[tuple[int, float]]]]:
    """An observer factory for a sweep (one per run) that asks each run's network itself for its
    output a at x = 1 as it starts and after every epoch; and what they found, per run."""
    found: dict[int, list[tuple[int, float]]] = {}

    def observers_for(run):
        outputs = found.setdefault(run.index, [])
        network = []

        def output() -> float:
            x = np.ones((1, network[0].sizes[0]), dtype=network[0].dtype)
            return float(network[0].feedforward(x)[0, 0])

        def then(event) -> None:
            if event.hook == "on_run_start":
                network.append(event.network)
                outputs.append((0, output()))
            elif event.hook == "on_epoch":
                outputs.append((event.epoch, output()))

        return [make_recorder(then)]

    return observers_for, found


def test_every_epoch_and_the_start_are_read(make_recorder) -> None:
    observers_for, found = _network_outputs(make_recorder)
    results = Sweep(NEURON.name, NEURON.runs(epochs=3),
                    observers_for=observers_for).execute(InProcess())
    last = results[-1]
    outputs = neuron_outputs(last.config, last.history)
    assert [e for e, _ in outputs] == [0, 1, 2, 3] == [e for e, _ in found[last.run.index]]
    assert dict(outputs)[0] == pytest.approx(0.818, abs=1e-3)  # σ(0.6 + 0.9)
    assert 4 not in dict(outputs)


def test_outputs_from_the_history_match_the_network(tmp_path: Path, make_recorder) -> None:
    """What the app can draw from the history alone: a worked back from the recorded cost is
    the network's own output, for the quadratic and the cross-entropy cost alike."""
    observers_for, found = _network_outputs(make_recorder)
    with RunHistory(tmp_path / "runs.db") as history:
        results = Sweep(NEURON.name, NEURON.runs(), history=history,
                        observers_for=observers_for).execute(InProcess())
        recorded = [history.get_run(r.run_id) for r in results]
    for result, run in zip(results, recorded, strict=True):
        derived = neuron_outputs(run.config, run.history)
        actual = found[result.run.index]
        assert [e for e, _ in derived] == [e for e, _ in actual] == list(range(301))
        assert [a for _, a in derived] == pytest.approx([a for _, a in actual], abs=2e-5)


def test_nothing_is_read_from_anything_but_the_neuron() -> None:
    assert neuron_outputs(PRESETS["nielsen-l2"].config(), []) == []
    regularized = NEURON.configs()[0].replace(regularization="l2", lmbda=1.0)
    assert neuron_outputs(regularized, []) == []
