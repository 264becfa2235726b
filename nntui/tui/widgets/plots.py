"""The three live plots: cost, accuracy and per-layer learning speed.

Each plot is a header (title and coloured legend: plotext's own legend would sit on the start of the
curves) above a plotext canvas.  The canvas lays the curves out at render time, for its own size, so
limits, ticks and plotext's canvas always match the region the widget has, after any resize.  The
worker hands over curves already thinned to a few hundred points (:class:`PlotData`), so a redraw is
only plotext laying them out; the app redraws all three inside one ``batch_update``.  Curves,
titles, colours and ticks are those of :mod:`nntui.render.plots`, shared with ``nntui train
--plot``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult, RenderResult
from textual.containers import Vertical
from textual.geometry import Size
from textual.strip import Strip
from textual.widget import Widget
from textual_plotext import PlotextPlot

from nntui.render import plots


@dataclass(frozen=True)
class PlotData:
    """The three plots' curves, already downsampled to a few hundred points in the worker.
    ``output`` holds a single neuron's output a per epoch: for one example an accuracy says
    nothing, so the accuracy plot shows that instead (Nielsen's animation of ch. 3)."""

    cost: list[plots.Series]
    accuracy: list[plots.Series]
    speed: list[plots.Series]
    output: list[plots.Series] = field(default_factory=list)
    overlaid: bool = False  # several runs: the first is drawn on top
    terms: tuple[str, ...] = ()
    """The regularization term each run drawn adds to its costs ("L2", "L1" or "": see
    :func:`nntui.render.plots.regularization_term`), for the cost plot's title."""


EMPTY_PLOTS = PlotData([], [], [])
"""No curves: the plots of a dashboard where nothing has run yet."""

XLABEL_MIN_HEIGHT = 12
"""Below this many lines the canvas leaves out the "epoch" under the axis: the titles say it."""


class PlotHeader(Widget):
    """Title and legend, on as many lines as the width needs (see :func:`plots.header_lines`)."""

    DEFAULT_CSS = """
    PlotHeader {
        width: 1fr;
        height: auto;
        padding-left: 1;
        background: $surface;
    }
    """

    def __init__(self) -> None:
        super().__init__()
        self.titles: tuple[str, ...] = ()
        self.series: list[plots.Series] = []
        self._lines: dict[int, list[Text]] = {}  # by width: layout asks often, they rarely change

    def show(self, titles: tuple[str, ...], series: list[plots.Series]) -> None:
        """Change title or legend; a redraw with the same curves costs nothing here."""
        key = [(s.label, s.role, s.under) for s in series]
        if titles != self.titles or key != [(s.label, s.role, s.under) for s in self.series]:
            self.titles, self.series = titles, series
            self._lines.clear()
            self.refresh(layout=True)

    def lines(self, width: int) -> list[Text]:
        if not self.titles:
            return []
        if width not in self._lines:
            self._lines[width] = plots.header_lines(self.titles, self.series, width)
        return self._lines[width]

    def render(self) -> RenderResult:
        return Text("\n").join(self.lines(self.size.width))

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        # A legend entry wider than the plot ("━ quadratic w=0.6 b=0.9 (under quadratic
        # η=0.15)") wraps onto a line of its own: count the lines as drawn, or the last is cut.
        console = self.app.console
        return max(1, sum(len(line.wrap(console, width)) for line in self.lines(width)))


_SGR = re.compile(r"\x1b\[([0-9;]*)m")
"""An ANSI "select graphic rendition" sequence: what plotext puts between runs of text."""


class PlotCanvas(PlotextPlot):
    """The plot itself, laid out afresh for its size whenever it renders.

    The canvas draws through Textual's line API: plotext's ANSI output is cut into one
    :class:`Strip` per line directly, each run of text with a style worked out once per
    distinct ANSI state (by Rich's own decoder) and cached.  Turning the output into a Rich
    ``Text`` and that into strips, as ``PlotextPlot.render`` has Textual do, took about twice as
    long as plotext itself (2.6 + 2 ms against 2.5 for a 42×17 plot, three plots an epoch, all in
    the thread the keyboard needs)."""

    def __init__(self, axis: plots.ValueAxis, log: bool) -> None:
        super().__init__()
        self.axis, self.log_scale = axis, log
        self.series: list[plots.Series] = []
        self.first_on_top = False
        # Thinned curves by id of the series: pinned runs' curves are the same objects from one
        # redraw to the next, so each is thinned once per width (1.8 ms of a 30 ms redraw).
        self._thinned: dict[int, tuple[plots.Series, int, plots.Series]] = {}
        self._strips: tuple[object, list[Strip]] | None = None  # (what they show, the lines)
        self._styles: dict[tuple[Style, str], Style] = {}  # by base style and ANSI state

    def refresh(self, *args, **kwargs) -> PlotCanvas:
        self._strips = None  # the curves or their look changed: lay them out again
        return super().refresh(*args, **kwargs)

    def render_line(self, y: int) -> Strip:
        strips = self.strips()
        if y < len(strips):
            return strips[y]
        return Strip.blank(self.size.width, self.visual_style.rich_style)

    def strips(self) -> list[Strip]:
        """The plot's lines for the canvas's size and the app's theme, laid out once."""
        key = (self.size, self.app.theme)
        if self._strips is None or self._strips[0] != key:
            self._strips = (key, self._lay_out())
        return self._strips[1]

    def _lay_out(self) -> list[Strip]:
        width, height = self.size
        base = self.visual_style.rich_style
        lines = [self._strip(line, base).crop_extend(0, width, base)
                 for line in self.ansi().split("\n")[:height]]
        return lines + [Strip.blank(width, base)] * (height - len(lines))

    def _strip(self, line: str, base: Style) -> Strip:
        """One line of plotext's output: text runs between SGR sequences, each styled by the
        sequences since the last reset, as Rich's ANSI decoder reads them."""
        segments = []
        state = ""
        for index, part in enumerate(_SGR.split(line)):
            if index % 2:  # the codes of a sequence
                state = "" if part in ("", "0") else f"{state}\x1b[{part}m"
            elif part:
                style = self._styles.get((base, state))
                if style is None:
                    decoded = Text.from_ansi(f"{state}x").spans
                    style = base + decoded[0].style if decoded else base
                    self._styles[(base, state)] = style
                segments.append(Segment(part, style))
        return Strip(segments)

    def render(self) -> RenderResult:
        """The plot as Rich text, for whatever asks for a renderable; the screen draws it
        through :meth:`render_line`."""
        return Text("\n").join(Text(strip.text) for strip in self.strips())

    def ansi(self) -> str:
        """The plot as plotext draws it, with ANSI colours (what :meth:`strips` cuts up)."""
        width, height = self.size
        # About a point a column (each bucket's lowest and highest): more cost plotext time, as
        # it draws every segment between them, and show nothing more.
        limit = max(width, 20)
        thinned = {}
        for line in self.series:
            cached = self._thinned.get(id(line))
            if cached is None or cached[0] is not line or cached[1] != limit:
                cached = (line, limit, plots.thin(line, limit))
            thinned[id(line)] = cached
        self._thinned = thinned  # only the curves on show: nothing piles up
        series = [thinned[id(line)][2] for line in self.series]
        plots.draw(self.plt, series, width=width, height=height, axis=self.axis,
                   log=self.log_scale, xlabel=height >= XLABEL_MIN_HEIGHT,
                   first_on_top=self.first_on_top)
        # As PlotextPlot.render: plotext's size set to this widget's again, and the app's theme.
        self.plt.plotsize(width, height)
        self.plt._set_size(width, height)
        self.plt.theme(self._get_plotext_theme_name(self.app.theme))
        return self.plt.build()


class SeriesPlot(Vertical):
    """A titled plot that redraws itself from lists of :class:`nntui.render.plots.Series`."""

    DEFAULT_CSS = """
    SeriesPlot {
        width: 1fr;
        height: 1fr;
    }
    """

    def __init__(self, titles: tuple[str, ...], axis: plots.ValueAxis, *, log: bool = False,
                 id: str | None = None) -> None:
        super().__init__(id=id)
        self.titles, self.log_scale = titles, log
        self.series: list[plots.Series] = []
        self.extra: list[plots.Series] = []
        self._legend_extra: list[plots.Series] = []
        self.note = ""  # what the curves are, when it is not the usual (e.g. "training")
        self.header = PlotHeader()
        self.canvas = PlotCanvas(axis, log)

    def compose(self) -> ComposeResult:
        yield self.header
        yield self.canvas

    def on_mount(self) -> None:
        self.replot()

    def show(self, series: Sequence[plots.Series], extra: Sequence[plots.Series] = ()) -> None:
        """Plot ``series``, and ``extra`` (the running mini-batch cost) in the running colour."""
        self.series, self.extra = list(series), list(extra)
        self.replot()

    def replot(self) -> None:
        extra = [s if s.role else replace(s, role="running") for s in self.extra if s.x]
        # The running curve comes and goes with every epoch; its legend entry stays until the
        # plot is emptied, so the header does not jump between one line and two.
        if not self.series and not extra:
            self._legend_extra = []
        for line in extra:
            if line.label not in [s.label for s in self._legend_extra]:
                self._legend_extra.append(line)
        lines = [s for s in (*self.series, *extra) if s.x]
        # A curve painted over by later ones is named in the legend ("training (under
        # validation)"), so that a hidden curve is not taken for a missing one.
        marked = plots.mark_hidden(lines, axis=self.canvas.axis, log=self.log_scale,
                                   first_on_top=self.canvas.first_on_top)
        under = {id(line): mark.under for line, mark in zip(lines, marked, strict=True)}
        legend = [replace(s, under=under.get(id(s), "")) for s in self.series if s.x]
        legend += self._legend_extra
        titles = plots.log_titles(self.titles, self.log_scale)
        if self.note:  # preferred where it fits: the plain titles stay as fall-backs
            titles = tuple(f"{title} ({self.note})" for title in titles) + titles
        self.header.show(titles, legend)
        self.canvas.series, self.canvas.log_scale = lines, self.log_scale
        self.canvas.refresh()

    def set_kind(self, titles: tuple[str, ...], axis: plots.ValueAxis) -> None:
        """Show another quantity (titles and value axis) from the next :meth:`show` on."""
        self.titles, self.canvas.axis = titles, axis

    def end_run(self) -> None:
        """The run is over: no epoch is in progress, so the running curve and its legend go."""
        self._legend_extra, self.extra = [], []
        self.replot()

    def toggle_log(self) -> bool:
        self.log_scale = not self.log_scale
        self.replot()
        return self.log_scale


class CostPlot(SeriesPlot):
    """The costs per epoch, titled with the regularization term when the runs drawn add one
    (:func:`show_all`)."""

    def __init__(self) -> None:
        super().__init__(plots.PLAIN_COST_TITLES, plots.COST_AXIS, id="cost-plot")


OUTPUT_TITLES = plots.overlay_titles("output")


class AccuracyPlot(SeriesPlot):
    """Accuracy per epoch; for Nielsen's single neuron (one example, always "right") its
    output a instead, the curve his ch. 3 animation shows."""

    def __init__(self) -> None:
        super().__init__(plots.ACCURACY_TITLES, plots.ACCURACY_AXIS, id="accuracy-plot")

    def show_output(self, output: bool) -> None:
        if output:
            self.set_kind(OUTPUT_TITLES, plots.OUTPUT_AXIS)
        else:
            self.set_kind(plots.ACCURACY_TITLES, plots.ACCURACY_AXIS)


class SpeedPlot(SeriesPlot):
    def __init__(self) -> None:
        super().__init__(plots.SPEED_TITLES, plots.SPEED_AXIS, log=True, id="speed-plot")


LIVE_LABEL = "this run"


def with_overlays(data: PlotData, overlays: Sequence[plots.RunCurves],
                  split: str = "held-out") -> PlotData:
    """The live run's curves with pinned runs beside them.  Each run shows one split only (the
    held-out one, or training), so that several runs stay readable; the speed plot shows each
    run's first layer; a single neuron's output a when every run has one.  Without overlays,
    ``data`` as it is."""
    if not overlays:
        return data

    def live(series: list[plots.Series]) -> list[plots.Series]:
        return [replace(s, label=LIVE_LABEL) for s in series if s.role == split]

    # In the live run's colour of the other two plots, whatever its first layer's would be.
    speed = [replace(data.speed[0], label=LIVE_LABEL, role=split)] if data.speed else []
    output: list[plots.Series] = []
    if all(o.output is not None for o in overlays) and (data.output or not data.cost):
        output = ([replace(s, label=LIVE_LABEL) for s in data.output]
                  + [o.output for o in overlays if o.output is not None])
    return PlotData(live(data.cost) + [o.cost for o in overlays],
                    live(data.accuracy) + [o.accuracy for o in overlays],
                    speed + [o.speed for o in overlays], output, overlaid=True,
                    terms=(data.terms if data.cost else ()) + tuple(o.term for o in overlays))


def show_all(cost: SeriesPlot, accuracy: AccuracyPlot, speed: SeriesPlot, data: PlotData,
             running: plots.Series | None = None, note: str = "") -> None:
    """Give each plot its curves (the caller wraps this in ``app.batch_update()``); ``note``
    says in the cost and accuracy titles which curves they show, when that is not obvious.  A
    neuron's output takes the accuracy plot's place (one example: train and held-out alike)."""
    cost.note = note
    cost.set_kind(plots.cost_titles(data.terms), plots.COST_AXIS)
    accuracy.note = "" if data.output else note
    accuracy.show_output(bool(data.output))
    for plot in (cost, accuracy, speed):
        plot.canvas.first_on_top = data.overlaid
    cost.show(data.cost, [running] if running is not None and running.x else [])
    accuracy.show(data.output or data.accuracy)
    speed.show(data.speed)
