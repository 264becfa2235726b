"""How the app was started: the values every part of the dashboard reads and none changes.

:class:`~nntui.tui.app.NNTuiApp` makes one :class:`Settings` from its arguments and hands it to
the dashboard, which hands it to its controllers: the form's starting config (what Ctrl+R puts
back), where the data and the saved networks are, whether clocks are shown, how often a run
reports its progress, and how many BLAS threads a run may use beside the UI.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from nntui.config import DEFAULTS, Config

PROGRESS_INTERVAL = 0.33
"""Seconds between the trainer's progress reports.  Each one wakes the UI, and every wake-up
passes the GIL back and forth: at 5 reports a second training ran at 0.83-0.85 of its headless
speed, at 3 a second at 0.95-0.97 (benchmarks/bench_responsiveness.py)."""


@dataclass(frozen=True)
class Settings:
    """``config`` fills the form; ``data_dir`` is where the data sets are (None: the bundled
    ones); ``runs_dir`` is where saved networks go; ``show_timing=False`` hides clocks and speeds,
    for reproducible screenshots and snapshot tests; ``blas_threads`` caps BLAS inside training
    runs (None: no cap)."""

    config: Config = DEFAULTS
    data_dir: str | None = None
    runs_dir: Path = Path()
    show_timing: bool = True
    progress_interval: float = PROGRESS_INTERVAL
    blas_threads: int | None = 1
