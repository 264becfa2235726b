"""The spine of nntui: every hyperparameter, defined once.

Each field of :class:`Config` carries its own description (type, allowed range or choices, one line
of help) in its metadata.  From that single definition come the form in the app, the flags of
``nntui train``, the presets and the saved run records, so the four can never disagree.

Validation lives here too.  :func:`parse_values` turns text (typed in the form, given on the command
line or read from a preset or a run file) into a :class:`Config` and returns *every* problem as a
:class:`Problem` naming the field and saying what would be accepted, so all the front ends reject a
bad value with the same words.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from nntui.datasets import DATASET_NAMES

DATASETS = DATASET_NAMES
HIDDEN_ACTIVATIONS = ("sigmoid", "tanh", "relu")
OUTPUT_ACTIVATIONS = ("sigmoid", "softmax", "linear")
COSTS = ("quadratic", "cross-entropy", "log-likelihood")
INITS = ("normalized", "large", "glorot", "he")
REGULARIZATIONS = ("none", "l2", "l1")
SPLITS = ("validation", "test")
SCHEDULES = ("constant", "halve")
DTYPES = ("float32", "float64")
YES_NO = ("yes", "no")
"""The choices of a field that is on or off: it holds a bool, shown as yes or no."""


@dataclass(frozen=True)
class Spec:
    """What the rest of the program needs to know about one hyperparameter."""

    name: str
    label: str
    kind: str  # "int", "float", "choice", "layers" or "text"
    help: str
    choices: tuple[str, ...] = ()
    low: float | None = None
    high: float | None = None
    low_open: bool = False  # True when the value must be strictly greater than ``low``
    high_open: bool = False

    def describe_range(self) -> str:
        """The allowed values in a few words, e.g. ``0 < η ≤ 100`` or ``one of a, b``."""
        if self.kind == "choice":
            return "one of " + ", ".join(self.choices)
        if self.kind == "layers":
            return "sizes separated by commas, e.g. 30 or 64,64; empty for none"
        if self.kind == "text":
            return "text"
        parts = []
        if self.low is not None:
            parts.append(f"{format_number(self.low)} {'<' if self.low_open else '≤'} ")
        parts.append(self.label)
        if self.high is not None:
            parts.append(f" {'<' if self.high_open else '≤'} {format_number(self.high)}")
        text = "".join(parts)
        return text + (" (whole number)" if self.kind == "int" else "")


def format_number(number: float) -> str:
    """``5`` rather than ``5.0``, ``0.5`` as it is, ``1e+308`` rather than its 309 digits:
    numbers as a person writes them (whole numbers in full up to 16 digits, as many as a float
    holds exactly)."""
    try:
        value = float(number)
    except OverflowError:  # a whole number beyond every float: six digits, as repr would
        mantissa, exponent = format(Decimal(int(number)), ".5e").split("e")
        return f"{mantissa.rstrip('0').rstrip('.')}e{exponent}"
    if value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    return repr(value)


def _param(default: Any, label: str, kind: str, help: str, **spec: Any) -> Any:
    """A dataclass field that also carries its :class:`Spec` (the name is filled in later)."""
    return field(default=default, metadata={"spec": (label, kind, help, spec)})


@dataclass(frozen=True)
class Config:
    """One training run's hyperparameters; the defaults are Nielsen's ch. 3 network with L2,
    λ = 5: the nielsen-l2 preset."""

    dataset: str = _param(
        "mnist", "data set", "choice",
        "MNIST digits, Fashion-MNIST, a 2-D toy set, the single neuron, or a folder of IDX files.",
        choices=DATASETS,
    )
    train_size: int = _param(
        0, "training images", "int",
        "Use only the first N training examples (0 = all); small N shows overfitting.",
        low=0, high=60000,
    )
    expand: bool = _param(
        False, "expand data", "choice",
        "Add each training image shifted one pixel up, down, left and right: 5× the images.",
        choices=YES_NO,
    )
    validate_on: str = _param(
        "validation", "validate on", "choice",
        "Measure progress on the validation split, or on the test set as Krohn's notebooks do.",
        choices=SPLITS,
    )
    hidden: tuple[int, ...] = _param(
        (30,), "hidden layers", "layers",
        "Neurons per hidden layer, e.g. 30 or 64,64; input and output sizes come from the data.",
    )
    activation: str = _param(
        "sigmoid", "hidden activation", "choice",
        "Nonlinearity of the hidden layers; ReLU learns fastest in deep nets.",
        choices=HIDDEN_ACTIVATIONS,
    )
    output: str = _param(
        "sigmoid", "output layer", "choice",
        "Output neurons: independent sigmoids, a softmax distribution, or linear.",
        choices=OUTPUT_ACTIVATIONS,
    )
    cost: str = _param(
        "cross-entropy", "cost", "choice",
        "Cross-entropy avoids the slowdown of saturated sigmoids; log-likelihood suits softmax.",
        choices=COSTS,
    )
    init: str = _param(
        "normalized", "weight init", "choice",
        "normalized N(0,1/n_in), large N(0,1), Glorot or He; large saturates sigmoid neurons.",
        choices=INITS,
    )
    eta: float = _param(
        0.5, "η", "float",
        "Learning rate: start near 0.01-0.1 and change it by orders of magnitude.",
        low=0.0, high=100.0, low_open=True,
    )
    batch_size: int = _param(
        10, "batch size", "int",
        "Examples per mini-batch; powers of two up to 128 are the usual choice.",
        low=1, high=60000,
    )
    epochs: int = _param(
        30, "epochs", "int", "Passes over the training data.", low=1, high=10000,
    )
    pace: float = _param(
        0.0, "pace (epochs/s)", "float",
        "Cap training at this many epochs per second so a small run can be watched (0 = no cap).",
        low=0.0, high=1000.0,
    )
    regularization: str = _param(
        "l2", "regularization", "choice",
        "Weight decay: L2 shrinks weights in proportion, L1 by a constant amount.",
        choices=REGULARIZATIONS,
    )
    lmbda: float = _param(
        5.0, "λ", "float",
        "Regularization strength, scaled by the training-set size n as in Nielsen.",
        low=0.0, high=1000.0,
    )
    momentum: float = _param(
        0.0, "momentum μ", "float",
        "Momentum coefficient (0 = plain SGD); 0.9 is a common choice.",
        low=0.0, high=1.0, high_open=True,
    )
    dropout: float = _param(
        0.0, "dropout", "float",
        "Fraction of hidden neurons dropped in each mini-batch (0 = off).",
        low=0.0, high=1.0, high_open=True,
    )
    early_stop: int = _param(
        0, "early-stop patience", "int",
        "Stop after this many epochs without a better validation accuracy (0 = never).",
        low=0, high=10000,
    )
    eta_schedule: str = _param(
        "constant", "η schedule", "choice",
        "halve: halve η after 5 epochs without improvement, down to η/128 (Nielsen ch. 3).",
        choices=SCHEDULES,
    )
    seed: int = _param(
        1, "seed", "int",
        "Random seed for initial weights, shuffling, dropout and toy data; same seed, same run.",
        low=0, high=2**32 - 1,
    )
    dtype: str = _param(
        "float32", "precision", "choice",
        "float32 is faster; float64 is what gradient checks need.",
        choices=DTYPES,
    )
    noise: float = _param(
        0.1, "noise", "float",
        "Jitter of the 2-D toy sets (0 = clean, 1 = very noisy); ignored for images.",
        low=0.0, high=1.0,
    )
    neuron_w: float = _param(
        2.0, "neuron w", "float",
        "Starting weight of the single-neuron toy (Nielsen: 2.0, or 0.6 with b = 0.9).",
        low=-100.0, high=100.0,
    )
    neuron_b: float = _param(
        2.0, "neuron b", "float",
        "Starting bias of the single-neuron toy.",
        low=-100.0, high=100.0,
    )
    eval_train: bool = _param(
        True, "measure training set", "choice",
        "Evaluate cost and accuracy on the whole training set each epoch (costs one extra pass).",
        choices=YES_NO,
    )

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready values, as saved in run records."""
        values = dataclasses.asdict(self)
        values["hidden"] = list(self.hidden)
        return values

    def replace(self, **changes: Any) -> Config:
        return dataclasses.replace(self, **changes)

    @property
    def regularized(self) -> bool:
        return self.regularization != "none" and self.lmbda > 0


def _build_specs() -> dict[str, Spec]:
    specs = {}
    for f in dataclasses.fields(Config):
        label, kind, help_text, extra = f.metadata["spec"]
        specs[f.name] = Spec(name=f.name, label=label, kind=kind, help=help_text, **extra)
    return specs


SPECS: dict[str, Spec] = _build_specs()
"""Every hyperparameter's :class:`Spec`, in the order of the form and the CLI."""

DEFAULTS = Config()


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the values given: which field, and what to do about it."""

    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


class ConfigError(ValueError):
    """Raised by :func:`make_config` with every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems))


# --- turning text into values -------------------------------------------------------------------

def is_switch(name: str) -> bool:
    """Whether field ``name`` holds a bool (shown and typed as yes or no)."""
    return SPECS[name].choices == YES_NO


def format_value(name: str, value: Any) -> str:
    """The text the form or a flag would show for ``value`` (the inverse of :func:`parse_field`)."""
    spec = SPECS[name]
    if spec.kind == "layers":
        return ",".join(str(n) for n in value)
    if is_switch(name):
        return "yes" if value else "no"
    if spec.kind == "float":
        return format_number(float(value))
    return str(value)


def parse_field(name: str, raw: Any) -> Any:
    """Turn one raw value (text, or an already typed value from JSON) into the field's type.

    Raises ``ValueError`` with a message meant for the user.
    """
    spec = SPECS[name]
    if spec.kind == "layers":
        return _parse_layers(raw)
    if is_switch(name):
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().lower()
        if text in ("yes", "true", "1", "on"):
            return True
        if text in ("no", "false", "0", "off"):
            return False
        raise ValueError("expected yes or no")
    if spec.kind == "choice":
        text = str(raw).strip().lower()
        if name == "dataset" and text not in spec.choices:
            # Any other value names a folder of MNIST-format IDX files; the loader checks it.
            text = str(raw).strip()
            if not text:
                raise ValueError("expected " + spec.describe_range() + ", or a folder of IDX files")
            if not text.isprintable():  # shown in logs and titles, from files anyone may write
                raise ValueError("a data set's folder name cannot hold control, "
                                 "direction-changing or other unprintable characters; rename "
                                 "the folder")
            return text
        if text not in spec.choices:
            raise ValueError(f"'{raw}' is not allowed; expected {spec.describe_range()}")
        return text
    if spec.kind == "int":
        value = _parse_number(raw, spec)
        if not float(value).is_integer():
            raise ValueError(f"'{raw}' is not a whole number")
        value = int(value)
    else:
        value = float(_parse_number(raw, spec))
    _check_range(value, spec)
    return value


def _parse_number(raw: Any, spec: Spec) -> float:
    if isinstance(raw, bool):
        raise ValueError(f"expected a number, got {raw!r}")
    if isinstance(raw, int | float):
        try:
            number = float(raw)
        except OverflowError:  # a whole number too large for a float: far out of every range
            raise ValueError(f"{str(raw)[:12]}… is far too large; expected "
                             f"{spec.describe_range()}") from None
    else:
        text = str(raw).strip().replace("_", "")
        if not text:
            raise ValueError(f"a value is needed ({spec.describe_range()})")
        try:
            number = float(text)
        except ValueError:
            raise ValueError(f"'{raw}' is not a number") from None
    if not math.isfinite(number):
        raise ValueError("must be a finite number")
    return number


def _check_range(value: float, spec: Spec) -> None:
    too_low = spec.low is not None and (
        value <= spec.low if spec.low_open else value < spec.low
    )
    too_high = spec.high is not None and (
        value >= spec.high if spec.high_open else value > spec.high
    )
    if too_low or too_high:
        raise ValueError(
            f"{format_number(value)} is out of range; expected {spec.describe_range()}"
        )


def _parse_layers(raw: Any) -> tuple[int, ...]:
    if isinstance(raw, list | tuple):
        items = [str(x) for x in raw]
    else:
        text = str(raw).strip()
        items = [part.strip() for part in text.replace(" ", ",").split(",") if part.strip()]
    sizes = []
    for item in items:
        try:
            size = int(item)
        except ValueError:
            raise ValueError(
                f"'{item}' is not a layer size; write sizes like 30 or 64,64"
            ) from None
        if not 1 <= size <= 4096:
            raise ValueError(f"a layer of {format_number(size)} neurons is out of range; use 1 "
                             f"to 4096")
        sizes.append(size)
    if len(sizes) > 10:
        raise ValueError(f"{len(sizes)} hidden layers is too many; use at most 10")
    return tuple(sizes)


# --- whole-config checks --------------------------------------------------------------------------

PAIRINGS_HELP = (
    "cross-entropy goes with a sigmoid output, log-likelihood with softmax, "
    "quadratic with any output"
)


def check_combination(config: Config) -> list[Problem]:
    """Problems that only show when fields are read together (e.g. a cost and an output layer)."""
    problems = []
    if config.cost == "log-likelihood" and config.output != "softmax":
        problems.append(Problem(
            "cost",
            f"log-likelihood needs a softmax output (it is −ln of the probability the network "
            f"gives the right class, so the outputs must form a distribution); {PAIRINGS_HELP}",
        ))
    if config.cost == "cross-entropy" and config.output != "sigmoid":
        problems.append(Problem(
            "cost",
            f"cross-entropy treats each output as an independent probability in (0, 1), which a "
            f"{config.output} output does not give; {PAIRINGS_HELP}",
        ))
    if config.dataset == "neuron":
        if config.output == "softmax":
            problems.append(Problem(
                "output",
                "the single neuron has one output, and a softmax over one output is always 1; "
                "use sigmoid",
            ))
        if config.hidden:
            problems.append(Problem(
                "hidden", "the single-neuron toy has no hidden layers; leave the field empty",
            ))
        if config.train_size > 1:
            problems.append(Problem(
                "train_size", "the single-neuron toy has one training example; use 0",
            ))
    if config.expand and config.dataset in (*TOY_SETS, "neuron"):
        what = "the single neuron has one number" if config.dataset == "neuron" else (
            f"{config.dataset} is a set of points in the plane")
        problems.append(Problem(
            "expand",
            f"expanding shifts each training image by a pixel, and {what}, not images; set "
            f"expand to no or choose an image set",
        ))
    if config.dropout > 0 and not config.hidden:
        problems.append(Problem("dropout", "dropout acts on hidden layers; add one or set 0"))
    return problems


def parse_values(values: Mapping[str, Any], base: Config = DEFAULTS) -> tuple[Config | None,
                                                                                 list[Problem]]:
    """Build a config from raw values laid over ``base``; returns it, or None and every problem."""
    changes: dict[str, Any] = {}
    problems: list[Problem] = []
    for name, raw in values.items():
        if name not in SPECS:
            problems.append(Problem(name, "unknown hyperparameter; known: " + ", ".join(SPECS)))
            continue
        try:
            changes[name] = parse_field(name, raw)
        except ValueError as error:
            problems.append(Problem(name, str(error)))
    if problems:
        return None, problems
    config = dataclasses.replace(base, **changes)
    problems = check_combination(config)
    return (None, problems) if problems else (config, [])


def make_config(base: Config = DEFAULTS, **values: Any) -> Config:
    """Like :func:`parse_values` but raises :class:`ConfigError`; handy in code and tests."""
    config, problems = parse_values(values, base)
    if config is None:
        raise ConfigError(problems)
    return config


def config_from_dict(data: Mapping[str, Any]) -> Config:
    """Load a config saved by :meth:`Config.to_dict` (a run record or a model file)."""
    if not isinstance(data, Mapping):
        raise ConfigError([Problem("config", "expected a JSON object of hyperparameters")])
    return make_config(**{k: v for k, v in data.items() if k in SPECS})


def describe(config: Config) -> str:
    """A one-line summary such as ``mnist hidden=30 sigmoid/sigmoid cross-entropy η=0.5 batch 10
    L2 λ=5`` (``mnist expanded`` when the training images are expanded).

    Only what shapes the learning: the pace, which only sets how fast it can be watched, is left
    out."""
    hidden = ",".join(str(n) for n in config.hidden) or "none"
    reg = "" if not config.regularized else f" {config.regularization.upper()} λ={config.lmbda:g}"
    expanded = " expanded" if config.expand else ""
    return (
        f"{config.dataset}{expanded} hidden={hidden} {config.activation}/{config.output} "
        f"{config.cost} η={config.eta:g} batch {config.batch_size}{reg}"
    )


# --- which fields a data set uses -------------------------------------------------------------

TOY_SETS = ("circle", "xor", "gauss", "spiral")

_ONLY_FOR: dict[str, tuple[str, ...]] = {
    "noise": TOY_SETS,
    "neuron_w": ("neuron",),
    "neuron_b": ("neuron",),
}
_NOT_FOR: dict[str, tuple[str, ...]] = {
    "train_size": ("neuron",),  # the neuron has exactly one example
    "expand": (*TOY_SETS, "neuron"),  # shifting by a pixel needs images
}


def applies(name: str, dataset: str) -> bool:
    """Whether hyperparameter ``name`` means anything for ``dataset`` (a name or an IDX folder);
    the form hides the fields that do not."""
    if name in _ONLY_FOR:
        return dataset in _ONLY_FOR[name]
    return dataset not in _NOT_FOR.get(name, ())
