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
observer and consults its policies (policies.py): early stopping, the η schedule, and the pace,
which waits until 1/P s have passed since the epoch began so that a small run can be watched.
Between mini-batches it obeys its :class:`~nntui.engine.control.Control`.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from nntui.engine import policies
from nntui.engine.control import Control
from nntui.engine.events import (
    BatchProgress,
    EpochReport,
    Failed,
    Finished,
    Observer,
    Paused,
    Resumed,
)
from nntui.engine.inputs import as_floats, is_bytes
from nntui.engine.network import Network, layer_views
from nntui.engine.policies import Best, EarlyStopping, Pace

# Shuffled examples are copied into one buffer this many rows at a time (a few MB for MNIST):
# one take per stretch instead of two per mini-batch, and the mini-batches are views of it.
GATHER_ROWS = 1024


class Examples(Protocol):
    """Any split with inputs ``x`` (m, n_in), targets ``y`` (m, n_out) and integer ``labels``;
    ``x`` may be uint8 bytes, each v standing for v/256 (see inputs.py)."""

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


@dataclass(frozen=True)
class _Trained:
    """What one completed pass over the training data measured, before evaluation."""

    seconds: float  # pauses excluded
    learning_speed: tuple[float, ...]  # per layer, RMS over the mini-batches of ‖∂C/∂bˡ‖


class _SpeedSums:
    """Nielsen's speed of learning of each layer, ‖∂C/∂bˡ‖, as the RMS over an epoch's
    mini-batches, for no NumPy call per mini-batch.

    Backprop writes each mini-batch's bias steps (η/m) Σₓ ∂Cₓ/∂bˡ = η ∂C/∂bˡ into the next row of
    a table kept here (:meth:`next_rows`), every layer's side by side as in the network's
    ``all_biases``, so the update takes them all in one subtraction.  The rows are squared and
    summed, one call per layer, after each stretch of mini-batches and before η changes, and
    divided by η² then.  This saves a dot product and its conversion to a Python float per layer
    and mini-batch.
    """

    def __init__(self, biases: list[np.ndarray], rows: int):
        self.table = np.empty((rows, sum(len(b) for b in biases)), dtype=biases[0].dtype)
        ends = np.cumsum([len(b) for b in biases]).tolist()
        self._columns = [slice(end - len(b), end) for b, end in zip(biases, ends, strict=True)]
        # Row i, whole and cut into layers as backprop takes it, made once, not per mini-batch.
        self._rows = [(row, layer_views(row, [b.shape for b in biases])) for row in self.table]
        self.used = 0
        self.sums = [0.0] * len(biases)

    def begin(self) -> None:
        self.used = 0
        self.sums = [0.0] * len(self._columns)

    def next_rows(self) -> tuple[np.ndarray, list[np.ndarray]]:
        """The next row of the table, whole (for the update) and as one view per layer (for
        backprop to write a mini-batch's bias steps into)."""
        rows = self._rows[self.used]
        self.used += 1
        return rows

    def add_rows(self, eta: float) -> None:
        """Add Σ‖∂C/∂bˡ‖² over the rows filled since the last call, all taken with ``eta`` (the
        scale backprop was given, :meth:`Trainer._row_scale`: never so small that η² underflows)."""
        if self.used and eta > 0:
            for layer, columns in enumerate(self._columns):
                rows = self.table[: self.used, columns]
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
            raise ValueError(f"unknown regularization {regularization!r}; choose none, l1 or l2")
        self.network = network
        self.train, self.validation = train, validation
        self.eta = float(eta)
        self.batch_size = int(batch_size)
        self.epochs = int(epochs)
        self.regularization = regularization if lmbda > 0 else "none"
        self.lmbda = float(lmbda)
        self.momentum = float(momentum)
        self.dropout = float(dropout)
        self.eval_train = eval_train
        self.observer = observer or Observer()  # nobody listening: every event is a no-op
        self.control = control or Control()
        self.control.eta_changed(self.eta)
        self.progress_interval = progress_interval
        # The policies consulted after each epoch.
        self.best = Best()
        self.early_stopping = EarlyStopping(early_stop)
        self.schedule = policies.eta_schedule(eta_schedule, self.eta)
        self.pace = Pace(pace)
        self.rng = np.random.default_rng(seed + 1)  # the network's init used `seed` itself
        # Laid out as the network's all_weights, so each is one array for every layer.
        self.velocities = np.zeros_like(network.all_weights) if momentum else None
        self._steps_w = np.empty_like(network.all_weights)
        self._scratch_w = np.empty_like(network.all_weights)  # for L1's sgn(w), momentum's L2 term
        self._momentum = np.array(self.momentum, network.dtype)
        self._factors_for: tuple[float, int] | None = None  # see _regularization_factors
        self._steps_w_layers = layer_views(self._steps_w, [w.shape for w in network.weights])
        self.result = TrainingResult()
        self._notes: list[str] = []  # what changed η during the epoch, for its report
        # Kept across epochs, so epochs shorter than the interval still get progress reports.
        self._last_report = time.perf_counter()
        # The running cost: each mini-batch's outputs are kept here and their cost is only added
        # up when someone asks (see running_cost), for the examples of the epoch so far in the
        # shuffled ``_order``: ``_rows_done`` of them trained, ``_rows_costed`` of those priced.
        self._outputs = np.empty((len(train.x), network.sizes[-1]), dtype=network.dtype)
        self._order = np.arange(len(train.x))
        self._rows_done = self._rows_costed = 0
        self._cost_sum = 0.0
        # Each stretch of GATHER_ROWS shuffled examples (whole mini-batches) is gathered at once,
        # from the examples in the network's precision (converted here only if they are not).
        # Inputs stored as bytes (inputs.py) stay bytes: each stretch is gathered into a byte
        # buffer and converted from there, so no float copy of the whole set is made.
        bytes_in = is_bytes(train.x)
        self._x = train.x if bytes_in else np.asarray(train.x, dtype=network.dtype)
        self._y = np.asarray(train.y, dtype=network.dtype)
        batches_per_gather = max(1, GATHER_ROWS // self.batch_size)
        rows = min(len(train.x), batches_per_gather * self.batch_size)
        self._gathered_x = np.empty((rows, train.x.shape[1]), dtype=network.dtype)
        self._gathered_bytes = np.empty((rows, train.x.shape[1]), np.uint8) if bytes_in else None
        self._gathered_y = np.empty((rows, train.y.shape[1]), dtype=network.dtype)
        self._speed_sums = _SpeedSums(network.biases, batches_per_gather)
        # Below this η the steps η ∂C/∂b (and η² in the speed sums) would underflow in the
        # network's precision, losing the gradient: backprop then gives ∂C/∂b itself, and the
        # steps are multiplied by η afterwards (see _row_scale).
        self._smallest_scale = float(np.finfo(network.dtype).tiny) ** 0.25
        self._stopped_after = 0  # mini-batches of the epoch a stop interrupted

    # --- the whole run ---------------------------------------------------------------------

    def run(self) -> TrainingResult:
        """Train for up to ``epochs`` epochs; never raises for a diverging or stopped run."""
        epoch = 0
        try:
            with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
                for epoch in range(1, self.epochs + 1):
                    began = time.perf_counter()
                    trained = self._train_epoch(epoch)
                    if trained is None:
                        return self._finish("stopped", epoch - 1, self._where_stopped(epoch),
                                            batch=self._stopped_after)
                    report = self._report_epoch(epoch, trained)
                    self.best.update(epoch, report.val_accuracy)
                    ending = (self.early_stopping.ending(self.best)
                              or self.schedule.ending(self.best, self.eta))
                    if ending is not None:
                        return self._finish(ending.reason, epoch, ending.message)
                    eta, note = self.schedule.next_eta(self.best, self.eta)
                    if note:
                        self.eta = eta
                        self.control.eta_changed(eta)
                        self._notes.append(note)
                    if epoch < self.epochs:
                        self.control.pause_if_stepping()
                        self.pace.wait(began, self.control)
        except Diverged as error:
            failed = Failed(
                message=f"diverged at epoch {epoch}: {error}. The steps were too large; "
                        f"try a smaller η (e.g. {self.eta / 10:.3g}).",
                epoch=epoch, diverged=True,
            )
            self.result.failed = failed
            self.observer.on_fail(failed)
            return self.result
        return self._finish("completed", self.epochs)

    def _finish(self, reason: str, epochs_run: int, message: str = "",
                batch: int = 0) -> TrainingResult:
        finished = Finished(reason=reason, epochs_run=epochs_run,
                            best_val_accuracy=self.best.accuracy, best_epoch=self.best.epoch,
                            message=message, batch=batch, batches=self._batches)
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

    # --- one epoch ----------------------------------------------------------------------------

    def _train_epoch(self, epoch: int) -> _Trained | None:
        """One pass over the shuffled training data; None if a stop was requested."""
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
        # Looked up once an epoch rather than once a mini-batch.
        backprop, dropout, rng = network.backprop, self.dropout, self.rng
        steps_w, steps_w_layers, update = self._steps_w, self._steps_w_layers, self._update
        for batch in range(batches):
            if control.pending:
                eta = self.eta
                waited, stop = self._obey_control(epoch, batch)
                paused_for += waited
                if self.eta != eta:  # the steps so far were taken with the old η
                    speed.add_rows(self._row_scale(eta))
                if stop:
                    self._rows_done = min(batch * m, n)
                    self._stopped_after = batch
                    return None
            lo = batch * m
            hi = min(lo + m, n)
            k = lo % stretch
            if k == 0:  # one take for the next stretch of examples saves two per mini-batch
                # (mode="clip": the indices are a permutation, so skip the checked, buffered copy)
                end = min(lo + stretch, n)
                if self._gathered_bytes is None:
                    np.take(x, order[lo:end], axis=0, out=xs[: end - lo], mode="clip")
                else:  # bytes: gathered as bytes (a quarter of the memory traffic), then scaled
                    staged = self._gathered_bytes[: end - lo]
                    np.take(x, order[lo:end], axis=0, out=staged, mode="clip")
                    as_floats(staged, xs.dtype, out=xs[: end - lo])
                np.take(y, order[lo:end], axis=0, out=ys[: end - lo], mode="clip")
                speed.add_rows(self._row_scale(self.eta))
            # The mini-batch is a view of the gathered examples; its outputs go straight into
            # this epoch's rows of outputs, kept for the running cost (a view costs less than a
            # copy), and its bias steps into a row of the speed sums.
            scale = self._row_scale(self.eta)
            steps_b, steps_b_layers = speed.next_rows()
            backprop(xs[k : k + hi - lo], ys[k : k + hi - lo], scale=scale / (hi - lo),
                     dropout=dropout, rng=rng, outputs=outputs[lo:hi],
                     grad_w=steps_w_layers, grad_b=steps_b_layers)
            if scale != self.eta:  # a tiny η: the gradients, made steps here (the rows stay)
                steps_w *= self.eta
                steps_b = steps_b * self.eta
            update(steps_w, steps_b, n)
            now = time.perf_counter()
            if now - self._last_report >= self.progress_interval:
                self._last_report = now
                self._rows_done = hi
                self._report_progress(epoch, batch + 1, batches, now - start - paused_for)
        speed.add_rows(self._row_scale(self.eta))
        self._rows_done = n
        trained = _Trained(seconds=time.perf_counter() - start - paused_for,
                           learning_speed=speed.rms(batches))
        if not all(math.isfinite(s) for s in trained.learning_speed):
            raise Diverged("the gradient became NaN or infinite")
        return trained

    def _row_scale(self, eta: float) -> float:
        """The η backprop scales its gradients by: ``eta`` itself, or 1 where ``eta`` is so
        small that the steps (and η² in the speed of learning) would underflow to nothing."""
        return eta if eta >= self._smallest_scale else 1.0

    def _update(self, steps_w: np.ndarray, steps_b: np.ndarray, n: int) -> None:
        """Apply one gradient step to every layer (see the module docstring for the rules).

        Backprop was handed η/m, so ``steps_w`` and ``steps_b`` already hold the steps
        (η/m) Σₓ ∂Cₓ/∂w, laid out as the network's ``all_weights`` and ``all_biases``: what is
        left is the regularization term and one subtraction for all the weights, one for all the
        biases.
        """
        decay, shrink = self._regularization_factors(n)
        w = self.network.all_weights
        step = steps_w
        if shrink is not None:  # step += (ηλ/n) sgn(w), in a scratch array: no new W-sized arrays
            np.sign(w, out=self._scratch_w)
            self._scratch_w *= shrink
            step += self._scratch_w
        if self.velocities is not None:
            v = self.velocities
            v *= self._momentum
            v -= step
            if decay is not None:  # v −= (ηλ/n) w, in the scratch array too
                np.multiply(w, self._l2_step, out=self._scratch_w)
                v -= self._scratch_w
            w += v
        else:
            if decay is not None:
                w *= decay
            w -= step
        self.network.all_biases -= steps_b

    def _regularization_factors(self, n: int) -> tuple[np.ndarray | None, np.ndarray | None]:
        """(1 − ηλ/n) for L2 and ηλ/n for L1 (None when not regularizing so), as 0-d arrays of
        the weights' dtype, made once per η: combining them with W needs no type promotion and no
        new arrays per mini-batch.  (``_l2_step``, momentum's L2 factor ηλ/n, is kept as
        1 − (1 − ηλ/n), as it was always computed: the same bits.)"""
        eta = self.eta
        if self._factors_for != (eta, n):
            dtype = self.network.dtype
            decay = 1.0 - eta * self.lmbda / n if self.regularization == "l2" else 1.0
            shrink = eta * self.lmbda / n if self.regularization == "l1" else 0.0
            self._factors = (np.array(decay, dtype) if decay != 1.0 else None,
                             np.array(shrink, dtype) if shrink else None)
            self._l2_step = np.array(1.0 - decay, dtype)
            self._factors_for = (eta, n)
        return self._factors

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
            total = self.network.cost.summed(self._outputs[lo:hi], targets)
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
        control.acknowledge()
        waited = 0.0
        if control.paused and not control.stop_requested:
            self.observer.on_pause(Paused(epoch=epoch, batch=batch))
            began = time.perf_counter()
            while not control.wait_while_paused():
                pass
            waited = time.perf_counter() - began
            control.acknowledge()  # the resume, and whatever came while paused, are served now
            if not control.stop_requested:
                self.observer.on_resume(Resumed(epoch=epoch, batch=batch))
        new_eta = control.take_eta(self.eta)
        if new_eta != self.eta:
            self._notes.append(f"η {self.eta:.3g} → {new_eta:.3g} (live, batch {batch})")
            self.eta = new_eta
        self.pace.take(control)
        return waited, control.stop_requested

    # --- measuring -----------------------------------------------------------------------------

    def measure(self, split: Examples) -> tuple[float, float]:
        """Cost (with the regularization term) and accuracy of the network on ``split``."""
        cost, acc = self.network.evaluate(split.x, split.y, split.labels)
        cost += self.network.weight_penalty(self.regularization, self.lmbda, len(self.train.x))
        return cost, acc

    def _report_epoch(self, epoch: int, trained: _Trained) -> EpochReport:
        train_cost = train_acc = None
        if self.eval_train:
            train_cost, train_acc = self.measure(self.train)
        val_cost, val_acc = self.measure(self.validation)
        for value in (val_cost, train_cost):
            if value is not None and not math.isfinite(value):
                raise Diverged(f"the cost became {value}")
        seconds = trained.seconds
        report = EpochReport(
            epoch=epoch, epochs=self.epochs, train_cost=train_cost, train_accuracy=train_acc,
            val_cost=val_cost, val_accuracy=val_acc, learning_speed=trained.learning_speed,
            seconds=seconds,
            examples_per_second=len(self.train.x) / seconds if seconds > 0 else 0.0,
            eta=self.eta, notes=tuple(self._notes),
        )
        self._notes = []
        self.result.history.append(report)
        self.observer.on_epoch(report)
        return report
