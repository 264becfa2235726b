"""The books' comparisons: several runs that differ in one thing, trained as a sweep.

A :class:`Comparison` is a figure of the books turned into runs: Nielsen's saturated neuron
learning with the quadratic and the cross-entropy cost, his three learning rates, 30 against 100
hidden neurons, L2 against none, large against normalized initial weights, and Krohn's shallow
against his intermediate net.  Each variant is a set of values laid over the defaults, like a
preset (:class:`~nntui.config.Preset`), with a label naming what sets it apart (``η=0.025``; made
by :func:`~nntui.studies.labels.difference_labels` where the book's own words are not needed).

Its variants are the runs of a sweep (:meth:`Comparison.runs`), trained by
:class:`~nntui.studies.sweep.Sweep` one after another in this process or side by side on Dask,
each recorded in the run history under the comparison's name as its group and its label as its
name, so the runs of a comparison can be found and overlaid later (:func:`group_runs`).  For the
single neuron the curve that matters is not an accuracy (one example is always classed right) but
the neuron's output a over the epochs, the figure Nielsen animates: it is read from the runs'
costs (:func:`~nntui.insight.neuron.neuron_outputs`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from nntui.config import Config, make_config
from nntui.presets import PRESETS
from nntui.studies.labels import difference_labels
from nntui.studies.plan import SweepRun

PLOTS = ("train_cost", "val_cost", "train_accuracy", "val_accuracy", "output")
"""What a comparison's figure can show: a cost or an accuracy per epoch from the epoch reports,
or the single neuron's output a (:func:`~nntui.insight.neuron.neuron_outputs`)."""


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

    def runs(self, epochs: int | None = None) -> list[SweepRun]:
        """Its variants as the runs of a sweep, in order (see :meth:`configs` for ``epochs``)."""
        return [SweepRun(index, label, config)
                for index, (label, config) in enumerate(self.labelled_configs(epochs))]


def _over(preset: str, **changes: Any) -> dict[str, Any]:
    """A preset's values with some changed."""
    return {**PRESETS[preset].values, **changes}


MORE_DATA_SIZES = (1_000, 2_000, 5_000, 10_000, 20_000, 50_000)
"""The training-set sizes of the more-data comparison: Nielsen's figure, on a log axis."""

MORE_DATA_EPOCHS = 15
"""Every more-data run's epochs: one length for all, so the runs differ only in their data (the
expanded sets, five times the images, take five times the steps)."""


def _more_data_label(size: int, expand: bool) -> str:
    """``n=1,000`` or ``n=1,000 expanded``: the plain images a run starts from, and whether each
    is also shifted four ways."""
    return f"n={size:,}" + (" expanded" if expand else "")


MORE_DATA_DESCRIPTION = (
    "[784,30,10] cross-entropy, L2 λ = 5, η = 0.5, mini-batches of 10 (nielsen-l2, the net of "
    f"the book's figure), {MORE_DATA_EPOCHS} epochs on the first 1,000 to 50,000 training "
    "images, each size as it is and expanded as Nielsen's expand_mnist.py does: every image "
    "also shifted one pixel up, down, left and right, five times the images (and the steps); "
    "validation is never expanded. Twelve runs, a few minutes on one core, half of it the "
    "250,000 expanded images."
)

MORE_DATA_WATCH = (
    "Best validation accuracy rises with every step in size, fastest at the small ones (about "
    "88 % at 1,000 images, 96.3 % at 50,000); the expanded set is above the plain one at every "
    "size (about 91 % at 1,000, 96.9 % at 50,000), and about level with or above the plain set "
    "of the next size up: 20,000 expanded images do as well as 50,000 plain ones. The figure "
    "that shows it is accuracy against the training-set size on a log axis, a line for plain "
    "and one for expanded ('nntui compare more-data --plot'; F11 in the app once the runs end)."
)


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
        "more-data", "Nielsen ch. 3: more training data, plain and expanded",
        MORE_DATA_DESCRIPTION, MORE_DATA_WATCH, "val_accuracy",
        tuple((_more_data_label(size, expand),
               _over("nielsen-l2", train_size=size, expand=expand, epochs=MORE_DATA_EPOCHS))
              for size in MORE_DATA_SIZES for expand in (False, True)),
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
