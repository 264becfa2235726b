"""The status line and the progress bar over the current epoch's mini-batches."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Label, ProgressBar, Static

from nntui.render.styles import STATUS_LINE_STYLES
from nntui.tui.state import Status

__all__ = ["EpochProgress", "Status", "StatusLine", "format_seconds"]


def format_seconds(seconds: float) -> str:
    seconds = max(0, round(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


class StatusLine(Static):
    """``● training  epoch 3/30  η 0.5  12,345 ex/s  ETA 1:02  [784,30,10] mnist``.

    What matters most comes first (state, epoch, a hint, η), so a narrow terminal cuts only the
    detail.
    """

    def __init__(self, *, show_timing: bool = True, id: str | None = None) -> None:
        super().__init__(id=id)
        self.show_timing = show_timing
        self.status = Status()

    def on_mount(self) -> None:
        self.set(Status())

    def set(self, status: Status) -> None:
        self.status = status
        text = Text()
        text.append(f"● {status.state}", style=STATUS_LINE_STYLES.get(status.state, "bold"))
        if status.epochs:
            text.append(f"  epoch {status.epoch}/{status.epochs}")
        if status.hint:  # before η: at 80 columns it must not be the part that is cut
            text.append(f"  ⚠ {status.hint}", style="bold yellow")
        if status.eta is not None:
            text.append(f"  η {status.eta:.3g}")
        if status.pace:
            text.append(f"  pace {status.pace:g}/s")
        if self.show_timing:
            if status.examples_per_second:
                text.append(f"  {status.examples_per_second:,.0f} ex/s")
            if status.remaining is not None:
                text.append(f"  ETA {format_seconds(status.remaining)}")
        if not status.recorded:
            text.append("  not recorded", style="bold yellow")
        if status.detail:
            text.append(f"  {status.detail}", style="dim")
        self.update(text, layout=False)  # one fixed-size line: no relayout of the screen


class EpochProgress(Horizontal):
    """``epoch 3  [█████░░░░]  61%  3100/5000``: mini-batches done in the current epoch."""

    def compose(self) -> ComposeResult:
        yield Label("epoch –", id="progress-label")
        yield ProgressBar(total=1, show_eta=False, show_percentage=True, id="progress-bar")
        yield Label("", id="progress-count")

    def set(self, epoch: int, batch: int, batches: int) -> None:
        # The labels have fixed widths, so updating them needs no relayout of the whole screen;
        # a relayout repaints every widget and cost the training thread ~10 % of its speed.
        label = self.query_one("#progress-label", Label)
        count = self.query_one("#progress-count", Label)
        label.update(f"epoch {epoch}" if epoch else "epoch –", layout=False)
        bar = self.query_one(ProgressBar)
        if epoch and not batches:  # an epoch ended before any progress report: tiny data
            bar.update(total=1, progress=1)
            count.update("epoch done", layout=False)
        elif batches:
            bar.update(total=batches, progress=batch)
            count.update(f"{batch}/{batches} batches", layout=False)
        else:
            bar.update(total=1, progress=0)
            count.update("", layout=False)

    def reset(self) -> None:
        self.set(0, 0, 0)

    def set_sweep(self, runs_done: int, runs: int, epochs_done: int, epochs: int) -> None:
        """A sweep's progress: its epochs trained of all its runs' (a run that ended early
        counts whole), and how many runs are done."""
        self.query_one("#progress-label", Label).update("sweep", layout=False)
        self.query_one(ProgressBar).update(total=max(epochs, 1), progress=epochs_done)
        self.query_one("#progress-count", Label).update(f"{runs_done}/{runs} runs",
                                                        layout=False)
