"""Messages the training worker posts to the app.

``App.post_message`` is thread-safe, so the worker thread hands finished, ready-to-draw data to the
UI thread through these.  Every message carries the number of the run that produced it, so the app
can ignore late messages from a run it has already replaced.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from textual.message import Message

from nntui.engine import BatchProgress, EpochReport, Network
from nntui.render.plots import Series


@dataclass(frozen=True)
class PlotData:
    """The three plots' curves, already downsampled to a few hundred points in the worker.
    ``output`` holds a single neuron's output a per epoch: for one example an accuracy says
    nothing, so the accuracy plot shows that instead (Nielsen's animation of ch. 3)."""

    cost: list[Series]
    accuracy: list[Series]
    speed: list[Series]
    output: list[Series] = field(default_factory=list)
    overlaid: bool = False  # several runs: the first is drawn on top


class RunMessage(Message):
    """Base of the worker's messages: ``run`` numbers the run that sent it."""

    def __init__(self, run: int) -> None:
        super().__init__()
        self.run = run


class DataLoaded(RunMessage):
    """The data set is loaded and the network built; training starts now.  For a 2-D data set
    ``points`` holds (training x, labels, held-out x, labels), for the decision-boundary panel."""

    def __init__(self, run: int, description: str, sizes: list[int], n_train: int,
                 network: Network,
                 points: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None = None
                 ) -> None:
        super().__init__(run)
        self.description, self.sizes, self.n_train = description, sizes, n_train
        self.network = network  # the one being trained: saved from here while the run is paused
        self.points = points


class BatchUpdate(RunMessage):
    """A few times a second: progress through the epoch, and now and then (``running`` not None)
    the running mini-batch cost curve to redraw."""

    def __init__(self, run: int, progress: BatchProgress, running: Series | None) -> None:
        super().__init__(run)
        self.progress, self.running = progress, running


class EpochsDone(RunMessage):
    """One or more epochs finished since the last such message (tiny data sets finish many
    epochs a second, so the worker batches them) and the plots' new curves."""

    def __init__(self, run: int, reports: list[EpochReport], plots: PlotData) -> None:
        super().__init__(run)
        self.reports, self.plots = reports, plots


class RunPaused(RunMessage):
    def __init__(self, run: int, epoch: int, batch: int) -> None:
        super().__init__(run)
        self.epoch, self.batch = epoch, batch


class RunResumed(RunMessage):
    def __init__(self, run: int, epoch: int, batch: int) -> None:
        super().__init__(run)
        self.epoch, self.batch = epoch, batch


class RunWarning(RunMessage):
    """Something went wrong beside training (e.g. the run history could not be written);
    ``unrecorded`` when the run is no longer being recorded."""

    def __init__(self, run: int, message: str, unrecorded: bool = False) -> None:
        super().__init__(run)
        self.message, self.unrecorded = message, unrecorded


class RunEnded(RunMessage):
    """The run is over: ``status`` is one of :data:`nntui.runner.lifecycle.STATUSES`.
    ``stopped_at`` is (epoch, mini-batches done in it, mini-batches per epoch) where a stopped run
    stopped."""

    def __init__(self, run: int, status: str, message: str, *, epochs_run: int = 0,
                 test_accuracy: float | None = None, network: Network | None = None,
                 stopped_at: tuple[int, int, int] | None = None) -> None:
        super().__init__(run)
        self.status, self.message = status, message
        self.epochs_run, self.test_accuracy, self.network = epochs_run, test_accuracy, network
        self.stopped_at = stopped_at
