"""A small dialog asking for one line of text: the runs screen's rename (a run's name) and export
(the file to write), with the problem said under the line until the answer will do.

The question, the problem and the hint are shown as they read, never as markup, and the problem
through :func:`~nntui.render.text.safe`: it may quote what was typed or a path from anywhere.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from nntui.render.text import safe


class PromptScreen(ModalScreen[str | None]):
    """One line of text in a small dialog: Enter answers (once ``check`` finds nothing wrong
    with it: it returns the problem, or None), Escape cancels (None)."""

    DEFAULT_CSS = """
    PromptScreen {
        align: center middle;
    }
    #prompt-dialog {
        width: 90%;
        max-width: 76;
        height: auto;
        border: thick $primary;
        background: $surface;
        padding: 1 2;
    }
    #prompt-question {
        width: 1fr;
        margin-bottom: 1;
    }
    #prompt-input {
        width: 1fr;
    }
    #prompt-error {
        width: 1fr;
        color: $error;
        display: none;
    }
    #prompt-error.-shown {
        display: block;
    }
    #prompt-hint {
        width: 1fr;
        color: $text-muted;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", tooltip="Close without changing anything"),
    ]

    def __init__(self, question: str, value: str, *,
                 check: Callable[[str], str | None] | None = None,
                 hint: str = "Enter saves · Escape cancels") -> None:
        super().__init__()
        self.question, self.value, self.check, self.hint = question, value, check, hint

    def compose(self) -> ComposeResult:
        with Vertical(id="prompt-dialog"):
            yield Label(self.question, id="prompt-question", markup=False)
            yield Input(self.value, id="prompt-input", select_on_focus=False)
            yield Static(id="prompt-error", markup=False)
            yield Static(self.hint, id="prompt-hint", markup=False)

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        problem = self.check(event.value) if self.check is not None else None
        if problem:
            error = self.query_one("#prompt-error", Static)
            error.update(Text(safe(problem)))
            error.add_class("-shown")
            return
        self.dismiss(event.value)

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        event.stop()
        self.query_one("#prompt-error").remove_class("-shown")

    def action_cancel(self) -> None:
        self.dismiss(None)
