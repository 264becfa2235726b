"""The help screen: every key binding, and the books' rules of thumb for the hyperparameters.

Served to a web browser (``nntui serve``), it also says which keys the browser keeps for itself
and how to reach what they do: the palette, which offers every action by name.
"""

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


BROWSER_KEEPS = {
    "ctrl+t": "opens a new tab",
    "ctrl+n": "opens a new window",
    "ctrl+w": "closes the tab",
    "ctrl+q": "quits the browser on some systems",
    "f5": "reloads the page in some browsers",
    "ctrl+r": "reloads the page in some browsers",
}
"""Keys a browser may keep from a page, and what it does with them instead."""

NOT_IN_A_BROWSER = {"ctrl+z"}
"""Keys of a terminal that mean nothing in a browser (suspending: there is no shell there)."""


def kept_by_browser(keys: str) -> list[str]:
    """Which of a binding's keys (``"f9 / ctrl+down"``) a browser may keep."""
    return [key for key in keys.split(" / ") if key in BROWSER_KEEPS]


def browser_markdown(actions: Iterable[tuple[str, str]]) -> str:
    """What the help says in a browser, for ``actions`` (keys, name): the keys the browser
    keeps, and the way around them."""
    rows = []
    for keys, name in actions:
        kept = kept_by_browser(keys)
        if not kept or keys in NOT_IN_A_BROWSER:
            continue
        others = [key for key in keys.split(" / ") if key not in BROWSER_KEEPS]
        instead = f"`{'` or `'.join(others)}`, or " if others else ""
        reason = "; ".join(f"`{key}` {BROWSER_KEEPS[key]}" for key in kept)
        if "ctrl+q" in kept:
            instead = "close the tab (its run stops and is recorded as stopped), or "
        rows.append(f"- **{name}**: {instead}the palette's **{name}** ({reason})")
    return ("## In a web browser\n\n"
            "This app is served to a browser (`nntui serve`), which keeps some keys for itself. "
            "Every action is in the **palette**: press `ctrl+p`, type its name (`start`, "
            "`batch`, `neurons`...) and press `enter`. Use it for these:\n\n"
            + "\n".join(rows)
            + "\n\nSuspending (`ctrl+z`) does nothing in a browser. Files the app saves "
              "(networks, exports, screenshots) are written where they always are and also "
              "offered to the browser as downloads.\n\n")


def bindings_markdown(bindings: Iterable[tuple[str, str]],
                      browser: Iterable[tuple[str, str]] | None = None) -> str:
    """The keys, one a line.  Served to a browser (``browser``: the actions' keys and names),
    the keys it keeps are marked and a section first says what to use instead."""
    def row(key: str, description: str) -> str:
        mark = " (in a browser: the palette)" if browser is not None and kept_by_browser(key) \
            else ""
        return f"- `{key}` {description}{mark}"

    rows = "\n".join(row(key, description) for key, description in bindings)
    return ((browser_markdown(browser) if browser is not None else "") + "## Keys\n\n"
            "The F-keys and Ctrl keys work everywhere, also while typing in a field; `?` opens "
            "this help only outside text fields (in one it is just a character).\n\n" + rows
            + "\n- `tab` / `shift+tab` next / previous field; `enter` opens a list\n")


class HelpScreen(ModalScreen[None]):
    """A scrollable page over the dashboard; Escape, q or F1 closes it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,f1,question_mark", "close", "Close help"),
    ]

    def __init__(self, bindings: Iterable[tuple[str, str]], *,
                 browser: Iterable[tuple[str, str]] | None = None) -> None:
        super().__init__()
        self.bindings = list(bindings)
        self.browser = None if browser is None else list(browser)
        """Served to a web browser: the actions' (keys, name), to say which keys the browser
        keeps and what to use instead."""

    def compose(self) -> ComposeResult:
        with Vertical(id="help-box"):
            yield Static("[b]nntui help[/b]   [dim]Escape closes · ↑↓ PgUp PgDn scroll[/]",
                         id="help-title")
            with VerticalScroll(id="help-scroll"):
                yield Markdown(bindings_markdown(self.bindings, browser=self.browser) + "\n"
                               + GUIDE)

    def on_mount(self) -> None:
        self.query_one("#help-scroll").focus()

    def action_close(self) -> None:
        self.dismiss(None)
