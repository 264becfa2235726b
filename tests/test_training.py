"""Tests of the SGD trainer: it learns, it is reproducible, and it obeys its control and schedule.

Every run here is on a few hundred 2-D points, so the whole file takes a few seconds; the point is
the behaviour (events, reasons, η, determinism), which does not depend on the data's size.
"""

from __future__ import annotations

import math
import threading

import numpy as np
import pytest
from conftest import Recorder, make_blobs

from nntui.config import PRESETS, make_config
from nntui.datasets import Split, load_dataset
from nntui.engine import (
    BatchProgress,
    Control,
    EpochReport,
    Finished,
    Network,
    Paused,
    Resumed,
    Trainer,
)
from nntui.experiment import build_trainer, load_data, run_experiment

TIMEOUT = 10.0  # seconds a threaded test waits for an event before it fails


def _trainer(train: Split, validation: Split, *, dtype: str = "float32", seed: int = 1,
             hidden: tuple[int, ...] = (8,), activation: str = "tanh", output: str = "softmax",
             cost: str = "log-likelihood", **options) -> Trainer:
    network = Network([train.x.shape[1], *hidden, train.y.shape[1]], activation=activation,
                      output=output, cost=cost, seed=seed, dtype=dtype)
    options = {"eta": 0.1, "batch_size": 10, "epochs": 3, "seed": seed, **options}
    return Trainer(network, train, validation, **options)


def test_xor_trains_to_high_accuracy() -> None:
    config = PRESETS["xor"].config().replace(epochs=30)
    outcome = run_experiment(config, load_data(config))
    assert outcome.result.finished.reason == "completed"
    assert outcome.result.history[-1].val_accuracy > 0.9
    assert outcome.test_accuracy > 0.9
    assert outcome.result.history[-1].train_cost < outcome.result.history[0].train_cost


def test_circle_trains_with_sigmoid_and_cross_entropy() -> None:
    config = make_config(dataset="circle", hidden="10", activation="sigmoid", output="sigmoid",
                         cost="cross-entropy", eta=1.0, epochs=40, regularization="none")
    outcome = run_experiment(config, load_data(config))
    assert outcome.result.finished.best_val_accuracy > 0.9


def test_same_seed_same_history_different_seed_different(blobs) -> None:
    def history(seed: int) -> list[tuple]:
        result = _trainer(*blobs, seed=seed, epochs=3, dropout=0.2, hidden=(6, 6)).run()
        return [(r.train_cost, r.val_cost, r.learning_speed) for r in result.history]

    first = history(4)
    assert first == history(4)  # exact equality, not approximately
    assert first != history(5)


def test_float32_by_default_and_float64_on_request(blobs) -> None:
    trainer = _trainer(*blobs, epochs=1)
    trainer.run()
    assert all(w.dtype == np.float32 for w in trainer.network.weights)
    train64, val64 = make_blobs(200, 0, "float64"), make_blobs(100, 1, "float64")
    trainer = _trainer(train64, val64, dtype="float64", epochs=1)
    trainer.run()
    assert all(w.dtype == np.float64 for w in trainer.network.weights + trainer.network.biases)
    assert make_config().dtype == "float32"


def test_last_batch_is_smaller(recorder: Recorder) -> None:
    """n = 25, m = 10: ⌈25/10⌉ = 3 mini-batches, of 10, 10 and 5 examples."""
    train = make_blobs(25)
    trainer = _trainer(train, make_blobs(10, 1), epochs=2, observer=recorder,
                       progress_interval=0.0)
    trainer.run()
    progress = [e for e in recorder.of(BatchProgress) if e.epoch == 1]
    assert [e.batch for e in progress] == [1, 2, 3]
    assert {e.batches for e in progress} == {3}
    assert sorted(trainer.network._workspaces) == [5, 10]


def test_progress_is_throttled(recorder: Recorder, blobs) -> None:
    """With the default interval a short epoch reports far fewer times than it has batches."""
    _trainer(*blobs, epochs=2, observer=recorder).run()
    assert len(recorder.of(BatchProgress)) < 5


@pytest.mark.parametrize("options", [
    {"momentum": 0.9, "eta": 0.02},
    {"dropout": 0.3},
    {"regularization": "l1", "lmbda": 0.5},
    {"regularization": "l2", "lmbda": 5.0},
], ids=["momentum", "dropout", "l1", "l2"])
def test_variants_learn(blobs, options: dict) -> None:
    result = _trainer(*blobs, epochs=5, hidden=(8, 8), **options).run()
    assert result.finished.reason == "completed"
    assert result.history[-1].val_accuracy > 0.95
    assert all(math.isfinite(s) and s > 0 for s in result.history[-1].learning_speed)


def test_regularization_shrinks_weights(blobs) -> None:
    """Weight decay with a large λ keeps the weights smaller than plain SGD does."""
    norms = {}
    for reg in ("none", "l2", "l1"):
        trainer = _trainer(*blobs, epochs=5, regularization=reg, lmbda=20.0)
        trainer.run()
        norms[reg] = sum(float(np.abs(w).sum()) for w in trainer.network.weights)
    assert norms["l2"] < norms["none"] and norms["l1"] < norms["none"]


def test_cost_includes_the_weight_penalty(blobs) -> None:
    trainer = _trainer(*blobs, epochs=1, regularization="l2", lmbda=3.0)
    report = trainer.run().history[0]
    plain, _ = trainer.network.evaluate(blobs[1].x, blobs[1].y, blobs[1].labels)
    penalty = trainer.network.weight_penalty("l2", 3.0, len(blobs[0]))
    assert penalty > 0
    assert report.val_cost == pytest.approx(plain + penalty)


def test_eval_train_off_skips_the_training_metrics(blobs) -> None:
    report = _trainer(*blobs, epochs=1, eval_train=False).run().history[0]
    assert report.train_cost is None and report.train_accuracy is None
    assert report.val_accuracy > 0.5


def test_early_stop(blobs, recorder: Recorder) -> None:
    """The blobs are learned perfectly at once, so validation accuracy cannot improve after."""
    result = _trainer(*blobs, epochs=50, early_stop=2, observer=recorder).run()
    assert result.finished.reason == "early stop"
    assert result.finished.epochs_run < 50
    assert len(result.history) == result.finished.epochs_run
    assert result.finished.best_epoch == result.finished.epochs_run - 2
    assert recorder.events[-1] == result.finished


def test_eta_schedule_halves_eta_and_ends(blobs) -> None:
    result = _trainer(*blobs, epochs=200, eta=0.1, eta_schedule="halve").run()
    halvings = [r for r in result.history if any("η halved" in n for n in r.notes)]
    assert halvings, "η was never halved"
    first = halvings[0]
    assert first.eta == pytest.approx(0.05)
    assert "η halved to 0.05" in first.notes
    before = result.history[first.epoch - 2]
    assert before.eta == pytest.approx(0.1)
    assert result.finished.reason == "η schedule done"
    assert result.history[-1].eta == pytest.approx(0.1 / 128)


def test_constant_schedule_keeps_eta(blobs) -> None:
    result = _trainer(*blobs, epochs=8, eta=0.1).run()
    assert {r.eta for r in result.history} == {0.1}


def test_live_eta_changes(blobs, recorder: Recorder) -> None:
    control = Control()
    control.set_eta(0.05)

    def observer(event: object) -> None:
        recorder(event)
        if isinstance(event, EpochReport) and event.epoch == 1:
            control.scale_eta(0.1)

    result = _trainer(*blobs, epochs=2, eta=0.5, control=control, observer=observer).run()
    first, second = result.history
    assert first.eta == pytest.approx(0.05)
    assert any("0.5 → 0.05" in n for n in first.notes)
    assert second.eta == pytest.approx(0.005)
    assert any("0.05 → 0.005" in n for n in second.notes)


def test_diverging_run_fails_with_advice(recorder: Recorder) -> None:
    train = make_blobs(100)
    trainer = _trainer(train, make_blobs(50, 1), output="linear", cost="quadratic", eta=1e6,
                       epochs=5, observer=recorder)
    result = trainer.run()
    assert result.finished is None
    failed = result.failed
    assert failed.diverged
    assert "diverged at epoch" in failed.message
    assert "smaller η" in failed.message
    assert recorder.events[-1] == failed


class _Threaded:
    """A trainer running in a worker thread, with a way to wait for a kind of event."""

    def __init__(self, trainer: Trainer):
        self.trainer = trainer
        self.events: list = []
        self.changed = threading.Condition()
        trainer.observer = self._observe
        self.thread = threading.Thread(target=trainer.run, daemon=True)

    def _observe(self, event: object) -> None:
        with self.changed:
            self.events.append(event)
            self.changed.notify_all()

    def wait_for(self, kind: type, count: int = 1) -> object:
        with self.changed:
            ok = self.changed.wait_for(
                lambda: sum(isinstance(e, kind) for e in self.events) >= count, TIMEOUT)
        assert ok, f"no {kind.__name__} event within {TIMEOUT} s; got {self.events[-3:]}"
        return [e for e in self.events if isinstance(e, kind)][count - 1]


def test_pause_resume_stop_from_another_thread(blobs) -> None:
    control = Control()
    run = _Threaded(_trainer(*blobs, epochs=100_000, control=control))
    run.thread.start()
    run.wait_for(EpochReport)
    control.pause()
    paused = run.wait_for(Paused)
    reports_at_pause = len([e for e in run.events if isinstance(e, EpochReport)])
    threading.Event().wait(0.3)
    assert len([e for e in run.events if isinstance(e, EpochReport)]) == reports_at_pause
    control.resume()
    resumed = run.wait_for(Resumed)
    assert (resumed.epoch, resumed.batch) == (paused.epoch, paused.batch)
    run.wait_for(EpochReport, reports_at_pause + 1)
    control.stop()
    finished = run.wait_for(Finished)
    run.thread.join(TIMEOUT)
    assert not run.thread.is_alive()
    assert finished.reason == "stopped"
    assert run.events[-1] == finished
    assert finished.epochs_run == len([e for e in run.events if isinstance(e, EpochReport)])


def test_stop_while_paused(blobs) -> None:
    control = Control()
    control.pause()
    run = _Threaded(_trainer(*blobs, epochs=10, control=control))
    run.thread.start()
    run.wait_for(Paused)
    control.stop()
    finished = run.wait_for(Finished)
    run.thread.join(TIMEOUT)
    assert finished.reason == "stopped" and finished.epochs_run == 0
    assert not [e for e in run.events if isinstance(e, Resumed)]


def test_step_runs_one_epoch_then_pauses(blobs) -> None:
    control = Control()
    control.pause()
    run = _Threaded(_trainer(*blobs, epochs=10, control=control))
    run.thread.start()
    first = run.wait_for(Paused)
    assert (first.epoch, first.batch) == (1, 0)
    control.step()
    report = run.wait_for(EpochReport)
    second = run.wait_for(Paused, 2)
    assert report.epoch == 1
    assert (second.epoch, second.batch) == (2, 0)
    threading.Event().wait(0.3)
    assert len([e for e in run.events if isinstance(e, EpochReport)]) == 1
    control.stop()
    finished = run.wait_for(Finished)
    run.thread.join(TIMEOUT)
    assert finished.epochs_run == 1


def _neuron_outputs(preset: str, epochs: int) -> list[float]:
    """The single neuron's output after each epoch of a preset."""
    config = PRESETS[preset].config().replace(epochs=epochs)
    data = load_dataset("neuron")
    outputs: list[float] = []
    trainer = build_trainer(config, data, observer=lambda e: isinstance(e, EpochReport) and
                            outputs.append(float(trainer.network.feedforward(data.train.x)[0, 0])))
    trainer.run()
    return outputs


def test_neuron_cross_entropy_learns_faster_early() -> None:
    """Nielsen's point: starting saturated (w = b = 2, output ≈ 0.98), the quadratic cost's
    gradient carries σ'(z) ≈ 0.02 and the neuron barely moves, while cross-entropy's does not."""
    quadratic = _neuron_outputs("neuron-quadratic", 60)
    cross_entropy = _neuron_outputs("neuron-cross-entropy", 60)
    start = 1 / (1 + math.exp(-4.0))
    for epoch in (10, 30, 60):
        drop_q = start - quadratic[epoch - 1]
        drop_ce = start - cross_entropy[epoch - 1]
        assert drop_ce > drop_q > 0, f"epoch {epoch}: {drop_ce=} {drop_q=}"
    assert cross_entropy[59] < quadratic[59]
