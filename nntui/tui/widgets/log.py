"""The epoch log: one line per epoch in Keras' style, plus notes (live η, warnings, results)."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import RichLog

from ...engine import EpochReport


def epoch_text(report: EpochReport, *, show_timing: bool = True) -> Text:
    """``Epoch 3/30 - 2.1s - loss: 0.41 - accuracy: 0.9345 - val_loss: … - val_accuracy: …``."""
    text = Text()
    width = len(str(report.epochs))
    text.append(f"Epoch {report.epoch:>{width}}/{report.epochs}", style="bold")
    if show_timing:
        text.append(f" - {report.seconds:.1f}s")
    if report.train_cost is not None:
        text.append(f" - loss: {report.train_cost:.4f}")
    if report.train_accuracy is not None:
        text.append(f" - accuracy: {report.train_accuracy:.4f}")
    text.append(f" - val_loss: {report.val_cost:.4f}")
    text.append(" - val_accuracy: ")
    text.append(f"{report.val_accuracy:.4f}", style="bold green")
    text.append(f" - η {report.eta:.3g}", style="dim")
    for note in report.notes:
        text.append(f"  [{note}]", style="yellow")
    return text


class EpochLog(RichLog):
    """A scrollable log; lines wrap so nothing is cut off in a narrow terminal."""

    def __init__(self, *, show_timing: bool = True, id: str | None = None) -> None:
        super().__init__(wrap=True, markup=False, highlight=False, max_lines=5000, min_width=20,
                         id=id)
        self.show_timing = show_timing

    def epoch(self, report: EpochReport) -> None:
        self.write(epoch_text(report, show_timing=self.show_timing))

    def note(self, message: str, style: str = "cyan") -> None:
        self.write(Text(message, style=style))
