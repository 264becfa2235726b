"""``NNTuiApp``: set hyperparameters, train in a worker thread, watch the network learn.

The state of the current run (ready, loading data, training, paused, stopping, then how it ended:
one of :data:`nntui.runner.lifecycle.STATUSES`) is a plain :class:`~nntui.tui.state.RunState`; the
app feeds it the worker's messages and the keys pressed, and draws what it says.  Training itself
runs in :class:`~nntui.tui.controllers.training.Session` on a thread worker, which posts
ready-to-draw messages a few times a second; the handlers here only update widgets, so the keyboard
stays responsive while the network trains.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import ClassVar, TypeVar

from textual import on, work
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, Horizontal, Vertical
from textual.events import DescendantFocus, Resize
from textual.widgets import Footer

from nntui.config import (
    DEFAULTS,
    SPECS,
    TOY_SETS,
    Config,
    describe,
    format_value,
    parse_field,
    parse_values,
)
from nntui.datasets import DatasetError
from nntui.engine import Control, Network
from nntui.insight.inspection import decision_field, image_shape, predict, weight_images
from nntui.presets import PRESETS
from nntui.render.plots import RunCurves, Series, run_curves
from nntui.runner.experiment import load_data, measure_test_accuracy
from nntui.runner.lifecycle import open_history
from nntui.status import ENDED_WELL, RunStatus
from nntui.storage import files as runs
from nntui.storage.files import RunFileError, load_network, save_network
from nntui.storage.history import HistoryError, RunDetail, RunHistory, old_runs_dir
from nntui.studies.comparisons import COMPARISONS, Comparison, difference_labels, neuron_outputs
from nntui.tui.commands import NNTuiCommands
from nntui.tui.controllers.look_inside import FieldReady, HintNoticed
from nntui.tui.controllers.sweeps import (
    SweepEnded,
    SweepProgress,
    SweepRequest,
    SweepSession,
    SweepStarted,
    ended_text,
    outcome_text,
    progress_text,
    summary_text,
    sweep_title,
    where_words,
)
from nntui.tui.controllers.training import (
    BatchUpdate,
    DataLoaded,
    EpochsDone,
    RunEnded,
    RunPaused,
    RunResumed,
    RunWarning,
    Session,
    downsample,
)
from nntui.tui.dialogs.confirm import ConfirmScreen
from nntui.tui.dialogs.help import HelpScreen
from nntui.tui.dialogs.sweep import SweepScreen
from nntui.tui.screens.confusion import ConfusionScreen
from nntui.tui.screens.neurons import NeuronsScreen
from nntui.tui.screens.runs import RunsAction, RunsScreen
from nntui.tui.screens.too_small import TooSmallScreen, too_small
from nntui.tui.state import HINT_WORDS, RunState
from nntui.tui.widgets.boundary import BoundaryPanel
from nntui.tui.widgets.form import ConfigForm, Field, FieldHelp
from nntui.tui.widgets.log import EpochLog
from nntui.tui.widgets.plots import (
    EMPTY_PLOTS,
    AccuracyPlot,
    CostPlot,
    PlotData,
    SpeedPlot,
    show_all,
    with_overlays,
)
from nntui.tui.widgets.status import EpochProgress, Status, StatusLine

W = TypeVar("W")

GIL_SWITCH_INTERVAL = 0.05
"""Seconds a thread may hold the GIL before another that wants it forces a switch (Python's default
is 0.005).  The trainer releases the GIL in every BLAS call, so the UI still gets it within
microseconds when it needs it; but the default forces a switch back and forth hundreds of times a
second while the UI redraws.  Measured with benchmarks/bench_responsiveness.py (3 progress
reports a second): throughput ratio 0.87-0.89 with the default, 0.95-0.97 with 50 ms, key p95
about 30 ms either way."""

PROGRESS_INTERVAL = 0.33
"""Seconds between the trainer's progress reports.  Each one wakes the UI, and every wake-up
passes the GIL back and forth: at 5 reports a second training ran at 0.83-0.85 of its headless
speed, at 3 a second at 0.95-0.97 (bench_responsiveness.py)."""

NEURONS_INTERVAL = 3.0
"""Seconds between redraws of an open neurons screen while the run trains."""

COMPARISON_PACE = {"neuron": 100.0}
"""Epochs per second for a comparison's runs on these data sets, so that each can be watched."""

PACES = (0.0, 100.0, 30.0, 10.0, 3.0, 1.0)
"""What F4 steps through: no cap, then ever slower epochs per second."""


def overlay_labels(runs: Sequence[RunDetail]) -> list[str]:
    """What to call each pinned run in the legends: its name if it has one (a comparison names
    its runs so), else what sets its config apart from the others' (``η=0.025``)."""
    differences = difference_labels([run.config for run in runs])
    return [run.name or label for run, label in zip(runs, differences, strict=True)]


def pace_name(pace: float) -> str:
    return f"{pace:g} epochs/s" if pace else "no cap"


def next_pace(pace: float) -> float:
    """The pace after ``pace`` in :data:`PACES` (a value typed in the form joins the ladder)."""
    slower = [p for p in PACES[1:] if p < pace] if pace else list(PACES[1:])
    return slower[0] if slower else 0.0


class NNTuiApp(App[None]):
    """The dashboard.  ``config`` fills the form (the CLI's flags or preset); every run is
    recorded in the run history ``runs_db`` (default: ``$NNTUI_RUNS_DB`` or the user's data
    folder); ``runs_dir`` is where saved networks go (default: the user's data folder, or
    ``$NNTUI_RUNS_DIR``); ``show_timing=False`` hides clocks and speeds, for reproducible
    screenshots and snapshot tests."""

    TITLE = "nntui"
    CSS_PATH = Path(__file__).parent / "app.tcss"  # absolute, so subclasses elsewhere find it
    COMMANDS = App.COMMANDS | {NNTuiCommands}

    # The footer shows these in order as far as the width allows: at 80 columns the keys to
    # start, pause, stop, get help and quit come first.  The tooltip is the help text the help
    # screen and the command palette show.
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f5", "start", "Start",
                tooltip="Start a run with the form's values (asks before replacing a running one)"),
        Binding("f6", "pause", "Pause", tooltip="Pause or resume the running training"),
        Binding("f7", "step", "Step",
                tooltip="Train to the end of the epoch, then pause (starts a run if none is "
                        "going)"),
        Binding("f8", "stop", "Stop",
                tooltip="Stop the run (or a sweep's runs) after the current mini-batch"),
        Binding("f1,question_mark", "help", "Help",
                tooltip="Every key, and the books' rules of thumb"),
        Binding("ctrl+q", "quit", "Quit", priority=True,
                tooltip="Quit (asks first while a run is going)"),
        Binding("f9,ctrl+down", "eta_down", "η÷10", tooltip="Divide η by 10 (live during a run)"),
        Binding("f10,ctrl+up", "eta_up", "η×10", tooltip="Multiply η by 10 (live during a run)"),
        Binding("f4", "pace", "Pace",
                tooltip="Cap the epochs per second so a small run can be watched: "
                        f"{' → '.join(pace_name(p) for p in PACES)} (live during a run)"),
        Binding("ctrl+s", "save", "Save", tooltip="Save the trained network as .npz"),
        Binding("f2", "runs", "Runs",
                tooltip="The run history: open a run's plots, pin runs beside the live one, "
                        "rename, delete, export, load a run's config or saved network"),
        Binding("f3", "toggle_overlays", "Pinned",
                tooltip="Show or hide the pinned runs beside the live one"),
        Binding("ctrl+b", "toggle_split", "Val/train",
                tooltip="With pinned runs: plot every run's validation (or test) curves, or its "
                        "training curves"),
        Binding("ctrl+l", "toggle_log", "Log cost",
                tooltip="Switch the cost plot between linear and log scale"),
        Binding("ctrl+g", "batch_down", "Batch÷2",
                tooltip="Halve the batch size (for the next run)"),
        Binding("ctrl+t", "batch_up", "Batch×2",
                tooltip="Double the batch size (for the next run)"),
        Binding("ctrl+r", "reset", "Reset",
                tooltip="Put the starting values back into the form and clear the plots"),
        Binding("ctrl+o", "confusion", "Mistakes",
                tooltip="The confusion matrix of the held-out set and, for images, the digits "
                        "the network gets wrong (a finished, paused or loaded network)"),
        Binding("ctrl+n", "neurons", "Neurons",
                tooltip="What the first hidden layer learned: its weights as images (MNIST), "
                        "or on a 2-D set the next neuron's output over the plane"),
        Binding("ctrl+f", "sweep", "Sweep",
                tooltip="Train the form's config with one or two fields varied, every "
                        "combination side by side on Dask (a dialog asks for the values); the "
                        "runs are drawn as they train and pinned when the sweep ends"),
        Binding("ctrl+p", "command_palette", "Palette",
                tooltip="Every action, and the books' presets, by name"),
    ]

    def __init__(self, config: Config = DEFAULTS, data_dir: str | None = None, *,
                 runs_dir: Path | None = None, runs_db: str | Path | None = None,
                 show_timing: bool = True,
                 progress_interval: float = PROGRESS_INTERVAL,
                 blas_threads: int | None = 1) -> None:
        super().__init__()
        self.initial_config = config
        self.runs_db = runs_db
        self.history: RunHistory | None = None
        self._session: Session | None = None
        self.loaded_network: Network | None = None  # trained on from by the next F5
        self.run_state = RunState()
        self.data_dir = data_dir
        env_dir = os.environ.get("NNTUI_RUNS_DIR")
        self.runs_dir = Path(runs_dir or env_dir or runs.runs_dir())
        self.show_timing = show_timing
        self.progress_interval = progress_interval
        self.blas_threads = blas_threads
        self._worker_done = threading.Event()
        self._worker_done.set()
        self._plots = EMPTY_PLOTS
        self.overlays: list[RunCurves] = []
        self.show_overlays = True
        self.overlay_split = "held-out"
        self._quitting = False
        self._confirming_restart = False
        self._neurons_drawn = 0.0
        self._init_sweeps()

    # --- layout ------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with Horizontal(id="main"):
            with Vertical(id="side"):
                yield ConfigForm(self.initial_config, id="form")
                yield FieldHelp(id="field-help")
            with Vertical(id="dashboard"):
                yield StatusLine(show_timing=self.show_timing, id="status")
                yield EpochProgress(id="progress")
                with Grid(id="panels"):
                    yield CostPlot()
                    yield AccuracyPlot()
                    yield SpeedPlot()
                    yield BoundaryPanel(id="boundary")  # in the speed plot's place on 2-D sets
                    yield EpochLog(show_timing=self.show_timing, id="log")
        # The palette key is one of BINDINGS, last, so a narrow footer drops it before the rest.
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self._switch_interval = sys.getswitchinterval()
        sys.setswitchinterval(GIL_SWITCH_INTERVAL)
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, getattr(signal, "SIGHUP", None)):
            if signum is not None:
                with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                    loop.add_signal_handler(signum, self._on_signal, signum)
        form = self._widget(ConfigForm)
        form.border_title = "Hyperparameters"
        self._widget(EpochLog).border_title = "Epoch log"
        self._widget(FieldHelp).show(None)
        self.form.field("dataset").editor.focus()
        self.log_note("Ready. F5 starts training with the form's values; F1 shows all keys.",
                      style="dim")
        self.history = open_history(self.runs_db, self._history_unusable)
        self._import_old_records()
        self.load_overlays()
        self._set_status(Status(detail=describe(self.initial_config),
                                recorded=self.history is not None))
        self._show_plane(self.initial_config)
        if self.initial_config.dataset in TOY_SETS:
            self._load_points(self.initial_config)
        self._check_size(self.size.width, self.size.height)

    def _import_old_records(self) -> None:
        """Runs recorded as JSON files by earlier versions join the history once."""
        if self.history is None:
            return
        try:
            report = self.history.import_json_runs(old_runs_dir())
        except HistoryError as error:
            self.log_note(f"Old JSON run records were not imported: {error}", style="yellow")
            return
        if report.imported:
            count = len(report.imported)
            self.log_note(f"Imported {count} run{'s' if count != 1 else ''} recorded as JSON by "
                          f"an earlier nntui (the files stay where they are).", style="dim")

    def _history_unusable(self, message: str) -> None:
        message = message[:1].upper() + message[1:] + "; training works all the same."
        self.notify(message, title="Run history", severity="warning", timeout=12)
        self.log_note(message, style="yellow")

    # --- small helpers -------------------------------------------------------------------------

    # The run state, read by the widgets and the tests under the names they have always had.
    @property
    def state(self) -> str:
        return self.run_state.state

    @property
    def running(self) -> bool:
        return self.run_state.running

    @property
    def run_number(self) -> int:
        return self.run_state.number

    @property
    def run_name(self) -> str:
        return self.run_state.name

    @property
    def run_config(self) -> Config | None:
        return self.run_state.config

    @property
    def control(self) -> Control | None:
        return self.run_state.control

    @property
    def network(self) -> Network | None:
        return self.run_state.network

    @property
    def position(self) -> tuple[int, int, int]:
        return self.run_state.position

    @property
    def history_count(self) -> int:
        return self.run_state.epochs_seen

    @property
    def comparison(self) -> Comparison | None:
        return self.run_state.comparison

    def _widget(self, kind: type[W]) -> W:
        """A dashboard widget, found on the main screen even while a modal screen is on top."""
        return self.screen_stack[0].query_one(kind)

    @property
    def form(self) -> ConfigForm:
        return self._widget(ConfigForm)

    @property
    def epoch_log(self) -> EpochLog:
        return self._widget(EpochLog)

    @property
    def status(self) -> Status:
        return self.run_state.status

    @property
    def live_eta(self) -> float | None:
        return self.run_state.live_eta

    def _set_status(self, status: Status | None = None) -> None:
        """Show the run state's status (after replacing it with ``status``, when given)."""
        if status is not None:
            self.run_state.status = status
        self._widget(StatusLine).set(self.run_state.status)
        subtitle = "for the next run; η live" if self.running else ""
        if (self.form.border_subtitle or "") != subtitle:  # setting it repaints the whole form
            self.form.border_subtitle = subtitle

    def log_note(self, message: str, style: str = "cyan") -> None:
        self.epoch_log.note(message, style)

    def command_bindings(self) -> list[tuple[str, str, str, str]]:
        """(keys, action, description, help) of every action, for the palette and the help."""
        result = []
        for binding in self.BINDINGS:
            assert isinstance(binding, Binding)
            keys = binding.key.replace("question_mark", "?").replace(",", " / ")
            result.append((keys, binding.action, binding.description, binding.tooltip))
        return result

    def palette_action(self, action: str) -> None:
        """Run an action by name (from the command palette)."""
        self.call_later(self.run_action, action)

    # --- starting a run ---------------------------------------------------------------------

    def read_form(self) -> Config | None:
        """The form's config, or None after telling the user which fields are wrong."""
        config, problems = self.form.read(self.initial_config)
        if config is None:
            labels = []
            for problem in problems:
                label = SPECS[problem.field].label if problem.field in SPECS else problem.field
                if label not in labels:
                    labels.append(label)
            self.notify("Fix " + ", ".join(labels) + " first: " + problems[0].message,
                        title="Cannot start", severity="error", timeout=8)
        return config

    def action_start(self) -> None:
        if self._sweep_refuses("F5 starts a run once it has ended"):
            return
        config = self.read_form()
        if config is None:
            return
        if not self.running:
            self.begin(config)
            return
        if self.state == "stopping" or self._confirming_restart:
            return

        def answered(yes: bool | None) -> None:
            self._confirming_restart = False
            if yes and self.running and self.control is not None:
                self.run_state.stop(restart_with=config)
                self._set_status()

        self._confirming_restart = True
        # No epoch number here: the run goes on while the question is open.
        self.push_screen(ConfirmScreen(
            f"Run {self.run_number} is still {'paused' if self.state == 'paused' else 'training'}."
            " Stop it and start a new run with the form's values? (Its finished epochs stay in "
            "its record.)",
            yes="Stop and restart", no="Keep training"), answered)

    def begin(self, config: Config, *, step: bool = False, name: str = "",
              group: str = "") -> None:
        """Start a run of ``config`` in the worker (pausing after one epoch when ``step``);
        ``name`` and ``group`` go into the run history (a comparison's label and name)."""
        control = self.run_state.begin(config, step=step, recorded=self.history is not None)
        self._plots = EMPTY_PLOTS
        plane = self._show_plane(config)
        with self.batch_update():
            self.epoch_log.start_run(config.validate_on)
            self._draw_plots()
            self._widget(EpochProgress).reset()
        network = None
        if self.loaded_network is not None:  # F5 after loading a network trains on from it
            network, self.loaded_network = self.loaded_network, None
        self.log_note(f"Run {self.run_number}: {describe(config)}, {config.epochs} epochs"
                      + (", from the loaded network's weights" if network is not None else ""))
        self._set_status()
        session = Session(
            self.run_number, config, self.post_message, control=control,
            data_dir=self.data_dir, history=self.history, network=network, name=name,
            group=group,
            progress_interval=self.progress_interval, blas_threads=self.blas_threads,
            field_grid=(lambda: plane.grid_size, lambda: plane.extent) if plane else None,
        )
        self._session = session
        self._worker_done.clear()
        self._train(session)

    @work(thread=True, exclusive=True, group="training", exit_on_error=False)
    def _train(self, session: Session) -> None:
        """The worker: the whole run happens here, off the UI thread."""
        try:
            session.run()
        finally:
            self._worker_done.set()

    def _plot_widgets(self) -> tuple[CostPlot, AccuracyPlot, SpeedPlot]:
        return self._widget(CostPlot), self._widget(AccuracyPlot), self._widget(SpeedPlot)

    def _plot_view(self) -> tuple[PlotData, str, bool]:
        """What the plots show: the live run's curves with the pinned runs beside them while
        overlays are on, the note naming their split, and whether the running mini-batch cost
        (a training figure) belongs among them."""
        overlays = self.overlays if self.show_overlays else []
        swept = self._sweep_overlays()  # a running sweep's runs, in the pinned runs' place
        if swept is not None:
            overlays = swept if self.show_overlays else []
        note = ""
        if overlays:  # one split per run: say which
            test = self.run_config is not None and self.run_config.validate_on == "test"
            note = ("training" if self.overlay_split == "training"
                    else "test" if test else "validation")
        data = with_overlays(self._plots, overlays, self.overlay_split)
        return data, note, not overlays or self.overlay_split == "training"

    def _draw_plots(self) -> None:
        data, note, _ = self._plot_view()
        show_all(*self._plot_widgets(), data, None, note)

    def _draw_running(self, running: Series) -> None:
        """Only the cost plot changes with the running mini-batch cost: redraw it alone."""
        data, note, with_running = self._plot_view()
        cost = self._widget(CostPlot)
        cost.note = note
        cost.show(data.cost, [running] if with_running and running.x else [])

    # --- pinned runs -----------------------------------------------------------------------

    def load_overlays(self) -> None:
        """Read the pinned runs from the history and draw them beside the live run."""
        self.overlays = []
        if self.history is not None:
            try:
                pinned = [self.history.get_run(run.id)  # oldest first: the order they ran
                          for run in reversed(self.history.list_runs()) if run.pinned]
            except HistoryError as error:
                self.notify(f"Pinned runs could not be read: {error}", severity="error")
                pinned = []
            labels = overlay_labels(pinned)
            for run, label in zip(pinned, labels, strict=True):
                curves = run_curves(label, run.history, split=self.overlay_split,
                                    outputs=neuron_outputs(run.config, run.history))
                if curves is not None:  # thinned like the live curves: cheap to redraw
                    self.overlays.append(replace(
                        curves, cost=downsample(curves.cost),
                        accuracy=downsample(curves.accuracy), speed=downsample(curves.speed),
                        output=curves.output and downsample(curves.output)))
        self._draw_plots()

    def action_runs(self) -> None:
        if self.history is None:
            self.notify("There is no run history to show: it could not be opened (see the log).",
                        severity="warning")
            return
        if not isinstance(self.screen, RunsScreen):
            self.push_screen(RunsScreen(self.history, self.runs_dir), self._runs_closed)

    def _runs_closed(self, action: RunsAction | None) -> None:
        if action is None:
            return
        if action.pins_changed or action.kind == "pins-changed":
            self.load_overlays()
        if action.kind == "load-config":
            self._load_run_config(action.run_id)
        elif action.kind == "load-network":
            self._load_run_network(action.run_id)

    def _load_run_config(self, run_id: int) -> None:
        assert self.history is not None
        try:
            run = self.history.get_run(run_id)
        except HistoryError as error:
            self.notify(str(error), severity="error")
            return
        self.form.load(run.config)
        self.notify(f"Run {run_id}'s values are in the form; F5 trains them.",
                    title="Config loaded", timeout=6)
        if not self.running:
            self._describe_form(f"run {run_id}: ")

    def _load_run_network(self, run_id: int) -> None:
        assert self.history is not None
        try:
            path = self.history.get_run(run_id).network_path
        except HistoryError as error:
            self.notify(str(error), severity="error")
            return
        if path:
            self.load_network_file(Path(path))

    def load_network_file(self, path: Path) -> None:
        """Put a saved network's config into the form; the next F5 trains on from its weights.
        Its test accuracy is measured in a worker and written to the log."""
        try:
            config, network = load_network(path)
        except RunFileError as error:
            self.notify(str(error), title="Not loaded", severity="error", timeout=10)
            return
        self.form.load(config)
        self.loaded_network = network
        # Ctrl+S saves it as it is
        self.run_state.network, self.run_state.network_config = network, config
        self.log_note(f"Loaded {path}: {describe(config)}. F5 trains on from its weights.")
        self.notify("F5 trains on from its weights; its test accuracy follows in the log.",
                    title="Network loaded", timeout=6)
        if not self.running:
            self._describe_form("loaded network: ")
            if self._show_plane(config) is not None:
                self._load_points(config, network)
        self._measure_network(config, network)

    @work(thread=True, group="measure", exit_on_error=False)
    def _measure_network(self, config: Config, network: Network) -> None:
        try:
            data = load_data(config, self.data_dir)
            accuracy = measure_test_accuracy(network, data)
        except DatasetError as error:
            self.call_from_thread(self.log_note, f"Its test accuracy could not be measured: "
                                                 f"{error}", "yellow")
            return
        said = "not finite" if accuracy is None else f"{100 * accuracy:.2f} %"
        self.call_from_thread(self.log_note, f"The loaded network's test accuracy: {said}")

    def action_toggle_overlays(self) -> None:
        if not self.overlays and self._sweep is None:  # a sweep's runs show or hide too
            self.notify("No pinned runs: pin runs on the runs screen (F2) to draw them here.",
                        severity="warning")
            return
        self.show_overlays = not self.show_overlays
        self._draw_plots()
        self.notify(f"Pinned runs {'shown' if self.show_overlays else 'hidden'}", timeout=2)

    def action_toggle_split(self) -> None:
        self.overlay_split = "training" if self.overlay_split == "held-out" else "held-out"
        self.load_overlays()
        what = "training" if self.overlay_split == "training" else "validation (or test)"
        self.notify(f"With pinned runs, the plots show {what} curves", timeout=3)

    # --- controlling a run ---------------------------------------------------------------------

    def action_pause(self) -> None:
        if self._sweep_refuses("a sweep's runs cannot be paused"):
            return
        if self.control is None or not self.running:
            self.notify("Nothing is training; F5 starts a run.", severity="warning")
        elif self.run_state.pause_or_resume() is not None:
            self._set_status()

    def action_step(self) -> None:
        if self._sweep_refuses("F7 steps a run once it has ended"):
            return
        if self.control is None or not self.running:
            config = self.read_form()
            if config is not None:
                self.begin(config, step=True)
            return
        if self.state == "stopping":
            return
        what = self.run_state.step()
        self._set_status()
        self.log_note(f"Step: {what}, then pausing", style="dim")

    def action_stop(self) -> None:
        if self._sweep is not None:
            self.stop_sweep()
            return
        if self.control is None or not self.running:
            self.notify("Nothing is training.", severity="warning")
            return
        self.run_state.stop()
        self._set_status()

    def action_reset(self) -> None:
        """Put the starting values back into the form (and clear the dashboard when idle)."""
        self.form.load(self.initial_config)
        if self.running or self._sweep is not None:
            self.notify(f"Form reset; the running {'run' if self._sweep is None else 'sweep'} "
                        "keeps its values.")
            return
        self._clear_dashboard()
        if self._show_plane(self.initial_config) is not None:
            self._load_points(self.initial_config)
        self.log_note("Form reset to the starting values.", style="dim")

    def _clear_dashboard(self) -> None:
        self._plots = EMPTY_PLOTS
        self.run_state.position = (0, 0, 0)
        with self.batch_update():
            self.epoch_log.start_run(self.initial_config.validate_on)
            self._draw_plots()
            self._widget(EpochProgress).reset()
        self._set_status(Status(detail=describe(self.initial_config),
                                recorded=self.history is not None))

    def apply_preset(self, name: str) -> None:
        preset = PRESETS[name]
        self.form.load(preset.config())
        self.notify(preset.description, title=preset.title, timeout=6)
        if self.running:
            self.log_note(f"Preset {name} loaded into the form; it applies to the next run.",
                          style="dim")
        else:
            self._describe_form(f"preset {name}: ")

    def _describe_form(self, prefix: str = "") -> None:
        """While idle the status line describes what F5 would train: the form's values."""
        config, _ = parse_values(self.form.raw_values(), self.initial_config)
        if config is not None and not self.running and self._sweep is None:
            self._set_status(self.status.evolve(detail=prefix + describe(config)))

    # --- η and batch size -------------------------------------------------------------------------

    def _scale_field(self, name: str, factor: float) -> None:
        """Multiply a numeric field by ``factor``; η also changes the running run (live)."""
        if name == "eta" and self.running and self.live_eta is not None:
            current = self.live_eta
        else:
            try:
                current = parse_field(name, self.form.field(name).raw)
            except ValueError as error:
                self.notify(f"{SPECS[name].label}: {error}", severity="error")
                return
        new = current * factor
        new = max(1, round(new)) if SPECS[name].kind == "int" else float(f"{new:.6g}")
        try:
            new = parse_field(name, new)
        except ValueError as error:
            self.notify(f"{SPECS[name].label}: {error}", severity="warning")
            return
        self.form.set_value(name, new)
        if name != "eta" and self.running:
            self.notify(f"{SPECS[name].label} {format_value(name, new)} applies to the next run.")

    def action_eta_up(self) -> None:
        self._scale_field("eta", 10.0)

    def action_eta_down(self) -> None:
        self._scale_field("eta", 0.1)

    def action_batch_up(self) -> None:
        self._scale_field("batch_size", 2.0)

    def action_batch_down(self) -> None:
        self._scale_field("batch_size", 0.5)

    @on(ConfigForm.FieldChanged)
    def _field_changed(self, event: ConfigForm.FieldChanged) -> None:
        if not self.running:
            self._describe_form()
            return
        if event.name == "pace" and self.control is not None:
            if event.value != self.status.pace:
                self.control.set_pace(event.value)
                self._set_status(self.status.evolve(pace=event.value))
                self.log_note(f"Pace → {pace_name(event.value)} (live)", style="yellow")
            return
        if event.name == "eta" and self.control is not None:
            if self.live_eta is not None and abs(event.value - self.live_eta) < 1e-12:
                return
            self.control.set_eta(event.value)
            self._set_status(self.status.evolve(eta=event.value))
            self.log_note(f"η → {event.value:.3g} (live, from the next mini-batch)",
                          style="yellow")

    # --- other actions ---------------------------------------------------------------------------

    def action_pace(self) -> None:
        """Step the pace field down :data:`PACES`; a running run follows at once."""
        if self.running:
            current = self.status.pace or 0.0
        else:
            try:
                current = parse_field("pace", self.form.field("pace").raw)
            except ValueError:
                current = 0.0
        new = next_pace(current)
        self.form.set_value("pace", new)
        self.notify(f"Pace: {pace_name(new)}" + (" (live)" if self.running else ""), timeout=2)

    def action_toggle_log(self) -> None:
        log = self._widget(CostPlot).toggle_log()
        self.notify(f"Cost axis: {'log' if log else 'linear'} scale", timeout=2)

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen((keys, f"**{description}**: {help_text}")
                                        for keys, _, description, help_text
                                        in self.command_bindings()))

    def action_save(self) -> None:
        network, config = self.run_state.network, self.run_state.network_config
        if network is None or config is None:
            self.notify("No trained network yet: train one first (F5).", severity="warning")
            return
        if self.running and self.state != "paused":
            self.notify("Pause (F6) or stop (F8) the run before saving.", severity="warning")
            return
        path = self.runs_dir / f"{self.run_name}.npz"
        number = 1
        while path.exists():  # a later save of the same run never replaces an earlier one
            number += 1
            path = self.runs_dir / f"{self.run_name}-{number}.npz"
        try:
            save_network(path, network, config)
        except RunFileError as error:
            self.notify(str(error), title="Not saved", severity="error", timeout=8)
            return
        self.notify(str(path), title="Network saved", timeout=8)
        self.log_note(f"Saved the network to {path}")
        recorder = self._session.recorder if self._session is not None else None
        if self.history is not None and recorder is not None and recorder.run_id is not None:
            try:
                self.history.set_network_path(recorder.run_id, path)
            except HistoryError as error:
                self.log_note(f"The run history could not note the file: {error}",
                              style="yellow")

    async def action_quit(self) -> None:
        if not self.running and self._sweep is None:
            self.exit()
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.run_worker(self._stop_and_exit(), exclusive=True, group="quit")

        what = "A run is" if self._sweep is None else f"Sweep {self._sweep.name} is"
        self.push_screen(ConfirmScreen(f"{what} training. Stop it and quit?",
                                       yes="Stop and quit", no="Keep training"), answered)

    async def _stop_and_exit(self, return_code: int = 0) -> None:
        self._quitting = True
        await self.stop_training()
        await self.stop_sweep_and_wait()
        self.exit(return_code=return_code)

    def _on_signal(self, signum: int) -> None:
        """SIGTERM or SIGHUP (the terminal closed): like a confirmed quit, the run stops after
        its mini-batch and is recorded, the terminal is restored, and the exit status is the
        shell's 128 + the signal's number."""
        self.run_worker(self._stop_and_exit(128 + signum), exclusive=True, group="quit")

    async def stop_training(self, timeout: float = 10.0) -> None:
        """Ask the trainer to stop and wait (without blocking the UI) until its thread is done."""
        if self.control is not None:
            self.control.stop()
        await asyncio.to_thread(self._worker_done.wait, timeout)

    def on_unmount(self) -> None:
        # Whatever way the app ends, no training thread may outlive it.
        if self.control is not None:
            self.control.stop()
        self._worker_done.wait(10)
        self._end_sweep_on_exit()
        if self.history is not None:
            self.history.close()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, getattr(signal, "SIGHUP", None)):
            if signum is not None:
                with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                    loop.remove_signal_handler(signum)
        sys.setswitchinterval(self._switch_interval)

    # --- messages from the worker ----------------------------------------------------------------

    def _current(self, message: DataLoaded | BatchUpdate | EpochsDone | RunEnded
                 | RunPaused | RunResumed | RunWarning) -> bool:
        return self.run_state.is_current(message.run) and not self._quitting

    def on_data_loaded(self, message: DataLoaded) -> None:
        if not self._current(message):
            return
        self.run_state.data_loaded(message.sizes, message.n_train, message.network)
        if message.points is not None:
            self._widget(BoundaryPanel).set_points(*message.points)
        sizes = "[" + ",".join(str(n) for n in message.sizes) + "]"
        self.log_note(f"{message.description}: {message.n_train:,} training examples, "
                      f"layers {sizes}", style="dim")
        self._set_status()

    def on_batch_update(self, message: BatchUpdate) -> None:
        if not self._current(message):
            return
        p = message.progress
        self.run_state.batch(p)
        with self.batch_update():
            self._widget(EpochProgress).set(p.epoch, p.batch, p.batches)
            self._set_status()
            if message.running is not None:
                self._draw_running(message.running)

    def on_epochs_done(self, message: EpochsDone) -> None:
        if not self._current(message):
            return
        self.run_state.epochs_done(message.reports, time.monotonic())
        self._plots = message.plots
        with self.batch_update():
            for report in message.reports:
                self.epoch_log.epoch(report)
            self._draw_plots()
            self._widget(EpochProgress).set(*self.position)
            self._set_status()
        self._refresh_neurons()

    def on_run_paused(self, message: RunPaused) -> None:
        if not self._current(message):
            return
        pause = self.run_state.paused(message.epoch, message.batch)
        if pause is None:
            return
        with self.batch_update():
            self._widget(EpochProgress).set(*self.position)
            self._set_status()
        self.log_note(f"Paused {pause.where} (F6 resumes, {pause.step})", style="dim")
        self._refresh_neurons(force=True)

    def on_run_resumed(self, message: RunResumed) -> None:
        if self._current(message) and self.run_state.resumed():
            self._set_status()

    def on_run_warning(self, message: RunWarning) -> None:
        if self._current(message):
            self.notify(message.message, title="Warning", severity="warning", timeout=10)
            self.log_note(message.message, style="yellow")
            if message.unrecorded:
                self._set_status(self.status.evolve(recorded=False))

    def on_run_ended(self, message: RunEnded) -> None:
        if not self.run_state.is_current(message.run):
            return
        self.run_state.ended(message.status, message.network, message.stopped_at)
        if self._quitting:
            return
        self._widget(CostPlot).end_run()
        style = "magenta" if message.status == "stopped" else (
            "bold cyan" if message.status in ENDED_WELL else "bold red")
        said = message.message
        self.log_note(f"Run {said}" if said.startswith(message.status)
                      else f"Run {message.status}: {said}", style=style)
        self._widget(EpochProgress).set(*self.position)
        self._set_status()
        self._refresh_neurons(force=True)
        if message.status == "diverged":
            self.notify(message.message, title="Diverged", severity="error", timeout=10)
        elif message.status == "failed":
            self.notify(message.message, title="Training failed", severity="error", timeout=10)
        restart = self.run_state.take_restart()
        if restart is not None:
            self._end_comparison("replaced by a new run")
            self.begin(restart)
        elif self.comparison is not None:
            self._comparison_run_ended(message.status)

    # --- the books' comparisons -----------------------------------------------------------------

    def start_comparison(self, name: str) -> None:
        """Run a comparison's variants one after another; each is pinned as it ends, so they
        pile up beside the live one, named by what differs."""
        comparison = COMPARISONS[name]
        if self._sweep_refuses("a comparison can start once it has ended"):
            return
        if self._batch_refused("comparison", "Comparisons pin their runs"):
            return
        try:
            for run in self.history.list_runs():
                if run.pinned:  # the comparison's runs alone beside each other
                    self.history.set_pinned(run.id, False)
        except HistoryError as error:
            self.notify(str(error), severity="error")
            return
        # The split the book's figure plots: training cost for the learning rates, say.
        self.overlay_split = "training" if comparison.plot.startswith("train") else "held-out"
        self.run_state.start_comparison(comparison, [
            (label, config.replace(pace=COMPARISON_PACE.get(config.dataset, config.pace)))
            for label, config in comparison.labelled_configs()])
        self.show_overlays = True
        self.load_overlays()
        self.notify(comparison.description, title=comparison.title, timeout=10)
        self._next_variant()

    def _next_variant(self) -> None:
        comparison = self.comparison
        assert comparison is not None
        label, config, number, total = self.run_state.next_variant()
        self.form.load(config)
        self.begin(config, name=label, group=comparison.name)  # which clears the log
        self.log_note(f"{comparison.title}, run {number} of {total}: {label}. "
                      f"Watch: {comparison.watch}", style="bold")

    def _comparison_run_ended(self, status: str) -> None:
        recorder = self._session.recorder if self._session is not None else None
        if status not in ENDED_WELL:
            self._end_comparison(f"its run was {status}")
            return
        if self.history is not None and recorder is not None and recorder.run_id is not None:
            with contextlib.suppress(HistoryError):
                self.history.set_pinned(recorder.run_id, True)
        self.load_overlays()
        if self.run_state.variants:
            self._next_variant()
        else:
            comparison = self.comparison
            assert comparison is not None
            self.log_note(f"Comparison done: {comparison.title}. {comparison.watch}",
                          style="bold cyan")
            self.run_state.end_comparison()
            self._plots = EMPTY_PLOTS  # the last run is pinned too: every run by its label
            self._draw_plots()

    def _end_comparison(self, why: str) -> None:
        ended = self.run_state.end_comparison()
        if ended is not None:
            ran, total = ended
            self.log_note(f"Comparison stopped after {ran} of {total} runs: {why}",
                          style="magenta")

    # --- looking inside ---------------------------------------------------------------------------

    def _show_plane(self, config: Config) -> BoundaryPanel | None:
        """On a 2-D set the decision-boundary panel takes the speed plot's place (returned);
        otherwise the speed plot is back."""
        plane = config.dataset in TOY_SETS
        panel = self._widget(BoundaryPanel)
        panel.display = plane
        self._widget(SpeedPlot).display = not plane
        return panel if plane else None

    @work(thread=True, group="inspect", exit_on_error=False)
    def _load_points(self, config: Config, network: Network | None = None) -> None:
        """The 2-D set's points for the panel (and the field of ``network``), off the UI thread."""
        try:
            data = load_data(config, self.data_dir)
        except DatasetError as error:
            self.call_from_thread(self.log_note, f"The data set's points could not be drawn: "
                                                 f"{error}", "yellow")
            return
        panel = self._widget(BoundaryPanel)
        points = (data.train.x, data.train.labels, data.validation.x, data.validation.labels)
        self.call_from_thread(panel.set_points, *points)
        if network is not None and network.sizes[0] == 2:
            rows, cols = panel.grid_size
            self.call_from_thread(panel.show_field,
                                  decision_field(network, rows, cols, extent=panel.extent))

    def on_field_ready(self, message: FieldReady) -> None:
        if self._current(message):
            self._widget(BoundaryPanel).show_field(message.field)

    def on_hint_noticed(self, message: HintNoticed) -> None:
        if not self._current(message):
            return
        hint = message.hint
        self.log_note(str(hint), style="yellow")
        self.notify(hint.message, title=f"Hint: {hint.title}", severity="warning", timeout=12)
        self._set_status(self.status.evolve(hint=HINT_WORDS.get(hint.kind, hint.title)))

    def _inspectable(self) -> tuple[Network, Config] | None:
        """The network to look into (a finished, paused or loaded one), or None after saying
        why there is none."""
        network, config = self.run_state.network, self.run_state.network_config
        if network is None or config is None:
            self.notify("No trained network yet: train one (F5) or load one (F2, n).",
                        severity="warning")
            return None
        if self.running and self.state != "paused":
            self.notify("Pause (F6) first: the weights change with every mini-batch.",
                        severity="warning")
            return None
        return network, config

    def action_confusion(self) -> None:
        found = self._inspectable()
        if found is not None:
            self.notify("Measuring the held-out set…", timeout=2)
            self._open_confusion(*found)

    @work(thread=True, exclusive=True, group="inspect", exit_on_error=False)
    def _open_confusion(self, network: Network, config: Config) -> None:
        """Predict the held-out set in a worker, then open the confusion matrix over it."""
        try:
            data = load_data(config, self.data_dir)
        except DatasetError as error:
            self.call_from_thread(self.notify, str(error), title="No confusion matrix",
                                  severity="error")
            return
        split = data.validation
        if split.x.shape[1] != network.sizes[0] or len(split) == 0:
            self.call_from_thread(self.notify, "The data set does not fit this network.",
                                  title="No confusion matrix", severity="error")
            return
        answers = predict(network, split.x, split.labels)
        name = "test" if config.validate_on == "test" else "validation"
        self.call_from_thread(self.push_screen, ConfusionScreen(answers, split.x, split=name))

    def action_neurons(self) -> None:
        panel = self._widget(BoundaryPanel)
        if panel.display:
            panel.action_cycle_view(1)
            return
        found = self._inspectable_weights()
        if found is not None:
            self.push_screen(NeuronsScreen(found, title=self._neurons_title()))

    def _inspectable_weights(self):
        """The first layer's weights as images, or None after saying why there are none."""
        network = self.run_state.network
        if network is None:
            self.notify("No network yet: train one (F5) or load one (F2, n).",
                        severity="warning")
            return None
        if len(network.sizes) < 3 or image_shape(network.sizes[0]) is None:
            self.notify("The neurons view draws a hidden layer's weights as images: it needs "
                        "image inputs (MNIST) and a hidden layer.", severity="warning")
            return None
        return weight_images(network)

    def _neurons_title(self) -> str:
        where = self.state if self.running else "after the run"
        return f"run {self.run_number}, {where}" if self.run_number else "loaded network"

    def _refresh_neurons(self, force: bool = False) -> None:
        """A neurons screen that is open follows the run: at a pause and the end, and every few
        seconds while it trains."""
        screen = next((s for s in self.screen_stack if isinstance(s, NeuronsScreen)), None)
        network = self.run_state.network
        if screen is None or network is None:
            return
        now = time.monotonic()
        if force or now - self._neurons_drawn >= NEURONS_INTERVAL:
            self._neurons_drawn = now
            with contextlib.suppress(ValueError):  # another run's layer: the screen keeps its own
                screen.update_weights(weight_images(network))

    # --- sweeps ---------------------------------------------------------------------------------
    # Ctrl+F (or the palette's "Sweep") asks for the fields to vary (screens/sweep.py); the sweep
    # trains on its own thread worker (sweeping.SweepSession), which posts its runs' curves at
    # most four times a second.  While it runs its runs are drawn in the pinned runs' place; when
    # it ends they are pinned (the others unpinned).  F5, F6, F7 and comparisons wait for it, F8
    # stops it, quitting stops it and shuts its local Dask cluster down.

    def _init_sweeps(self) -> None:
        self._sweep: SweepSession | None = None
        self._sweep_number = 0
        self._sweep_curves: dict[str, list[RunCurves]] = {}
        self._sweep_reported = 0  # runs whose end the log has told
        self._sweep_done = threading.Event()
        self._sweep_done.set()

    @property
    def sweep(self) -> SweepSession | None:
        """The sweep under way, if any."""
        return self._sweep

    def _sweep_refuses(self, what: str) -> bool:
        """While a sweep runs: say so (and that ``what``) and return True."""
        if self._sweep is None:
            return False
        self.notify(f"Sweep {self._sweep.name} is running: {what}; F8 stops it.",
                    title="Sweep running", severity="warning", timeout=6)
        return True

    def _batch_refused(self, kind: str, pinning: str) -> bool:
        """A comparison or a sweep needs no run going and an open run history: say which is
        missing (``pinning`` says what it does with the history) and refuse."""
        if self.running:
            self.notify(f"Stop the running run first (F8), then start the {kind}.",
                        severity="warning")
            return True
        if self.history is None:
            self.notify(f"{pinning} in the run history, which could not be opened (see the "
                        "log).", severity="error")
            return True
        return False

    def action_sweep(self) -> None:
        if isinstance(self.screen, SweepScreen) or self._sweep_refuses(
                "one sweep at a time"):
            return
        if self._batch_refused("sweep", "Sweeps record and pin their runs"):
            return
        config = self.read_form()
        if config is not None:
            self.push_screen(SweepScreen(config, self.data_dir), self.start_sweep)

    def start_sweep(self, request: SweepRequest | None) -> None:
        """Train a sweep the dialog checked (None: it was cancelled)."""
        if request is None:
            return
        if self._sweep is not None or self.running:  # started meanwhile, from the palette
            self.notify("Something else started training meanwhile; the sweep did not start.",
                        severity="warning")
            return
        self._sweep_number += 1
        session = SweepSession(self._sweep_number, request, self.post_message,
                               history=self.history, data_dir=self.data_dir,
                               blas_threads=self.blas_threads)
        self._sweep, self._sweep_curves, self._sweep_reported = session, {}, 0
        self._plots = EMPTY_PLOTS
        with self.batch_update():
            self.epoch_log.start_run(request.runs[0].config.validate_on)
            self._draw_plots()
            self._widget(EpochProgress).set_sweep(
                0, len(request.runs), 0, sum(run.config.epochs for run in request.runs))
        where = where_words(request.workers, request.scheduler, 0) if (
            request.scheduler or request.workers == 0) else "on a local Dask cluster"
        self.log_note(f"Sweep {request.name}: {len(request.runs)} runs {where}, drawn here as "
                      f"they train and pinned when they end (F8 stops them).", style="bold")
        self._set_sweep_status(
            progress_text(request.name, 0, len(request.runs), 0) if request.in_process else
            f"{sweep_title(request.name)}: {'reaching' if request.scheduler else 'starting'} "
            f"the Dask cluster")
        self._sweep_done.clear()
        self._run_sweep(session)

    @work(thread=True, group="sweep", exit_on_error=False)
    def _run_sweep(self, session: SweepSession) -> None:
        """The sweep's worker: the cluster starts, the runs train and it closes, all here."""
        try:
            session.run()
        finally:
            self._sweep_done.set()

    def _set_sweep_status(self, detail: str, state: str = "sweeping") -> None:
        self._set_status(Status(state=state, detail=detail, recorded=self.history is not None))

    def _sweep_overlays(self) -> list[RunCurves] | None:
        """The running sweep's runs on the split shown, or None when no sweep runs."""
        if self._sweep is None:
            return None
        return self._sweep_curves.get(self.overlay_split, [])

    def stop_sweep(self) -> None:
        """F8 during a sweep: its running runs stop after their mini-batch, the rest never
        start."""
        sweep = self._sweep
        if sweep is None or sweep.stopping:
            return
        sweep.stop()
        self.log_note(f"Stopping sweep {sweep.name}: its running runs stop after their "
                      f"mini-batch, the others will not start.", style="magenta")
        self._set_sweep_status(self.status.detail, state="stopping")

    async def stop_sweep_and_wait(self, timeout: float = 45.0) -> None:
        """Stop the sweep and wait (without blocking the UI) until its worker has closed its
        cluster."""
        if self._sweep is not None:
            self._sweep.stop()
        await asyncio.to_thread(self._sweep_done.wait, timeout)

    def _end_sweep_on_exit(self) -> None:
        """Whatever way the app ends, the sweep stops and its local cluster shuts down."""
        if self._sweep is not None:
            self._sweep.stop()
        self._sweep_done.wait(45)

    def _sweep_current(self, message: SweepStarted | SweepProgress | SweepEnded) -> bool:
        return (self._sweep is not None and message.sweep == self._sweep.number
                and not self._quitting)

    def on_sweep_started(self, message: SweepStarted) -> None:
        if self._sweep_current(message) and message.where:
            ready = f" (ready in {message.seconds:.1f} s)" if self.show_timing and \
                message.seconds else ""
            self.log_note(f"Training on {message.where}{ready}.", style="dim")
            if self.state == "sweeping":  # not stopping
                self._set_sweep_status(progress_text(message.name, 0, message.total, 0))

    def on_sweep_progress(self, message: SweepProgress) -> None:
        if not self._sweep_current(message):
            return
        self._sweep_curves = message.curves
        for warning in message.warnings:
            self.log_note(warning, style="yellow")
        for ended in message.ended:
            if ended.status != RunStatus.NOT_RUN:  # the summary counts those
                self._sweep_reported += 1
                style = "cyan" if ended.status in ENDED_WELL else (
                    "magenta" if ended.status == "stopped" else "red")
                self.log_note(outcome_text(ended, self._sweep_reported, message.total), style)
        stopping = self._sweep is not None and self._sweep.stopping
        with self.batch_update():
            self._draw_plots()
            self._widget(EpochProgress).set_sweep(message.done, message.total,
                                                  message.epochs_done, message.epochs)
            self._set_sweep_status(progress_text(message.name, message.done, message.total,
                                                 message.running),
                                   "stopping" if stopping else "sweeping")

    def on_sweep_ended(self, message: SweepEnded) -> None:
        if not self._sweep_current(message):
            return
        self._sweep = None
        if message.error:
            started = any(o.attempts for o in message.outcomes)
            title = "Sweep failed" if started else "Sweep not started"
            self.notify(message.error, title=title, severity="error", timeout=15)
            self.log_note(f"{title}: {message.error}", style="bold red")
            self._set_sweep_status(sweep_title(message.name), state="failed")
        recorded = [o.run_id for o in message.outcomes if o.run_id is not None]
        if recorded and self.history is not None:
            try:  # the sweep's runs alone beside each other, as a comparison's
                for run in self.history.list_runs():
                    if run.pinned and run.id not in recorded:
                        self.history.set_pinned(run.id, False)
                for run_id in recorded:
                    self.history.set_pinned(run_id, True)
            except HistoryError as error:
                self.notify(f"The sweep's runs could not be pinned: {error}", severity="error")
        self.show_overlays = True
        self.load_overlays()
        # Each run in the colour it had while the sweep ran (the history lists them in the
        # order their starts were heard, which on several workers may differ).
        places = {o.label: o.index for o in message.outcomes}
        if self.overlays and all(curves.label in places for curves in self.overlays):
            self.overlays.sort(key=lambda curves: places[curves.label])
            self._draw_plots()
        if message.error:
            return
        summary = summary_text(message.name, message.outcomes, message.stopped)
        self.log_note(summary, style="magenta" if message.stopped else "bold cyan")
        self.notify(summary, title="Sweep stopped" if message.stopped else "Sweep done",
                    timeout=10)
        self._set_sweep_status(ended_text(message.name, message.outcomes),
                               "stopped" if message.stopped else "completed")

    # --- focus help and terminal size -------------------------------------------------------------

    def on_descendant_focus(self, event: DescendantFocus) -> None:
        field = next((node for node in event.widget.ancestors_with_self
                      if isinstance(node, Field)), None)
        if event.widget.screen is self.screen_stack[0]:
            self._widget(FieldHelp).show(field.spec if field is not None else None)

    def on_resize(self, event: Resize) -> None:
        self._check_size(event.size.width, event.size.height)

    def _check_size(self, width: int, height: int) -> None:
        small = too_small(width, height)
        showing = isinstance(self.screen, TooSmallScreen)
        if small and not showing:
            self.push_screen(TooSmallScreen())
        elif small and showing:
            self.screen.show(width, height)  # type: ignore[attr-defined]
        elif not small and showing:
            self.pop_screen()
