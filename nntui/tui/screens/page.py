"""A full-screen page over the dashboard: what the look-inside screens have in common.

The confusion matrix, the mistakes and the neurons each cover the whole terminal in the theme's
background, under a one-line title bar (a widget of class ``page-title``).  Their styles come
with the screen, not the app's stylesheet, so a page looks the same when a test or a script
shows it in an app of its own.
"""

from __future__ import annotations

from textual.screen import ModalScreen


class PageScreen(ModalScreen[None]):
    """A modal screen drawn as a page: the background, and the title bar's look."""

    DEFAULT_CSS = """
    PageScreen {
        background: $background;
    }
    PageScreen .page-title {
        height: 1;
        padding: 0 1;
        background: $primary 30%;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    """
