"""How a recorded run reads, the same on the command line and in the app: its start time, length,
accuracies, data set and hyperparameters in a few characters each, and its status in its style.
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
    name = str(config.get("dataset", "?"))
    if "/" in name or os.sep in name:
        name = Path(name).name or name
    size = config.get("train_size")
    return f"{name} ({size:,})" if isinstance(size, int) and size > 0 else name


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
    return hidden_text or "none", eta_text, str(batch), reg_text


def status_text(status: str) -> Text:
    return Text(status, style=STATUS_STYLES.get(status, ""))


def best_text(run: RunSummary) -> str:
    if run.best_val_accuracy is None:
        return "-"
    where = " test" if run.held_out == "test" else ""
    return f"{percent(run.best_val_accuracy)}{where}"


def epochs_text(run: RunSummary) -> str:
    planned = run.epochs
    return f"{run.epochs_done}/{planned}" if planned else str(run.epochs_done)
