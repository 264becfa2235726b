"""The keys that work on every screen: quit, help, the command palette and suspending.

The app binds them (:class:`~nntui.tui.app.NNTuiApp`), so they work whatever screen is up, and
the dashboard lists the same bindings among its own run keys, so that its footer, its help
screen and the palette show them in their places.  The help text of a key is its binding's
tooltip.
"""

from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.screen import Screen

QUIT = Binding("ctrl+q", "app.quit", "Quit", priority=True,
               tooltip="Quit (asks first while a run is going)")
HELP = Binding("f1,question_mark", "app.help", "Help",
               tooltip="Every key, and the books' rules of thumb")
PALETTE = Binding("ctrl+p", "app.command_palette", "Palette",
                  tooltip="Every action, and the books' presets, by name")
SUSPEND = Binding("ctrl+z", "app.suspend_process", "Suspend", show=False,
                  tooltip="Suspend nntui and go back to the shell, as Ctrl+Z does in a terminal "
                          "(training waits); 'fg' brings it back")

GLOBAL_KEYS: list[BindingType] = [QUIT, HELP, PALETTE, SUSPEND]


class QuitFirstScreen(Screen[None]):
    """A screen whose footer starts with Ctrl+Q.

    Textual merges a screen's bindings base class first, in the order each key first appears,
    and the footer shows them in that order as far as its width allows.  Textual's own App binds
    Ctrl+Q before anything else, so while the app held every key the footer began with it; the
    dashboard, which now holds its keys itself, keeps that order (at 80 columns quitting, F5-F8
    and help stay in sight) by inheriting this binding first."""

    BINDINGS: ClassVar[list[BindingType]] = [QUIT]
