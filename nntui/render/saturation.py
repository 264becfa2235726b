"""Saturated neurons as both front ends show them: a line of fractions per epoch, the histogram
of z drawn in block characters, and the fractions against epochs as plot series.

A z histogram (:class:`~nntui.insight.saturation.LayerSaturation`) has its own fixed bins; to
draw it in a given number of columns, or beside another run's on a common axis, its counts are
spread over the columns in proportion to how much of each bin a column covers
(:func:`rebin`), so the area under the bars stays the examples counted.  Columns whose z
saturates the layer's activation (σ'(z) below a tenth of its maximum; z ≤ 0 for a ReLU) are
drawn in the saturation colour, the others in the layer's; the x axis's ticks are round values
(:func:`~nntui.render.plots.nice_ticks`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from rich.style import Style
from rich.text import Text

from nntui.insight.saturation import (
    DEAD,
    NONE,
    SATURATED,
    LayerSaturation,
    SaturationReport,
    fractions,
    measure_words,
    saturation_edge,
)
from nntui.render.plots import PALETTE, Series, one_two_five

BLOCKS = " ▁▂▃▄▅▆▇█"
"""A column's height in eighths of a row."""

SATURATED_COLOR = PALETTE[3]  # red: where σ'(z) is small, or a ReLU is off
LIVE_COLOR = PALETTE[0]  # blue: where the neuron learns
UNJUDGED_COLOR = (150, 150, 150)  # grey: where z alone does not say (softmax, linear)

FRACTION_TITLES = ("Saturated (σ′ < max/10) or dead units per layer (%)",
                   "Saturated or dead units (%)", "Saturated %")
"""The fraction plot's titles, longest first."""


def percent(value: float | None) -> str:
    if value is None or not math.isfinite(value):
        return "—"
    return f"{100 * value:.1f} %"


def fraction_line(report: SaturationReport) -> str:
    """``saturated: hidden 1 68.0 %, output 19.0 %`` — each measure's layers, in order (a
    ReLU net's: ``dead: hidden 1 0.0 %, hidden 2 1.6 % · saturated: output 12.0 %``)."""
    groups: dict[str, list[str]] = {}
    for layer in report.layers:
        if layer.measure != NONE:
            groups.setdefault(layer.measure, []).append(f"{layer.name} {percent(layer.fraction)}")
    return " · ".join(f"{measure}: {', '.join(parts)}" for measure, parts in groups.items())


def legend_line(report: SaturationReport) -> str:
    """What the words of :func:`fraction_line` count, for the measures the report uses."""
    measures = [m for m in (SATURATED, DEAD) if any(x.measure == m for x in report.layers)]
    return "; ".join([*(measure_words(m) for m in measures),
                      f"on {report.sample:,} training inputs"])


def fraction_series(reports: Sequence[SaturationReport], label: str = "") -> list[Series]:
    """Each measured layer's fraction in per cent against epochs (0: before training);
    ``label`` (a run's) goes before each layer's name."""
    return [Series(f"{label} {name}".strip(), [float(e) for e, _ in points],
                   [100 * f for _, f in points])
            for name, _, points in fractions([r for r in reports if r.at_epoch_end])]


def rebin(layer: LayerSaturation, lo: float, hi: float, columns: int) -> list[float]:
    """The layer's z counts spread over ``columns`` equal columns of [lo, hi), each bin's count
    shared among the columns it overlaps in proportion to the overlap."""
    out = [0.0] * columns
    step = (hi - lo) / columns
    edges = layer.edges
    for count, a, b in zip(layer.counts, edges, edges[1:], strict=False):
        if not count or b <= lo or a >= hi:
            continue
        first, last = max(0, int((a - lo) // step)), min(columns - 1, int((b - lo) // step))
        for column in range(first, last + 1):
            left, right = lo + column * step, lo + (column + 1) * step
            overlap = min(b, right) - max(a, left)
            if overlap > 0:
                out[column] += count * overlap / (b - a)
    return out


def _saturates(layer: LayerSaturation, z: float) -> bool | None:
    """Whether the layer saturates at ``z``; None where z alone does not say (softmax, whose
    slope aⱼ(1 − aⱼ) depends on the whole layer's z, and a linear layer)."""
    if layer.measure == DEAD:
        return z <= 0
    edge = saturation_edge(layer.activation)
    return None if edge is None else abs(z) > edge


def histogram_lines(layer: LayerSaturation, *, width: int, height: int,
                    lo: float | None = None, hi: float | None = None,
                    plain: bool = False) -> list[Text]:
    """The z histogram in ``height`` rows of bars and one of ticks, ``width`` columns, over
    [lo, hi) (default: the layer's own bins).  Bars are scaled to the tallest column; columns
    where the layer saturates are red, the others blue, all grey where z alone does not say
    (``plain``: ``▒`` for saturated)."""
    lo = layer.lo if lo is None else lo
    hi = layer.hi if hi is None else hi
    width, height = max(width, 8), max(height, 1)
    heights = rebin(layer, lo, hi, width)
    top = max(heights, default=0.0) or 1.0
    step = (hi - lo) / width
    flat = [_saturates(layer, lo + (c + 0.5) * step) for c in range(width)]
    lines = []
    for row in range(height - 1, -1, -1):
        line = Text()
        for column, count in enumerate(heights):
            eighths = round(8 * height * count / top) - 8 * row
            block = BLOCKS[max(0, min(8, eighths))]
            if plain and flat[column] and block != " ":
                block = "▒"
            color = {True: SATURATED_COLOR, False: LIVE_COLOR}.get(flat[column], UNJUDGED_COLOR)
            line.append(block, None if plain else Style(color=f"rgb{color}"))
        lines.append(line)
    lines.append(_axis(lo, hi, width))
    return lines


def axis_ticks(lo: float, hi: float, step: float) -> list[tuple[float, str]]:
    """The multiples of ``step`` (1, 2 or 5 × 10ⁿ) inside [lo, hi], labelled with the decimals
    the step needs."""
    first, last = math.ceil(lo / step - 1e-9), math.floor(hi / step + 1e-9)
    decimals = max(0, -math.floor(math.log10(step) + 1e-9))
    return [(k * step + 0.0, f"{k * step + 0.0:.{decimals}f}") for k in range(first, last + 1)]


def _placed(ticks: list[tuple[float, str]], lo: float, hi: float, width: int,
            gap: int) -> str | None:
    """The tick labels laid out under ``width`` columns, each number's digits centred on its
    value (a minus sign before them), kept inside the line, ``gap`` spaces at least between two;
    None if they do not all fit."""
    cells = [" "] * width
    for value, label in ticks:
        centre = min(width - 1, math.floor((value - lo) / (hi - lo) * width))  # its column
        digits = label.lstrip("-")
        start = centre - len(digits) // 2 - (len(label) - len(digits))
        start = min(max(0, start), width - len(label))
        if start < 0 or any(c != " " for c in cells[max(0, start - gap):start + len(label) + gap]):
            return None
        cells[start:start + len(label)] = label
    return "".join(cells)


def _axis(lo: float, hi: float, width: int) -> Text:
    """Round ticks under the columns, evenly spaced: the finest step whose labels all fit two
    spaces apart, else one space apart (ending with the middle alone)."""
    first = 10.0 ** math.floor(math.log10(max((hi - lo) / max(width // 3, 1), 1e-12)))
    for gap in (2, 1):
        for step in one_two_five(first):
            ticks = axis_ticks(lo, hi, step)
            if len(ticks) < 2:
                break
            if len(ticks) > max(2, width // 6):  # crowded even where the labels fit
                continue
            placed = _placed(ticks, lo, hi, width, gap)
            if placed is not None:
                return Text(placed, "dim")
    return Text(_placed(axis_ticks(lo, hi, hi - lo), lo, hi, width, 0) or " " * width, "dim")


def layer_captions(layer: LayerSaturation, label: str = "") -> list[str]:
    """What a histogram's title says, fullest first, for the caller to take the longest that
    fits: ``init=large · hidden 1 (sigmoid): z σ 8.94, 68.0 % saturated`` down to
    ``init=large · h1: σ 8.94, 68.0 %``; the share of z outside the bins is added when some is."""
    fraction = percent(layer.fraction)
    word = {SATURATED: " saturated", DEAD: " dead"}.get(layer.measure, "")
    tail = [f", {fraction}{word}"] if layer.measure != NONE else [""]
    outside = layer.below + layer.above
    if outside and layer.total:
        tail[0] += f", {100 * outside / layer.total:.1f} % outside"
    prefix = f"{label} · " if label else ""
    short = "h" + layer.name.removeprefix("hidden ") if layer.name.startswith("hidden ") \
        else layer.name
    shares = f", {fraction}{word}" if layer.measure != NONE else ""
    spread = f"z σ {layer.z_std:.3g}"
    captions = [f"{prefix}{layer.name} ({layer.activation}): {spread}{tail[0]}",
                f"{prefix}{layer.name}: {spread}{tail[0]}",
                f"{prefix}{layer.name} ({layer.activation}): {spread}{shares}",
                f"{prefix}{layer.name}: {spread}{shares}",
                f"{prefix}{short}: σ {layer.z_std:.3g}{shares}",
                f"{prefix}{short}: σ {layer.z_std:.3g}"
                + (f", {fraction}" if layer.measure != NONE else "")]
    return list(dict.fromkeys(captions))


def layer_caption(layer: LayerSaturation, label: str = "", width: int = 1000) -> str:
    """The fullest of :func:`layer_captions` within ``width`` cells (else the shortest)."""
    captions = layer_captions(layer, label)
    return next((c for c in captions if len(c) <= width), captions[-1])
