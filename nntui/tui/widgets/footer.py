"""``KeyFooter``: the screen's keys in its order of use, as many as fit, and where to find the rest.

Textual's :class:`~textual.widgets.Footer` lays every key out in one row and lets the terminal's
edge cut it: at 80 columns the dashboard's footer ended in ``f4 Pace ^s Sa`` and never showed
Ctrl+O, Ctrl+N or Ctrl+F, nor that F1 lists them.  This footer keeps Textual's keys and their
looks, but shows only the keys that fit whole, in the order the screen binds them (its most used
first), and keeps its help key on the right, named for what it gives: every key.  It lays itself
out again when the terminal's width changes.
"""

from __future__ import annotations

from rich.cells import cell_len
from textual.app import ComposeResult
from textual.events import Resize
from textual.widget import Widget
from textual.widgets import Footer

HELP_ACTION = "app.help"
ALL_KEYS = "Help, all keys"
"""What the help key says in the footer: it lists every key, also those the footer leaves out."""


class KeyFooter(Footer):
    """A compact footer of the keys that fit, the help key on the right."""

    DEFAULT_CSS = """
    KeyFooter FooterKey.-all-keys {
        dock: right;
        margin-right: 0;
    }
    """

    def __init__(self, **kwargs: object) -> None:
        super().__init__(compact=True, show_command_palette=False, **kwargs)  # type: ignore[arg-type]
        self._laid_out_for = 0  # the width the keys were chosen for

    def compose(self) -> ComposeResult:
        """Textual's keys, one per action in the screen's order, as long as they fit; then the
        help key, on the right."""
        width = self.size.width or self.app.size.width  # its own, once it has been laid out
        self._laid_out_for = width
        keys, help_key = [], None
        for key in super().compose():
            if getattr(key, "action", None) == HELP_ACTION:
                help_key = key
            else:
                keys.append(key)
        room = width
        if help_key is not None:
            help_key.description = ALL_KEYS
            help_key.add_class("-all-keys")
            room -= self._width(help_key)
        for key in keys:
            needed = self._width(key)
            if needed > room:
                break  # the rest are used less: F1 lists them
            room -= needed
            yield key
        if help_key is not None:
            yield help_key

    def _width(self, key: Widget) -> int:
        """Columns a compact key takes: its key, a space, its description and the space after."""
        return (cell_len(getattr(key, "key_display", "")) + 1
                + cell_len(getattr(key, "description", "")) + 1)

    def on_resize(self, event: Resize) -> None:
        """Lay the keys out again for a new width of the footer's own, once per width (the
        width :meth:`compose` uses); a footer 0 wide (its screen not shown) waits until it is
        shown."""
        width = event.size.width
        if width and width != self._laid_out_for:
            self._laid_out_for = width
            self.call_after_refresh(self.recompose)
