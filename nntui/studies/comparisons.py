"""The books' comparisons: several runs that differ in one thing, trained one after another.

A :class:`Comparison` is a figure of the books turned into runs: Nielsen's saturated neuron
learning with the quadratic and the cross-entropy cost, his three learning rates, 30 against 100
hidden neurons, L2 against none, large against normalized initial weights, and Krohn's shallow
against his intermediate net.  Each variant is a set of values laid over the defaults, like a
preset (:class:`~nntui.config.Preset`), with a label naming what sets it apart (``η=0.025``).

:func:`run_comparison` trains the variants through the one run lifecycle
(:class:`~nntui.runner.lifecycle.Run`), each recorded in the run history under the comparison's name
as its group and its label as its name, so the runs of a comparison can be found and overlaid later
(:func:`group_runs`).  :func:`difference_labels` names runs that were not labelled by hand by what
differs between their configs.

For the single neuron the curve that matters is not an accuracy (one example is always classed
right) but the neuron's output a over the epochs, the figure Nielsen animates: the
:class:`NeuronOutput` observer records it.
"""

from __future__ import annotations

import math
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from nntui.config import SPECS, Config, format_number, make_config
from nntui.engine import Control, EpochReport, Network
from nntui.presets import PRESETS
from nntui.runner.lifecycle import (
    EpochKeeper,
    HistoryRecorder,
    Run,
    RunEnded,
    RunObserver,
    RunStarted,
    cut_short,
)
from nntui.status import RunStatus
from nntui.storage.history import RunHistory, RunSummary

PLOTS = ("train_cost", "val_cost", "train_accuracy", "val_accuracy", "output")
"""What a comparison's figure can show: a cost or an accuracy per epoch from the epoch reports,
or the single neuron's output a (:class:`NeuronOutput`)."""

"""The status of a variant a stop kept from starting (never recorded in the history)."""


# --- the comparisons -----------------------------------------------------------------------------

@dataclass(frozen=True)
class Comparison:
    """One of the books' comparisons: runs alike but in the thing being compared.

    ``variants`` are ``(label, values)`` pairs; ``values`` are laid over the defaults like a
    preset's, and a label left empty is made by :func:`difference_labels`.  ``watch`` says in a
    sentence or two what to look at, ``plot`` which curve shows it (one of :data:`PLOTS`).
    """

    name: str
    title: str
    description: str
    watch: str
    plot: str
    variants: tuple[tuple[str, Mapping[str, Any]], ...]

    def __post_init__(self) -> None:
        if self.plot not in PLOTS:
            raise ValueError(f"plot must be one of {', '.join(PLOTS)}, not {self.plot!r}")

    def configs(self, epochs: int | None = None) -> list[Config]:
        """Each variant's config; ``epochs`` (for a quick look) replaces every variant's own."""
        extra = {} if epochs is None else {"epochs": epochs}
        return [make_config(**{**values, **extra}) for _, values in self.variants]

    def labels(self) -> list[str]:
        """Each variant's label: its own, else what sets its config apart."""
        derived = difference_labels(self.configs())
        return [label or auto for (label, _), auto in zip(self.variants, derived, strict=True)]

    def labelled_configs(self, epochs: int | None = None) -> list[tuple[str, Config]]:
        return list(zip(self.labels(), self.configs(epochs), strict=True))


def _over(preset: str, **changes: Any) -> dict[str, Any]:
    """A preset's values with some changed."""
    return {**PRESETS[preset].values, **changes}


COMPARISONS: dict[str, Comparison] = {c.name: c for c in (
    Comparison(
        "saturated-neuron", "Nielsen ch. 3: the saturated neuron, quadratic vs cross-entropy",
        "One sigmoid neuron, input 1, target 0, one step per epoch for 300 epochs. From w = b = "
        "2.0 its output starts at σ(4) ≈ 0.98, where σ'(z) ≈ 0.018: the quadratic cost's "
        "gradient (a − y)σ'(z) is tiny and it barely learns (η = 0.15, Nielsen's value). "
        "Cross-entropy's gradient (a − y) has no σ'(z): at the same η it learns at once, and at "
        "the book's η = 0.005 it still starts learning from the first epoch (Nielsen picked an "
        "η per cost; his point is the shape of the curve, not its speed). The easy start "
        "w = 0.6, b = 0.9 (output 0.82) shows the quadratic cost learning well when the neuron "
        "is not saturated. Pace 0: each run takes a fraction of a second.",
        "At η = 0.15 the quadratic neuron's output stalls near 0.98 for some 150 epochs, while "
        "cross-entropy's is below 0.5 by epoch 17; at η = 0.005, 30 times smaller, "
        "cross-entropy's has no plateau but falls steadily from the first epoch.",
        "output",
        (("quadratic η=0.15", _over("neuron-quadratic", pace=0)),
         ("cross-entropy η=0.15", _over("neuron-cross-entropy", eta=0.15, pace=0)),
         ("cross-entropy η=0.005", _over("neuron-cross-entropy", pace=0)),
         ("quadratic w=0.6 b=0.9", _over("neuron-quadratic", neuron_w=0.6, neuron_b=0.9,
                                         pace=0))),
    ),
    Comparison(
        "overfitting", "Nielsen ch. 3: overfitting 1,000 images, with and without L2",
        "[784,30,10] cross-entropy, N(0,1) weights, η = 0.5, mini-batches of 10, trained on "
        "only the first 1,000 images for 400 epochs and measured on the test set, without "
        "regularization and with L2 λ = 0.1 (the book's setting, the nielsen-overfit and "
        "nielsen-overfit-l2 presets). Under half a minute a run.",
        "Without regularization test accuracy levels off in the low 80s within some 50 epochs "
        "(the book: 82.27 % at best) while training accuracy sits at 100 %; with λ = 0.1 it "
        "keeps climbing through all 400 epochs, five points higher (the book: 87.1 %).",
        "val_accuracy",
        (("", _over("nielsen-overfit")), ("", _over("nielsen-overfit-l2"))),
    ),
    Comparison(
        "l2-regularization", "Nielsen ch. 3: no regularization vs L2, λ = 5",
        "[784,30,10] cross-entropy, η = 0.5, mini-batches of 10, 30 epochs on all 50,000 "
        "training images, measured on validation: the nielsen-baseline and nielsen-l2 presets "
        "with N(0,1) initial weights, as the book ran them (before its section on "
        "initialization; with normalized weights the two end level on held-out data). About "
        "half a minute a run.",
        "The plot is training accuracy: without L2 it climbs on to 98 % while held-out accuracy "
        "(the table) stays near 96 %, the net memorizing its images; with L2 it stays within "
        "a point of held-out accuracy, which ends a little higher (the book, on test: 96.49 % "
        "against 95.49 %).",
        "train_accuracy",
        (("", _over("nielsen-baseline", init="large")), ("", _over("nielsen-l2", init="large"))),
    ),
    Comparison(
        "hidden-neurons", "Nielsen ch. 3: 30 vs 100 hidden neurons, L2 λ = 5",
        "[784,30,10] against [784,100,10], cross-entropy, L2 λ = 5, η = 0.5, mini-batches of "
        "10, measured on validation: the nielsen-l2 and nielsen-100 presets, shortened here "
        "from the book's 30 epochs to 10 because the wide net's epochs take many times as "
        "long; 'nntui compare hidden-neurons --epochs 30' runs the book's setting.",
        "100 hidden neurons are ahead from the first epoch and stay a point or more above 30 "
        "(the book after 30 epochs: 97.92 % against 96.49 %).",
        "val_accuracy",
        (("", _over("nielsen-l2", epochs=10)), ("", _over("nielsen-100", epochs=10))),
    ),
    Comparison(
        "weight-init", "Nielsen ch. 3: large vs normalized initial weights",
        "[784,30,10] cross-entropy, L2 λ = 5, mini-batches of 10, 30 epochs, measured on "
        "validation, with η lowered from 0.5 to 0.1 as in the book, so the difference is "
        "easier to see: weights drawn from N(0, 1) against N(0, 1/n_in). Under a minute a "
        "run.",
        "The normalized start is ahead after one epoch (the book: almost 93 % against under "
        "87 %) and stays ahead for many epochs; both end a little over 96 %.",
        "val_accuracy",
        (("", _over("nielsen-l2", init="large", eta=0.1)),
         ("", _over("nielsen-l2", init="normalized", eta=0.1))),
    ),
    Comparison(
        "learning-rates", "Nielsen ch. 3: η = 0.025, 0.25 and 2.5",
        "[784,30,10] cross-entropy, L2 λ = 5, mini-batches of 10, 30 epochs on all 50,000 "
        "training images: the book's figure of the training cost under three learning rates "
        "an order of magnitude apart. About half a minute a run.",
        "η = 2.5 makes the cost oscillate from the start; η = 0.025 lowers it smoothly but "
        "slowly to the last epoch; η = 0.25 lowers it fastest, then it levels off in small "
        "random wiggles.",
        "train_cost",
        tuple(("", _over("nielsen-l2", eta=eta)) for eta in (0.025, 0.25, 2.5)),
    ),
    Comparison(
        "shallow-vs-intermediate", "Krohn ch. 8: shallow net vs intermediate net",
        "Krohn's shallow net (64 sigmoid neurons, quadratic cost, η = 0.01 in Keras' mean "
        "squared error, 0.002 here; the krohn-shallow preset) against his intermediate net "
        "(two ReLU layers of 64, cross-entropy, η = 0.1; krohn-intermediate), both with a "
        "softmax output, Glorot weights, batches of 128, all 60,000 images, measured on the "
        "test set. Both run 20 epochs here, the intermediate net's own length; Krohn trains "
        "the shallow net for 200, ten times as long, which takes it to about 86 % "
        "('nntui train --preset krohn-shallow').",
        "The intermediate net passes 95 % in its third epoch and ends near 97.5 %; the shallow "
        "net, its quadratic cost and small η learning slowly, is still below 50 % after 20.",
        "val_accuracy",
        (("shallow: 64 sigmoid, quadratic", _over("krohn-shallow", epochs=20)),
         ("intermediate: 64-64 ReLU, cross-entropy", _over("krohn-intermediate"))),
    ),
)}


# --- labels --------------------------------------------------------------------------------------

IGNORED = ("pace", "eval_train")
"""Fields that do not change what a run learns (how fast it is shown; whether the training set is
measured): never named in a label."""


def _term(name: str, config: Config, regularization_differs: bool) -> str:
    value = getattr(config, name)
    if name == "lmbda":
        if not regularization_differs:
            return f"λ={format_number(value)}"
        if not config.regularized:
            return "no regularization"
        return f"{config.regularization.upper()} λ={format_number(value)}"
    if name == "train_size":
        return f"{value:,} images" if value else "all images"
    if name == "hidden":
        return "hidden=" + (",".join(str(n) for n in value) or "none")
    if name in ("dataset", "cost", "dtype"):
        return str(value)
    short = {"eta": "η", "momentum": "μ", "neuron_w": "w", "neuron_b": "b",
             "batch_size": "batch", "validate_on": "held-out", "early_stop": "patience",
             "eta_schedule": "schedule"}.get(name, name)
    shown = format_number(value) if isinstance(value, float) else str(value)
    return f"{short}={shown}"


def difference_labels(configs: Sequence[Config]) -> list[str]:
    """A label per config naming what sets it apart from the others: ``η=0.025``,
    ``hidden=30``/``hidden=100``, ``init=large``, ``no regularization``/``L2 λ=5``,
    ``η=0.25 λ=5`` when two things differ.

    Fields follow the form's order; the pace and whether the training set is measured are left
    out (:data:`IGNORED`).  Configs alike in everything else are numbered (``run 1``, ``run 2``),
    and a label that would repeat gets its place added (``η=0.5 (3)``).  A single config is
    labelled by the preset it is, if any.
    """
    configs = list(configs)
    if not configs:
        return []
    if len(configs) == 1:
        from nntui.presets import preset_of

        return [preset_of(configs[0]) or "run 1"]
    differing = [name for name in SPECS if name not in IGNORED
                 and len({_key(getattr(c, name)) for c in configs}) > 1]
    regularization_differs = "regularization" in differing
    if regularization_differs:
        differing.remove("regularization")
        if "lmbda" not in differing:
            differing.append("lmbda")  # "L2 λ=5" says both
        differing.sort(key=list(SPECS).index)
    if not differing:
        return [f"run {i + 1}" for i in range(len(configs))]
    labels = [" ".join(_term(name, c, regularization_differs) for name in differing)
              for c in configs]
    counts = Counter(labels)
    return [f"{label} ({i + 1})" if counts[label] > 1 else label
            for i, label in enumerate(labels)]


def _key(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


# --- running one ---------------------------------------------------------------------------------

class NeuronOutput(RunObserver):
    """Observer: the output a of a one-input network for the input ``x`` (Nielsen's neuron: 1),
    as it starts (epoch 0) and after every epoch: ``outputs`` is a list of (epoch, a)."""

    def __init__(self, x: float = 1.0) -> None:
        self.x = x
        self.network: Network | None = None
        self.outputs: list[tuple[int, float]] = []

    def on_run_start(self, started: RunStarted) -> None:
        self.network = started.network
        self.outputs = [(0, self.output())]

    def on_epoch(self, report: EpochReport) -> None:
        if self.network is not None:
            self.outputs.append((report.epoch, self.output()))

    def output(self) -> float:
        """The first output of the network as it is now."""
        assert self.network is not None
        x = np.full((1, self.network.sizes[0]), self.x, dtype=self.network.dtype)
        return float(self.network.feedforward(x)[0, 0])

    def at(self, epoch: int) -> float | None:
        """The output after ``epoch`` epochs (0: before training), None if not reached."""
        return next((a for e, a in self.outputs if e == epoch), None)


def neuron_outputs(config: Config, history: Sequence[EpochReport]) -> list[tuple[int, float]]:
    """The single neuron's output a per epoch, worked back from its recorded cost, for runs
    read from the history (which keeps costs, not outputs): its one example has target 0, so
    the quadratic cost is ½a² and the cross-entropy −ln(1 − a).  Epoch 0 is σ(w + b) of the
    config.  Empty for anything but an unregularized sigmoid neuron."""
    if config.dataset != "neuron" or config.output != "sigmoid" or config.regularized \
            or config.cost not in ("quadratic", "cross-entropy"):
        return []
    outputs = [(0, 1.0 / (1.0 + math.exp(-(config.neuron_w + config.neuron_b))))]
    for report in history:
        cost = max(report.val_cost, 0.0)
        a = math.sqrt(2.0 * cost) if config.cost == "quadratic" else -math.expm1(-cost)
        outputs.append((report.epoch, a))
    return outputs


@dataclass
class VariantResult:
    """How one variant of a comparison went.  ``ended`` is None for a variant a stop kept from
    starting (status ``not run``); ``history`` holds its finished epochs, ``outputs`` the
    neuron's (epoch, a) for a neuron variant (else empty), ``run_id`` its id in the history."""

    label: str
    config: Config
    ended: RunEnded | None = None
    history: list[EpochReport] = field(default_factory=list)
    outputs: list[tuple[int, float]] = field(default_factory=list)
    run_id: int | None = None

    @property
    def status(self) -> str:
        return RunStatus.NOT_RUN if self.ended is None else self.ended.status

    @property
    def final_cost(self) -> float | None:
        """The last epoch's training cost, or for a run that did not measure the training set
        (the neuron: its one example is also its validation set) the held-out cost."""
        if not self.history:
            return None
        last = self.history[-1]
        return last.train_cost if last.train_cost is not None else last.val_cost


ObserversFor = Callable[[int, str, Config], Sequence[RunObserver]]
"""Given a variant's place (0-based), label and config, the extra observers of its run."""


class ComparisonRun:
    """The variants of ``comparison`` trained one after another; :meth:`execute` returns a
    :class:`VariantResult` per variant, and ``results`` grows as they end (so a caller
    interrupted mid-way still has them).

    Each run is recorded in ``history`` (if given) with the comparison's name as its group and
    the variant's label as its name.  ``control`` is shared: a stop stops the variant running and
    the rest are not started.  ``epochs`` overrides every variant's epochs.  A variant that fails
    or diverges does not keep the others from running.  ``on_result`` is told of each variant
    that ran as soon as it ends, with its place (0-based).
    """

    def __init__(self, comparison: Comparison, *, history: RunHistory | None = None,
                 observers_for: ObserversFor | None = None, control: Control | None = None,
                 data_dir: str | None = None, warn: Callable[[str], None] = print,
                 epochs: int | None = None,
                 on_result: Callable[[int, VariantResult], None] | None = None) -> None:
        self.comparison = comparison
        self.on_result = on_result
        self.history = history
        self.observers_for = observers_for
        self.control = control or Control()
        self.data_dir = data_dir
        self.warn = warn
        self.variants = comparison.labelled_configs(epochs)
        self.results: list[VariantResult] = []
        # The running variant: its result so far, recorder, neuron observer and start.
        self._running: tuple[VariantResult, HistoryRecorder | None, NeuronOutput | None,
                             float] | None = None
        self._warned = False

    def _warn_once(self, message: str) -> None:
        # Every variant has its own recorder; a history that fails fails for all of them.
        if not self._warned:
            self._warned = True
            self.warn(message)

    def execute(self) -> list[VariantResult]:
        for index, (label, config) in enumerate(self.variants):
            if self.control.stop_requested:
                self.results.append(VariantResult(label, config))
                continue
            result = self._run(index, label, config)
            self.results.append(result)
            if self.on_result is not None:
                self.on_result(index, result)
        return self.results

    def _run(self, index: int, label: str, config: Config) -> VariantResult:
        epochs: list[EpochReport] = []
        observers: list[RunObserver] = [EpochKeeper(epochs)]
        neuron = NeuronOutput() if config.dataset == "neuron" else None
        if neuron is not None:
            observers.append(neuron)
        recorder = None
        if self.history is not None and not self._warned:
            recorder = HistoryRecorder(self.history, config, self._warn_once, name=label,
                                       group=self.comparison.name)
            observers.append(recorder)
        if self.observers_for is not None:
            observers.extend(self.observers_for(index, label, config))
        result = VariantResult(label, config, None, epochs,
                               neuron.outputs if neuron is not None else [], None)
        self._running = (result, recorder, neuron, time.perf_counter())
        run = Run(config, observers=observers, control=self.control, data_dir=self.data_dir)
        result.ended = run.execute()
        self._running = None
        result.outputs = list(neuron.outputs) if neuron is not None else []
        result.run_id = recorder.run_id if recorder is not None else None
        return result

    def abandon(self, message: str) -> VariantResult | None:
        """For a caller that had to leave the running variant mid-epoch (a second Ctrl+C): end it
        as stopped with ``message``, with the epochs it finished, in ``results`` and in the
        history; returns it (None if no variant was running)."""
        if self._running is None:
            return None
        result, recorder, neuron, started = self._running
        self._running = None
        result.ended = cut_short(RunStatus.STOPPED, message, result.history,
                                 time.perf_counter() - started)
        result.outputs = list(neuron.outputs) if neuron is not None else []
        if recorder is not None and not recorder.failed:
            recorder.on_run_end(result.ended)
            result.run_id = recorder.run_id
        self.results.append(result)
        return result


def run_comparison(comparison: Comparison, *, history: RunHistory | None = None,
                   observers_for: ObserversFor | None = None, control: Control | None = None,
                   data_dir: str | None = None, warn: Callable[[str], None] = print,
                   epochs: int | None = None,
                   on_result: Callable[[int, VariantResult], None] | None = None
                   ) -> list[VariantResult]:
    """Train every variant of ``comparison``, one after another (see :class:`ComparisonRun`)."""
    return ComparisonRun(comparison, history=history, observers_for=observers_for,
                         control=control, data_dir=data_dir, warn=warn, epochs=epochs,
                         on_result=on_result).execute()


# --- finding one again ---------------------------------------------------------------------------

def group_runs(history: RunHistory, group: str) -> list[RunSummary]:
    """The runs of the latest execution of comparison ``group``: for each name (label) in the
    group its newest run, in the comparison's variant order when ``group`` names one of
    :data:`COMPARISONS`, else oldest first.  (A comparison run twice puts both executions in its
    group; this is what an overlay of "the comparison" shows.)"""
    runs = [run for run in history.list_runs(query=group) if run.group == group]
    newest: dict[str, RunSummary] = {}
    for run in runs:  # newest first
        newest.setdefault(run.name, run)
    chosen = sorted(newest.values(), key=lambda run: (run.started, run.id))
    comparison = COMPARISONS.get(group)
    if comparison is not None:
        order = {label: i for i, label in enumerate(comparison.labels())}
        chosen.sort(key=lambda run: order.get(run.name, len(order)))
    return chosen
