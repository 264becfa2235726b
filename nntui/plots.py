"""What the three plots show, computed once from the epoch history, and drawn with plotext.

The series builders are plain functions of the history so the app and ``nntui train --plot`` plot
exactly the same curves; :func:`draw` takes any plotext-like object (the ``plotext`` module itself,
or a textual-plotext widget's ``plt``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.console import Console

from .engine import EpochReport

COST_TITLE = "Cost per epoch (with regularization term)"
ACCURACY_TITLE = "Accuracy per epoch"
SPEED_TITLE = "Learning speed: RMS of ‖∂C/∂b‖ per layer (log)"


@dataclass(frozen=True)
class Series:
    label: str
    x: list[float]
    y: list[float]


def layer_names(count: int) -> list[str]:
    """'hidden 1', 'hidden 2', …, 'output' for a network with ``count`` weight layers."""
    return [f"hidden {i + 1}" for i in range(count - 1)] + ["output"]


def cost_series(history: Sequence[EpochReport]) -> list[Series]:
    epochs = [float(r.epoch) for r in history]
    series = []
    if history and history[0].train_cost is not None:
        series.append(Series("training", epochs, [r.train_cost for r in history]))
    series.append(Series("validation", epochs, [r.val_cost for r in history]))
    return series


def accuracy_series(history: Sequence[EpochReport]) -> list[Series]:
    epochs = [float(r.epoch) for r in history]
    series = []
    if history and history[0].train_accuracy is not None:
        series.append(Series("training", epochs, [100 * r.train_accuracy for r in history]))
    series.append(Series("validation", epochs, [100 * r.val_accuracy for r in history]))
    return series


def speed_series(history: Sequence[EpochReport]) -> list[Series]:
    if not history:
        return []
    epochs = [float(r.epoch) for r in history]
    names = layer_names(len(history[0].learning_speed))
    return [
        # A layer whose gradient is exactly 0 cannot be drawn on a log axis; floor it.
        Series(name, epochs, [max(r.learning_speed[i], 1e-12) for r in history])
        for i, name in enumerate(names)
    ]


# Without colour the lines are told apart by their markers.
PLAIN_MARKERS = ("•", "x", "+", "o", "*", "#", "@")


def draw(plt, title: str, series: Sequence[Series], *, log: bool = False,
         ylabel: str = "", plain: bool = False) -> None:
    """Draw ``series`` on the plotext object ``plt`` (whose canvas the caller has cleared)."""
    plt.title(title)
    plt.xlabel("epoch")
    if ylabel:
        plt.ylabel(ylabel)
    if log:
        plt.yscale("log")
    for i, line in enumerate(series):
        if line.x:
            marker = PLAIN_MARKERS[i % len(PLAIN_MARKERS)] if plain else "braille"
            plt.plot(line.x, line.y, label=line.label, marker=marker)


def plot_history_in_terminal(history: Sequence[EpochReport], console: Console) -> None:
    """``nntui train --plot``: the three plots one above the other, as wide as the terminal.

    Colours only go to a terminal; a file or a pipe gets plain text.
    """
    import plotext

    width = console.width
    for title, series, log, ylabel in (
        (COST_TITLE, cost_series(history), False, "cost"),
        (ACCURACY_TITLE, accuracy_series(history), False, "%"),
        (SPEED_TITLE, speed_series(history), True, "‖∂C/∂b‖"),
    ):
        plotext.clear_figure()
        plotext.plotsize(width, 15)
        plotext.theme("clear")
        draw(plotext, title, series, log=log, ylabel=ylabel, plain=not console.is_terminal)
        canvas = plotext.build()
        if not console.is_terminal:
            canvas = plotext.uncolorize(canvas)
        console.file.write(canvas + "\n")
