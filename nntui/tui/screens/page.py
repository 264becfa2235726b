"""A full-screen page over the dashboard: what the look-inside screens have in common.

The runs list, a run's details, the confusion matrix, the mistakes and the neurons each cover the
whole terminal in the theme's background, under a one-line title bar (a widget of class
``page-title``).  Their styles come
with the screen, not the app's stylesheet, so a page looks the same when a test or a script
shows it in an app of its own.
"""

from __future__ import annotations

from typing import TypeVar

from textual.screen import ModalScreen

Result = TypeVar("Result")


class PageScreen(ModalScreen[Result]):
    """A modal screen drawn as a page: the background, and the title bar's look.  ``Result`` is
    what the page hands back when it is dismissed."""

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
