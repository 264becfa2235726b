"""Saturated neurons, per layer: the spread of the weighted inputs z and how many units have
stopped learning.

A neuron learns through σ'(z): backprop multiplies its error by it (δˡ = (δˡ⁺¹·Wˡ⁺¹) ⊙ σ'(zˡ)),
so where σ'(z) is small its weights barely move.  For the sigmoid σ'(z) = σ(z)(1 − σ(z)) is at
most ¼ (at z = 0) and falls below a tenth of that once |z| > 3.64; for tanh, 1 − tanh²z, below a
tenth of its maximum 1 once |z| > 1.82.  Nielsen's case for the normalized initialization is
exactly this: with weights and biases drawn from N(0, 1) a hidden neuron fed n inputs xᵢ has

    z = Σᵢ wᵢ xᵢ + b,    Var z = Σᵢ xᵢ² + 1,

about 100 for an MNIST digit, so |z| is typically 10 and most hidden neurons start saturated;
with weights from N(0, 1/n) instead, Var z = Σᵢ xᵢ²/n + 1, close to 1.

A :class:`SaturationMeter` measures a network over a fixed sample of training inputs (the same
examples every time, drawn once with the run's seed) and gives, per layer
(:class:`LayerSaturation`):

* the histogram of z over every unit and example, in bins fixed at the first measurement (so
  frames of one run compare), with counts below and above the range kept apart;
* for the sigmoid, tanh and softmax (its diagonal ∂aⱼ/∂zⱼ = aⱼ(1 − aⱼ)), the histogram of σ'(z)
  over its maximum in tenths, and the fraction of unit-example pairs *saturated*: σ'(z) below a
  tenth of its maximum (the first of those tenths);
* for a ReLU, whose σ' is 0 or 1 and never small, the fraction of *dead* units: those never
  active (z ≤ 0) on any example of the sample, which no example can teach any more;
* for a linear layer, nothing: it cannot saturate.

Each layer says which measure it uses (:attr:`LayerSaturation.measure`), and every place that
shows a fraction says it too (:func:`measure_words`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any, ClassVar

import numpy as np

from nntui.engine import Network

SAMPLE_SIZE = 500
"""Training inputs the statistics are measured on: enough that a layer's fraction is known to
a per cent or two, few enough that measuring stays near 1 % of an MNIST epoch's training (its
forward pass of 500 images is 1/120 of an epoch's over 60,000; benchmarks/bench_saturation.py
measures it)."""

BINS = 40
"""Bins of the z histogram between its limits."""

TENTHS = 10
"""Bins of σ'(z) / max σ': the first holds the saturated units."""

SATURATED_BELOW = 0.1
"""A unit is saturated on an example where σ'(z) is below this fraction of σ's largest slope."""

SATURATED = "saturated"
DEAD = "dead"
NONE = "none"

# σ's largest slope and the |z| beyond which σ'(z) < max/10, per activation that saturates.
_SLOPES = {"sigmoid": 0.25, "softmax": 0.25, "tanh": 1.0}
_EDGES = {"sigmoid": 3.64, "softmax": 3.64, "tanh": 1.82, "relu": 1.0, "linear": 1.0}


def saturation_edge(activation: str) -> float | None:
    """|z| beyond which the activation's σ'(z) is below a tenth of its maximum (None: it has no
    such place, or, for softmax, whose aⱼ depends on the whole layer's z, no place of zⱼ
    alone)."""
    return _EDGES.get(activation) if activation in ("sigmoid", "tanh") else None


def measure_of(activation: str) -> str:
    """How a layer of this activation is judged: :data:`SATURATED`, :data:`DEAD` or
    :data:`NONE`."""
    if activation in _SLOPES:
        return SATURATED
    return DEAD if activation == "relu" else NONE


def measure_words(measure: str) -> str:
    """What a fraction of this measure counts, for a legend or a column title."""
    return {SATURATED: "saturated = σ′(z) below max/10", DEAD: "dead = a ReLU never active",
            NONE: "linear: cannot saturate"}.get(measure, measure)


@dataclass(frozen=True)
class LayerSaturation:
    """One layer measured on the sample; ``counts`` is the z histogram over [lo, hi) in
    :data:`BINS` equal bins, ``below`` and ``above`` the values outside; ``derivative`` the
    histogram of σ'(z)/max σ' in tenths (empty for a ReLU or a linear layer); ``fraction`` the
    saturated fraction of unit-example pairs, or the dead fraction of units, or None."""

    name: str  # "hidden 1", …, "output"
    activation: str
    measure: str  # SATURATED, DEAD or NONE
    fraction: float | None
    lo: float
    hi: float
    counts: tuple[int, ...]
    below: int
    above: int
    z_mean: float
    z_std: float
    derivative: tuple[int, ...] = ()

    @property
    def total(self) -> int:
        return sum(self.counts) + self.below + self.above

    @property
    def edges(self) -> list[float]:
        """The bins' limits, ``len(counts) + 1`` of them."""
        step = (self.hi - self.lo) / len(self.counts)
        return [self.lo + i * step for i in range(len(self.counts) + 1)]

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["counts"], data["derivative"] = list(self.counts), list(self.derivative)
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> LayerSaturation:
        fields = {name: data[name] for name in cls.__dataclass_fields__ if name in data}
        fields["counts"] = tuple(int(c) for c in data.get("counts", ()))
        fields["derivative"] = tuple(int(c) for c in data.get("derivative", ()))
        fraction = fields.get("fraction")
        fields["fraction"] = None if fraction is None else float(fraction)
        return cls(**fields)


@dataclass(frozen=True, kw_only=True)
class SaturationReport:
    """Every layer measured after ``epoch`` complete epochs (0: before training) and ``batch``
    mini-batches of the next (0 at an epoch's end, the measurements the run history keeps).
    An event of the run: observers hear it through ``on_saturation``."""

    hook: ClassVar[str] = "on_saturation"

    epoch: int
    batch: int = 0
    sample: int  # inputs measured
    layers: tuple[LayerSaturation, ...]

    @property
    def at_epoch_end(self) -> bool:
        return self.batch == 0

    def as_dict(self) -> dict[str, Any]:
        return {"epoch": self.epoch, "batch": self.batch, "sample": self.sample,
                "layers": [layer.as_dict() for layer in self.layers]}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SaturationReport:
        return cls(epoch=int(data["epoch"]), batch=int(data.get("batch", 0)),
                   sample=int(data.get("sample", 0)),
                   layers=tuple(LayerSaturation.from_dict(layer) for layer in data["layers"]))


def sample_rows(n: int, seed: int, size: int = SAMPLE_SIZE) -> np.ndarray:
    """The rows of a training set of ``n`` examples the statistics are measured on: ``size`` of
    them (all, if fewer) drawn once with ``seed``, in order."""
    if n <= size:
        return np.arange(n)
    return np.sort(np.random.default_rng(seed).choice(n, size, replace=False))


def half_width(activation: str, mean: float, std: float) -> float:
    """The z histogram's limits ±W for a layer whose first z has this mean and spread: W the
    smallest of 1, 2, 5 × 10ⁿ that holds mean ± 4 standard deviations and the |z| where the
    activation saturates (so its flat parts are always in view)."""
    need = max(abs(mean) + 4 * std, 1.25 * _EDGES.get(activation, 1.0))
    if not math.isfinite(need):
        return 10.0
    width = 10.0 ** math.floor(math.log10(need))
    for multiple in (1, 2, 5, 10):
        if multiple * width >= need:
            return multiple * width
    return 10 * width  # pragma: no cover - the loop always returns


def _histogram(values: np.ndarray, lo: float, hi: float, bins: int) -> tuple[list[int], int, int]:
    """Counts in ``bins`` equal bins of [lo, hi), and below and above: one bincount on indices
    computed in place, not np.histogram's general path."""
    index = values.ravel() - np.asarray(lo, values.dtype)
    index *= np.asarray(bins / (hi - lo), values.dtype)
    np.floor(index, out=index)
    np.clip(index, -1, bins, out=index)
    # A NaN z (a diverged run) counts above: no bin holds it.
    np.nan_to_num(index, copy=False, nan=bins)
    counts = np.bincount(index.astype(np.intp) + 1, minlength=bins + 2)
    return [int(c) for c in counts[1:-1]], int(counts[0]), int(counts[-1])


def _spread(z: np.ndarray) -> tuple[float, float]:
    """Mean and standard deviation of every value of ``z``, from its sum and its sum of squares
    (one BLAS dot), accumulated in float64."""
    n = z.size
    if not n:
        return math.nan, math.nan
    flat = z.ravel()
    with np.errstate(invalid="ignore", over="ignore"):
        mean = float(flat.sum(dtype=np.float64)) / n
        squares = float(np.dot(flat.astype(np.float64), flat.astype(np.float64))) \
            if z.dtype != np.float64 else float(np.dot(flat, flat))
        variance = max(0.0, squares / n - mean * mean)
    return mean, math.sqrt(variance) if math.isfinite(variance) else math.nan


def _slope(activation: str, z: np.ndarray) -> np.ndarray:
    """σ'(z) / max σ', between 0 and 1."""
    if activation == "tanh":
        t = np.tanh(z)
        return 1.0 - t * t
    if activation == "softmax":
        e = np.exp(z - z.max(axis=1, keepdims=True))
        a = e / e.sum(axis=1, keepdims=True)
    else:
        a = 0.5 * (1.0 + np.tanh(0.5 * z))  # the sigmoid, as the engine computes it
    return 4.0 * a * (1.0 - a)


def measure_layer(name: str, activation: str, z: np.ndarray, lo: float,
                  hi: float) -> LayerSaturation:
    """One layer's statistics from its weighted inputs ``z`` (examples × units)."""
    counts, below, above = _histogram(z, lo, hi, BINS)
    measure = measure_of(activation)
    derivative: list[int] = []
    fraction: float | None = None
    if measure == SATURATED:
        tenths = np.minimum(np.floor(_slope(activation, z) * TENTHS), TENTHS - 1)
        tenths = np.nan_to_num(tenths, nan=0.0)  # NaN z: no slope at all
        derivative = [int(c) for c in np.bincount(tenths.astype(np.intp).ravel(),
                                                  minlength=TENTHS)]
        fraction = derivative[0] / z.size if z.size else math.nan
    elif measure == DEAD:
        fraction = float(np.mean(~(z > 0).any(axis=0))) if len(z) else math.nan
    mean, std = _spread(z)
    return LayerSaturation(name=name, activation=activation, measure=measure,
                           fraction=fraction, lo=lo, hi=hi, counts=tuple(counts), below=below,
                           above=above, z_mean=mean, z_std=std, derivative=tuple(derivative))


def layer_label(index: int, count: int) -> str:
    """'hidden 1', …, 'output'."""
    return "output" if index == count - 1 else f"hidden {index + 1}"


OUTSIDE = 0.01
"""The share of z a histogram may leave outside its limits before they are doubled."""

MAX_DOUBLINGS = 8


class SaturationMeter:
    """Measures a network on a fixed sample ``x`` of its training inputs.  The z histogram's
    limits of each layer are set by the first measurement (:func:`half_width`) and kept; when
    more than :data:`OUTSIDE` of a layer's z falls outside them (training spread it), they are
    doubled for this and every later measurement, each new bin exactly two old ones, so every
    frame of a run can be drawn on one axis."""

    def __init__(self, x: np.ndarray) -> None:
        self.x = x
        self.limits: list[tuple[float, float]] | None = None

    def measure(self, network: Network, epoch: int, batch: int = 0) -> SaturationReport:
        zs = network.weighted_inputs(self.x)
        names = [network.activation.name] * (len(zs) - 1) + [network.output.name]
        if self.limits is None:
            self.limits = []
            for z, activation in zip(zs, names, strict=True):
                w = half_width(activation, *_spread(z))
                self.limits.append((-w, w))
        layers = []
        for i, (z, activation) in enumerate(zip(zs, names, strict=True)):
            lo, hi = self.limits[i]
            layer = measure_layer(layer_label(i, len(zs)), activation, z, lo, hi)
            for _ in range(MAX_DOUBLINGS):
                if layer.below + layer.above <= OUTSIDE * layer.total:
                    break
                lo, hi = 2 * lo, 2 * hi  # every new bin is two old ones: frames still compare
                layer = measure_layer(layer.name, activation, z, lo, hi)
            self.limits[i] = (lo, hi)
            layers.append(layer)
        return SaturationReport(epoch=epoch, batch=batch, sample=len(self.x),
                                layers=tuple(layers))


def expected_z_spread(x: np.ndarray, init: str) -> float:
    """The standard deviation of the first layer's z that the initialization implies for the
    inputs ``x``, over the draw of the weights and the examples: for one input row,

        large       w, b ~ N(0, 1):       Var z = Σᵢ xᵢ² + 1
        normalized  w ~ N(0, 1/n), b ~ N(0, 1):  Var z = Σᵢ xᵢ²/n + 1

    and, the mean of z being 0 for every row, Var z over the rows is the mean of those."""
    squares = np.einsum("ij,ij->i", x, x, dtype=np.float64)
    n = x.shape[1]
    if init == "large":
        return float(np.sqrt(np.mean(squares) + 1.0))
    if init == "normalized":
        return float(np.sqrt(np.mean(squares) / n + 1.0))
    raise ValueError(f"no expected spread for the initialization {init!r}; "
                     f"use large or normalized")


Curve = tuple[str, str, list[tuple[int, float]]]


def fractions(reports: Sequence[SaturationReport]) -> list[Curve]:
    """Per layer that has a measure: its name, measure and (epoch, fraction) over ``reports``."""
    if not reports:
        return []
    out = []
    for i, layer in enumerate(reports[-1].layers):
        if layer.measure == NONE:
            continue
        points = [(r.epoch, r.layers[i].fraction) for r in reports
                  if i < len(r.layers) and r.layers[i].fraction is not None]
        out.append((layer.name, layer.measure, points))
    return out


def reports_from_dicts(data: Sequence[Any]) -> list[SaturationReport]:
    """The reports a run history or a message kept as dicts (:meth:`SaturationReport.as_dict`);
    one that does not read as a report (another version's, damaged) is passed over."""
    reports = []
    for item in data:
        try:
            reports.append(SaturationReport.from_dict(item))
        except (KeyError, TypeError, ValueError, AttributeError):
            continue
    return reports
