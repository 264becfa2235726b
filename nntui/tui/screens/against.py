"""A sweep's or a comparison's results against the hyperparameter it varied, in the app.

Opened from the dashboard once a sweep or a comparison has ended (F11), and from the runs
screen for the selected run's group (``a``).  Two panels side by side (at 80 columns each is
taller so than one above the other, and its value axis reads better): each run's best
held-out accuracy, and its final training cost, against the varied value, drawn as ``nntui
sweep --plot`` draws them (:mod:`nntui.render.against`); under them, the runs left out and why.
A group's name and its runs' labels come from the run history and are shown through
:func:`~nntui.render.text.safe`.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Footer, Static

from nntui.render import against, plots
from nntui.render.against import AgainstFigure
from nntui.render.text import safe
from nntui.tui.screens.page import PageScreen
from nntui.tui.widgets.plots import PlotCanvas, PlotHeader

XLABEL_MIN_HEIGHT = 7
"""Below this many lines a panel leaves out the axis's name under it (its title says it)."""


class AgainstCanvas(PlotCanvas):
    """One panel's plot, laid out for its own size whenever it renders (as the dashboard's
    plots are: :class:`~nntui.tui.widgets.plots.PlotCanvas`)."""

    def __init__(self, figure: AgainstFigure, quantity: str) -> None:
        super().__init__(plots.COST_AXIS, False)
        self.figure, self.quantity = figure, quantity

    def ansi(self) -> str:
        width, height = self.size
        against.draw(self.plt, self.figure, self.quantity, width=width, height=height,
                     xlabel=height >= XLABEL_MIN_HEIGHT)
        self.plt.plotsize(width, height)
        self.plt._set_size(width, height)
        self.plt.theme(self._get_plotext_theme_name(self.app.theme))
        return self.plt.build()


class AgainstPanel(Vertical):
    """A panel: its title and legend above its plot."""

    DEFAULT_CSS = """
    AgainstPanel {
        width: 1fr;
        height: 1fr;
    }
    AgainstPanel.against-cost {
        margin-left: 1;
    }
    """

    def __init__(self, figure: AgainstFigure, quantity: str) -> None:
        super().__init__(classes=f"against-{quantity}")
        self.figure, self.quantity = figure, quantity

    def compose(self) -> ComposeResult:
        header = PlotHeader()
        legend = against.legend(self.figure, self.quantity) if self.figure.legend else []
        header.show(against.titles(self.figure, self.quantity), legend)
        yield header
        yield AgainstCanvas(self.figure, self.quantity)


def title_text(figure: AgainstFigure) -> Text:
    """The page's title: where the runs come from and what they are plotted against."""
    runs = sum(len(line.x) for line in figure.accuracy)
    title = Text("Results against ", style="bold")
    title.append(figure.axis.name, style="bold")
    if figure.source:
        title.append(f" · {safe(figure.source)}", style="not bold")
    title.append(f" · {runs} run{'s' if runs != 1 else ''} drawn", style="not bold")
    return title


class AgainstScreen(PageScreen[None]):
    """The figure of a study's results against its varied field; Escape goes back."""

    DEFAULT_CSS = """
    #against-panels {
        height: 1fr;
    }
    #against-note {
        height: auto;
        max-height: 3;
        padding: 0 1;
        color: $warning;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", tooltip="Back to where the figure was opened from"),
    ]

    def __init__(self, figure: AgainstFigure) -> None:
        super().__init__()
        self.figure = figure

    def compose(self) -> ComposeResult:
        yield Static(title_text(self.figure), id="against-title", classes="page-title")
        with Horizontal(id="against-panels"):
            yield AgainstPanel(self.figure, against.ACCURACY)
            yield AgainstPanel(self.figure, against.COST)
        note = against.left_out_text(self.figure)
        yield Static(Text(safe(note)), id="against-note")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.query_one("#against-note").display = bool(against.left_out_text(self.figure))

    def action_back(self) -> None:
        self.dismiss(None)
