"""Tests of the SGD trainer: it learns, it is reproducible, and it obeys its control and schedule.

Every run here is on a few hundred 2-D points, so the whole file takes a few seconds; the point is
the behaviour (events, reasons, η, determinism), which does not depend on the data's size.
"""

from __future__ import annotations

import math
import threading
import time

import numpy as np
import pytest

from nntui.config import make_config
from nntui.datasets import Split, load_dataset
from nntui.engine import (
    BatchProgress,
    Control,
    EpochReport,
    Finished,
    Network,
    Observer,
    Paused,
    Resumed,
    Trainer,
    policies,
    training,
)
from nntui.presets import PRESETS
from nntui.runner.experiment import build_trainer, load_data

TIMEOUT = 10.0  # seconds a threaded test waits for an event before it fails


def _trainer(train: Split, validation: Split, *, dtype: str = "float32", seed: int = 1,
             hidden: tuple[int, ...] = (8,), activation: str = "tanh", output: str = "softmax",
             cost: str = "log-likelihood", **options) -> Trainer:
    network = Network([train.x.shape[1], *hidden, train.y.shape[1]], activation=activation,
                      output=output, cost=cost, seed=seed, dtype=dtype)
    options = {"eta": 0.1, "batch_size": 10, "epochs": 3, "seed": seed, **options}
    return Trainer(network, train, validation, **options)


def test_same_seed_same_history_different_seed_different(blobs) -> None:
    def history(seed: int) -> list[tuple]:
        result = _trainer(*blobs, seed=seed, epochs=3, dropout=0.2, hidden=(6, 6)).run()
        return [(r.train_cost, r.val_cost, r.learning_speed) for r in result.history]

    first = history(4)
    assert first == history(4)  # exact equality, not approximately
    assert first != history(5)


def test_float32_by_default_and_float64_on_request(blobs, make_blobs) -> None:
    trainer = _trainer(*blobs, epochs=1)
    trainer.run()
    assert all(w.dtype == np.float32 for w in trainer.network.weights)
    train64, val64 = make_blobs(200, 0, "float64"), make_blobs(100, 1, "float64")
    trainer = _trainer(train64, val64, dtype="float64", epochs=1)
    trainer.run()
    assert all(w.dtype == np.float64 for w in trainer.network.weights + trainer.network.biases)
    assert make_config().dtype == "float32"


def test_last_batch_is_smaller(recorder, make_blobs) -> None:
    """n = 25, m = 10: ⌈25/10⌉ = 3 mini-batches, of 10, 10 and 5 examples."""
    train = make_blobs(25)
    trainer = _trainer(train, make_blobs(10, 1), epochs=2, observer=recorder,
                       progress_interval=0.0)
    trainer.run()
    progress = [e for e in recorder.of(BatchProgress) if e.epoch == 1]
    assert [e.batch for e in progress] == [1, 2, 3]
    assert {e.batches for e in progress} == {3}
    assert sorted(trainer.network._workspaces) == [5, 10]
    finished = trainer.result.finished
    assert (finished.batch, finished.batches) == (0, 3)  # nothing was interrupted


def test_progress_is_throttled(recorder, blobs) -> None:
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


def test_early_stop(blobs, recorder) -> None:
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


def test_live_eta_changes(blobs, recorder) -> None:
    control = Control()
    control.set_eta(0.05)

    def then(event: object) -> None:
        if isinstance(event, EpochReport) and event.epoch == 1:
            control.scale_eta(0.1)

    recorder.then = then
    result = _trainer(*blobs, epochs=2, eta=0.5, control=control, observer=recorder).run()
    first, second = result.history
    assert first.eta == pytest.approx(0.05)
    assert any("0.5 → 0.05" in n for n in first.notes)
    assert second.eta == pytest.approx(0.005)
    assert any("0.05 → 0.005" in n for n in second.notes)


def test_diverging_run_fails_with_advice(recorder, make_blobs) -> None:
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
    """A trainer running in a worker thread, with a way to wait for a kind of event; the
    ``recorder`` fixture hears the trainer's events and hands each on to it."""

    def __init__(self, trainer: Trainer, recorder):
        self.trainer = trainer
        self.events: list = []
        self.changed = threading.Condition()
        recorder.then = self._observe
        trainer.observer = recorder
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


def test_pause_resume_stop_from_another_thread(blobs, recorder) -> None:
    control = Control()
    run = _Threaded(_trainer(*blobs, epochs=100_000, control=control), recorder)
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


def test_stop_while_paused(blobs, recorder) -> None:
    control = Control()
    control.pause()
    run = _Threaded(_trainer(*blobs, epochs=10, control=control), recorder)
    run.thread.start()
    run.wait_for(Paused)
    control.stop()
    finished = run.wait_for(Finished)
    run.thread.join(TIMEOUT)
    assert finished.reason == "stopped" and finished.epochs_run == 0
    assert not [e for e in run.events if isinstance(e, Resumed)]


def test_step_runs_one_epoch_then_pauses(blobs, recorder) -> None:
    control = Control()
    control.pause()
    run = _Threaded(_trainer(*blobs, epochs=10, control=control), recorder)
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


class _NeuronOutputs(Observer):
    """The single neuron's output after each epoch."""

    def __init__(self, x) -> None:
        self.x = x
        self.network: Network | None = None
        self.outputs: list[float] = []

    def on_epoch(self, report: EpochReport) -> None:
        self.outputs.append(float(self.network.feedforward(self.x)[0, 0]))


def _neuron_outputs(preset: str, epochs: int) -> list[float]:
    """The single neuron's output after each epoch of a preset."""
    config = PRESETS[preset].config().replace(epochs=epochs, pace=0)
    data = load_dataset("neuron")
    watch = _NeuronOutputs(data.train.x)
    trainer = build_trainer(config, data, observer=watch)
    watch.network = trainer.network
    trainer.run()
    return watch.outputs


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


# --- the running mini-batch cost -------------------------------------------------------------

def _record_batch_costs(trainer: Trainer) -> list[tuple[int, float]]:
    """(examples, mean cost) of every mini-batch the trainer trains on, computed here with
    ``Cost.fn`` from the outputs each batch was trained on."""
    costs: list[tuple[int, float]] = []
    network = trainer.network
    backprop = network.backprop

    def recording(x, y, **options):
        gradients = backprop(x, y, **options)
        costs.append((len(y), network.cost.fn(options["outputs"], y)))
        return gradients

    network.backprop = recording
    return costs


def test_running_cost_is_the_mean_cost_of_every_mini_batch(make_blobs, recorder) -> None:
    """n = 205, m = 20: eleven mini-batches an epoch, the last of 5 examples.  At the end of each
    epoch the running cost is the example-weighted mean of all eleven batch costs plus the
    regularization term, whether progress was reported after every batch or never."""
    train, validation = make_blobs(205), make_blobs(50, 1)
    at_the_end: dict[float, list[float]] = {}
    for interval in (0.0, 1e9):
        trainer = _trainer(train, validation, epochs=3, batch_size=20, regularization="l2",
                           lmbda=2.0, progress_interval=interval)
        batch_costs = _record_batch_costs(trainer)
        progress: list[BatchProgress] = []
        ends: list[float] = []
        expected: list[float] = []

        def observer(event: object, trainer=trainer, batch_costs=batch_costs, progress=progress,
                     ends=ends, expected=expected) -> None:
            if isinstance(event, BatchProgress):
                progress.append(event)
            elif isinstance(event, EpochReport):
                epoch = batch_costs[(event.epoch - 1) * 11 : event.epoch * 11]
                assert [m for m, _ in epoch] == [20] * 10 + [5]
                penalty = trainer.network.weight_penalty("l2", 2.0, 205)
                expected.append(sum(m * c for m, c in epoch) / 205 + penalty)
                ends.append(trainer.running_cost())

        recorder.then = observer
        trainer.observer = recorder
        result = trainer.run()
        assert ends == pytest.approx(expected, rel=1e-6)
        if interval == 0.0:  # the last report of each epoch says the same
            last = [p.running_cost for p in progress if p.batch == p.batches]
            assert last == pytest.approx(expected, rel=1e-6)
        else:
            assert not progress
        # A little above the training cost measured after the epoch, which had the benefit of
        # every step the mini-batches took.
        final, report = ends[-1], result.history[-1]
        assert report.train_cost < final < 2 * report.train_cost
        at_the_end[interval] = ends
    assert at_the_end[0.0] == pytest.approx(at_the_end[1e9], rel=1e-6)


def test_running_cost_midway_covers_the_batches_done(recorder, make_blobs) -> None:
    """Each report's running cost is the mean over the batches done so far in its epoch."""
    train = make_blobs(95)
    trainer = _trainer(train, make_blobs(20, 1), epochs=2, progress_interval=0.0)
    batch_costs = _record_batch_costs(trainer)
    trainer.observer = recorder
    trainer.run()
    progress = recorder.of(BatchProgress)
    assert len(progress) == len(batch_costs) == 20
    for index, event in enumerate(progress):
        start = (event.epoch - 1) * 10
        done = batch_costs[start : start + event.batch]
        expected = sum(m * c for m, c in done) / sum(m for m, _ in done)
        assert event.running_cost == pytest.approx(expected, rel=1e-6), index


# --- pace ----------------------------------------------------------------------------------

def test_pace_caps_the_rate(blobs) -> None:
    """Six epochs at 25 epochs/s: five waits of up to 1/25 s, so at least 0.2 s in all (the
    epochs themselves take a few milliseconds)."""
    began = time.perf_counter()
    result = _trainer(*blobs, epochs=6, pace=25).run()
    elapsed = time.perf_counter() - began
    assert result.finished.reason == "completed"
    assert elapsed >= 0.9 * 5 / 25


class _FakeClock:
    """Stands in for the time module in training.py and policies.py: time moves only when the
    trainer waits."""

    def __init__(self) -> None:
        self.now = 100.0

    def perf_counter(self) -> float:
        return self.now


def test_seconds_per_epoch_exclude_the_pace_wait(blobs, monkeypatch) -> None:
    clock = _FakeClock()
    monkeypatch.setattr(training, "time", clock)
    monkeypatch.setattr(policies, "time", clock)

    class WaitingControl(Control):
        def wait_for_request(self, timeout: float) -> bool:
            clock.now += timeout
            return False

    result = _trainer(*blobs, epochs=3, pace=2, control=WaitingControl()).run()
    assert [r.seconds for r in result.history] == [0.0, 0.0, 0.0]
    assert clock.now == pytest.approx(100.0 + 2 * 0.5)  # two waits of 1/2 s, none after the last


def test_stop_or_pause_during_a_long_pace_wait_acts_at_once(blobs, recorder) -> None:
    """At 0.01 epochs/s the trainer would wait 100 s after each epoch; a pause and a stop end
    the wait at once (TIMEOUT is 10 s)."""
    control = Control()
    run = _Threaded(_trainer(*blobs, epochs=5, pace=0.01, control=control), recorder)
    run.thread.start()
    run.wait_for(EpochReport)
    control.pause()
    paused = run.wait_for(Paused)
    assert (paused.epoch, paused.batch) == (2, 0)
    control.stop()
    finished = run.wait_for(Finished)
    run.thread.join(TIMEOUT)
    assert not run.thread.is_alive()
    assert (finished.reason, finished.epochs_run, finished.batch) == ("stopped", 1, 0)
    assert finished.message == "before epoch 2 began (1 complete epoch)"


def test_step_during_a_pace_wait_pauses_at_the_next_epoch(blobs, recorder) -> None:
    control = Control()
    run = _Threaded(_trainer(*blobs, epochs=5, pace=0.01, control=control), recorder)
    run.thread.start()
    run.wait_for(EpochReport)
    control.step()  # the epoch is done: pause now rather than after another one
    paused = run.wait_for(Paused)
    assert (paused.epoch, paused.batch) == (2, 0)
    assert len([e for e in run.events if isinstance(e, EpochReport)]) == 1
    control.stop()
    run.wait_for(Finished)
    run.thread.join(TIMEOUT)


def test_set_pace_live(blobs, recorder) -> None:
    """A pace of 0 set from another thread lifts a 100 s wait; a pace set before the run caps a
    trainer built without one."""
    control = Control()
    run = _Threaded(_trainer(*blobs, epochs=4, pace=0.01, control=control), recorder)
    run.thread.start()
    run.wait_for(EpochReport)
    control.set_pace(0)
    finished = run.wait_for(Finished)
    run.thread.join(TIMEOUT)
    assert (finished.reason, finished.epochs_run) == ("completed", 4)
    assert run.trainer.pace.per_second == 0

    control = Control()
    control.set_pace(20)
    trainer = _trainer(*blobs, epochs=5, control=control)
    assert trainer.pace.per_second == 0
    began = time.perf_counter()
    trainer.run()
    assert time.perf_counter() - began >= 0.9 * 4 / 20
    assert trainer.pace.per_second == 20


def test_pace_from_the_config(blobs) -> None:
    config = make_config(dataset="xor", epochs=2, pace=7.5)
    assert build_trainer(config, load_data(config)).pace.per_second == 7.5
    assert build_trainer(config.replace(pace=0), load_data(config)).pace.per_second == 0


# --- where a stopped run stopped -------------------------------------------------------------

def test_stop_mid_epoch_says_exactly_where(make_blobs, recorder) -> None:
    """n = 2,500, m = 2: 1,250 mini-batches an epoch.  Paused after 1,100 of them in epoch 2 and
    then stopped, the run reports that place in its Paused and Finished events."""
    train = make_blobs(2500)
    control = Control()
    trainer = _trainer(train, make_blobs(50, 1), epochs=5, batch_size=2, control=control,
                       progress_interval=0.0)
    run = _Threaded(trainer, recorder)
    record = trainer.observer
    observe = record.then  # _Threaded's

    def then(event: object) -> None:
        observe(event)
        if isinstance(event, BatchProgress) and (event.epoch, event.batch) == (2, 1100):
            control.pause()

    record.then = then
    run.thread.start()
    paused = run.wait_for(Paused)
    assert (paused.epoch, paused.batch) == (2, 1100)
    last = [e for e in run.events if isinstance(e, BatchProgress)][-1]
    assert (last.epoch, last.batch, last.batches) == (2, 1100, 1250)
    control.stop()
    finished = run.wait_for(Finished)
    run.thread.join(TIMEOUT)
    assert finished.reason == "stopped"
    assert (finished.epochs_run, finished.batch, finished.batches) == (1, 1100, 1250)
    assert finished.message == "during epoch 2 after 1,100 of 1,250 mini-batches (1 complete epoch)"


# --- the speed of learning -------------------------------------------------------------------

def test_learning_speed_is_the_rms_of_each_batchs_bias_gradient(make_blobs, recorder) -> None:
    """n = 25, m = 10: three mini-batches an epoch, the last of 5, and η changed live after the
    first.  Each layer's speed is the RMS over the epoch's mini-batches of ‖∂C/∂bˡ‖ = ‖(1/m) Σₓ δˡ‖,
    the true gradient whatever η was, although the trainer only ever holds the steps η ∂C/∂bˡ."""
    train = make_blobs(25)
    control = Control()
    trainer = _trainer(train, make_blobs(10, 1), dtype="float64", epochs=2, hidden=(6, 5),
                       control=control, progress_interval=0.0, regularization="l2", lmbda=1.0)
    network = trainer.network
    backprop = network.backprop
    gradients: list[list[np.ndarray]] = []

    def recording(x, y, **options):
        steps = backprop(x, y, **options)
        check = Network(network.sizes, activation=network.activation.name,
                        output=network.output.name, cost=network.cost.name, dtype="float64")
        check.weights = [w.copy() for w in network.weights]
        check.biases = [b.copy() for b in network.biases]
        _, grad_b = check.backprop(x.copy(), y.copy())  # summed, unscaled: Σₓ ∂Cₓ/∂b
        gradients.append([g / len(x) for g in grad_b])
        return steps

    def observer(event: object) -> None:
        if isinstance(event, BatchProgress) and (event.epoch, event.batch) == (1, 1):
            control.scale_eta(0.3)

    network.backprop = recording
    recorder.then = observer
    trainer.observer = recorder
    result = trainer.run()
    assert [r.eta for r in result.history] == pytest.approx([0.03, 0.03])
    assert len(gradients) == 6
    for epoch, report in enumerate(result.history):
        batches = gradients[3 * epoch : 3 * epoch + 3]
        expected = [math.sqrt(sum(float(g[layer] @ g[layer]) for g in batches) / 3)
                    for layer in range(3)]
        assert report.learning_speed == pytest.approx(expected, rel=1e-9)


@pytest.mark.parametrize(("dtype", "eta"), [("float64", 1e-300), ("float32", 1e-30)])
def test_a_tiny_eta_trains_and_measures_the_true_speed_of_learning(make_blobs, dtype: str,
                                                                    eta: float) -> None:
    """η is anything in (0, 100]: where η² (or the steps η ∂C/∂b in the network's precision)
    would underflow, the run still trains and its speed of learning is the gradient's, as a
    small ordinary η measures it, not a division by zero or 0."""
    train, validation = make_blobs(200, 0, dtype), make_blobs(50, 1, dtype)
    tiny = _trainer(train, validation, dtype=dtype, epochs=1, eta=eta)
    before = [w.copy() for w in tiny.network.weights]
    speeds = tiny.run().history[0].learning_speed
    assert all(np.array_equal(w, b) for w, b in zip(tiny.network.weights, before, strict=True))
    small = _trainer(train, validation, dtype=dtype, epochs=1, eta=1e-6).run()
    assert speeds == pytest.approx(small.history[0].learning_speed, rel=1e-3)
    assert all(s > 0 for s in speeds)


def _plain_loop_module():
    """benchmarks/plain_loop.py, the plain NumPy loop the benchmarks hold the trainer against."""
    import importlib.util
    from pathlib import Path

    path = Path(__file__).parents[2] / "benchmarks" / "plain_loop.py"
    spec = importlib.util.spec_from_file_location("plain_loop", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(("hidden", "output", "cost", "batch"), [
    ("sigmoid", "sigmoid", "cross-entropy", 7),  # fewer examples than hidden neurons: Zᵀ = W·Aᵀ
    ("relu", "softmax", "log-likelihood", 16),
])
def test_the_benchmarks_plain_loop_is_the_same_algorithm(hidden, output, cost, batch) -> None:
    """The benchmarks compare nntui's epoch with a plain NumPy loop (no statistics, observers or
    control); the comparison means something only if that loop trains the same way: from the
    same weights, on the same shuffles, two epochs of it leave the same weights, to the bit."""
    rng = np.random.default_rng(5)
    labels = rng.integers(0, 3, 100)
    x = (rng.standard_normal((100, 20)) + labels[:, None]).astype(np.float32)
    y = np.eye(3, dtype=np.float32)[labels]
    train = Split(x, y, labels)
    network = Network([20, 12, 10, 3], activation=hidden, output=output, cost=cost, seed=2)
    trainer = Trainer(network, train, train, eta=0.2, batch_size=batch, epochs=2, seed=2)
    plain = _plain_loop_module().PlainLoop(
        (20, 12, 10, 3), hidden, batch, 0.2, x, y, seed=2,
        weights=[w.copy() for w in network.weights], biases=[b.copy() for b in network.biases])
    for epoch in (1, 2):
        trainer._train_epoch(epoch)
        plain.epoch()
    for ours, theirs in zip(network.weights + network.biases, plain.weights + plain.biases,
                            strict=True):
        np.testing.assert_array_equal(ours, theirs)
    assert not np.array_equal(network.weights[0], Network([20, 12, 10, 3], seed=2).weights[0])
