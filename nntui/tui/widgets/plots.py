"""The three live plots: cost, accuracy and per-layer learning speed.

The worker hands over curves already thinned to a few hundred points (:class:`PlotData`), so a
redraw is only plotext laying them out; the app redraws all three inside one ``batch_update``.
The curves and titles are those of :mod:`nntui.plots`, shared with ``nntui train --plot``.
"""

from __future__ import annotations

from collections.abc import Sequence

from textual_plotext import PlotextPlot

from ... import plots
from ..messages import PlotData

# (full title, short title for narrow plots): plotext drops a title wider than its plot.
COST_TITLE = ("Cost: training, validation, mini-batch", "Cost per epoch")
ACCURACY_TITLE = ("Accuracy (%): training, validation", "Accuracy (%)")
SPEED_TITLE = ("Learning speed ‖∂C/∂b‖ per layer", "Speed ‖∂C/∂b‖")


class SeriesPlot(PlotextPlot):
    """A plotext plot that redraws itself from a list of :class:`nntui.plots.Series`."""

    def __init__(self, title: tuple[str, str], *, log: bool = False, ylabel: str = "",
                 id: str | None = None) -> None:
        super().__init__(id=id)
        self.plot_title, self.log_scale, self.ylabel = title, log, ylabel
        self.series: list[plots.Series] = []
        self.extra: list[plots.Series] = []

    def on_mount(self) -> None:
        super().on_mount()
        self.replot()

    def on_resize(self) -> None:
        self.replot()

    def show(self, series: Sequence[plots.Series], extra: Sequence[plots.Series] = ()) -> None:
        self.series, self.extra = list(series), list(extra)
        self.replot()

    def replot(self) -> None:
        plt = self.plt
        plt.clear_figure()
        long, short = self.plot_title
        suffix = " (log)" if self.log_scale else ""
        title = long + suffix
        if len(title) > self.size.width - 10:  # the y tick labels take up to ~8 columns
            title = short + suffix
        series = [s for s in (*self.series, *self.extra) if s.x]
        if series:
            plots.draw(plt, title, series, log=self.log_scale, ylabel=self.ylabel)
        else:
            # plotext cannot draw an empty log axis; show the frame and the title until data come.
            plt.title(title)
            plt.xlabel("epoch")
            plt.xlim(0, 1)
            plt.ylim(0, 1)
        self.refresh()

    def toggle_log(self) -> bool:
        self.log_scale = not self.log_scale
        self.replot()
        return self.log_scale


class CostPlot(SeriesPlot):
    def __init__(self) -> None:
        super().__init__(COST_TITLE, id="cost-plot")


class AccuracyPlot(SeriesPlot):
    def __init__(self) -> None:
        super().__init__(ACCURACY_TITLE, id="accuracy-plot")


class SpeedPlot(SeriesPlot):
    def __init__(self) -> None:
        super().__init__(SPEED_TITLE, log=True, id="speed-plot")


def show_all(cost: SeriesPlot, accuracy: SeriesPlot, speed: SeriesPlot, data: PlotData,
             running: plots.Series | None = None) -> None:
    """Give each plot its curves (the caller wraps this in ``app.batch_update()``)."""
    cost.show(data.cost, [running] if running is not None and running.x else [])
    accuracy.show(data.accuracy)
    speed.show(data.speed)
