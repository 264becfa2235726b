"""A result against a hyperparameter: each run's best held-out accuracy and its final training
cost against the value its sweep or comparison varied (Nielsen's "more data" figure, Krohn's
Goldilocks η), drawn for the terminal and the app alike.

The figure is two panels with one x axis: the varied field's values, on a log axis when they
span a factor of ten or more (ticks at powers of ten, or at 1, 2, 5 × 10ⁿ inside a decade or
two), round values on a linear one, or the values themselves, in the order given, when they are
not numbers (activations, costs, initializations).  Each value of a second varied field is a
line of its own, named in the legend above the panel by what it is (``expand=on``), never on the
data.  What goes in is already decided (:class:`AgainstFigure`: :mod:`nntui.studies.against`
makes one from runs); here it is only laid out, with the ticks, colours and header of
:mod:`nntui.render.plots`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from rich.console import Console
from rich.text import Text

from nntui.render import plots
from nntui.render.plots import Series, Ticks


@dataclass(frozen=True)
class AgainstAxis:
    """The varied field as an x axis: its ``name`` (``η``, ``training images``), whether it is
    logarithmic, and for values that are not numbers the ``categories`` in the order given (a
    series' x is then a category's index)."""

    name: str
    log: bool = False
    categories: tuple[str, ...] = ()

    @property
    def categorical(self) -> bool:
        return bool(self.categories)

    @property
    def label(self) -> str:
        """What is written under the axis."""
        return f"{self.name} (log scale)" if self.log else self.name


@dataclass(frozen=True)
class AgainstFigure:
    """What the figure shows: the x axis; per line (one, or one per value of a second varied
    field) the best held-out accuracies in per cent and the final training costs; on what the
    accuracies were measured (``held_out``: validation, test or held-out); where the runs came
    from (``source``: a sweep's or a group's name); and the runs ``left_out`` (diverged, failed,
    stopped: a point for them would be false), one line each for a person."""

    axis: AgainstAxis
    accuracy: list[Series]
    cost: list[Series]
    held_out: str = "validation"
    source: str = ""
    left_out: list[str] = field(default_factory=list)
    cost_name: str = "training"
    """What the costs are: "training", or "held-out" for runs that did not measure their
    training set (Nielsen's neuron, whose one example is also its validation set)."""

    @property
    def legend(self) -> bool:
        """Whether lines need naming: only when a second field varies."""
        return len(self.accuracy) > 1


ACCURACY = "accuracy"
COST = "cost"


def titles(figure: AgainstFigure, quantity: str) -> tuple[str, ...]:
    """A panel's titles, longest first (:func:`plots.header_lines` takes the longest that fits
    with the legend)."""
    against = f" against {figure.axis.name}"
    if quantity == ACCURACY:
        held = figure.held_out
        short = "Val." if held == "validation" else held.capitalize()
        return (f"Best {held} accuracy (%){against}", f"Best {held} accuracy (%)",
                f"Best {short.lower()} acc. %", f"{short} acc. %")
    cost = figure.cost_name
    log = " (log)" if cost_is_log(figure) else ""
    return (f"Final {cost} cost{log}{against}", f"Final {cost} cost{log}", f"Final cost{log}")


COST_DECADES = 1.0
"""Costs spanning at least this many decades (a factor of ten) get a log value axis: the runs of
a small η and a large one differ by that much."""


def cost_is_log(figure: AgainstFigure) -> bool:
    ys = [y for line in figure.cost for y in line.y if math.isfinite(y) and y > 0]
    return bool(ys) and min(ys) > 0 and math.log10(max(ys) / min(ys)) >= COST_DECADES


def round_label(value: float) -> str:
    """A tick of the x axis as a person writes it: 0.025, 2.5, 100, 1,000, 50,000, 1e-5, 1e6."""
    value = float(f"{value:.12g}")  # 10 ** log10(2000) is 2000.0000000000002
    if value == 0:
        return "0"
    if 1e-4 <= abs(value) < 1e6:
        if float(value).is_integer():
            return f"{int(value):,}"
        return f"{value:.3g}"
    mantissa, _, exponent = f"{value:.2e}".partition("e")
    mantissa = mantissa.rstrip("0").rstrip(".")
    return f"{mantissa}e{int(exponent)}"


X_PADDING = 0.05
"""Room left and right of the outermost values, as a fraction of the axis, so no point sits on
the frame."""


def x_ticks(xs: Sequence[float], axis: AgainstAxis, columns: int) -> Ticks:
    """The x axis over ``xs`` (log₁₀ values on a log axis, indices for categories) for a canvas
    ``columns`` wide: limits a little outside the outermost values, and round ticks whose
    labels do not run into each other."""
    if axis.categorical:
        n = len(axis.categories)
        room = max(1, columns // max(n, 1) - 1)
        labels = [_cut(category, room) for category in axis.categories]
        return Ticks(-0.5, n - 0.5, [float(i) for i in range(n)], labels)
    lo, hi = min(xs), max(xs)
    for count in range(8, 1, -1):
        if axis.log:
            ticks = plots.log_ticks(10 ** lo, 10 ** hi, count)
            ticks = replace(ticks, labels=[round_label(10 ** v) for v in ticks.values])
        else:
            ticks = plots.nice_ticks(lo, hi, count, bounds=(0.0 if lo >= 0 else -math.inf,
                                                            math.inf))
            ticks = replace(ticks, labels=[round_label(v) for v in ticks.values])
        if _fits(ticks, columns) or count == 2:
            break
    span = max(ticks.hi - ticks.lo, 1e-9)
    pad = X_PADDING * max(hi - lo, span * 0.2)
    return replace(ticks, lo=min(ticks.lo, lo - pad), hi=max(ticks.hi, hi + pad))


def _fits(ticks: Ticks, columns: int) -> bool:
    """Whether the tick labels, centred on their places, leave a blank between each other."""
    span = max(ticks.hi - ticks.lo, 1e-9)
    place = [(v - ticks.lo) / span * columns for v in ticks.values]
    return all(b - a >= (len(x) + len(y)) / 2 + 2 for a, b, x, y in
               zip(place, place[1:], ticks.labels, ticks.labels[1:], strict=False))


def _cut(text: str, room: int) -> str:
    return text if len(text) <= room else text[:max(room - 1, 1)] + "…"


def _points(line: Series, axis: AgainstAxis, log_y: bool) -> list[tuple[float, float]]:
    """The drawable points of a line, in x order: finite, on a log axis in log₁₀ (only positive
    values go on one)."""
    points = []
    for x, y in zip(line.x, line.y, strict=True):
        if not (math.isfinite(x) and math.isfinite(y)):
            continue
        if (axis.log and x <= 0) or (log_y and y <= 0):
            continue
        points.append((math.log10(x) if axis.log else x, math.log10(y) if log_y else y))
    return sorted(points)


MARKER = "●"
LINE = "·"
"""In colour a run is a ``●`` and a line of ``·`` joins the runs of a line.  Not braille, as the
epoch plots draw: plotext places a braille dot on a grid four times finer than a character, and
near the ends of an axis the ``●`` then sits a cell off its own line."""


def draw(plt, figure: AgainstFigure, quantity: str, *, width: int, height: int,
         xlabel: bool = True, plain: bool = False) -> None:
    """Clear ``plt`` and lay one panel of ``figure`` (``quantity``: accuracy or cost) out on a
    ``width`` × ``height`` canvas, no title or legend: every point inside the frame, the ticks
    round and set here.  Without colour (``plain``) each line is drawn in its marker
    character; in colour, a line of ``·`` through a ``●`` per run (:data:`LINE`)."""
    series = figure.accuracy if quantity == ACCURACY else figure.cost
    log_y = quantity == COST and cost_is_log(figure)
    value_axis = plots.ACCURACY_AXIS if quantity == ACCURACY else plots.COST_AXIS
    plt.clear_figure()
    plt.plotsize(width, height)
    if xlabel:
        plt.xlabel(figure.axis.label)
    lines = [_points(line, figure.axis, log_y) for line in series]
    axes = plots.layout([(points, points) for points in lines], width=width, height=height,
                        axis=value_axis, log=log_y, xlabel=xlabel, plain=plain)
    if axes is None:
        plots.empty_frame(plt)
        return
    if log_y:  # 0.01 and 1 where the epoch plots write 1e-2 and 1e0
        yaxis = axes.yaxis
        axes = replace(axes, yaxis=replace(yaxis, labels=[round_label(10 ** v)
                                                          for v in yaxis.values]))
    xs = [x for points in lines for x, _ in points]
    xaxis = x_ticks(xs, figure.axis, axes.columns)
    for points, style in zip(lines, plots.styles(series), strict=True):
        if not points:
            continue
        x, y = zip(*points, strict=True)
        if figure.axis.categorical:  # nothing lies between two categories: points alone
            plt.scatter(x, y, marker=style.plain if plain else MARKER, color=style.color)
        elif plain:
            plt.plot(x, y, marker=style.plain, color=style.color)
        else:
            plt.plot(x, y, marker=LINE, color=style.color)
            plt.scatter(x, y, marker=MARKER, color=style.color)
    plt.xlim(xaxis.lo, xaxis.hi)
    plt.ylim(*axes.ylim)
    plt.xticks(xaxis.values, xaxis.labels)
    plt.yticks(axes.yaxis.values, axes.yaxis.labels)


def header_lines(figure: AgainstFigure, quantity: str, width: int, *,
                 plain: bool = False) -> list[Text]:
    """A panel's title and, when a second field varies, the legend naming each line."""
    if not figure.legend:
        return plots.header_lines(titles(figure, quantity), [], width, plain=plain)
    return plots.header_lines(titles(figure, quantity), legend(figure, quantity), width,
                              plain=plain)


def legend(figure: AgainstFigure, quantity: str) -> list[Series]:
    """The panel's lines as its legend names them: a line the others mostly cover (two values
    of the second field with the same results) says under which (:func:`plots.mark_hidden`)."""
    series = figure.accuracy if quantity == ACCURACY else figure.cost
    log_y = quantity == COST and cost_is_log(figure)
    placed = [Series(line.label, [x for x, _ in points], [y for _, y in points])
              for line, points in ((line, _points(line, figure.axis, False)) for line in series)]
    marked = plots.mark_hidden(placed, axis=plots.ACCURACY_AXIS if quantity == ACCURACY
                               else plots.COST_AXIS, log=log_y)
    return [replace(line, under=mark.under) for line, mark in zip(series, marked, strict=True)]


def left_out_text(figure: AgainstFigure) -> str:
    """The runs not drawn, and why, in a sentence ("" when every run is drawn)."""
    if not figure.left_out:
        return ""
    return "Not drawn: " + "; ".join(figure.left_out) + "."


PANEL_HEIGHT = 14
"""Lines of each panel of ``--plot``, title and legend not counted."""


def plot_in_terminal(figure: AgainstFigure, console: Console) -> None:
    """``nntui sweep --plot`` and ``nntui compare --plot``: both panels one above the other as
    wide as the terminal, each under its title and legend, and the runs left out; colours only
    to a terminal, marker characters in a file or a pipe."""
    import plotext

    plain = not console.is_terminal
    width = console.width
    for quantity in (ACCURACY, COST):
        for line in header_lines(figure, quantity, width, plain=plain):
            console.print(line, highlight=False, soft_wrap=True)
        draw(plotext, figure, quantity, width=width, height=PANEL_HEIGHT, plain=plain)
        plotext.theme("clear")
        canvas = plotext.build()
        if plain:
            canvas = plotext.uncolorize(canvas)
        console.file.write(canvas.rstrip("\n") + "\n")
    note = left_out_text(figure)
    if note:
        console.print(note, highlight=False, style="yellow" if not plain else "")
