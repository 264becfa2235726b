"""Hints from the books' rules of thumb, noticed while a run goes on.

:class:`HintObserver` is a run observer like those of :mod:`nntui.runner.lifecycle`: give it to a
:class:`~nntui.runner.lifecycle.Run` (or call it with the trainer's events) and it watches the
epochs go by.  Each situation below is noticed at most once per run, and reported as a :class:`Hint`
through the ``notify`` callable (and kept in :attr:`HintObserver.hints`):

* ``eta-too-high``   the cost climbs back, within a few epochs, more than half the way from its
                     lowest so far to where it started, or oscillates: jumps up (by more than
                     :data:`JUMP` in an epoch, twice) and down, by more than it falls;
* ``eta-too-low``    the cost barely falls, epoch after epoch, from the start;
* ``overfitting``    no better held-out accuracy for 10 epochs while the training side still
                     improves beyond noise: training accuracy climbs by more than the sampling
                     noise of the training set's size, or (Nielsen's sign) the held-out cost
                     rises while the training cost falls; and training accuracy stands above
                     held-out accuracy by more than the two sets' noise;
* ``vanishing``      the first hidden layer learns 100× more slowly than the output layer;
* ``slowdown``       sigmoid outputs under the quadratic cost, saturated at the wrong answer,
                     learning slowly;
* ``dead-relu``      a ReLU layer whose units have all stopped firing.

The last two look at the network itself, on a *probe*: a few hundred training examples, taken at
the start of the run (:func:`probe_examples`) unless given.  That costs one small forward pass per
epoch, for ReLU nets and sigmoid outputs under the quadratic cost only: about 0.14 ms on the
spiral preset and 0.8 ms on Krohn's 64-64 ReLU net, 2 % of an epoch of the spiral's 1,000 points
or of 10,000 MNIST images, and less of longer epochs (``benchmarks/bench_inspect.py``).

The observer runs in the trainer's thread, between epochs, and never raises: a hint that cannot
be checked is skipped.

Every rule was checked on recorded real runs of every preset (full length) and on plateaus (the
2-D sets at the default config for 200 epochs, whose accuracies wander by a point or two on
1,000 and 500 examples); ``tests/runner/test_hints.py`` replays some of them.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from nntui.config import TOY_SETS, Config
from nntui.engine import EpochReport, Network
from nntui.runner.lifecycle import RunObserver, RunStarted

KINDS = ("eta-too-high", "eta-too-low", "overfitting", "vanishing", "slowdown", "dead-relu")

PROBE_SIZE = 500
"""Training inputs the network-looking hints feed forward each epoch."""

WINDOW = 5
"""Epochs the η-too-high hint looks back over."""
JUMP = 0.10
"""… and the rise from one epoch to the next, as a fraction of the cost before it, that counts as
a jump; the cost oscillates when it jumps at least twice in that window.  A cost at its plateau
wanders by less: on Nielsen's ch. 3 network (L2, λ = 5, 30 epochs) η = 0.25 and 0.5 rise by at
most 6 % an epoch; η = 2.5, his example of too high, jumps by 21 % at epoch 3 and again and
again after; his 100-neuron net at η = 0.5 jumps once (18 % at epoch 18) and settles."""
SLOW_WINDOW = 10
SLOW_STEPS = 100
"""The η-too-small hint looks back over this many epochs, and at least this many mini-batches
(Nielsen's neuron trains one mini-batch an epoch)."""
RISE_BACK = 0.5
"""The cost has risen when, within :data:`WINDOW` epochs, it climbed back more than this share of
the way from its lowest so far to where it started (or above the start).  Compared with the
lowest and not with the first epoch, a cost that fell and then climbs back is seen; the recent
climb keeps a held-out cost that creeps up over hundreds of epochs (overfitting, measured when
the training set is not) from passing for a too-large η.  On the recorded runs a cost at its
floor climbs back at most 11 % of the way (the spiral preset's momentum, 0.02 → 0.09 of 0.66)."""
PATIENCE = 10
"""Nielsen's no-improvement-in-10 rule for early stopping, used for the overfitting hint."""
NOISE_Z = 2.0
"""Standard errors a rise or a gap must exceed to be more than sampling noise: pure noise stays
below it about 19 times in 20."""
MIN_RISE = 0.005
MIN_GAP = 0.02
"""The least rise of training accuracy and the least gap between training and held-out accuracy
that count, however large the sets (on 50,000 images two standard errors are 0.2 points)."""
VANISHING_RATIO = 100.0
VANISHING_EPOCHS = 3
"""The vanishing gradient is named once the ratio has held for this many epochs in a row."""
SATURATED = 0.05
"""σ'(z) = a(1 − a) below this (a < 0.053 or a > 0.947) counts as saturated."""
SATURATED_SHARE = 0.2
"""The slowdown is named when this share of the probe's examples has an output saturated at the
wrong answer …"""
SLOW_FALL = 0.10
"""… and the cost fell by less than this fraction in the last epoch."""


@dataclass(frozen=True)
class Hint:
    """One situation noticed: ``kind`` (one of :data:`KINDS`), the ``epoch`` it was noticed
    at, a one-line ``title`` for a status line, and the ``message`` for the log, which says what
    was seen and what the books advise, citing them."""

    kind: str
    epoch: int
    title: str
    message: str

    def __str__(self) -> str:
        return f"Hint (epoch {self.epoch}): {self.message}"


def accuracy_noise(accuracy: float, n: int) -> float:
    """The standard error of an accuracy measured on ``n`` examples: the binomial
    √(p(1 − p)/n), with p taken as (k + 1)/(n + 2) (Laplace's rule) so that 0 % and 100 % do not
    claim to be exact.  0 when ``n`` is not known."""
    if n <= 0:
        return 0.0
    p = (accuracy * n + 1) / (n + 2)
    return math.sqrt(p * (1 - p) / n)


def trend(values: list[float]) -> float:
    """How clearly ``values`` (one per epoch) rise or fall: their least-squares slope in
    standard errors of that slope, from how far they wander about the line.  Beyond
    ±:data:`NOISE_Z` the drift is more than the wandering explains."""
    y = np.asarray(values, dtype=np.float64)
    if len(y) < 3 or not np.isfinite(y).all():
        return 0.0
    x = np.arange(len(y), dtype=np.float64) - (len(y) - 1) / 2
    slope = float(x @ (y - y.mean()) / (x @ x))
    residuals = y - y.mean() - slope * x
    error = math.sqrt(float(residuals @ residuals) / (len(y) - 2) / float(x @ x))
    if error == 0.0:
        return math.copysign(math.inf, slope) if slope else 0.0
    return slope / error


def probe_examples(config: Config, data_dir: str | None = None,
                   size: int = PROBE_SIZE) -> tuple[np.ndarray, np.ndarray] | None:
    """The first ``size`` training examples (inputs, one per row, and their labels) of the data
    set ``config`` names, cheaply: the 2-D sets and the neuron are made afresh (a millisecond),
    image sets are read from the decoded files the run has just loaded (cached).  None when
    they cannot be had."""
    from nntui.datasets import DatasetError, load_dataset

    dataset = config.dataset
    try:
        if dataset in TOY_SETS or dataset == "neuron":
            data = load_dataset(dataset, train_size=0 if dataset == "neuron" else size,
                                dtype=config.dtype, seed=config.seed, noise=config.noise)
            return data.train.x[:size], data.train.labels[:size]
        from nntui.datasets.mnist import (
            find_fashion_mnist,
            find_idx_files,
            find_mnist,
            read_idx_folder,
        )

        if dataset == "mnist":
            folder = find_mnist(data_dir)
        elif dataset == "fashion-mnist":
            folder = find_fashion_mnist(data_dir)
        else:
            folder = find_idx_files(dataset)
        arrays = read_idx_folder(folder)
        images = arrays.train_images[:size]
        x = np.multiply(images.reshape(len(images), -1), 1 / 256, dtype=config.dtype)
        return x, arrays.train_labels[:size].astype(np.int64)
    except (DatasetError, OSError, ValueError):
        return None


@dataclass
class HintObserver(RunObserver):
    """Watches a run and reports each rule-of-thumb situation once.

    ``tell(hint)`` is called in the trainer's thread (the app passes something that posts a
    message).  The observer learns the config and the network from the run's
    :class:`~nntui.runner.lifecycle.RunStarted`; ``probe`` (training inputs, one per row, and their
    labels) is taken with :func:`probe_examples` from ``data_dir`` at that moment unless given.
    Without a RunStarted (a bare Trainer), call :meth:`start` first.
    """

    tell: Callable[[Hint], object] = lambda hint: None
    data_dir: str | None = None
    probe: tuple[np.ndarray, np.ndarray] | None = None
    eta_keys: tuple[str, str] | None = ("F9", "F10")
    """The keys that divide and multiply η by 10, named where a hint suggests a new η; None
    names the ``--eta`` flag instead (for ``nntui train``)."""
    hints: list[Hint] = field(default_factory=list, init=False)
    """Every hint of the current run, in the order noticed."""
    config: Config | None = field(default=None, init=False)
    network: Network | None = field(default=None, init=False)
    history: list[EpochReport] = field(default_factory=list, init=False)
    batches: int = field(default=1, init=False)  # mini-batches per epoch
    n_train: int = field(default=0, init=False)  # examples in the training set (0: not known)
    n_held_out: int = field(default=0, init=False)  # … and in the held-out one
    _given_probe: tuple[np.ndarray, np.ndarray] | None = field(default=None, init=False,
                                                                repr=False)
    _vanishing_streak: int = field(default=0, init=False, repr=False)

    def __post_init__(self) -> None:
        self._given_probe = self.probe

    def start(self, config: Config, network: Network | None, batches: int = 1, *,
              n_train: int = 0, n_held_out: int = 0) -> None:
        """A new run of ``config`` trains ``network`` in ``batches`` mini-batches an epoch, on
        ``n_train`` examples, measured on ``n_held_out`` (their sizes set how much of an
        accuracy's change is noise; 0: not known): forget the last run's epochs and hints.
        Without the network (a run trained in another process), the hints that look at it read
        what they can from the epochs alone."""
        self.config, self.network, self.batches = config, network, batches
        self.n_train, self.n_held_out = n_train, n_held_out
        self.history, self.hints, self._vanishing_streak = [], [], 0
        self.probe = self._given_probe if self._given_probe is not None else probe_examples(
            config, self.data_dir)

    def on_run_start(self, started: RunStarted) -> None:
        self.start(started.config, started.network, started.batches, n_train=started.n_train,
                   n_held_out=started.n_held_out)

    def on_epoch(self, report: EpochReport) -> None:
        if self.config is None:
            return
        self.history.append(report)
        for check in (self._slowdown, self._dead_relu, self._eta_too_high,
                      self._eta_too_low, self._overfitting, self._vanishing):
            kind = check.__name__.strip("_").replace("_", "-")
            if kind not in self.noticed:
                try:
                    hint = check(report)
                except Exception:  # a hint that cannot be checked must not stop the run
                    hint = None
                if hint is not None:
                    self.hints.append(hint)
                    self.tell(hint)

    @property
    def noticed(self) -> set[str]:
        return {hint.kind for hint in self.hints}

    # --- the cost ----------------------------------------------------------------------------

    def _costs(self) -> list[float]:
        """The training cost of each epoch (the validation cost when the run does not measure
        the training set)."""
        return [r.train_cost if r.train_cost is not None else r.val_cost for r in self.history]

    def _eta_too_high(self, report: EpochReport) -> Hint | None:
        costs = self._costs()
        if len(costs) < 3:
            return None
        recent = costs[-(WINDOW + 1):]
        steps = np.diff(recent)
        rises = float(steps[steps > 0].sum())
        falls = float(-steps[steps < 0].sum())
        jumps = sum(1 for step, before in zip(steps, recent[:-1], strict=True)
                    if before > 0 and step > JUMP * before)
        progress = costs[0] - min(costs)  # how far the cost has come down at best
        lowest, recent_low = min(costs[:-1]), min(recent[:-1])
        # Climbed back, lately, more than half the way from the lowest cost so far to where it
        # started (and by more than a jump), or jumping up by more than it falls, by a good
        # part of the way it has come (the small jumps of a well-trained net at its floor are
        # no alarm), in an oscillation: two real jumps at least (a plateau's wandering is none,
        # one spike is no oscillation).
        rising = (costs[-1] > (1 + JUMP) * recent_low
                  and costs[-1] > lowest + RISE_BACK * (costs[0] - lowest))
        jumping = (len(recent) > 3 and rises > falls and rises > 0.25 * progress
                   and jumps >= 2)
        if not (rising or jumping):
            return None
        eta = report.eta
        what = "training cost" if self.history[-1].train_cost is not None else "cost"
        low_epoch = self.history[costs.index(lowest)].epoch
        seen = (f"the {what} has climbed back from its lowest, {lowest:.3g} at epoch "
                f"{low_epoch}, to {costs[-1]:.3g} (it started at {costs[0]:.3g})" if rising
                else f"the {what} went up by {rises:.3g} and down by only {falls:.3g} over the "
                     f"last {len(recent) - 1} epochs")
        return Hint("eta-too-high", report.epoch, f"η = {eta:.3g} looks too high",
                    f"{seen[:1].upper()}{seen[1:]}: η = {eta:.3g} looks too high. Nielsen "
                    f"(ch. 3): find the threshold η at which the cost starts to oscillate or "
                    f"rise, then use half of it; Krohn (ch. 8): change η by orders of "
                    f"magnitude — try {self._new_eta(eta / 10, 0)}.")

    def _new_eta(self, eta: float, key: int) -> str:
        """η to try, and how: the app's key (0 divides, 1 multiplies) or the flag."""
        if self.eta_keys is None:
            return f"{eta:.3g} (--eta {eta:.3g})"
        return f"{eta:.3g} ({self.eta_keys[key]})"

    def _eta_too_low(self, report: EpochReport) -> Hint | None:
        """The cost falls, but barely, over the last several epochs (and at least
        :data:`SLOW_STEPS` mini-batches), and has fallen little since the start, while the
        accuracy hardly moves: a plateau is left to the other hints."""
        costs = self._costs()
        window = max(SLOW_WINDOW, math.ceil(SLOW_STEPS / max(self.batches, 1)))
        # A stall the other hints explain is not η's: saturated outputs, dead units, or early
        # layers that barely learn (Nielsen's ch. 5 net sits on such a plateau at η = 0.1).
        if len(costs) < window + 1 or self.noticed & {"slowdown", "dead-relu", "vanishing"}:
            return None
        first, last = costs[0], costs[-1]
        recent = costs[-(window + 1):]
        if not (first > 0 and math.isfinite(first)):
            return None
        accuracies = [r.train_accuracy if r.train_accuracy is not None else r.val_accuracy
                      for r in self.history[-(window + 1):]]
        level = float(np.mean(recent))
        steady = max(np.diff(recent)) < 0.005 * level  # no jumps up
        fell_since_start = (first - last) / first
        fell_recently = (recent[0] - last) / recent[0]
        if not (steady and 0 <= fell_recently < 0.002 * window and fell_since_start < 0.10
                and accuracies[-1] - accuracies[0] < 0.02 and accuracies[-1] < 0.99):
            return None
        eta = report.eta
        return Hint("eta-too-low", report.epoch, f"η = {eta:.3g} looks too small",
                    f"In {len(costs)} epochs the cost has fallen only "
                    f"{100 * fell_since_start:.1f} % ({first:.3g} → {last:.3g}), a little each "
                    f"epoch: η = {eta:.3g} looks too small. Krohn (ch. 8): change η by orders "
                    f"of magnitude — try {self._new_eta(eta * 10, 1)}; Nielsen (ch. 3): the "
                    f"largest η below the threshold where the cost oscillates learns fastest.")

    # --- overfitting -------------------------------------------------------------------------

    def _overfitting(self, report: EpochReport) -> Hint | None:
        """Nielsen's rule (ch. 3): the held-out accuracy has not improved for
        :data:`PATIENCE` epochs, while the training side still improves by more than noise,
        on accuracy or (his other sign) on cost, and the training accuracy stands clearly
        above the held-out one.  He reads the held-out cost's rise as a sign but judges by the
        accuracy ("what we really care about"): a held-out cost that rises while the held-out
        accuracy still improves is not called overfitting yet."""
        history = self.history
        if report.train_accuracy is None or len(history) <= PATIENCE or "dead-relu" in \
                self.noticed:
            return None
        best = max(history, key=lambda r: r.val_accuracy)  # the first epoch of the best
        if report.epoch - best.epoch < PATIENCE:
            return None
        assert best.train_accuracy is not None
        train_noise = accuracy_noise(report.train_accuracy, self.n_train)
        held_noise = accuracy_noise(report.val_accuracy, self.n_held_out)
        rise = report.train_accuracy - best.train_accuracy
        # Two measurements of an accuracy differ by noise of √2 times either's.
        rise_noise = max(MIN_RISE, NOISE_Z * math.sqrt(2) * train_noise)
        climbed = rise > rise_noise
        window = history[-(PATIENCE + 1):]
        train_costs = [r.train_cost for r in window]
        held_costs = [r.val_cost for r in window]
        diverging = (None not in train_costs and trend(train_costs) < -NOISE_Z  # type: ignore
                     and trend(held_costs) > NOISE_Z)
        gap = report.train_accuracy - report.val_accuracy
        apart = gap > max(MIN_GAP, NOISE_Z * math.hypot(train_noise, held_noise))
        if not ((climbed or diverging) and apart):
            return None
        config = self.config
        split = "test" if config is not None and config.validate_on == "test" else "validation"
        examples = f" on {self.n_train:,} examples" if self.n_train else ""
        if climbed:
            training = (f"training accuracy rose from {100 * best.train_accuracy:.2f} % to "
                        f"{100 * report.train_accuracy:.2f} %, more than the "
                        f"{100 * rise_noise:.2g} points counted as noise{examples}")
        else:
            training = (f"the {split} cost rose ({held_costs[0]:.3g} → {held_costs[-1]:.3g}) "
                        f"and the training cost fell ({train_costs[0]:.3g} → "
                        f"{train_costs[-1]:.3g}) over the last {PATIENCE} epochs, Nielsen's "
                        f"sign, at {100 * report.train_accuracy:.2f} % training accuracy")
        return Hint("overfitting", report.epoch, "overfitting: stop early or regularize",
                    f"No better {split} accuracy for {report.epoch - best.epoch} epochs (best "
                    f"{100 * best.val_accuracy:.2f} % at epoch {best.epoch}) while {training}: "
                    f"the network is overfitting. Nielsen (ch. 3): regularize (L2, λ), get more "
                    f"training data, or stop early — no improvement in 10 epochs is his rule "
                    f"(early-stop patience 10); Krohn (ch. 9): dropout or L2.")

    # --- the speed of learning ------------------------------------------------------------------

    def _vanishing(self, report: EpochReport) -> Hint | None:
        speeds = report.learning_speed
        # At least two hidden layers, for a gradient to vanish in; dead units are their own hint.
        if len(speeds) < 3 or "dead-relu" in self.noticed:
            self._vanishing_streak = 0
            return None
        first, last = speeds[0], speeds[-1]
        if last > 0 and first * VANISHING_RATIO < last:
            self._vanishing_streak += 1
        else:
            self._vanishing_streak = 0
        if self._vanishing_streak < VANISHING_EPOCHS:
            return None
        ratio = last / first if first > 0 else math.inf
        said = f"{ratio:,.0f}×" if math.isfinite(ratio) else "infinitely"
        return Hint("vanishing", report.epoch, "vanishing gradient in the first layers",
                    f"Hidden layer 1 learns {said} more slowly than the output layer "
                    f"(‖∂C/∂b¹‖ = {first:.2e} against {last:.2e}, {VANISHING_EPOCHS} epochs "
                    f"running): the vanishing gradient. Nielsen (ch. 5): the early layers of a "
                    f"deep sigmoid net learn far more slowly; Krohn (ch. 8): ReLU units and "
                    f"Glorot or He initialization keep the speed of learning even.")

    # --- looking at the network -----------------------------------------------------------------

    def _activations(self) -> list[np.ndarray] | None:
        """Every layer's activations on the probe, or None without one."""
        network = self.network
        if network is None or self.probe is None:
            return None
        x = self.probe[0]
        if x.ndim != 2 or x.shape[1] != network.sizes[0]:
            return None
        with np.errstate(over="ignore", invalid="ignore"):
            return network.layer_activations(x)

    def _slowdown(self, report: EpochReport) -> Hint | None:
        config = self.config
        assert config is not None
        if config.cost != "quadratic" or config.output != "sigmoid" or len(self.history) < 2:
            return None
        costs = self._costs()
        if not costs[-1] > (1 - SLOW_FALL) * costs[-2]:
            return None
        layers = self._activations()
        if layers is None:
            return None
        a = layers[-1].astype(np.float64)
        saturated_wrong = (a * (1 - a) < SATURATED) & (np.abs(a - self._targets(a)) > 0.5)
        share = float(saturated_wrong.any(axis=1).mean())  # of the examples
        if share < SATURATED_SHARE:
            return None
        examples = "the example" if len(a) == 1 else f"{100 * share:.0f} % of the examples"
        return Hint("slowdown", report.epoch, "learning slowdown: use cross-entropy",
                    f"For {examples} a sigmoid output is saturated at the wrong answer "
                    f"(σ'(z) < {SATURATED}) and the quadratic cost fell only "
                    f"{100 * (1 - costs[-1] / costs[-2]):.2f} % in the last epoch: the learning "
                    f"slowdown. Nielsen (ch. 3): under the quadratic cost the gradient carries "
                    f"σ'(z), which is tiny for a saturated neuron; the cross-entropy cost "
                    f"cancels it, so a badly wrong neuron learns fastest — use cross-entropy.")

    def _targets(self, outputs: np.ndarray) -> np.ndarray:
        """What the outputs on the probe should be: the neuron's target 0, or one-hot rows of
        the probe's labels."""
        config = self.config
        assert config is not None and self.probe is not None
        if config.dataset == "neuron" or outputs.shape[1] == 1:
            return np.zeros_like(outputs) if config.dataset == "neuron" \
                else self.probe[1][:, None].astype(np.float64)
        return np.eye(outputs.shape[1])[self.probe[1]]

    def _dead_relu(self, report: EpochReport) -> Hint | None:
        config = self.config
        assert config is not None
        if config.activation != "relu" or not config.hidden:
            return None
        layers = self._activations()
        if layers is not None:
            for index, a in enumerate(layers[:-1]):
                if not (a > 0).any():
                    return self._dead_hint(report, index + 1, a.shape[1], on_probe=True)
            return None
        # No probe: a layer of dead units passes no gradient back, so it and every layer
        # before it learn at a speed of exactly zero.
        speeds = report.learning_speed
        hidden = len(speeds) - 1
        dead = [layer for layer in range(hidden) if speeds[layer] == 0.0]
        if dead:
            layer = max(dead) + 1
            return self._dead_hint(report, layer, config.hidden[layer - 1], on_probe=False)
        return None

    def _dead_hint(self, report: EpochReport, layer: int, units: int, on_probe: bool) -> Hint:
        seen = (f"all {units} ReLU units of hidden layer {layer} output 0 for every one of "
                f"{len(self.probe[0]) if self.probe is not None else 0} training inputs"
                if on_probe else f"hidden layer {layer} and every layer before it have stopped "
                f"learning (‖∂C/∂b‖ = 0)")
        return Hint("dead-relu", report.epoch, f"dead ReLU units in layer {layer}",
                    f"{seen[:1].upper()}{seen[1:]}: the units are dead — a unit whose weighted "
                    f"input is negative for every example gets no gradient and never recovers, "
                    f"so the network answers the same whatever it sees. Krohn (ch. 8–9): a "
                    f"smaller η (a large step pushed them below zero) and He initialization; "
                    f"start the run again.")
