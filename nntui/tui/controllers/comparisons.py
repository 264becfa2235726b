"""The books' comparisons in the app, trained as ``nntui compare`` trains them: an in-process
sweep of the comparison's variants, each run watched live on the dashboard as any run is.

:class:`ComparisonSession` is the worker's side.  It hands the variants (paced, so that a run of
tiny epochs can be watched) to a :class:`~nntui.studies.sweep.Sweep` with
:class:`~nntui.studies.sweep.InProcess`, the path the command line takes: the sweep records each
run in the run history with the comparison's name as its group and the variant's label as its
name, and trains them one after another with one shared control, so F6, F7 and F8 act on the run
that is training.  For each run it posts a :class:`VariantStarted`, then the run's own messages
through a :class:`~nntui.tui.controllers.training.RunReporter`, numbered as the dashboard numbers
its runs; a run that does not end as its config asked stops the sweep, so the runs after it never
start.  A :class:`ComparisonEnded` closes it.

:class:`Comparisons` is the dashboard's side: the comparison under way, pinning its runs as they
end, and saying in the log which run of how many is training and what the book says to watch.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass

from textual.message import Message

from nntui.config import TOY_SETS, Config
from nntui.engine import Control
from nntui.runner.lifecycle import RunObserver
from nntui.status import ENDED_WELL, RunStatus
from nntui.storage.history import HistoryError, RunHistory, RunSummary
from nntui.studies.comparisons import COMPARISONS, Comparison
from nntui.studies.plan import SweepRun
from nntui.studies.sweep import InProcess, Sweep, SweepResult
from nntui.tui.controllers.board import Board
from nntui.tui.controllers.inspection import FieldGrid, field_grid, look_inside_observers
from nntui.tui.controllers.pinned import pin_instead, pinned_by_hand
from nntui.tui.controllers.training import BLAS_THREADS, RunReporter, blas_limits, warning_for
from nntui.tui.widgets.boundary import BoundaryPanel
from nntui.tui.widgets.plots import EMPTY_PLOTS

COMPARISON_PACE = {"neuron": 100.0}
"""Epochs per second for a comparison's runs on these data sets, so that each can be watched."""


@dataclass(kw_only=True)
class VariantStarted(Message, bubble=False):
    """Comparison ``comparison``'s run ``index`` of ``total`` (its ``label`` and ``config``)
    starts now, as the dashboard's run ``run``; its messages follow."""

    comparison: int
    run: int
    label: str
    config: Config
    index: int
    total: int


@dataclass(kw_only=True)
class ComparisonEnded(Message, bubble=False):
    """Comparison ``comparison``'s worker is done: every run ended or was kept from starting."""

    comparison: int


def paced(comparison: Comparison) -> list[tuple[str, Config]]:
    """The comparison's labelled configs, each at the pace its data set is watched at."""
    return [(label, config.replace(pace=COMPARISON_PACE.get(config.dataset, config.pace)))
            for label, config in comparison.labelled_configs()]


class ComparisonSession:
    """Trains one comparison on the thread that calls :meth:`run` and describes it to the
    dashboard.

    ``number`` numbers the comparison (its messages say it); ``first_run`` is the number the
    dashboard gives its first run, the others following on; ``post`` is the dashboard's
    thread-safe ``post_message``; ``control`` is shared by all its runs; ``progress_interval``
    is how often a run's progress is posted; ``field_grid`` reads the boundary panel's grid for
    a 2-D set's fields."""

    def __init__(self, number: int, comparison: Comparison, first_run: int,
                 post: Callable[[Message], object], *, control: Control,
                 history: RunHistory | None, data_dir: str | None = None,
                 progress_interval: float = 0.0, blas_threads: int | None = BLAS_THREADS,
                 field_grid: FieldGrid | None = None) -> None:
        self.number, self.comparison, self.first_run, self.post = (number, comparison,
                                                                   first_run, post)
        self.control, self.data_dir = control, data_dir
        self.progress_interval, self.blas_threads = progress_interval, blas_threads
        self.field_grid = field_grid
        runs = [SweepRun(index, label, config)
                for index, (label, config) in enumerate(paced(comparison))]
        self.sweep = Sweep(comparison.name, runs, history=history, control=control,
                           data_dir=data_dir, warn=self._warn,
                           observers_for=self._observers_for, on_result=self._on_result)
        self._reporter: RunReporter | None = None  # the run training now

    def run(self) -> None:
        """Train the variants one after another; never raises."""
        try:
            with blas_limits(self.blas_threads):
                self.sweep.execute(InProcess())
        except Exception as error:  # an observer failed on a run's end: that run failed
            if self._reporter is not None:
                self._reporter.failed(error)
            self.sweep.abandon("stopped: the comparison's worker failed")
        finally:
            self.post(ComparisonEnded(comparison=self.number))

    def _observers_for(self, run: SweepRun) -> list[RunObserver]:
        number = self.first_run + run.index
        self.post(VariantStarted(comparison=self.number, run=number, label=run.label,
                                 config=run.config, index=run.index + 1,
                                 total=len(self.sweep.runs)))
        result = self.sweep.results[run.index]
        self._reporter = RunReporter(number, run.config, self.post,
                                     record_id=lambda: result.run_id,
                                     min_interval=self.progress_interval)
        plane = run.config.dataset in TOY_SETS
        return [self._reporter,
                *look_inside_observers(number, self.post, data_dir=self.data_dir,
                                       field_grid=self.field_grid if plane else None)]

    def _on_result(self, result: SweepResult) -> None:
        # One run that did not end as its config asked ends the comparison: the rest compare
        # against nothing.
        if result.state != RunStatus.NOT_RUN and result.state not in ENDED_WELL:
            self.sweep.stop()

    def _warn(self, message: str) -> None:
        if self._reporter is not None:
            self.post(warning_for(self._reporter.run_id, message))


class Comparisons:
    """The comparison under way (its worker's session), if any, and how far it has come."""

    def __init__(self, board: Board) -> None:
        self.board = board
        self.session: ComparisonSession | None = None
        self._number = 0
        self._ran = 0  # runs started
        self.by_hand: list[RunSummary] = []  # pinned by hand, drawn beside its runs

    def start(self, name: str) -> ComparisonSession | None:
        """Unpin the runs of earlier sweeps and comparisons (the comparison's runs are pinned
        as they end, beside the runs pinned by hand), show the split the book's figure plots,
        and make the worker's session; None after saying why it cannot start."""
        board = self.board
        comparison = COMPARISONS[name]
        assert board.history is not None
        try:
            by_hand = pin_instead(board.history, [])
        except HistoryError as error:
            board.notify(str(error), severity="error")
            return None
        self.by_hand = by_hand
        # The split the book's figure plots: training cost for the learning rates, say.
        board.show_pinned("training" if comparison.plot.startswith("train") else "held-out")
        board.notify(comparison.description, title=comparison.title, timeout=10)
        self._number += 1
        self._ran = 0
        settings = board.settings
        self.session = ComparisonSession(
            self._number, comparison, board.run_state.number + 1, board.post_message,
            control=Control(), history=board.history, data_dir=settings.data_dir,
            progress_interval=settings.progress_interval, blas_threads=settings.blas_threads,
            field_grid=field_grid(board.query_one(BoundaryPanel)))
        return self.session

    def current(self, message: VariantStarted | ComparisonEnded) -> bool:
        return (self.session is not None and message.comparison == self.session.number
                and not self.board.quitting)

    def announce(self, message: VariantStarted) -> None:
        """The log's line on the run that has just been shown."""
        assert self.session is not None
        comparison = self.session.comparison
        self._ran = message.index
        self.board.log_note(f"{comparison.title}, run {message.index} of {message.total}: "
                            f"{message.label}. Watch: {comparison.watch}", style="bold")

    def run_ended(self, status: str) -> None:
        """A comparison's run ended: pinned beside the others if it ended as asked; otherwise
        the comparison is over."""
        board = self.board
        if status not in ENDED_WELL:
            self.stop_following(f"its run was {status}")
            return
        record_id = board.run_state.record_id
        if board.history is not None and record_id is not None:
            with contextlib.suppress(HistoryError):
                board.history.set_pinned(record_id, True)
        board.load_overlays()

    def finished(self) -> None:
        """Every run ended as asked: each is pinned, so the plots show every run by its
        label."""
        board = self.board
        assert self.session is not None
        comparison = self.session.comparison
        board.log_note(f"Comparison done: {comparison.title}. {comparison.watch}",
                       style="bold cyan")
        if self.by_hand:
            board.log_note(pinned_by_hand(self.by_hand), style="dim")
        self.session = None
        board.live_plots = EMPTY_PLOTS  # the last run is pinned too
        board.draw_plots()

    def stop_following(self, why: str) -> None:
        """The comparison ends before its last run (its worker starts no other)."""
        if self.session is None:
            return
        total = len(self.session.sweep.runs)
        self.board.log_note(f"Comparison stopped after {self._ran} of {total} runs: {why}",
                            style="magenta")
        self.session = None
