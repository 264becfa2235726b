"""Mini-batch stochastic gradient descent, with the refinements of Nielsen's chapter 3.

Each epoch shuffles the training examples, cuts them into ⌈n/m⌉ mini-batches of m (the last may be
smaller, Krohn eq. 8.4) and, for each, moves every weight and bias a step of size η down the
gradient of the cost estimated from that mini-batch:

    w → w − (η/m) Σₓ ∂Cₓ/∂w               (plain SGD)
    w → (1 − ηλ/n) w − (η/m) Σₓ ∂Cₓ/∂w     (L2: "weight decay")
    w → w − (ηλ/n) sgn(w) − (η/m) Σₓ ∂Cₓ/∂w (L1)
    v → μv − step,  w → w + v              (momentum)

where n is the size of the whole training set.  Biases are not regularized.  Backprop hands back
(η/m) Σₓ ∂Cₓ/∂w directly (η/m is folded into δᴸ), so each step is one or two in-place operations.

After each epoch the trainer measures cost and accuracy, reports an :class:`EpochReport` to its
observer and applies early stopping and the η schedule.  Between mini-batches it obeys its
:class:`Control`.  With a *pace* of P epochs per second it then waits until 1/P s have passed since
the epoch began, so that a small run can be watched; the wait is not training time, and any request
of the control ends it at once.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from nntui.engine.costs import summed_cost
from nntui.engine.events import (
    BatchProgress,
    Control,
    EpochReport,
    Failed,
    Finished,
    Observer,
    Paused,
    Resumed,
)
from nntui.engine.network import Network

# η schedule "halve": halve after this many epochs without a better validation accuracy, and stop
# once η has fallen to 1/128 of its starting value (Nielsen ch. 3, "learning rate schedules").
PLATEAU_EPOCHS = 5
SCHEDULE_FLOOR = 1 / 128
# Shuffled examples are copied into one buffer this many rows at a time (a few MB for MNIST):
# one take per stretch instead of two per mini-batch, and the mini-batches are views of it.
GATHER_ROWS = 1024


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


class _SpeedSums:
    """Nielsen's speed of learning of each layer, ‖∂C/∂bˡ‖, as the RMS over an epoch's
    mini-batches, for no NumPy call per mini-batch.

    Backprop writes each mini-batch's bias step (η/m) Σₓ ∂Cₓ/∂bˡ = η ∂C/∂bˡ into the next row of a
    table; the rows are squared and summed, one call per layer, after each stretch of mini-batches
    and before η changes, and divided by η² then.  This saves a dot product and its conversion to
    a Python float per layer and mini-batch.
    """

    def __init__(self, biases: list[np.ndarray], rows: int):
        self.tables = [np.empty((rows, len(b)), dtype=b.dtype) for b in biases]
        self.used = 0
        self.sums = [0.0] * len(biases)

    def begin(self) -> None:
        self.used = 0
        self.sums = [0.0] * len(self.tables)

    def next_row(self, ws) -> None:
        """Point the workspace's bias gradients at the next row of each table."""
        for layer, table in enumerate(self.tables):
            ws.grad_b[layer] = table[self.used]
        self.used += 1

    def add_rows(self, eta: float) -> None:
        """Add Σ‖∂C/∂bˡ‖² over the rows filled since the last call, all taken with ``eta``."""
        if self.used and eta > 0:
            for layer, table in enumerate(self.tables):
                rows = table[: self.used]
                self.sums[layer] += float(np.vdot(rows, rows)) / (eta * eta)
        self.used = 0

    def rms(self, batches: int) -> tuple[float, ...]:
        return tuple(math.sqrt(s / batches) if batches else 0.0 for s in self.sums)


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
        pace: float = 0.0,
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
        self.observer = observer or Observer()  # nobody listening: every event is a no-op
        self.control = control or Control()
        self.control.eta_changed(self.eta)
        self.progress_interval = progress_interval
        self.pace = max(0.0, float(pace))  # epochs per second at most; 0 = as fast as possible
        self.rng = np.random.default_rng(seed + 1)  # the network's init used `seed` itself
        self.velocities = [np.zeros_like(w) for w in network.weights] if momentum else None
        self.result = TrainingResult()
        self._notes: list[str] = []
        # Kept across epochs, so epochs shorter than the interval still get progress reports.
        self._last_report = time.perf_counter()
        # The running cost: each mini-batch's outputs are kept here and their cost is only added
        # up when someone asks (see running_cost).
        self._outputs = np.empty((len(train.x), network.sizes[-1]), dtype=network.dtype)
        self._order = np.arange(len(train.x))
        # Each stretch of GATHER_ROWS shuffled examples (whole mini-batches) is gathered at once,
        # from the examples in the network's precision (converted here only if they are not).
        self._x = np.asarray(train.x, dtype=network.dtype)
        self._y = np.asarray(train.y, dtype=network.dtype)
        batches_per_gather = max(1, GATHER_ROWS // self.batch_size)
        rows = min(len(train.x), batches_per_gather * self.batch_size)
        self._gathered_x = np.empty((rows, train.x.shape[1]), dtype=network.dtype)
        self._gathered_y = np.empty((rows, train.y.shape[1]), dtype=network.dtype)
        self._speed_sums = _SpeedSums(network.biases, batches_per_gather)
        self._rows_done = self._rows_costed = 0
        self._cost_sum = 0.0
        self._stopped_after = 0

    # --- the whole run ---------------------------------------------------------------------

    def run(self) -> TrainingResult:
        """Train for up to ``epochs`` epochs; never raises for a diverging or stopped run."""
        best_accuracy, best_epoch, since_best = -1.0, 0, 0
        eta0 = self.eta
        epoch = 0
        try:
            with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
                for epoch in range(1, self.epochs + 1):
                    began = time.perf_counter()
                    if not self._train_epoch(epoch):
                        return self._finish(
                            "stopped", epoch - 1, best_accuracy, best_epoch,
                            self._where_stopped(epoch), batch=self._stopped_after,
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
                        self.control.eta_changed(self.eta)
                        self._notes.append(f"η halved to {self.eta:.3g}")
                        since_best = 0
                    if self.control.pause_after_epoch and epoch < self.epochs:
                        self.control.pause_after_epoch = False
                        self.control.pause()
                    if epoch < self.epochs:
                        self._keep_pace(began)
        except Diverged as error:
            failed = Failed(
                message=f"diverged at epoch {epoch}: {error}. The steps were too large; "
                        f"try a smaller η (e.g. {self.eta / 10:.3g}).",
                epoch=epoch, diverged=True,
            )
            self.result.failed = failed
            self.observer.on_fail(failed)
            return self.result
        return self._finish("completed", self.epochs, best_accuracy, best_epoch)

    def _finish(self, reason: str, epochs_run: int, best: float, best_epoch: int,
                message: str = "", batch: int = 0) -> TrainingResult:
        finished = Finished(reason=reason, epochs_run=epochs_run, best_val_accuracy=best,
                            best_epoch=best_epoch, message=message, batch=batch,
                            batches=self._batches)
        self.result.finished = finished
        self.observer.on_finish(finished)
        return self.result

    @property
    def _batches(self) -> int:
        """Mini-batches per epoch, ⌈n/m⌉."""
        return math.ceil(len(self.train.x) / self.batch_size)

    def _where_stopped(self, epoch: int) -> str:
        """Where a stop interrupted ``epoch``, e.g. "during epoch 5 after 4,281 of 5,000
        mini-batches (4 complete epochs)"."""
        complete = f"({epoch - 1} complete epoch{'' if epoch == 2 else 's'})"
        if self._stopped_after == 0:
            return f"before epoch {epoch} began {complete}"
        return (f"during epoch {epoch} after {self._stopped_after:,} of {self._batches:,} "
                f"mini-batches {complete}")

    def _keep_pace(self, began: float) -> None:
        """With a pace of P epochs per second, wait until 1/P s have passed since the epoch
        ``began`` (evaluation included).  The wait is on the control, so a stop, pause or step
        ends it at once and a new pace applies at once; with no pace it costs nothing."""
        control = self.control
        while True:
            if control.pending:
                self.pace = control.take_pace(self.pace)
                if control.stop_requested or control.paused:
                    return  # the next epoch obeys at its first mini-batch
                if control.pause_after_epoch:  # a step: this epoch is done, so pause now
                    control.pause_after_epoch = False
                    control.pause()
                    return
            if self.pace <= 0:
                return
            remaining = began + 1.0 / self.pace - time.perf_counter()
            if remaining <= 0:
                return
            control.wait_for_request(remaining)

    # --- one epoch ----------------------------------------------------------------------------

    def _train_epoch(self, epoch: int) -> bool:
        """One pass over the shuffled training data; False if a stop was requested."""
        x, y = self._x, self._y
        n = len(x)
        m = self.batch_size
        batches = math.ceil(n / m)
        order = self.rng.permutation(n)
        outputs = self._outputs
        self._order = order
        self._rows_done = self._rows_costed = 0
        self._cost_sum = 0.0
        xs, ys = self._gathered_x, self._gathered_y
        stretch = len(xs)
        speed = self._speed_sums
        speed.begin()
        network = self.network
        start = time.perf_counter()
        paused_for = 0.0
        control = self.control
        for batch in range(batches):
            if control.pending:
                control.pending = False
                eta = self.eta
                waited, stop = self._obey_control(epoch, batch)
                paused_for += waited
                if self.eta != eta:  # the steps so far were taken with the old η
                    speed.add_rows(eta)
                if stop:
                    self._rows_done = min(batch * m, n)
                    self._stopped_after = batch
                    return False
            lo = batch * m
            hi = min(lo + m, n)
            k = lo % stretch
            if k == 0:  # one take for the next stretch of examples saves two per mini-batch
                # (mode="clip": the indices are a permutation, so skip the checked, buffered copy)
                end = min(lo + stretch, n)
                np.take(x, order[lo:end], axis=0, out=xs[: end - lo], mode="clip")
                np.take(y, order[lo:end], axis=0, out=ys[: end - lo], mode="clip")
                speed.add_rows(self.eta)
            ws = network.workspace(hi - lo)
            ws.activations[0] = xs[k : k + hi - lo]  # views of the gathered examples
            ws.targets = ys[k : k + hi - lo]
            # The output layer writes straight into this epoch's rows of outputs, kept for the
            # running cost: a view costs less than a copy.
            ws.activations[-1] = outputs[lo:hi]
            speed.next_row(ws)
            network.backprop(ws, self.dropout, self.rng, self.eta / (hi - lo))
            self._update(ws, n)
            now = time.perf_counter()
            if now - self._last_report >= self.progress_interval:
                self._last_report = now
                self._rows_done = hi
                self._report_progress(epoch, batch + 1, batches, now - start - paused_for)
        speed.add_rows(self.eta)
        self._rows_done = n
        self._epoch_seconds = time.perf_counter() - start - paused_for
        self._speed = speed.rms(batches)
        if not all(math.isfinite(s) for s in self._speed):
            raise Diverged("the gradient became NaN or infinite")
        return True

    def _update(self, ws, n: int) -> None:
        """Apply one gradient step to every layer (see the module docstring for the rules).

        Backprop was handed η/m, so ``ws.grad_w`` and ``ws.grad_b`` already hold the steps
        (η/m) Σₓ ∂Cₓ/∂w: what is left is the regularization term and one subtraction.
        """
        eta = self.eta
        decay = 1.0 - eta * self.lmbda / n if self.regularization == "l2" else 1.0
        shrink = eta * self.lmbda / n if self.regularization == "l1" else 0.0
        net = self.network
        for layer, (w, b) in enumerate(zip(net.weights, net.biases, strict=True)):
            step = ws.grad_w[layer]
            if shrink:
                step += shrink * np.sign(w)
            if self.velocities is not None:
                v = self.velocities[layer]
                v *= self.momentum
                v -= step
                if decay != 1.0:
                    v -= (1.0 - decay) * w
                w += v
            else:
                if decay != 1.0:
                    w *= np.array(decay, w.dtype)  # a 0-d array of w's dtype: no type promotion
                w -= step
            b -= ws.grad_b[layer]

    def running_cost(self) -> float:
        """The mean cost of the epoch's mini-batches so far, with the regularization term.

        Each mini-batch's cost is that of the outputs it was trained on, just before its own step,
        weighted by its examples (so the smaller last batch counts for what it holds):

            (1/k) Σₓ Cₓ + (regularization term of the weights now)

        over the k examples seen this epoch, which is what Keras prints as ``loss``.  At the end of
        an epoch it is close to the epoch's training cost, a little above it, since the network
        improved while the epoch went on.  The outputs are kept as the batches go by and only
        priced here, in one vectorized pass over the rows since the last call.
        """
        lo, hi = self._rows_costed, self._rows_done
        if hi > lo:
            targets = np.take(self.train.y, self._order[lo:hi], axis=0)
            total = summed_cost(self.network.cost, self._outputs[lo:hi], targets)
            if not math.isfinite(total):
                raise Diverged(f"the mini-batch cost became {total}")
            self._cost_sum += total
            self._rows_costed = hi
        if not hi:
            return math.nan
        return self._cost_sum / hi + self.network.weight_penalty(
            self.regularization, self.lmbda, len(self.train.x))

    def _report_progress(self, epoch: int, batch: int, batches: int, seconds: float) -> None:
        done = self._rows_done
        self.observer.on_progress(BatchProgress(
            epoch=epoch, epochs=self.epochs, batch=batch, batches=batches,
            running_cost=self.running_cost(), eta=self.eta,
            examples_per_second=done / seconds if seconds > 0 else 0.0, seconds=seconds,
        ))

    def _obey_control(self, epoch: int, batch: int) -> tuple[float, bool]:
        """Handle pause, stop, η and pace requests before mini-batch ``batch`` (0-based, so also
        the number done); returns (seconds spent paused, stop?)."""
        control = self.control
        waited = 0.0
        if control.paused and not control.stop_requested:
            self.observer.on_pause(Paused(epoch=epoch, batch=batch))
            began = time.perf_counter()
            while not control.wait_while_paused():
                pass
            waited = time.perf_counter() - began
            control.pending = False
            if not control.stop_requested:
                self.observer.on_resume(Resumed(epoch=epoch, batch=batch))
        new_eta = control.take_eta(self.eta)
        if new_eta != self.eta:
            self._notes.append(f"η {self.eta:.3g} → {new_eta:.3g} (live, batch {batch})")
            self.eta = new_eta
        self.pace = control.take_pace(self.pace)
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
            epoch=epoch, epochs=self.epochs, train_cost=train_cost, train_accuracy=train_acc,
            val_cost=val_cost, val_accuracy=val_acc, learning_speed=self._speed,
            seconds=seconds,
            examples_per_second=len(self.train.x) / seconds if seconds > 0 else 0.0,
            eta=self.eta, notes=tuple(self._notes),
        )
        self._notes = []
        self.result.history.append(report)
        self.observer.on_epoch(report)
        return report
