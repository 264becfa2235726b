"""Small shared fixtures for the engine, training, runs and CLI tests.

Only cheap, deterministic things live here: a collector that records the events a trainer reports,
and a private run history for every test.  (The engine's made-up data sets are in
tests/engine/conftest.py.)
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from nntui.runner.lifecycle import RunObserver


class Recorder(RunObserver):
    """An observer that keeps every event, so tests can ask what the trainer and the run said
    and in what order; ``then(event)``, if given, is called after each is kept."""

    def __init__(self, then: Callable[[object], object] | None = None) -> None:
        self.events: list = []
        self.then = then

    def notify(self, event: object) -> None:
        self.events.append(event)
        if self.then is not None:
            self.then(event)

    on_progress = on_epoch = on_pause = on_resume = on_finish = on_fail = notify
    on_run_start = on_run_end = notify

    def of(self, kind: type) -> list:
        return [e for e in self.events if isinstance(e, kind)]


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture(autouse=True)
def private_run_history(tmp_path_factory, monkeypatch):
    """Every test records its runs in a history of its own, never in the user's."""
    folder = tmp_path_factory.mktemp("history")
    monkeypatch.setenv("NNTUI_RUNS_DB", str(folder / "runs.db"))
    monkeypatch.setenv("NNTUI_RUNS_DIR", str(folder / "old-runs"))
