"""The epoch log: one line per epoch, plus notes (live η, pauses, warnings, results).

Each epoch's line must stay one line at every width, so the log keeps what it was given and writes
each epoch in the richest of a few forms that fits its width, rewriting itself when resized: Keras'
full line in a wide panel, a table of training and held-out cost and accuracy in the 40 columns it
has at 120×40, down to ``epoch  held-out cost  held-out accuracy`` in the 20 columns it has at
80×24 (the border subtitle names the columns of the short forms).

Nielsen's single neuron has one example, its training, validation and test set alike: an
accuracy of it is 0 or 100 % and says nothing, so its lines give the cost and the neuron's
output a instead, and name no held-out set.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from rich.text import Text
from textual.events import Resize
from textual.widgets import RichLog

from nntui.engine import EpochReport
from nntui.render.text import safe

MAX_ENTRIES = 5000


def full_line(report: EpochReport, held_out: str, show_timing: bool) -> Text:
    """``Epoch 3/30 - 2.1s - loss: 0.4123 - accuracy: 0.9345 - val_loss: … - η 0.5``."""
    prefix = "val" if held_out == "validation" else held_out
    text = Text()
    text.append(f"Epoch {report.epoch:>{len(str(report.epochs))}}/{report.epochs}",
                style="bold")
    if show_timing:
        text.append(f" - {report.seconds:.1f}s")
    if report.train_cost is not None:
        text.append(f" - loss: {report.train_cost:.4f}")
    if report.train_accuracy is not None:
        text.append(f" - accuracy: {report.train_accuracy:.4f}")
    text.append(f" - {prefix}_loss: {report.val_cost:.4f} - {prefix}_accuracy: ")
    text.append(f"{report.val_accuracy:.4f}", style="bold green")
    text.append(f" - η {report.eta:.3g}", style="dim")
    return text


def table_line(report: EpochReport, held_out: str, show_timing: bool) -> Text:
    """``  3 0.412  93.45% │ 0.435  90.52%``: training then held-out cost and accuracy."""
    text = Text()
    text.append(f"{report.epoch:>{len(str(report.epochs))}}", style="bold")
    if report.train_cost is not None:
        text.append(f" {report.train_cost:.3f} {100 * report.train_accuracy:6.2f}% │")
    text.append(f" {report.val_cost:.3f} ")
    text.append(f"{100 * report.val_accuracy:6.2f}%", style="bold green")
    return text


def narrow_line(report: EpochReport, held_out: str, show_timing: bool) -> Text:
    """``  3  0.435  90.52%``: the epoch, then the held-out cost and accuracy."""
    text = Text()
    text.append(f"{report.epoch:>{len(str(report.epochs))}}", style="bold")
    text.append(f" {report.val_cost:.3f} ")
    text.append(f"{100 * report.val_accuracy:.2f}%", style="bold green")
    return text


FORMS: tuple[Callable[[EpochReport, str, bool], Text], ...] = (full_line, table_line,
                                                                   narrow_line)

Output = Callable[[EpochReport], float]
"""A single neuron's output a at the end of an epoch, from its report."""


def neuron_full_line(report: EpochReport, held_out: str, show_timing: bool, *,
                     output: Output) -> Text:
    """``Epoch 3/300 - 0.0s - cost: 0.4820 - output a: 0.9818 - η 0.15``."""
    text = Text()
    text.append(f"Epoch {report.epoch:>{len(str(report.epochs))}}/{report.epochs}",
                style="bold")
    if show_timing:
        text.append(f" - {report.seconds:.1f}s")
    text.append(f" - cost: {report.val_cost:.4f} - output a: ")
    text.append(f"{output(report):.4f}", style="bold green")
    text.append(f" - η {report.eta:.3g}", style="dim")
    return text


def neuron_narrow_line(report: EpochReport, held_out: str, show_timing: bool, *,
                       output: Output) -> Text:
    """``  3 0.482 0.982``: the epoch, the cost and the output a."""
    text = Text()
    text.append(f"{report.epoch:>{len(str(report.epochs))}}", style="bold")
    text.append(f" {report.val_cost:.3f} ")
    text.append(f"{output(report):.3f}", style="bold green")
    return text


def notes_text(report: EpochReport) -> Text | None:
    """The epoch's notes (η halved, η changed live), on a line of their own."""
    if not report.notes:
        return None
    return Text("  " + "; ".join(report.notes), style="yellow")


class EpochLog(RichLog):
    """A scrollable log whose epoch lines fit its width (see the module docstring)."""

    def __init__(self, *, show_timing: bool = True, id: str | None = None) -> None:
        super().__init__(wrap=True, markup=False, highlight=False, max_lines=MAX_ENTRIES,
                         min_width=10, id=id)
        self.show_timing = show_timing
        self.held_out = "validation"
        self.forms: tuple[Callable[[EpochReport, str, bool], Text], ...] = FORMS
        self._entries: list[EpochReport | Text] = []
        self._form = 0

    # --- what the app writes ----------------------------------------------------------------

    def epoch(self, report: EpochReport) -> None:
        self._add(report)

    def note(self, message: str, style: str = "cyan") -> None:
        """A line of its own; it may quote a path, a name or an error from a file or the run
        history, so it is shown through :func:`~nntui.render.text.safe`."""
        self._add(Text(safe(message), style=style))

    def start_run(self, held_out: str, output: Output | None = None) -> None:
        """Clear the log for a new run measured on ``held_out`` ("validation" or "test"), or
        for a single neuron's, whose ``output`` a each line gives in place of accuracies."""
        self.held_out = held_out
        self.forms = FORMS if output is None else (partial(neuron_full_line, output=output),
                                                   partial(neuron_narrow_line, output=output))
        self._entries.clear()
        self.clear()
        self._choose_form()

    # --- rendering --------------------------------------------------------------------------

    @property
    def form(self) -> Callable[[EpochReport, str, bool], Text]:
        return self.forms[self._form]

    def _add(self, entry: EpochReport | Text) -> None:
        self._entries.append(entry)
        if len(self._entries) > MAX_ENTRIES:
            del self._entries[: len(self._entries) - MAX_ENTRIES]
        if isinstance(entry, EpochReport) and self._choose_form():
            self._rewrite()
            return
        self._write(entry)

    def _write(self, entry: EpochReport | Text) -> None:
        if not self.size.width:
            return  # not laid out yet: the first resize writes everything
        # Wrap at the log's own width (the console's may differ).
        width = self.scrollable_content_region.width
        if isinstance(entry, EpochReport):
            self.write(self.form(entry, self.held_out, self.show_timing), width=width)
            entry = notes_text(entry)
        if entry is not None:
            self.write(entry, width=width)

    def _width(self) -> int:
        return max(self.scrollable_content_region.width - 1, 1)  # one column for the scrollbar

    def _choose_form(self) -> bool:
        """Pick the richest form in which the latest epoch fits on one line; True if it changed."""
        last = next((e for e in reversed(self._entries) if isinstance(e, EpochReport)), None)
        forms = self.forms
        form = len(forms) - 1
        if last is not None:
            width = self._width()
            form = next((i for i, make in enumerate(forms)
                         if make(last, self.held_out, self.show_timing).cell_len <= width),
                        len(forms) - 1)
        changed = form != self._form
        self._form = form
        short = "val" if self.held_out == "validation" else "test"
        if form == 0:
            self.border_subtitle = ""
        elif forms is not FORMS:
            self.border_subtitle = "cost · output a"
        elif forms[form] is table_line and last is not None and last.train_cost is not None:
            self.border_subtitle = f"train: cost acc │ {short}: cost acc"
        else:
            self.border_subtitle = f"{short}: cost · acc"
        return changed

    def _rewrite(self) -> None:
        self.clear()
        for entry in self._entries:
            self._write(entry)

    def on_resize(self, event: Resize) -> None:
        # After RichLog's own handler, which marks the size as known.
        self.call_after_refresh(self._relayout)

    def _relayout(self) -> None:
        self._choose_form()
        self._rewrite()
