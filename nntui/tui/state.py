"""The dashboard's run state as a plain object: what is running, its number, where it is, the
live η, its speed and the time left, and what the status line says.

:class:`RunState` knows nothing of widgets or threads.  The dashboard feeds it what the worker
reports (:meth:`RunState.batch`, :meth:`RunState.epochs_done`, ...) and draws what it returns, so
every rule about the run (how the time left is estimated, which state survives which event, what
a pause or a step is called) is tested without a terminal (tests/tui/test_state.py).
"""

from __future__ import annotations

import math
import time
from collections import deque
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


RATE_WINDOW = 5.0
"""Seconds of progress reports the speed and the time left are estimated over: one report
covers a few mini-batches, and an epoch's first one its warm-up too (181 examples a second and 5
minutes left, for a run of 30 seconds)."""
MIN_RATE_SPAN = 1.0
"""… and the least time the reports must span before anything is estimated."""


@dataclass(frozen=True)
class Rate:
    """How fast the run goes, from the progress reports of the last :data:`RATE_WINDOW`
    seconds: training examples per second of training (pauses and evaluation left out) and
    epochs per second of the wall clock (what the time left needs: evaluation and any pace
    included)."""

    examples_per_second: float | None
    epochs_per_second: float


@dataclass
class RateWindow:
    """The progress reports of the last few seconds: (wall clock, epochs done, seconds of
    training so far, examples trained so far)."""

    samples: deque[tuple[float, float, float, float]] = field(default_factory=deque)

    def clear(self) -> None:
        self.samples.clear()

    def add(self, now: float, epochs: float, trained: float, examples: float) -> Rate | None:
        """A report at ``now``; the rate over the window, or None while the reports span less
        than :data:`MIN_RATE_SPAN`."""
        samples = self.samples
        samples.append((now, epochs, trained, examples))
        while len(samples) > 2 and samples[1][0] <= now - RATE_WINDOW:
            samples.popleft()  # the oldest kept is the last one before the window
        then, epochs_then, trained_then, examples_then = samples[0]
        if now - then < MIN_RATE_SPAN or epochs <= epochs_then:
            return None
        speed = ((examples - examples_then) / (trained - trained_then)
                 if trained > trained_then and examples > examples_then else None)
        return Rate(speed, (epochs - epochs_then) / (now - then))


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
    """The session's count of runs, which tells a replaced run's late messages apart; never
    shown: the run history's id (:attr:`record_id`) is the run's number everywhere."""
    stamp: str = ""  # when the run began, as its saved networks' names start
    config: Config | None = None
    control: Control | None = None
    network: Network | None = None  # what Ctrl+S saves: the run's, or a loaded one
    network_config: Config | None = None
    network_file: str = ""  # the file a loaded network came from ("": the run's own)
    started: bool = False  # the data are loaded and the run history has (or has not) taken it
    record_id: int | None = None  # the run's id in the run history, once it is recorded
    epochs_seen: int = 0
    batches: int = 0  # mini-batches per epoch, once known
    position: tuple[int, int, int] = (0, 0, 0)
    """(epoch, mini-batches done in it, mini-batches per epoch): what the progress bar shows and
    every pause, step and stop message names."""
    restart_with: Config | None = None  # started once the running run has stopped
    last_epoch_time: float | None = None
    epoch_wall: float | None = None  # wall seconds per epoch, evaluation and pace included
    n_train: int = 0  # training examples, once known
    trained_seconds: float = 0.0  # training time of the epochs ended, pauses excluded
    rate: Rate | None = None  # over the last few seconds of progress
    window: RateWindow = field(default_factory=RateWindow)

    # --- what the run is doing ---------------------------------------------------------------

    @property
    def state(self) -> str:
        return self.status.state

    @property
    def running(self) -> bool:
        return self.state in ACTIVE_STATES

    @property
    def title(self) -> str:
        """The run as every line names it: by its id in the run history ("run 33"); a run the
        history does not hold (it could not be opened or written) by the session's count,
        marked as such ("unrecorded run 2")."""
        if self.record_id is not None:
            return f"run {self.record_id}"
        if not self.started and self.status.recorded:
            return "the new run"  # the history numbers it once its data are loaded
        return f"unrecorded run {self.number}"

    @property
    def name(self) -> str:
        """What the run's saved networks are called: when it began, its number as
        :attr:`title` gives it, its data set (``20261207-190012-33-mnist``)."""
        number = self.record_id if self.record_id is not None else f"unrecorded{self.number}"
        dataset = Path(self.config.dataset).name if self.config is not None else ""
        return f"{self.stamp}-{number}-{dataset or 'data'}"

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
        """A new run of ``config``: numbered in the session (the next number, or ``number``: a
        comparison numbers its runs as its worker starts them), stamped with the clock, with a
        fresh control (asked to pause after one epoch when ``step``) unless it shares
        ``control`` (a comparison's runs share their sweep's); ``recorded`` says whether the run
        history can record it."""
        self.number = self.number + 1 if number is None else number
        self.config = config
        self.stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(clock))
        self.control = Control() if control is None else control
        if step:
            self.control.step()
        self.record_id = None
        self.started = False
        self.epochs_seen = 0
        self.batches = 0
        self.position = (0, 0, 0)
        self.last_epoch_time = self.epoch_wall = None
        self.n_train, self.trained_seconds, self.rate = 0, 0.0, None
        self.window.clear()
        self.status = Status(state="loading data", epochs=config.epochs, eta=config.eta,
                             pace=config.pace, detail=config.dataset,
                             recorded=recorded)
        return self.control

    def data_loaded(self, sizes: Sequence[int], n_train: int, network: Network,
                    record_id: int | None = None) -> None:
        """The run started: its layers, training examples, network and run history id."""
        # From now on "save" means this run's network (once it is paused or has ended).
        self.network, self.network_config, self.network_file = network, self.config, ""
        self.record_id = record_id
        self.started = True
        self.n_train = n_train
        if self.config is not None:
            self.batches = math.ceil(n_train / self.config.batch_size)
        layers = "[" + ",".join(str(n) for n in sizes) + "]"
        self.status = self.status.evolve(state=self._keep("pausing", "stopping"),
                                         detail=f"{layers} {n_train:,} ex")

    def _remaining(self, epochs_left: float) -> float | None:
        """Seconds left for ``epochs_left`` epochs: at the wall-clock rate of the last few
        seconds, else at the wall time of the last epoch, else not known yet."""
        if self.rate is not None:
            return epochs_left / self.rate.epochs_per_second
        if self.epoch_wall is not None:
            return epochs_left * self.epoch_wall
        return None

    def batch(self, p: BatchProgress, now: float | None = None) -> None:
        """A progress report inside an epoch (``now``: a monotonic clock): where the run is, its
        speed and the time left, both over the last few seconds of reports."""
        now = time.monotonic() if now is None else now
        done = p.epoch - 1 + (p.batch / p.batches if p.batches else 0.0)
        trained = self.trained_seconds + p.seconds
        rate = self.window.add(now, done, trained, done * self.n_train)
        if rate is not None:
            self.rate = rate
        self.batches = p.batches
        self.position = (p.epoch, p.batch, p.batches)
        speed = self.rate.examples_per_second if self.rate is not None else None
        self.status = self.status.evolve(
            state=self._keep("pausing", "stopping", "paused"), epoch=p.epoch, epochs=p.epochs,
            eta=self.live_eta or p.eta, examples_per_second=speed,
            remaining=self._remaining(p.epochs - done))

    def epochs_done(self, reports: Sequence[EpochReport], now: float) -> None:
        """One or more epochs ended (``now``: a monotonic clock): an epoch's speed is its whole
        training time's; the time left is estimated from the last few seconds' progress or the
        wall time between epochs, which count evaluation and any pace wait."""
        last = reports[-1]
        if self.last_epoch_time is not None:
            self.epoch_wall = (now - self.last_epoch_time) / len(reports)
        self.last_epoch_time = now
        self.trained_seconds += sum(report.seconds for report in reports)
        self.epochs_seen += len(reports)
        self.position = (last.epoch, self.batches, self.batches)
        self.status = self.status.evolve(
            epoch=last.epoch, epochs=last.epochs, eta=self.live_eta or last.eta,
            examples_per_second=last.examples_per_second,
            remaining=self._remaining(last.epochs - last.epoch))

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
        # The pause is no part of the run's pace: the speed is measured afresh after it.
        self.window.clear()
        self.rate = self.last_epoch_time = None
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
        self.network, self.network_config, self.network_file = network, self.config, ""
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
