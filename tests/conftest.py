"""Small shared fixtures for the engine, training, runs and CLI tests.

Only cheap, deterministic things live here: a collector that records the events a trainer and a
run report, a maker of epoch reports for the tests that record runs, the paths no nntui writer may
write, the curves of a long run and the check that a plot keeps them in its frame (for the plots
and their widgets), and a private run history for every test.  (The engine's made-up data sets
are in tests/engine/conftest.py.)
"""

from __future__ import annotations

import contextlib
import math
import os
import random
import re
import signal
import subprocess
from collections.abc import Callable
from pathlib import Path

import plotext
import pytest

from nntui.engine import EpochReport
from nntui.render import plots
from nntui.render.plots import Series
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
    """Every test records its runs in a history of its own, never in the user's, and keeps what
    could not be written (a full disk) in a state folder of its own."""
    folder = tmp_path_factory.mktemp("history")
    monkeypatch.setenv("NNTUI_RUNS_DB", str(folder / "runs.db"))
    monkeypatch.setenv("NNTUI_RUNS_DIR", str(folder / "old-runs"))
    monkeypatch.setenv("XDG_STATE_HOME", str(folder / "state"))


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


@pytest.fixture
def long_run() -> Callable[..., tuple[list[Series], list[Series]]]:
    """A maker of a long run's curves, thinned as the app thins them: ``long_run(epochs,
    layers)`` gives (cost: training, validation and a running mini-batch curve; speed: one per
    layer), seeded, so every test draws the same."""

    def make(epochs: int = 400, layers: int = 6) -> tuple[list[Series], list[Series]]:
        rng = random.Random(1)
        x = [float(e) for e in range(1, epochs + 1)]
        x = x[:: max(1, epochs // 300)]  # thinned like the app's curves
        cost = [Series("training", x, [2.2 * math.exp(-e / 40) + rng.gauss(0, 0.01) for e in x],
                       "training"),
                Series("validation", x, [0.5 + 2 * math.exp(-e / 30) for e in x], "held-out"),
                Series("mini-batch (this epoch)", [epochs + b / 100 for b in range(1, 60)],
                       [0.01 * rng.random() for _ in range(59)], "running")]
        speed = [Series(name, x, [0.3 / 3**k * math.exp(-e / 100) for e in x])
                 for k, name in enumerate(plots.layer_names(layers))]
        return cost, speed

    return make


BRAILLE = re.compile("[\u2801-\u28ff]")
"""A cell of a curve: plotext draws them in braille dots."""


@pytest.fixture
def assert_inside_frame() -> Callable[[str, int, int], None]:
    """A check of a plot drawn ``width`` by ``height``: every curve dot lies strictly inside the
    frame, and no line is wider than the plot."""

    def check(canvas: str, width: int, height: int) -> None:
        lines = plotext.uncolorize(canvas).rstrip("\n").split("\n")
        assert len(lines) <= height
        assert all(len(line) <= width for line in lines)
        top = next(i for i, line in enumerate(lines) if "┌" in line)
        bottom = next(i for i, line in enumerate(lines) if "└" in line)
        left, right = lines[top].index("┌"), lines[top].index("┐")
        for row, line in enumerate(lines):
            for match in BRAILLE.finditer(line):
                assert top < row < bottom and left < match.start() < right, (row, match.start())

    return check


def _stop_group(process: subprocess.Popen, grace: float = 10.0) -> None:
    """End a process started in a session of its own and everything in its process group:
    SIGTERM, ``grace`` seconds to end, then SIGKILL."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=grace)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    if process.poll() is None:
        process.wait(timeout=10)


@pytest.fixture(scope="session")
def stop_group() -> Callable[..., None]:
    """``stop_group(process, grace=10)``: end a process started with ``start_new_session`` and
    its whole group (SIGTERM, then SIGKILL after ``grace`` seconds)."""
    return _stop_group


DIGIT_CONFIG = dict(dataset="mnist", hidden="30", train_size=10000, epochs=4, eta=0.1,
                    output="softmax", cost="log-likelihood", pace=0, seed=1, batch_size=10)
"""A small MNIST network that reaches about 92 % in under a second of training."""


@pytest.fixture(scope="session")
def digit_network():
    """``(config, network)``: a fixed-seed MNIST network trained once per session, for the
    tests that draw digits and show them to a network."""
    from nntui.config import make_config
    from nntui.runner.lifecycle import Run

    config = make_config(**DIGIT_CONFIG)
    return config, Run(config).execute().network


@pytest.fixture(scope="session")
def digit_network_file(digit_network, tmp_path_factory) -> Path:
    """:func:`digit_network` saved as .npz, for ``nntui inspect`` and ``nntui --load``."""
    from nntui.storage.networks import save_network

    config, network = digit_network
    return save_network(tmp_path_factory.mktemp("digit") / "digit.npz", network, config)
