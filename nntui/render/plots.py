"""What the three plots show, computed once from the epoch history, and how they are drawn.

The series builders are plain functions of the history so the app and ``nntui train --plot`` plot
exactly the same curves.  :func:`draw` lays a plot out on any plotext-like object (the ``plotext``
module itself, or a textual-plotext widget's ``plt``) for a canvas of a given size: it sets the
limits and round ticks itself, so every point lands inside the frame and the axes read cleanly.
The legend is not plotext's, which sits on the start of the curves: :func:`header_lines` puts it
beside the title, above the plot.  A series' colour follows its role (training, held-out data,
the running mini-batch cost), a layer's its place, so both stay put across redraws and plots.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from types import ModuleType

from rich.console import Console
from rich.style import Style as RichStyle
from rich.text import Text

from nntui.engine import EpochReport

COST_TITLES = ("Cost per epoch (with regularization term)", "Cost per epoch", "Cost")
PLAIN_COST_TITLES = ("Cost per epoch", "Cost")
ACCURACY_TITLES = ("Accuracy per epoch (%)", "Accuracy (%)", "Acc. %")
SPEED_TITLES = ("Learning speed: RMS over mini-batches of ‖∂C/∂b‖ per layer",
                "Learning speed: RMS ‖∂C/∂b‖ per layer", "Speed: RMS ‖∂C/∂b‖", "RMS ‖∂C/∂b‖")
"""Each plot's titles, longest first: a narrow plot takes the longest that fits with its legend
(:func:`header_lines`).  The learning speed is Nielsen's (ch. 5): per layer, the RMS over an
epoch's mini-batches of the gradient's norm with respect to that layer's biases."""


def regularization_term(config) -> str:
    """What a run's costs add to the data's cost: "L2" or "L1" when it regularizes (a λ above 0),
    "" when they are the data's cost alone."""
    if config.regularization == "none" or not config.lmbda:
        return ""
    return config.regularization.upper()


def cost_titles(terms: Sequence[str]) -> tuple[str, ...]:
    """The cost plot's titles, longest first, for runs whose costs add ``terms`` (one per run:
    :func:`regularization_term`): the regularization term is named only where a run has one."""
    named = {term for term in terms if term}
    if not named:
        return PLAIN_COST_TITLES
    if len(named) == 1 and all(terms):
        return (f"Cost per epoch (with the {named.pop()} term)", *COST_TITLES[1:])
    return ("Cost per epoch (with each run's regularization term)", *COST_TITLES[1:])


@dataclass(frozen=True)
class Series:
    label: str
    x: list[float]
    y: list[float]
    role: str = ""
    """Fixes the colour: training, held-out, running or overlay (a pinned run); a layer's series
    has none (see styles)."""
    settle: float = -math.inf
    """Points left of this x are drawn but do not set the value axis: the running mean of an
    epoch's first mini-batches is the cost of a few of them, far above the epoch's."""
    under: str = ""
    """The label of the curve drawn over most of this one (:func:`mark_hidden`), named in the
    legend so that a hidden curve is not taken for a missing one."""


def thin(series: Series, limit: int) -> Series:
    """At most ``limit`` points of ``series``, what a plot of limited width can show anyway.

    The points fall into ``limit // 2`` equal runs of epochs; each run keeps its lowest and its
    highest point, in epoch order, and the first and last points always stay.  Unlike every k-th
    point, this never hides a spike: a cost that jumped for one epoch still jumps on the plot.
    """
    n = len(series.x)
    if n <= limit:
        return series
    buckets = max(1, (limit - 2) // 2)
    keep = {0, n - 1}
    ys = series.y
    for b in range(buckets):
        lo, hi = 1 + (n - 2) * b // buckets, 1 + (n - 2) * (b + 1) // buckets
        if lo >= hi:
            continue
        run = range(lo, hi)
        finite = [i for i in run if math.isfinite(ys[i])] or list(run)
        keep.add(min(finite, key=ys.__getitem__))
        keep.add(max(finite, key=ys.__getitem__))
    idx = sorted(keep)
    return replace(series, x=[series.x[i] for i in idx], y=[ys[i] for i in idx])


def layer_names(count: int) -> list[str]:
    """'hidden 1', 'hidden 2', …, 'output' for a network with ``count`` weight layers."""
    return [f"hidden {i + 1}" for i in range(count - 1)] + ["output"]


def cost_series(history: Sequence[EpochReport], *, held_out: str = "validation") -> list[Series]:
    """Training and held-out cost; ``held_out`` names the held-out set ("test" when it is)."""
    epochs = [float(r.epoch) for r in history]
    series = []
    if history and history[0].train_cost is not None:
        series.append(Series("training", epochs, [r.train_cost for r in history], "training"))
    series.append(Series(held_out, epochs, [r.val_cost for r in history], "held-out"))
    return series


def accuracy_series(history: Sequence[EpochReport], *,
                    held_out: str = "validation") -> list[Series]:
    """Training and held-out accuracy in per cent, labelled like :func:`cost_series`."""
    epochs = [float(r.epoch) for r in history]
    series = []
    if history and history[0].train_accuracy is not None:
        series.append(Series("training", epochs, [100 * r.train_accuracy for r in history],
                             "training"))
    series.append(Series(held_out, epochs, [100 * r.val_accuracy for r in history], "held-out"))
    return series


def speed_series(history: Sequence[EpochReport]) -> list[Series]:
    """Each layer's learning speed; a 0 stays 0 (:func:`draw` floors it on a log axis)."""
    if not history:
        return []
    epochs = [float(r.epoch) for r in history]
    names = layer_names(len(history[0].learning_speed))
    return [Series(name, epochs, [r.learning_speed[i] for r in history])
            for i, name in enumerate(names)]


# --- colours and markers ------------------------------------------------------------------------

RGB = tuple[int, int, int]

PALETTE: tuple[RGB, ...] = (
    (66, 133, 244),   # blue
    (245, 130, 32),   # orange
    (46, 170, 80),    # green
    (220, 50, 60),    # red
    (150, 100, 225),  # violet
    (0, 175, 190),    # teal
    (225, 90, 180),   # pink
    (160, 150, 30),   # olive
)
"""Eight colours far apart in hue, none very dark or very light, so each reads on dark and on
light backgrounds alike."""

TRAINING, HELD_OUT = PALETTE[0], PALETTE[1]
"""Also the first two layers' colours: a series that lost its role keeps its colour by place."""

RUNNING = PALETTE[2]
ROLE_COLORS = {"training": TRAINING, "held-out": HELD_OUT, "running": RUNNING}

PLAIN_MARKERS = ("•", "x", "+", "o", "*", "#", "@", "%")
"""Without colour the lines are told apart by these markers, also shown in the legend."""


@dataclass(frozen=True)
class Style:
    color: RGB
    marker: str = "braille"  # plotext's marker for the curve
    sign: str = "━"          # the curve in the legend
    plain: str = "•"         # marker and sign without colour


OVERLAY_COLORS = PALETTE[3:]
"""Pinned runs drawn beside the live one: never the training, held-out or running colours."""


def styles(series: Sequence[Series]) -> list[Style]:
    """Each series' style: by its role, or by its place among the series without one.

    Past eight such series the colours come round again, drawn in dots instead of lines.
    Overlaid runs take :data:`OVERLAY_COLORS` in turn.
    """
    result, place, overlay = [], 0, 0
    for i, line in enumerate(series):
        plain = PLAIN_MARKERS[i % len(PLAIN_MARKERS)]
        if line.role in ROLE_COLORS:
            result.append(Style(ROLE_COLORS[line.role], plain=plain))
            continue
        if line.role == "overlay":
            lap, k = divmod(overlay, len(OVERLAY_COLORS))
            overlay += 1
            result.append(Style(OVERLAY_COLORS[k], plain=plain) if lap % 2 == 0
                          else Style(OVERLAY_COLORS[k], "dot", "•", plain))
            continue
        lap, k = divmod(place, len(PALETTE))
        place += 1
        result.append(Style(PALETTE[k], plain=plain) if lap % 2 == 0
                      else Style(PALETTE[k], "dot", "•", plain))
    return result


# --- ticks --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Ticks:
    """An axis: its limits, the tick positions inside them and their labels."""

    lo: float
    hi: float
    values: list[float]
    labels: list[str]


def one_two_five(start: float = 1) -> Iterator[float]:
    """``start`` (a power of ten) × 1, 2, 5, 10, 20, 50, 100, …"""
    for power in itertools.count():
        for multiple in (1, 2, 5):
            yield multiple * start * 10**power


MIN_RELATIVE_SPAN = 0.1
"""A value axis spans at least this fraction of its largest value, so noise on a plateau looks
like noise and not like a cliff."""

PADDING = 0.04
"""Room above and below the data, as a fraction of the axis: no curve runs along the frame."""


def nice_ticks(lo: float, hi: float, max_ticks: int, *, min_span: float = 0.0,
               bounds: tuple[float, float] = (-math.inf, math.inf)) -> Ticks:
    """Limits a little wider than [lo, hi] and at most ``max_ticks`` (≥ 2) round ticks inside
    them, 1, 2 or 5 × 10ⁿ apart, labelled with as few decimals as that step needs.

    A range narrower than ``min_span`` or :data:`MIN_RELATIVE_SPAN` is widened about its middle;
    the limits stay inside ``bounds`` (0-100 for a percentage, ≥ 0 for a cost).
    """
    max_ticks = max(2, max_ticks)
    span = max(hi - lo, min_span, MIN_RELATIVE_SPAN * max(abs(lo), abs(hi)), 1e-9)
    middle = (lo + hi) / 2
    lo, hi = min(lo, middle - span / 2), max(hi, middle + span / 2)
    pad = PADDING * span
    lo, hi = max(bounds[0], lo - pad), min(bounds[1], hi + pad)
    if hi - lo < span:  # pushed against a bound: take the room on the other side
        if lo == bounds[0]:
            hi = min(bounds[1], lo + span)
        else:
            lo = max(bounds[0], hi - span)
    for step in one_two_five(10.0 ** math.floor(math.log10((hi - lo) / max_ticks))):
        first, last = math.ceil(lo / step - 1e-9), math.floor(hi / step + 1e-9)
        if last - first + 1 <= max_ticks:
            break
    values = [round(k * step, 12) + 0.0 for k in range(first, last + 1)]
    decimals = max(0, -math.floor(math.log10(step) + 1e-9))
    return Ticks(lo, hi, values, [f"{v:.{decimals}f}" for v in values])


def log_ticks(lo: float, hi: float, max_ticks: int) -> Ticks:
    """Ticks for positive values in [lo, hi] on a log axis, in log₁₀ units (the caller plots
    log₁₀ y).

    Data spanning several decades get the whole decades enclosing them as limits, every decade
    ticked if ``max_ticks`` allows, else every 2nd, 5th, 10th, …, labelled ``1e-3``.  Data within
    :data:`NARROW_DECADES` would sit in a few rows between two or three decade ticks: their axis
    spans the data alone (padded), ticked at 1, 2 and 5 × 10ⁿ where at least three of those fall
    inside, else at round values evenly spaced in between (a cost from 0.38 to 0.46 reads 0.38,
    0.40, …)."""
    low_log, high_log = math.log10(lo), math.log10(hi)
    if high_log - low_log < NARROW_DECADES:
        return _narrow_log_ticks(low_log, high_log, max_ticks)
    low, high = math.floor(low_log + 1e-9), math.ceil(high_log - 1e-9)
    every = next(n for n in one_two_five()
                 if high // n - (-(-low // n)) + 1 <= max(max_ticks, 2))
    values = [float(v) for v in range(-(-low // every) * every, high + 1, every)]
    return Ticks(low, high, values, [f"1e{v:.0f}" for v in values])


NARROW_DECADES = 2.0
"""Data spanning fewer decades than this get a log axis of their own range."""


def _narrow_log_ticks(low_log: float, high_log: float, max_ticks: int) -> Ticks:
    """A log axis over data from 10^``low_log`` to 10^``high_log``, within a decade or two:
    the limits are the data's, padded, and at least :data:`MIN_RELATIVE_SPAN` of a decade apart;
    the ticks are round numbers inside them (:func:`log_ticks`)."""
    span = max(high_log - low_log, MIN_RELATIVE_SPAN)
    middle = (low_log + high_log) / 2
    low_log, high_log = min(low_log, middle - span / 2), max(high_log, middle + span / 2)
    pad = PADDING * span
    low_log, high_log = low_log - pad, high_log + pad
    max_ticks = max(max_ticks, 2)
    decades = range(math.floor(low_log), math.ceil(high_log) + 1)
    for mantissas in ((1, 2, 5), (1,)):
        values = [m * 10.0 ** d for d in decades for m in mantissas
                  if low_log <= math.log10(m) + d <= high_log]
        if 3 <= len(values) <= max_ticks or (mantissas == (1,) and len(values) >= 2):
            return Ticks(low_log, high_log, [math.log10(v) for v in values],
                         [_short(v) for v in values])
    linear = nice_ticks(10 ** low_log, 10 ** high_log, max_ticks, min_span=0.0,
                        bounds=(10 ** low_log, 10 ** high_log))
    pairs = [(math.log10(v), label if len(label) <= 6 else _short(v))
             for v, label in zip(linear.values, linear.labels, strict=True)
             if v > 0 and low_log <= math.log10(v) <= high_log]
    return Ticks(low_log, high_log, [v for v, _ in pairs], [label for _, label in pairs])


def _short(value: float) -> str:
    """A tick value in a few characters: 0.5 → ``0.5``, 20 → ``20``, 0.00012 → ``1.2e-4`` (as
    the decade ticks read)."""
    if 1e-3 <= abs(value) < 1e5:
        return f"{value:.3g}"
    mantissa, _, exponent = f"{value:.2e}".partition("e")
    mantissa = mantissa.rstrip("0").rstrip(".")
    return f"{mantissa}e{int(exponent)}"


def epoch_ticks(first: float, last: float, width: int) -> Ticks:
    """Whole-epoch ticks for an axis from ``first`` to ``last`` drawn ``width`` columns wide:
    multiples of the smallest 1-2-5 × 10ⁿ step whose labels do not crowd each other, led by the
    first epoch when it is well short of the next (1 5 10 15, or 1 100 200 300).

    The limits are the data's rounded out to whole epochs (the running mini-batch curve sits
    between two of them); a single epoch N is shown from N - 1, the start of its training, like
    the running curve.
    """
    hi = math.ceil(last)
    lo = min(math.floor(first), hi - 1)
    columns_per_epoch = max(width - 1, 1) / (hi - lo)
    label = len(str(hi))
    room = label + 2 + label // 2  # a centred label, pushed in at the right edge, and a gap
    step = next(s for s in one_two_five() if s * columns_per_epoch >= room)
    values = list(range(-(-lo // step) * step, hi + 1, step))
    if not values:
        values = [lo]
    elif values[0] - lo > step / 2:  # 1 5 10 and 1 100 200, but not 1 2 4
        between = (len(str(lo)) + len(str(values[0]))) / 2 + 2  # it sits at the left edge
        if (values[0] - lo) * columns_per_epoch >= between:
            values.insert(0, lo)
    return Ticks(lo, hi, [float(v) for v in values], [str(v) for v in values])


# --- drawing ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ValueAxis:
    """What a plot's y values can be: ``bounds`` no tick passes, ``min_span`` its least range."""

    bounds: tuple[float, float] = (0.0, math.inf)
    min_span: float = 0.01


COST_AXIS = ValueAxis()
ACCURACY_AXIS = ValueAxis((0.0, 100.0), 10.0)  # a one-example set's 0 % reads as 0 to 10
SPEED_AXIS = ValueAxis(min_span=1e-6)

LOG_FLOOR = 1e-12
"""A value of exactly 0 (a layer whose gradient vanished) cannot go on a log axis; it sits here."""

MAX_Y_TICKS = 8
"""Even a tall plot gets no more value ticks than this."""


Points = list[tuple[float, float]]


def _drawable(series: Sequence[Series], log: bool) -> list[tuple[Points, Points]]:
    """Each series' finite points, y in log₁₀ on a log axis (a 0 at :data:`LOG_FLOOR`), and
    those of them that set the value axis (right of its ``settle``; all of them when no series
    has any)."""
    lines = []
    for line in series:
        points = [(x, math.log10(max(y, LOG_FLOOR)) if log else y)
                  for x, y in zip(line.x, line.y, strict=True)
                  if math.isfinite(x) and math.isfinite(y)]
        lines.append((points, [(x, y) for x, y in points if x >= line.settle]))
    if not any(ranged for _, ranged in lines):
        lines = [(points, points) for points, _ in lines]
    return lines


@dataclass(frozen=True)
class Layout:
    """Where a plot's curves go: its axes' ticks, the value axis's limits (a little wider than
    its ticks, see :func:`layout`) and the canvas's rows and columns inside the frame."""

    xaxis: Ticks
    yaxis: Ticks
    ylim: tuple[float, float]
    rows: int
    columns: int


def layout(lines: Sequence[tuple[Points, Points]], *, width: int, height: int,
           axis: ValueAxis, log: bool, xlabel: bool, plain: bool) -> Layout | None:
    """The axes for ``lines`` (from :func:`_drawable`) on a ``width`` × ``height`` canvas; None
    without a point.

    A braille cell is four dots tall and a tick label sits beside its middle: the value axis
    reaches a dot and a half beyond its end ticks, so a curve on a bound (100 %, a cost of 0) is
    drawn level with its tick, not above or below it."""
    xs = [x for points, _ in lines for x, _ in points]
    ys = [y for _, ranged in lines for _, y in ranged]
    if not xs:
        return None
    rows = height - 3 - xlabel  # less the frame's two lines and the tick labels'
    y_ticks = max(2, min(MAX_Y_TICKS, rows // 3 + 1))  # two blank rows between two ticks
    if log:
        yaxis = log_ticks(10 ** min(ys), 10 ** max(ys), y_ticks)
    else:
        yaxis = nice_ticks(min(ys), max(ys), y_ticks, min_span=axis.min_span, bounds=axis.bounds)
    dots = 1 if plain else 4  # a marker character fills its cell
    half_cell = (dots - 1) / 2 * (yaxis.hi - yaxis.lo) / max(dots * max(rows, 1) - 1, 1)
    columns = width - max(map(len, yaxis.labels), default=0) - 2  # less labels and frame
    xaxis = epoch_ticks(min(xs), max(xs), columns)
    return Layout(xaxis, yaxis, (yaxis.lo - half_cell, yaxis.hi + half_cell), rows, columns)


def draw(plt, series: Sequence[Series], *, width: int, height: int,
         axis: ValueAxis = COST_AXIS, log: bool = False, xlabel: bool = True,
         plain: bool = False, first_on_top: bool = False) -> None:
    """Clear ``plt`` and lay ``series`` out on a ``width`` × ``height`` canvas, no title or legend.

    The limits enclose every finite point (but those of a series left of its ``settle``, which
    plotext cuts off at the frame) and the ticks are spaced for this size, so nothing is drawn
    outside the frame and tick labels do not collide; ``plain`` draws marker characters instead
    of coloured braille, for text without colour.  With no points the frame is empty.
    """
    plt.clear_figure()
    plt.plotsize(width, height)
    if xlabel:
        plt.xlabel("epoch")
    drawable = _drawable(series, log)
    axes = layout(drawable, width=width, height=height, axis=axis, log=log, xlabel=xlabel,
                  plain=plain)
    if axes is None:
        empty_frame(plt)
        return
    lines = [(points, style) for (points, _), style in zip(drawable, styles(series), strict=True)
             if points]
    # plotext paints later lines over earlier ones.  Several runs on one plot put the first one
    # (the live run, or a comparison's first variant) on top: where curves coincide it shows.
    for points, style in (lines[::-1] if first_on_top else lines):
        x, y = zip(*points, strict=True)
        plt.plot(x, y, marker=style.plain if plain else style.marker, color=style.color)
    plt.xlim(axes.xaxis.lo, axes.xaxis.hi)
    plt.ylim(*axes.ylim)
    plt.xticks(axes.xaxis.values, axes.xaxis.labels)
    plt.yticks(axes.yaxis.values, axes.yaxis.labels)


HIDDEN = 0.5
"""A curve is named as hidden when later curves cover at least this share of its cells."""

NOMINAL_SIZE = (50, 12)
"""The canvas (columns, rows) on which :func:`mark_hidden` judges what covers what: about the
smallest plot the dashboard draws, where curves overlap most."""


def _cells(points: Points, axes: Layout) -> set[tuple[int, int]]:
    """The character cells a curve through ``points`` passes, segments included."""
    (x0, x1), (y0, y1) = (axes.xaxis.lo, axes.xaxis.hi), axes.ylim
    columns, rows = max(axes.columns, 1), max(axes.rows, 1)

    def cell(x: float, y: float) -> tuple[int, int]:
        return (min(columns - 1, max(0, int((x - x0) / (x1 - x0 or 1) * columns))),
                min(rows - 1, max(0, int((y - y0) / (y1 - y0 or 1) * rows))))

    cells = {cell(*points[0])} if points else set()
    for (xa, ya), (xb, yb) in itertools.pairwise(points):
        (ca, ra), (cb, rb) = cell(xa, ya), cell(xb, yb)
        steps = 2 * max(abs(cb - ca), abs(rb - ra)) + 1
        cells.update(cell(xa + (xb - xa) * k / steps, ya + (yb - ya) * k / steps)
                     for k in range(steps + 1))
    return cells


def mark_hidden(series: Sequence[Series], *, axis: ValueAxis = COST_AXIS, log: bool = False,
                first_on_top: bool = False) -> list[Series]:
    """``series`` with ``under`` set on each curve that the curves drawn after it (in the order
    :func:`draw` paints them) mostly cover: plotext gives a character cell one colour, so where
    two curves coincide (training and validation on an easy set, two runs of nearly one η) only
    the last one shows, and the legend says where the other went."""
    drawable = _drawable(series, log)
    columns, rows = NOMINAL_SIZE
    axes = layout(drawable, width=columns + 7, height=rows + 4, axis=axis, log=log,
                  xlabel=True, plain=False)
    if axes is None:
        return list(series)
    cells = [_cells(points, axes) for points, _ in drawable]
    order = list(range(len(series)))[::-1] if first_on_top else list(range(len(series)))
    marked = list(series)
    for place, index in enumerate(order):
        own = cells[index]
        later = order[place + 1:]
        covered = set().union(*(cells[other] for other in later)) & own if later else set()
        if own and len(covered) >= HIDDEN * len(own):
            top = max(later, key=lambda other: len(cells[other] & own))
            marked[index] = replace(series[index], under=series[top].label)
    return marked


# --- title and legend ---------------------------------------------------------------------------

SHORT_LABELS = {"training": "train", "validation": "val", "output": "out",
                "mini-batch (this epoch)": "mini-batch"}


def short_label(label: str) -> str:
    """The legend's abbreviation of a label, for narrow plots: 'hidden 3' → 'h3'."""
    if label.startswith("hidden "):
        return "h" + label.removeprefix("hidden ")
    return SHORT_LABELS.get(label, label)


LEGENDS = (("{sign} {label}", False, "  "), ("{sign} {label}", True, "  "),
           ("{sign}{label}", True, " "), ("{sign}{label}", True, " "))
"""Ever more compact legends: (entry, abbreviated, gap between entries); the last writes a
hidden curve's note as ``train≈val`` in place of ``train (under val)``, which in the 28 columns
of an 80×24 plot would take the legend a line more and squeeze the plot."""



def empty_frame(plt) -> None:
    """``plt``'s frame empty and without ticks: a plot with nothing to draw yet."""
    plt.xlim(0, 1)
    plt.ylim(0, 1)
    plt.xticks([])
    plt.yticks([])


def legend_entries(series: Sequence[Series], *, compact: int = 0,
                   plain: bool = False) -> list[Text]:
    """One ``━ label`` per series, the sign in the curve's colour, or its marker when ``plain``
    (then always spaced from the label: ``xh2`` would not read); ``compact`` picks one of
    :data:`LEGENDS`."""
    entry, short, _ = LEGENDS[compact]
    entries = []
    for line, style in zip(series, styles(series), strict=True):
        label = short_label(line.label) if short else line.label
        if line.under and compact == len(LEGENDS) - 1:
            label += f"≈{short_label(line.under)}"
        elif line.under:
            label += f" (under {short_label(line.under) if short else line.under})"
        sign = style.plain if plain else style.sign
        text = Text(("{sign} {label}" if plain else entry).format(sign=sign, label=label))
        if not plain:
            text.stylize(RichStyle(color=f"rgb{style.color}"), 0, len(sign))
        entries.append(text)
    return entries


def flow(words: Sequence[tuple[str, Text]], width: int) -> list[Text]:
    """Lay (separator, word) pairs out in lines of ``width`` cells, breaking before any word."""
    lines = [Text()]
    for separator, word in words:
        if lines[-1] and lines[-1].cell_len + len(separator) + word.cell_len > width:
            lines.append(Text())
        lines[-1] = Text.assemble(lines[-1], separator, word) if lines[-1] else word
    return lines


def header_lines(titles: Sequence[str], series: Sequence[Series], width: int, *,
                 plain: bool = False) -> list[Text]:
    """The plot's title followed by its legend, flowed into ``width`` columns.

    Of the titles (longest first) and legends (fullest first) it takes the pair that needs the
    fewest lines and, among those, gives up the fewest steps of title and legend together, the
    longer title winning a tie.  A title is never cut: one wider than the plot is only taken
    when no title fits, and breaks between words.
    """
    layouts = []
    for shorter, title in enumerate(titles):
        if Text(title).cell_len > width and title != titles[-1]:
            continue
        for compact, (_, _, gap) in enumerate(LEGENDS if series else LEGENDS[:1]):
            words = [(" ", Text(word, "bold")) for word in title.split()]
            entries = legend_entries(series, compact=compact, plain=plain)
            lines = flow(words + [(gap, entry) for entry in entries], width)
            layouts.append(((len(lines), shorter + compact, shorter), lines))
    return min(layouts, key=lambda layout: layout[0])[1]


def log_titles(titles: Sequence[str], log: bool) -> tuple[str, ...]:
    """``titles`` marked " (log)" when the value axis is logarithmic."""
    return tuple(f"{t} (log)" for t in titles) if log else tuple(titles)


PLOT_HEIGHT = 15
"""Lines of each ``nntui train --plot`` plot, title and legend not counted."""


def plot_history_in_terminal(history: Sequence[EpochReport], console: Console, *,
                             held_out: str = "validation", term: str = "") -> None:
    """``nntui train --plot``: the three plots one above the other, as wide as the terminal,
    each under its title and legend; ``term`` names the regularization term the costs include
    (:func:`regularization_term`).

    Colours only go to a terminal; a file or a pipe gets plain text, its curves and legend drawn
    with marker characters.
    """
    import plotext

    plain = not console.is_terminal
    width = console.width
    for titles, series, axis, log in (
        (cost_titles([term]), cost_series(history, held_out=held_out), COST_AXIS, False),
        (ACCURACY_TITLES, accuracy_series(history, held_out=held_out), ACCURACY_AXIS, False),
        (SPEED_TITLES, speed_series(history), SPEED_AXIS, True),
    ):
        legend = mark_hidden(series, axis=axis, log=log)
        for line in header_lines(log_titles(titles, log), legend, width, plain=plain):
            console.print(line, highlight=False, soft_wrap=True)
        draw(plotext, series, width=width, height=PLOT_HEIGHT, axis=axis, log=log, plain=plain)
        _print_canvas(plotext, console, plain)


# --- several runs on one plot ------------------------------------------------------------------

@dataclass(frozen=True)
class RunCurves:
    """One run's curves for overlays: a label naming what sets it apart, and its curves for each
    plot, on the held-out or the training split."""

    label: str
    cost: Series
    accuracy: Series
    speed: Series  # its first layer's speed, the slowest learner in the books' deep nets
    output: Series | None = None  # a single neuron's output a per epoch, shown for its accuracy
    term: str = ""  # the regularization term its costs include (regularization_term)
    dataset: str = ""  # what it was trained on: runs of other data sets have other scales

    def relabelled(self, label: str) -> RunCurves:
        """The same curves named ``label`` in every plot's legend."""
        return replace(self, label=label, cost=replace(self.cost, label=label),
                       accuracy=replace(self.accuracy, label=label),
                       speed=replace(self.speed, label=label),
                       output=self.output and replace(self.output, label=label))


def run_curves(label: str, history: Sequence[EpochReport], *, split: str = "held-out",
               role: str = "overlay", outputs: Sequence[tuple[int, float]] = (),
               config=None) -> RunCurves | None:
    """``history`` as :class:`RunCurves` on ``split`` ("held-out" or "training"); None when it
    has no epochs, or no training figures and ``split`` asks for them.  ``outputs`` are a single
    neuron's (epoch, a), for the plot that shows them in place of its accuracy; ``config`` (the
    run's) tells its regularization term and data set."""
    if not history or (split == "training" and history[0].train_cost is None):
        return None
    epochs = [float(r.epoch) for r in history]
    if split == "training":
        cost = [r.train_cost for r in history]
        accuracy = [100 * r.train_accuracy for r in history]
    else:
        cost = [r.val_cost for r in history]
        accuracy = [100 * r.val_accuracy for r in history]
    speed = [max(r.learning_speed[0], LOG_FLOOR) for r in history]
    output = output_series([(label, outputs)])[0] if outputs else None
    return RunCurves(label, Series(label, epochs, cost, role),
                     Series(label, epochs, accuracy, role), Series(label, epochs, speed, role),
                     None if output is None else replace(output, role=role),
                     term="" if config is None else regularization_term(config),
                     dataset="" if config is None else config.dataset)


# --- a comparison: its runs on one plot -------------------------------------------------------

OVERLAY_QUANTITIES = ("train_cost", "val_cost", "train_accuracy", "val_accuracy", "output")
"""What an overlay of runs can show (the plots of :mod:`nntui.studies.comparisons`)."""

OUTPUT_AXIS = ValueAxis((0.0, 1.0), 0.1)
"""A sigmoid neuron's output lies in (0, 1)."""

OVERLAY_AXES = {"train_cost": COST_AXIS, "val_cost": COST_AXIS, "train_accuracy": ACCURACY_AXIS,
                "val_accuracy": ACCURACY_AXIS, "output": OUTPUT_AXIS}


def held_out_word(held_outs: Sequence[str]) -> str:
    """"validation" or "test" when every run was measured on it, else "held-out"."""
    names = set(held_outs)
    return names.pop() if len(names) == 1 else "held-out"


def overlay_titles(quantity: str, held_out: str = "validation",
                   terms: Sequence[str] = ()) -> tuple[str, ...]:
    """An overlay plot's titles, longest first, like :data:`COST_TITLES`; ``held_out`` names
    what the val_* figures were measured on (:func:`held_out_word`), ``terms`` the runs'
    regularization terms (:func:`cost_titles`)."""
    held = held_out.capitalize()
    with_term = cost_titles(terms)[0].removeprefix("Cost per epoch")
    return {
        "train_cost": tuple(dict.fromkeys((f"Training cost per epoch{with_term}",
                                           "Training cost per epoch", "Training cost"))),
        "val_cost": tuple(dict.fromkeys((f"{held} cost per epoch{with_term}",
                                         f"{held} cost per epoch", f"{held} cost"))),
        "train_accuracy": ("Training accuracy per epoch (%)", "Training accuracy (%)",
                           "Train acc. %"),
        "val_accuracy": (f"{held} accuracy per epoch (%)", f"{held} accuracy (%)",
                         f"{'Val.' if held_out == 'validation' else held} acc. %"),
        "output": ("The neuron's output a per epoch", "Output a per epoch", "Output a"),
    }[quantity]


def overlay_series(runs: Sequence[tuple[str, Sequence[EpochReport]]],
                   quantity: str) -> list[Series]:
    """One series per (label, history) of ``quantity`` (a cost, or an accuracy in per cent),
    labelled with the run's label and coloured by its place, so every run keeps its colour
    whatever the quantity.  A run without that quantity (its training set not measured) has an
    empty series."""
    if quantity not in OVERLAY_QUANTITIES or quantity == "output":
        raise ValueError(f"not a quantity of the epoch history: {quantity!r}")
    scale = 100.0 if quantity.endswith("accuracy") else 1.0
    series = []
    for label, history in runs:
        points = [(float(r.epoch), getattr(r, quantity)) for r in history
                  if getattr(r, quantity) is not None]
        series.append(Series(label, [x for x, _ in points], [scale * y for _, y in points]))
    return series


def output_series(runs: Sequence[tuple[str, Sequence[tuple[int, float]]]]) -> list[Series]:
    """One series per (label, [(epoch, a), …]): a neuron's output over the epochs, from
    epoch 0 (before training)."""
    return [Series(label, [float(e) for e, _ in outputs], [a for _, a in outputs])
            for label, outputs in runs]


def plot_overlay_in_terminal(series: Sequence[Series], titles: Sequence[str], console: Console,
                             *, axis: ValueAxis = COST_AXIS, height: int = PLOT_HEIGHT) -> None:
    """``nntui compare --plot``: several runs' curves on one plot as wide as the terminal,
    under its title and a legend naming each run; colours only to a terminal, marker characters
    otherwise (as :func:`plot_history_in_terminal`)."""
    import plotext

    plain = not console.is_terminal
    width = console.width
    legend = mark_hidden(series, axis=axis, first_on_top=True)
    for line in header_lines(titles, legend, width, plain=plain):
        console.print(line, highlight=False, soft_wrap=True)
    draw(plotext, series, width=width, height=height, axis=axis, plain=plain, first_on_top=True)
    _print_canvas(plotext, console, plain)


def _print_canvas(plotext: ModuleType, console: Console, plain: bool) -> None:
    """Write the plot plotext has drawn to the console: on the terminal's own background, and
    without colour codes when ``plain`` (a file or a pipe)."""
    plotext.theme("clear")
    canvas = plotext.build()
    if plain:
        canvas = plotext.uncolorize(canvas)
    console.file.write(canvas.rstrip("\n") + "\n")
