"""Shown instead of the dashboard while the terminal is smaller than the layout needs.

The notice must itself fit the small terminal it appears in (down to 40×12 it is whole; below
that its box shrinks with the terminal) and be readable in every theme, so its colours are the
theme's own foreground on the theme's surface, never inherited from the hidden dashboard.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Center, Middle
from textual.screen import Screen
from textual.widgets import Static

MIN_WIDTH, MIN_HEIGHT = 80, 24


def too_small(width: int, height: int) -> bool:
    return width < MIN_WIDTH or height < MIN_HEIGHT


def notice(width: int, height: int) -> Text:
    """What the notice says for a ``width``×``height`` terminal (short lines: it must fit 40×12)."""
    text = Text()
    text.append("Terminal too small", style="bold")
    text.append(f"\n\nIt is {width}×{height}; nntui needs {MIN_WIDTH}×{MIN_HEIGHT} "
                "(120×40 is comfortable).")
    text.append("\nEnlarge the window or use a smaller font.")
    text.append("\nTraining goes on meanwhile. Ctrl+Q quits.", style="dim")
    return text


class TooSmallScreen(Screen[None]):
    """Says plainly how large the terminal must be; the app pops it when the terminal grows."""

    DEFAULT_CSS = """
    TooSmallScreen {
        background: $background;
    }
    TooSmallScreen #too-small-text {
        width: 100%;
        max-width: 58;
        margin: 0 1;
        text-align: center;
        height: auto;
        padding: 0 1;
        border: round $warning;
        background: $surface;
        color: $text;
    }
    """

    def compose(self) -> ComposeResult:
        with Middle(), Center():
            yield Static(id="too-small-text")

    def on_mount(self) -> None:
        self.show(self.app.size.width, self.app.size.height)

    def show(self, width: int, height: int) -> None:
        self.query_one("#too-small-text", Static).update(notice(width, height))
