"""Mini-batch stochastic gradient descent, with the refinements of Nielsen's chapter 3.

Each epoch shuffles the training examples, cuts them into ⌈n/m⌉ mini-batches of m (the last may be
smaller, Krohn eq. 8.4) and, for each, moves every weight and bias a step of size η down the
gradient of the cost estimated from that mini-batch:

    w → w − (η/m) Σₓ ∂Cₓ/∂w               (plain SGD)
    w → (1 − ηλ/n) w − (η/m) Σₓ ∂Cₓ/∂w     (L2: "weight decay")
    w → w − (ηλ/n) sgn(w) − (η/m) Σₓ ∂Cₓ/∂w (L1)
    v → μv − step,  w → w + v              (momentum)

where n is the size of the whole training set.  Biases are not regularized.

After each epoch the trainer measures cost and accuracy, reports an :class:`EpochReport` to its
observer and applies early stopping and the η schedule.  Between mini-batches it obeys its
:class:`Control`.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from .events import (
    BatchProgress,
    Control,
    EpochReport,
    Failed,
    Finished,
    Observer,
    Paused,
    Resumed,
)
from .network import Network

# η schedule "halve": halve after this many epochs without a better validation accuracy, and stop
# once η has fallen to 1/128 of its starting value (Nielsen ch. 3, "learning rate schedules").
PLATEAU_EPOCHS = 5
SCHEDULE_FLOOR = 1 / 128


class Examples(Protocol):
    """Any split with inputs ``x`` (m, n_in), targets ``y`` (m, n_out) and integer ``labels``."""

    x: np.ndarray
    y: np.ndarray
    labels: np.ndarray


class Diverged(ArithmeticError):
    """The cost became NaN or infinite."""


@dataclass
class TrainingResult:
    history: list[EpochReport] = field(default_factory=list)
    finished: Finished | None = None
    failed: Failed | None = None


def _ignore(event: object) -> None:
    """The observer used when nobody is listening."""


class Trainer:
    """Trains ``network`` on ``train``, measuring it on ``validation`` after each epoch."""

    def __init__(
        self,
        network: Network,
        train: Examples,
        validation: Examples,
        *,
        eta: float,
        batch_size: int,
        epochs: int,
        regularization: str = "none",
        lmbda: float = 0.0,
        momentum: float = 0.0,
        dropout: float = 0.0,
        early_stop: int = 0,
        eta_schedule: str = "constant",
        eval_train: bool = True,
        seed: int = 1,
        observer: Observer | None = None,
        control: Control | None = None,
        progress_interval: float = 0.2,
    ):
        if regularization not in ("none", "l1", "l2"):
            raise ValueError(f"unknown regularization {regularization!r}")
        self.network = network
        self.train, self.validation = train, validation
        self.eta = float(eta)
        self.batch_size = int(batch_size)
        self.epochs = int(epochs)
        self.regularization = regularization if lmbda > 0 else "none"
        self.lmbda = float(lmbda)
        self.momentum = float(momentum)
        self.dropout = float(dropout)
        self.early_stop = int(early_stop)
        self.eta_schedule = eta_schedule
        self.eval_train = eval_train
        self.observer = observer or _ignore
        self.control = control or Control()
        self.progress_interval = progress_interval
        self.rng = np.random.default_rng(seed + 1)  # the network's init used `seed` itself
        self.velocities = [np.zeros_like(w) for w in network.weights] if momentum else None
        self.result = TrainingResult()
        self._notes: list[str] = []
        # Kept across epochs, so epochs shorter than the interval still get progress reports.
        self._last_report = time.perf_counter()

    # --- the whole run ---------------------------------------------------------------------

    def run(self) -> TrainingResult:
        """Train for up to ``epochs`` epochs; never raises for a diverging or stopped run."""
        best_accuracy, best_epoch, since_best = -1.0, 0, 0
        eta0 = self.eta
        epoch = 0
        try:
            with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
                for epoch in range(1, self.epochs + 1):
                    if not self._train_epoch(epoch):
                        return self._finish(
                            "stopped", epoch - 1, best_accuracy, best_epoch,
                            f"during epoch {epoch}, after {epoch - 1} complete epochs",
                        )
                    report = self._report_epoch(epoch)
                    if report.val_accuracy > best_accuracy:
                        best_accuracy, best_epoch, since_best = report.val_accuracy, epoch, 0
                    else:
                        since_best += 1
                    if self.early_stop and since_best >= self.early_stop:
                        return self._finish(
                            "early stop", epoch, best_accuracy, best_epoch,
                            f"no better validation accuracy for {self.early_stop} epochs",
                        )
                    if self.eta_schedule == "halve" and since_best >= PLATEAU_EPOCHS:
                        if self.eta <= eta0 * SCHEDULE_FLOOR * 1.0001:
                            return self._finish(
                                "η schedule done", epoch, best_accuracy, best_epoch,
                                f"η reached 1/128 of its start ({self.eta:.3g})",
                            )
                        self.eta /= 2
                        self._notes.append(f"η halved to {self.eta:.3g}")
                        since_best = 0
                    if self.control.pause_after_epoch and epoch < self.epochs:
                        self.control.pause_after_epoch = False
                        self.control.pause()
        except Diverged as error:
            failed = Failed(
                f"diverged at epoch {epoch}: {error}. The steps were too large; "
                f"try a smaller η (e.g. {self.eta / 10:.3g}).",
                epoch, diverged=True,
            )
            self.result.failed = failed
            self.observer(failed)
            return self.result
        return self._finish("completed", self.epochs, best_accuracy, best_epoch)

    def _finish(self, reason: str, epochs_run: int, best: float, best_epoch: int,
                message: str = "") -> TrainingResult:
        finished = Finished(reason, epochs_run, best, best_epoch, message)
        self.result.finished = finished
        self.observer(finished)
        return self.result

    # --- one epoch ----------------------------------------------------------------------------

    def _train_epoch(self, epoch: int) -> bool:
        """One pass over the shuffled training data; False if a stop was requested."""
        x, y = self.train.x, self.train.y
        n = len(x)
        m = self.batch_size
        batches = math.ceil(n / m)
        order = self.rng.permutation(n)
        speed_sq = [0.0] * self.network.num_layers
        self._sampled_cost, self._samples = 0.0, 0
        start = time.perf_counter()
        paused_for = 0.0
        control = self.control
        for batch in range(batches):
            if control.pending:
                control.pending = False
                waited, stop = self._obey_control(epoch, batch)
                paused_for += waited
                if stop:
                    return False
            indices = order[batch * m : (batch + 1) * m]
            ws = self.network.workspace(len(indices))
            np.take(x, indices, axis=0, out=ws.activations[0])
            np.take(y, indices, axis=0, out=ws.targets)
            self.network.backprop(ws, self.dropout, self.rng)
            self._update(ws, len(indices), n, speed_sq)
            now = time.perf_counter()
            if now - self._last_report >= self.progress_interval:
                self._last_report = now
                self._report_progress(epoch, batch + 1, batches, ws, now - start - paused_for)
        self._epoch_seconds = time.perf_counter() - start - paused_for
        self._speed = self._speeds(speed_sq, batches)
        if not all(math.isfinite(s) for s in self._speed):
            raise Diverged("the gradient became NaN or infinite")
        return True

    def _update(self, ws, m: int, n: int, speed_sq: list[float]) -> None:
        """Apply one gradient step to every layer (see the module docstring for the rules)."""
        eta = self.eta
        decay = 1.0 - eta * self.lmbda / n if self.regularization == "l2" else 1.0
        shrink = eta * self.lmbda / n if self.regularization == "l1" else 0.0
        step = eta / m
        net = self.network
        for layer, (w, b) in enumerate(zip(net.weights, net.biases, strict=True)):
            grad_w, grad_b = ws.grad_w[layer], ws.grad_b[layer]
            speed_sq[layer] += float(np.dot(grad_b, grad_b)) / (m * m)
            grad_w *= step  # now the step (η/m) Σ ∂C/∂w, without regularization
            if shrink:
                grad_w += shrink * np.sign(w)
            if self.velocities is not None:
                v = self.velocities[layer]
                v *= self.momentum
                v -= grad_w
                if decay != 1.0:
                    v -= (1.0 - decay) * w
                w += v
            else:
                if decay != 1.0:
                    w *= decay
                w -= grad_w
            grad_b *= step
            b -= grad_b

    @staticmethod
    def _speeds(speed_sq: list[float], batches: int) -> tuple[float, ...]:
        return tuple(math.sqrt(s / batches) if batches else 0.0 for s in speed_sq)

    def _report_progress(self, epoch: int, batch: int, batches: int, ws, seconds: float) -> None:
        # The same cost as the epoch reports, regularization term included, so the running
        # curve and the per-epoch training cost can be compared on one plot.
        cost = self.network.batch_cost(ws) + self.network.weight_penalty(
            self.regularization, self.lmbda, len(self.train.x))
        if not math.isfinite(cost):
            raise Diverged(f"the mini-batch cost became {cost}")
        self._sampled_cost += cost
        self._samples += 1
        done = min(batch * self.batch_size, len(self.train.x))
        self.observer(BatchProgress(
            epoch, self.epochs, batch, batches, self._sampled_cost / self._samples, self.eta,
            done / seconds if seconds > 0 else 0.0, seconds,
        ))

    def _obey_control(self, epoch: int, batch: int) -> tuple[float, bool]:
        """Handle pause, stop and η requests; returns (seconds spent paused, stop?)."""
        control = self.control
        waited = 0.0
        if control.paused and not control.stop_requested:
            self.observer(Paused(epoch, batch))
            began = time.perf_counter()
            while not control.wait_while_paused():
                pass
            waited = time.perf_counter() - began
            control.pending = False
            if not control.stop_requested:
                self.observer(Resumed(epoch, batch))
        new_eta = control.take_eta(self.eta)
        if new_eta != self.eta:
            self._notes.append(f"η {self.eta:.3g} → {new_eta:.3g} (live, batch {batch})")
            self.eta = new_eta
        return waited, control.stop_requested

    # --- measuring -----------------------------------------------------------------------------

    def measure(self, split: Examples) -> tuple[float, float]:
        """Cost (with the regularization term) and accuracy of the network on ``split``."""
        cost, acc = self.network.evaluate(split.x, split.y, split.labels)
        cost += self.network.weight_penalty(self.regularization, self.lmbda, len(self.train.x))
        return cost, acc

    def _report_epoch(self, epoch: int) -> EpochReport:
        train_cost = train_acc = None
        if self.eval_train:
            train_cost, train_acc = self.measure(self.train)
        val_cost, val_acc = self.measure(self.validation)
        for value in (val_cost, train_cost):
            if value is not None and not math.isfinite(value):
                raise Diverged(f"the cost became {value}")
        seconds = self._epoch_seconds
        report = EpochReport(
            epoch, self.epochs, train_cost, train_acc, val_cost, val_acc, self._speed,
            seconds, len(self.train.x) / seconds if seconds > 0 else 0.0, self.eta,
            tuple(self._notes),
        )
        self._notes = []
        self.result.history.append(report)
        self.observer(report)
        return report
