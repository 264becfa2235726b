"""Small shared fixtures for the engine, training, runs and CLI tests.

Only cheap, deterministic things live here: a collector that records the events a trainer and a
run report, a maker of epoch reports for the tests that record runs, the paths no nntui writer may
write, and a private run history for every test.  (The engine's made-up data sets are in
tests/engine/conftest.py.)
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from nntui.engine import EpochReport
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


@pytest.fixture
def make_recorder() -> Callable[..., Recorder]:
    """Makes a :class:`Recorder` (``make_recorder(then)``), for tests that build observers as they
    go, such as a sweep's for each of its runs, without importing this module."""
    return Recorder


@pytest.fixture(autouse=True)
def private_run_history(tmp_path_factory, monkeypatch):
    """Every test records its runs in a history of its own, never in the user's."""
    folder = tmp_path_factory.mktemp("history")
    monkeypatch.setenv("NNTUI_RUNS_DB", str(folder / "runs.db"))
    monkeypatch.setenv("NNTUI_RUNS_DIR", str(folder / "old-runs"))


@pytest.fixture
def epoch_report() -> Callable[..., EpochReport]:
    """A maker of :class:`EpochReport`: ``epoch_report(epoch, **fields)`` gives epoch ``epoch``
    of five, its training cost falling as 1/epoch, held-out accuracy 0.5 at cost 0.7, a learning
    speed per layer of two, a quarter of a second; ``fields`` replace any of these."""

    def make(epoch: int, **fields: object) -> EpochReport:
        values: dict = {"epochs": 5, "train_cost": 0.6 / epoch,
                        "train_accuracy": 0.55 + epoch / 100, "val_cost": 0.7,
                        "val_accuracy": 0.5, "learning_speed": (0.01 * epoch, 0.1),
                        "seconds": 0.25, "examples_per_second": 1234.5, "eta": 0.1,
                        "notes": ()}
        return EpochReport(epoch=epoch, **{**values, **fields})

    return make


class Unwritable:
    """Paths every file nntui writes refuses, in ``folder``, each with the words that begin what
    its refusal says after the path: a symbolic link ``link.json`` (to ``real.json``), a folder
    ``folder.csv``, a FIFO ``fifo.json``, a device and a read-only file ``kept.json``."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.real = folder / "real.json"
        self.real.write_text("precious")
        link = folder / "link.json"
        link.symlink_to(self.real)
        (folder / "folder.csv").mkdir()
        os.mkfifo(folder / "fifo.json")
        self.read_only = folder / "kept.json"
        self.read_only.write_text("keep me")
        self.read_only.chmod(0o444)
        self.refusals = {
            link: "it is a symbolic link (to",
            folder / "folder.csv": "it is a folder; give the name of",
            folder / "fifo.json": "it is a named pipe (FIFO), not a regular file",
            Path("/dev/null"): "it is a device, not a regular file",
            self.read_only: "the file is read-only; make it writable",
        }

    def untouched(self) -> bool:
        """Whether all is as it was: nothing written through the link or over the read-only
        file, and nothing new in the folder but what the test made itself."""
        names = {p.name for p in self.folder.iterdir() if p.suffix in (".json", ".csv")
                 or p.name.startswith(".")}
        return (self.real.read_text() == "precious" and self.read_only.read_text() == "keep me"
                and (self.folder / "link.json").is_symlink()
                and names == {"real.json", "link.json", "folder.csv", "fifo.json", "kept.json"})


@pytest.fixture
def unwritable(tmp_path: Path) -> Unwritable:
    """:class:`Unwritable` paths in the test's folder."""
    return Unwritable(tmp_path)
