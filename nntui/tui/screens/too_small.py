"""Shown instead of the dashboard while the terminal is smaller than the layout needs."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Center, Middle
from textual.screen import Screen
from textual.widgets import Static

MIN_WIDTH, MIN_HEIGHT = 80, 24


def too_small(width: int, height: int) -> bool:
    return width < MIN_WIDTH or height < MIN_HEIGHT


class TooSmallScreen(Screen[None]):
    """Says plainly how large the terminal must be; the app pops it when the terminal grows."""

    def compose(self) -> ComposeResult:
        with Middle(), Center():
            yield Static(id="too-small-text")

    def on_mount(self) -> None:
        self.show(self.app.size.width, self.app.size.height)

    def show(self, width: int, height: int) -> None:
        self.query_one("#too-small-text", Static).update(
            f"[b]The terminal is too small for nntui[/b]\n\n"
            f"It is {width}×{height}; nntui needs at least {MIN_WIDTH}×{MIN_HEIGHT} "
            f"(120×40 is comfortable).\n"
            f"Enlarge the window or make the font smaller. Ctrl+Q quits.\n"
            f"Training goes on meanwhile."
        )
