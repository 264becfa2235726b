"""The help screen: every key binding, and the books' rules of thumb for the hyperparameters."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Markdown, Static

GUIDE = """\
## Rules of thumb (Nielsen ch. 3, Krohn ch. 8)

- **η (learning rate)**: start around 0.01–0.1 (0.5 for Nielsen's sigmoid baseline) and move it
  by *orders of magnitude* (F9 / F10) until the cost falls steadily; if the cost jumps about or
  the run diverges, η is too large. Tune η on the training cost, then keep it.
- **Batch size**: 32 is a good default; use powers of two, and rarely more than 128. Larger
  batches give smoother but fewer steps per epoch.
- **Epochs / early stopping**: stop when validation accuracy stops improving (patience of
  10 epochs is Nielsen's "no improvement in ten" rule).
- **Hidden layers**: add layers or neurons only while the *validation* cost keeps falling; a
  training accuracy far above validation accuracy means overfitting.
- **Cost**: cross-entropy avoids the learning slowdown of saturated sigmoid neurons (σ′(z)
  cancels out); use log-likelihood with a softmax output.
- **Weight init**: normalized N(0, 1/n_in) (or Glorot / He) keeps neurons out of saturation;
  "large" N(0, 1) shows the slowdown.
- **Regularization λ**: L2 with λ = 5 on 50,000 images (Nielsen); more data and regularization
  both fight overfitting. Dropout 0.2–0.5 in wide hidden layers does too.
- **Learning speed**: in deep sigmoid nets the early layers learn far more slowly than the late
  ones (the vanishing gradient); ReLU and good initialization help.
- **Validation**: tune hyperparameters on the validation split, not the test set.

Values you change during a run apply to the next run (F5), except η, which the running
network uses from its next mini-batch on, and the pace, which caps the epochs per second at once;
the log marks the change.
"""


def bindings_markdown(bindings: Iterable[tuple[str, str]]) -> str:
    rows = "\n".join(f"- `{key}` {description}" for key, description in bindings)
    return ("## Keys\n\n"
            "The F-keys and Ctrl keys work everywhere, also while typing in a field; `?` opens "
            "this help only outside text fields (in one it is just a character).\n\n" + rows
            + "\n- `tab` / `shift+tab` next / previous field; `enter` opens a list\n")


class HelpScreen(ModalScreen[None]):
    """A scrollable page over the dashboard; Escape, q or F1 closes it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,f1,question_mark", "close", "Close help"),
    ]

    def __init__(self, bindings: Iterable[tuple[str, str]]) -> None:
        super().__init__()
        self.bindings = list(bindings)

    def compose(self) -> ComposeResult:
        with Vertical(id="help-box"):
            yield Static("[b]nntui help[/b]   [dim]Escape closes · ↑↓ PgUp PgDn scroll[/]",
                         id="help-title")
            with VerticalScroll(id="help-scroll"):
                yield Markdown(bindings_markdown(self.bindings) + "\n" + GUIDE)

    def on_mount(self) -> None:
        self.query_one("#help-scroll").focus()

    def action_close(self) -> None:
        self.dismiss(None)
