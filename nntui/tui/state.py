"""The dashboard's run state as a plain object: what is running, its number, where it is, the
live η, the time left and what the status line says.

:class:`RunState` knows nothing of widgets or threads.  The dashboard feeds it what the worker
reports (:meth:`RunState.batch`, :meth:`RunState.epochs_done`, ...) and draws what it returns, so
every rule about the run (how the time left is estimated, which state survives which event, what
a pause or a step is called) is tested without a terminal (tests/tui/test_state.py).
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from nntui.config import Config
from nntui.engine import BatchProgress, Control, EpochReport, Network

ACTIVE_STATES = ("loading data", "training", "pausing", "paused", "stopping")
"""States of a run that is under way; any other state is how the last run ended, or "ready"."""


@dataclass(frozen=True)
class Status:
    """What the status line shows."""

    state: str = "ready"
    epoch: int = 0
    epochs: int = 0
    eta: float | None = None
    pace: float | None = None  # epochs per second cap; 0 or None: none
    examples_per_second: float | None = None
    remaining: float | None = None  # seconds
    detail: str = ""
    recorded: bool = True  # False while runs cannot be recorded in the run history
    hint: str = ""  # the last rule of thumb the run called for, in a word or two (HINT_WORDS)

    def evolve(self, **changes: object) -> Status:
        return replace(self, **changes)  # type: ignore[arg-type]


HINT_WORDS = {"eta-too-high": "η too high", "eta-too-low": "η too small",
              "overfitting": "overfitting", "vanishing": "vanishing gradient",
              "slowdown": "learning slowdown", "dead-relu": "dead ReLUs"}
"""Each hint's kind (:data:`nntui.runner.hints.KINDS`) as the status line says it: short, since an
80-column dashboard leaves it a dozen cells; the log holds the whole advice."""


@dataclass(frozen=True)
class Pause:
    """Where a run paused, in words: ``where`` ("after epoch 3", "in epoch 4 after 120 of 5,000
    mini-batches") and what F7 would do from there."""

    where: str
    step: str


@dataclass
class RunState:
    """The current run (or the last one)."""

    status: Status = field(default_factory=Status)
    number: int = 0
    name: str = ""
    config: Config | None = None
    control: Control | None = None
    network: Network | None = None  # what Ctrl+S saves: the run's, or a loaded one
    network_config: Config | None = None
    record_id: int | None = None  # the run's id in the run history, once it is recorded
    epochs_seen: int = 0
    batches: int = 0  # mini-batches per epoch, once known
    position: tuple[int, int, int] = (0, 0, 0)
    """(epoch, mini-batches done in it, mini-batches per epoch): what the progress bar shows and
    every pause, step and stop message names."""
    restart_with: Config | None = None  # started once the running run has stopped
    last_epoch_time: float | None = None
    epoch_wall: float | None = None  # wall seconds per epoch, evaluation and pace included

    # --- what the run is doing ---------------------------------------------------------------

    @property
    def state(self) -> str:
        return self.status.state

    @property
    def running(self) -> bool:
        return self.state in ACTIVE_STATES

    @property
    def live_eta(self) -> float | None:
        """The η of the running run: the last one asked for, until the trainer takes it."""
        if self.control is not None and self.control.live_eta is not None:
            return self.control.live_eta  # the engine's control owns it
        return self.status.eta

    def is_current(self, run: int) -> bool:
        """Whether a worker message of run ``run`` belongs to the run shown (not one replaced)."""
        return run == self.number

    def _keep(self, *states: str) -> str:
        """The state after a progress event: a pending pause or stop is not forgotten."""
        return self.state if self.state in states else "training"

    # --- the run's life ------------------------------------------------------------------------

    def begin(self, config: Config, *, step: bool = False, recorded: bool = True,
              clock: float | None = None, control: Control | None = None,
              number: int | None = None) -> Control:
        """A new run of ``config``: numbered (the next number, or ``number``: a comparison
        numbers its runs as its worker starts them), named after the clock and its data set, with
        a fresh control (asked to pause after one epoch when ``step``) unless it shares
        ``control`` (a comparison's runs share their sweep's); ``recorded`` says whether the run
        history can record it."""
        self.number = self.number + 1 if number is None else number
        self.config = config
        stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(clock))
        self.name = f"{stamp}-{self.number}-{Path(config.dataset).name or 'data'}"
        self.control = Control() if control is None else control
        if step:
            self.control.step()
        self.record_id = None
        self.epochs_seen = 0
        self.batches = 0
        self.position = (0, 0, 0)
        self.last_epoch_time = self.epoch_wall = None
        self.status = Status(state="loading data", epochs=config.epochs, eta=config.eta,
                             pace=config.pace, detail=config.dataset,
                             recorded=recorded)
        return self.control

    def data_loaded(self, sizes: Sequence[int], n_train: int, network: Network,
                    record_id: int | None = None) -> None:
        """The run started: its layers, training examples, network and run history id."""
        # From now on "save" means this run's network (once it is paused or has ended).
        self.network, self.network_config = network, self.config
        self.record_id = record_id
        if self.config is not None:
            self.batches = math.ceil(n_train / self.config.batch_size)
        layers = "[" + ",".join(str(n) for n in sizes) + "]"
        self.status = self.status.evolve(state=self._keep("pausing", "stopping"),
                                         detail=f"{layers} {n_train:,} ex")

    def batch(self, p: BatchProgress) -> None:
        """A progress report inside an epoch: where the run is, its speed, the time left."""
        remaining = None
        if p.batch and p.seconds > 0:
            pace = self.status.pace
            epoch_time = self.epoch_wall or max(p.seconds * p.batches / p.batch,
                                                1 / pace if pace else 0)
            remaining = (p.seconds * (p.batches - p.batch) / p.batch
                         + (p.epochs - p.epoch) * epoch_time)
        self.batches = p.batches
        self.position = (p.epoch, p.batch, p.batches)
        self.status = self.status.evolve(
            state=self._keep("pausing", "stopping", "paused"), epoch=p.epoch, epochs=p.epochs,
            eta=self.live_eta or p.eta, examples_per_second=p.examples_per_second,
            remaining=remaining)

    def epochs_done(self, reports: Sequence[EpochReport], now: float) -> None:
        """One or more epochs ended (``now``: a monotonic clock): the time left is estimated from
        the wall time between epochs, which counts evaluation and any pace wait."""
        last = reports[-1]
        if self.last_epoch_time is not None:
            self.epoch_wall = (now - self.last_epoch_time) / len(reports)
        self.last_epoch_time = now
        self.epochs_seen += len(reports)
        self.position = (last.epoch, self.batches, self.batches)
        remaining = (None if self.epoch_wall is None
                     else (last.epochs - last.epoch) * self.epoch_wall)
        self.status = self.status.evolve(
            epoch=last.epoch, epochs=last.epochs, eta=self.live_eta or last.eta,
            examples_per_second=last.examples_per_second, remaining=remaining)

    def paused(self, epoch: int, batch: int) -> Pause | None:
        """The trainer paused before mini-batch ``batch`` of ``epoch`` (0: between epochs).
        None when a stop was asked for meanwhile: the run is ending, not pausing."""
        if self.state == "stopping":
            return None
        batches = self.batches
        if batch == 0:  # between epochs: the last one is complete
            self.position = (epoch - 1, batches, batches)
            where = f"after epoch {epoch - 1}" if epoch > 1 else "before epoch 1"
            step = f"F7 trains epoch {epoch}"
        else:
            self.position = (epoch, batch, batches)
            where = f"in epoch {epoch} after {batch:,} of {batches:,} mini-batches"
            step = f"F7 finishes epoch {epoch}"
        self.status = self.status.evolve(state="paused", remaining=None, epoch=self.position[0])
        return Pause(where, step)

    def resumed(self) -> bool:
        """The trainer resumed; False when a pause or stop asked for since wins."""
        if self.state in ("stopping", "pausing"):
            return False
        self.status = self.status.evolve(state="training")
        return True

    def ended(self, status: str, network: Network | None,
              stopped_at: tuple[int, int, int] | None) -> None:
        """The run is over with ``status``; a stopped run's bar shows where it really stopped."""
        self.control = None
        # A diverged run leaves nothing worth saving (its weights are NaN): network is None.
        self.network, self.network_config = network, self.config
        if stopped_at is not None:
            epoch, batch, batches = stopped_at
            self.position = (epoch, batch, batches) if batch else (epoch - 1, batches, batches)
        self.status = self.status.evolve(state=status, remaining=None, examples_per_second=None,
                                         epoch=self.position[0])

    # --- requests from the keyboard --------------------------------------------------------------

    def pause_or_resume(self) -> str | None:
        """F6: "pause" or "resume" as asked of the control, or None when nothing runs."""
        if self.control is None or not self.running:
            return None
        if self.state in ("paused", "pausing"):
            self.control.resume()
            self.status = self.status.evolve(state="training")
            return "resume"
        if self.state in ("training", "loading data"):
            self.control.pause()
            self.status = self.status.evolve(state="pausing")
            return "pause"
        return None

    def step(self) -> str:
        """F7 during a run: what the step trains, in words, once asked of the control."""
        assert self.control is not None
        epoch, batch, batches = self.position
        if batches and batch >= batches:  # between epochs: the step trains the next one whole
            what = f"training epoch {epoch + 1}"
        else:
            what = f"finishing epoch {max(epoch, 1)}"
        self.control.step()
        self.status = self.status.evolve(state="training")
        return what

    def stop(self, restart_with: Config | None = None) -> None:
        """Stop after the current mini-batch; ``restart_with`` starts once it has ended."""
        assert self.control is not None
        self.restart_with = restart_with
        self.control.stop()
        self.status = self.status.evolve(state="stopping")

    def take_restart(self) -> Config | None:
        config, self.restart_with = self.restart_with, None
        return config
