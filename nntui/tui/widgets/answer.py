"""``AnswerPanel``: the network's answer to a drawing, as it changes.

The top answer large (Textual's :class:`~textual.widgets.Digits` for a digit, bold capitals for a
class name such as Fashion-MNIST's "Sneaker"), a line saying what the bars are (softmax outputs
as they are, or sigmoid outputs normalized, each output also shown as it is), then one bar per
class (:func:`nntui.render.digit.answer_bars`).  Without an answer it shows why: nothing drawn
yet, no network, a network still training, one not made for 28 × 28 images.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Digits, Static

from nntui.insight.digit import Answer
from nntui.render.digit import answer_bars


class AnswerPanel(Vertical):
    """What the network says of the drawing; :meth:`show` an answer, :meth:`explain` its
    absence."""

    DEFAULT_CSS = """
    AnswerPanel {
        height: auto;
    }
    AnswerPanel > #answer-says {
        color: $text-muted;
    }
    AnswerPanel > #answer-top {
        height: 3;
    }
    AnswerPanel #answer-digit {
        width: auto;
        color: $success;
        margin-right: 2;
    }
    AnswerPanel #answer-name {
        width: 1fr;
        height: 3;
        content-align: left middle;
        text-style: bold;
        color: $success;
    }
    AnswerPanel > #answer-how {
        color: $text-muted;
        height: auto;
    }
    AnswerPanel > #answer-bars {
        height: auto;
        margin-top: 1;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.answer: Answer | None = None
        self.names: Sequence[str] = ()

    def compose(self) -> ComposeResult:
        yield Static("The network says", id="answer-says")
        with Horizontal(id="answer-top"):
            yield Digits(id="answer-digit")
            yield Static(id="answer-name", markup=False)
        yield Static(id="answer-how", markup=False)
        yield Static(id="answer-bars", markup=False)

    def on_mount(self) -> None:
        self._draw()

    def on_resize(self) -> None:
        self._draw()

    def show(self, said: Answer, names: Sequence[str]) -> None:
        """Show ``said``, its classes called ``names``."""
        self.answer, self.names = said, names
        self._draw()

    def explain(self, why: str) -> None:
        """No answer: say ``why`` where the bars would be."""
        self.answer = None
        self._why = why
        self._draw()

    _why = "Draw a digit on the canvas: the network's answer appears here as you draw."

    def _draw(self) -> None:
        """Show the answer or why there is none.  While answers follow answers only the texts
        change, never a size, so no layout is asked for: a stroke costs one repaint."""
        if not self.is_mounted:
            return
        digit = self.query_one("#answer-digit", Digits)
        name = self.query_one("#answer-name", Static)
        how = self.query_one("#answer-how", Static)
        bars = self.query_one("#answer-bars", Static)
        top_row = self.query_one("#answer-top")
        said = self.answer
        if said is None:
            top_row.display = bars.display = False
            self.query_one("#answer-says").display = False
            self._shown_how = None
            how.update(Text(self._why))
            return
        top = self.names[said.top]
        share = f"{100 * said.shares[said.top]:.0f}%"
        steady = bool(bars.display)  # an answer already shown: same sizes
        if top.isdigit():
            digit.update(top)
            name.update(Text(share), layout=False)
        else:
            name.update(Text(f"{top.upper()}  {share}"), layout=False)
        if digit.display != top.isdigit():
            digit.display = top.isdigit()
        top_row.display = bars.display = True
        self.query_one("#answer-says").display = True
        words = said.how[:1].upper() + said.how[1:] + "."
        if words != self._shown_how:
            self._shown_how = words
            how.update(Text(words))
        bars.update(answer_bars(said, self.names, max(self.content_size.width, 12)),
                    layout=not steady)

    _shown_how: str | None = None
