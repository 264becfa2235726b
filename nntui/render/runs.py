"""How a recorded run reads, the same on the command line and in the app: its start time, length,
accuracies, data set and hyperparameters in a few characters each, and its status in its style.

What comes from the history as text (a data set's folder, a newer version's status, a value of the
wrong type) is passed through :func:`~nntui.render.text.safe`: a shared history must not reach the
terminal as control characters.
"""

from __future__ import annotations

import math
import os
import time
from datetime import datetime
from pathlib import Path

from rich.text import Text

from nntui.config import format_number
from nntui.render.styles import STATUS_STYLES
from nntui.render.text import safe
from nntui.storage.history import RunSummary


def when(timestamp: float, now: float | None = None) -> str:
    """A start time in local time, short: ``Nov 23 14:05`` this year, ``2025-11-23`` before."""
    moment = datetime.fromtimestamp(timestamp)
    today = datetime.fromtimestamp(time.time() if now is None else now)
    return moment.strftime("%b %d %H:%M" if moment.year == today.year else "%Y-%m-%d")


def iso(timestamp: float | None) -> str | None:
    if timestamp is None:
        return None
    return datetime.fromtimestamp(timestamp).astimezone().isoformat(timespec="seconds")


def duration(seconds: float) -> str:
    seconds = round(seconds)
    if seconds < 60:
        return f"{seconds}s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes}m{seconds:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m"


def percent(value: float | None) -> str:
    if value is None:
        return "-"
    if math.isnan(value):
        return "nan"
    return f"{100 * value:.2f}%"


def number(value: float | None, digits: int = 4) -> str:
    if value is None:
        return "-"
    return f"{value:.{digits}f}" if math.isfinite(value) else str(value)


def dataset_label(config: dict) -> str:
    """``mnist``, ``mnist (1,000)``, ``mnist (1,000 expanded)`` when each training image was
    also shifted four ways, ``digits`` for a folder's last part."""
    name = str(config.get("dataset", "?"))
    if "/" in name or os.sep in name:
        name = Path(name).name or name
    size = config.get("train_size")
    details = [f"{size:,}"] if isinstance(size, int) and size > 0 else []
    if config.get("expand") is True:
        details.append("expanded")
    return safe(f"{name} ({' '.join(details)})" if details else name)


def hyperparameters(config: dict) -> tuple[str, str, str, str]:
    """(hidden layers, η, batch size, regularization) as the list shows them."""
    hidden = config.get("hidden")
    hidden_text = ",".join(str(n) for n in hidden) if isinstance(hidden, list) else "?"
    eta = config.get("eta")
    eta_text = format_number(eta) if isinstance(eta, int | float) else "?"
    batch = config.get("batch_size", "?")
    reg, lmbda = config.get("regularization", "none"), config.get("lmbda", 0)
    if reg == "none" or not lmbda:
        reg_text = "none"
    else:
        reg_text = f"{str(reg).upper()} λ={format_number(lmbda)}"
    return safe(hidden_text or "none"), eta_text, safe(batch), safe(reg_text)


def status_text(status: str) -> Text:
    return Text(safe(status), style=STATUS_STYLES.get(status, ""))


def outcome_text(run: RunSummary) -> Text:
    """How the run ended, in its status's style, with the rest of its message; the accuracies
    the message ends with are left to :func:`accuracy_lines`, which says when each was
    measured."""
    status = safe(run.status)
    style = STATUS_STYLES.get(run.status, "")
    message = "; ".join(part for part in safe(run.message).split("; ")
                        if not part.startswith(("best ", "test accuracy "))) or status
    if message.startswith(status):  # "completed; best validation accuracy …"
        return Text.assemble((status, style), message[len(status):])
    return Text.assemble((status, style), f" - {message}")


def best_text(run: RunSummary) -> str:
    if run.best_val_accuracy is None:
        return "-"
    where = " test" if run.held_out == "test" else ""
    return f"{percent(run.best_val_accuracy)}{where}"


def epochs_text(run: RunSummary) -> str:
    planned = run.epochs
    return f"{run.epochs_done}/{planned}" if planned else str(run.epochs_done)


def accuracy_lines(run: RunSummary, *, short: bool = False) -> list[tuple[str, str]]:
    """(label, value) for what a run's details say of its accuracy: the best held-out accuracy
    and its epoch, the held-out accuracy at the last epoch it finished, and the test accuracy of
    the network as it ended.

    Each label says when its figure was measured, so that two figures on one set never read as
    a contradiction: a run validated on the test set and stopped during an epoch has a test
    accuracy at its last finished epoch and another, of the network trained on since, at the
    end.  When those are the same measurement (the run ended with an epoch) one line says it.
    ``short`` leaves "accuracy" out of the labels, for a narrow panel."""
    held, lines = run.held_out, []
    accuracy = "" if short else " accuracy"
    at_end = "not measured" if run.test_accuracy is None else percent(run.test_accuracy)
    if run.best_val_accuracy is not None:
        lines.append((f"best {held}{accuracy}", f"{percent(run.best_val_accuracy)} at epoch "
                                               f"{run.best_epoch}"))
        if held == "test" and run.test_accuracy == run.final_val_accuracy:
            return [*lines, (f"test{accuracy} at the end", f"{at_end} (epoch {run.epochs_done})")]
        lines.append((f"{held}{accuracy} at epoch {run.epochs_done}",
                      percent(run.final_val_accuracy)))
    if run.test_accuracy is not None or run.status != "running":  # measured once it ends
        lines.append((f"test{accuracy} at the end", at_end))
    return lines
