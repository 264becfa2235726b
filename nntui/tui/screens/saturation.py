"""The saturation screen: per layer, the histogram of the weighted inputs z and the fraction of
saturated (or dead) units against epochs.

On the left, for each run shown (the live one, or finished and pinned runs from the history, side
by side), each layer's z histogram over the fixed sample of training inputs, red where the layer
saturates (σ'(z) below a tenth of its maximum; for a ReLU z ≤ 0) and blue where it learns, under
a caption that names the activation, the spread of z and the saturated or dead fraction
(:mod:`nntui.render.saturation`).  One layer's histograms share one z axis across runs, so the
weight-init comparison shows the first hidden layer's z of ``large`` spread about ten times as
wide as ``normalized``'s.  ``s`` switches between the latest measurement and the one before
training.  On the right, the fractions of every layer (and run) against epochs.

The live run's reports come in the worker's throttled messages, ready to draw
(:meth:`SaturationScreen.update_run`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.console import Group
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.events import Resize
from textual.widgets import Footer, Static

from nntui.insight.saturation import SaturationReport
from nntui.render.plots import ACCURACY_AXIS
from nntui.render.saturation import FRACTION_TITLES, fraction_series, histogram_lines, layer_caption
from nntui.tui.controllers.saturation import RunReports
from nntui.tui.screens.page import PageScreen
from nntui.tui.widgets.plots import SeriesPlot


class SaturationScreen(PageScreen[None]):
    """The saturated neurons of ``runs`` (label, reports), one column of histograms each."""

    DEFAULT_CSS = """
    #saturation-body {
        height: 1fr;
    }
    #saturation-histograms {
        width: 1fr;
        padding: 0 1;
        scrollbar-size-vertical: 1;
    }
    #saturation-fractions {
        width: 1fr;
    }
    #saturation-legend {
        height: auto;
        max-height: 3;
        padding: 0 1;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close", tooltip="Back to where you were"),
        Binding("s", "toggle_start", "Start/now",
                tooltip="The histograms before training, or as measured last"),
    ]

    def __init__(self, runs: Sequence[RunReports], *, title: str = "",
                 live: bool = False) -> None:
        """``live``: the first of ``runs`` is the live run, which :meth:`update_run` redraws."""
        super().__init__()
        self.runs = [(label, list(reports)) for label, reports in runs]
        self.live = live
        self.drawn: list[Text] = []  # the title, then the histograms' lines, as last drawn
        self.title_text = title
        self.at_start = False

    def compose(self) -> ComposeResult:
        yield Static(id="saturation-title", classes="page-title")
        with Horizontal(id="saturation-body"):
            with VerticalScroll(id="saturation-histograms"):
                yield Static(id="saturation-bars")
            yield SeriesPlot(FRACTION_TITLES, ACCURACY_AXIS, id="saturation-fractions")
        yield Static(id="saturation-legend")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.redraw()
        self.query_one("#saturation-histograms").focus()

    def on_resize(self, event: Resize) -> None:
        self.redraw()

    def update_run(self, label: str, reports: Sequence[SaturationReport]) -> None:
        """The live run, called ``label`` now, was measured again (first shown if it was not)."""
        if self.live:
            self.runs[0] = (label, list(reports))
        else:
            self.runs.insert(0, (label, list(reports)))
            self.live = True
        self.redraw()

    def action_toggle_start(self) -> None:
        self.at_start = not self.at_start
        self.redraw()

    def action_close(self) -> None:
        self.dismiss(None)

    # --- drawing ---------------------------------------------------------------------------------

    def _shown(self) -> list[tuple[str, SaturationReport]]:
        """Each run's report on show: its first or its latest."""
        return [(label, reports[0] if self.at_start else reports[-1])
                for label, reports in self.runs if reports]

    def redraw(self) -> None:
        if not self.is_mounted:
            return
        shown = self._shown()
        title = Text("Saturated neurons", style="bold")
        title.append(" · z = w·x + b of each layer, ")
        if self.at_start:
            title.append("before training")
        elif shown:
            when = sorted({(r.epoch, r.batch) for _, r in shown})
            title.append("after epoch" + ("s " if len(when) > 1 else " ") + ", ".join(
                f"{e}" + (f" +{b} batches" if b else "") for e, b in when))
        if self.title_text:
            title.append(f" · {self.title_text}")
        self.query_one("#saturation-title", Static).update(title)
        legend = self._legend(shown)
        self.query_one("#saturation-legend", Static).update(legend)
        # The rows left for the histograms: less the title, the legend's lines and the footer.
        legend_rows = -(-legend.cell_len // max(1, self.size.width - 2))
        rows = self.size.height - 2 - legend_rows
        bars = self.query_one("#saturation-bars", Static)
        lines = self._histograms(shown, rows) if shown else [
            Text("Nothing measured yet: the statistics come with the run's first report.",
                 style="dim")]
        bars.update(Group(*lines))
        self.drawn = [title, *lines]
        series = []
        for label, reports in self.runs:
            series += fraction_series(reports, label if len(self.runs) > 1 else "")
        self.query_one(SeriesPlot).show(series)

    @staticmethod
    def _legend(shown: list[tuple[str, SaturationReport]]) -> Text:
        """What the colours and the fractions mean, for the layers shown."""
        activations = {layer.activation for _, r in shown for layer in r.layers}
        legend = Text("red: ", style="dim")
        legend.append("z where σ′ < max/10" + (" or a ReLU is off" if "relu" in activations
                                                else ""), style="rgb(220,50,60)")
        legend.append(" · blue: ", style="dim")
        legend.append("where it learns", style="rgb(66,133,244)")
        if activations & {"softmax", "linear"}:
            legend.append(" · grey: ", style="dim")
            legend.append("softmax/linear, not by zⱼ alone", style="rgb(150,150,150)")
        if shown:
            sample = shown[0][1].sample
            legend.append(f" · % of units on {sample:,} training inputs"
                          + ("; dead: never active" if "relu" in activations else ""),
                          style="dim")
        # Nielsen's point: cross-entropy and log-likelihood cancel the output's σ′, so a confident
        # output layer (most of its units "saturated") is no slowdown; say so beside the curve.
        legend.append(" · an output's saturation slows learning only under the quadratic cost",
                      style="dim")
        return legend

    def _histograms(self, shown: list[tuple[str, SaturationReport]],
                    rows: int) -> list[Text]:
        """Per layer, each run's histogram under its caption, one z axis for the layer, all
        within ``rows`` lines (a caption and an axis line each, the bars at most 8 tall)."""
        width = max(20, self.size.width // 2 - 3)  # half the screen, less padding and scrollbar
        layers = max(len(report.layers) for _, report in shown)
        height = max(1, min(8, rows // max(1, layers * len(shown)) - 2))
        out: list[Text] = []
        for index in range(layers):
            present = [(label, report.layers[index]) for label, report in shown
                       if index < len(report.layers)]
            lo = min(layer.lo for _, layer in present)
            hi = max(layer.hi for _, layer in present)
            for label, layer in present:
                caption = layer_caption(layer, label if len(shown) > 1 else "", width)
                out.append(Text(caption, style="bold", no_wrap=True, overflow="ellipsis"))
                out.extend(histogram_lines(layer, width=width, height=height, lo=lo, hi=hi))
        return out
