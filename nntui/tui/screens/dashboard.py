"""``DashboardScreen``: set hyperparameters, train, watch the network learn.

The screen owns its layout (the form on the left; the status line, the progress bar, three plots
and the epoch log on the right), its keys (each :class:`~textual.binding.Binding` carries its
help text, which the footer, the help screen and the palette show), and the messages its workers
post.  Its view state lives in reactive attributes: what the status line says (:attr:`status`,
mirrored from the plain :class:`~nntui.tui.state.RunState`), whether the pinned runs are drawn
(:attr:`show_overlays`) and on which split (:attr:`overlay_split`); their ``watch_`` methods
redraw.  The work is the controllers': :class:`~nntui.tui.controllers.training.Training` (the run
on show and its worker), :class:`~nntui.tui.controllers.sweeps.Sweeps`,
:class:`~nntui.tui.controllers.comparisons.Comparisons` and
:class:`~nntui.tui.controllers.inspection.Inspection`; each key and each message is handed to
the one it concerns, and where one thing concerns several the handler here calls each in turn.
Handlers only update widgets, so the keyboard stays responsive while the network trains.
"""

from __future__ import annotations

import re
from collections import deque
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, Horizontal, Vertical
from textual.events import DescendantFocus
from textual.notifications import SeverityLevel
from textual.reactive import var

from nntui.config import Config, describe
from nntui.datasets import available_datasets, dataset_problem
from nntui.engine import Network
from nntui.render.plots import RunCurves, Series
from nntui.storage.history import HistoryError, RunHistory
from nntui.storage.records import old_runs_dir
from nntui.studies.against import AgainstError, against, from_ids
from nntui.studies.plan import groups_in
from nntui.tui.commands import NNTuiCommands
from nntui.tui.controllers.comparisons import ComparisonEnded, Comparisons, VariantStarted
from nntui.tui.controllers.hyperparameters import PACES, Hyperparameters, pace_name
from nntui.tui.controllers.inspection import ConfusionReady, FieldReady, HintNoticed, Inspection
from nntui.tui.controllers.pinned import PinnedView, pinned_curves, pinned_view
from nntui.tui.controllers.saturation import SaturationView, live_label
from nntui.tui.controllers.sweeps import (
    SweepEnded,
    SweepProgress,
    SweepRequest,
    Sweeps,
    SweepStarted,
)
from nntui.tui.controllers.training import (
    BatchUpdate,
    DataLoaded,
    EpochsDone,
    RunEnded,
    RunPaused,
    RunResumed,
    RunWarning,
    SaturationMeasured,
    Training,
)
from nntui.tui.dialogs.confirm import ConfirmScreen
from nntui.tui.dialogs.prompt import PromptScreen
from nntui.tui.dialogs.sweep import SweepScreen
from nntui.tui.keys import HELP, PALETTE, QUIT, SUSPEND, QuitFirstScreen
from nntui.tui.screens.against import AgainstScreen
from nntui.tui.screens.confusion import ConfusionScreen
from nntui.tui.screens.draw import DrawScreen
from nntui.tui.screens.neurons import NeuronsScreen
from nntui.tui.screens.runs import RunsAction, RunsScreen
from nntui.tui.screens.saturation import SaturationScreen
from nntui.tui.settings import Settings
from nntui.tui.state import RunState, Status
from nntui.tui.widgets.boundary import BoundaryPanel
from nntui.tui.widgets.footer import KeyFooter
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
from nntui.tui.widgets.status import EpochProgress, StatusLine

NOTICE_SECONDS = 4.0
"""The longest a notification stays over the plots and the log; the log keeps what it said."""

NOTICE_STYLES = {"information": "cyan", "warning": "yellow", "error": "bold red"}
"""The log's colour for a notification's whole message, by its severity."""

LOGGED_KEPT = 50
"""How many of the log's last notes are remembered, to tell whether a notification's whole
message is already there."""


def toast_width(screen_width: int) -> int:
    """Cells a toast's message line has: Textual's toast is 60 cells wide at most and half its
    rack (the screen less the rack's scroll bar), less its padding (one each side), its
    coloured left border and a cell to spare."""
    return max(10, min(60, (screen_width - 2) // 2) - 4)


SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z(])")
"""Where a sentence ends: a full stop and a capital after it (not "ch. 3", nor "0.5")."""


def first_line(message: str, width: int) -> str:
    """The message's first sentence (or line), cut with an ellipsis to ``width`` cells."""
    line = message.strip().splitlines()[0] if message.strip() else ""
    line = SENTENCE_END.split(line, maxsplit=1)[0]
    text = Text(line)
    text.truncate(width, overflow="ellipsis")
    return text.plain


class DashboardScreen(QuitFirstScreen):
    """The dashboard: ``settings`` (the form's starting config, where things are, what is
    shown); ``history`` records every run (None: it could not be opened, ``history_problems``
    say why)."""

    # In the order of use: the footer shows as many as fit, the help key (which lists them all)
    # on its right; at 80 columns quitting (inherited first), F5-F8 and η's keys.  The help
    # screen and the palette list them in this order too, with the tooltip as their help text.
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f5", "start", "Start",
                tooltip="Start a run with the form's values (asks before replacing a running one)"),
        Binding("f6", "pause", "Pause", tooltip="Pause or resume the running training"),
        Binding("f7", "step", "Step",
                tooltip="Train to the end of the epoch, then pause (starts a run if none is "
                        "going)"),
        Binding("f8", "stop", "Stop",
                tooltip="Stop the run (or a sweep's runs) after the current mini-batch"),
        HELP,
        QUIT,
        Binding("f9,ctrl+down", "eta_down", "η÷10", tooltip="Divide η by 10 (live during a run)"),
        Binding("f10,ctrl+up", "eta_up", "η×10", tooltip="Multiply η by 10 (live during a run)"),
        Binding("f2", "runs", "Runs",
                tooltip="The run history: open a run's plots, pin runs beside the live one, "
                        "rename, delete, export, load a run's config or saved network"),
        Binding("ctrl+f", "sweep", "Sweep",
                tooltip="Train the form's config with one or two fields varied, every "
                        "combination side by side on Dask (a dialog asks for the values); the "
                        "runs are drawn as they train and pinned when the sweep ends"),
        Binding("ctrl+o", "confusion", "Mistakes",
                tooltip="The confusion matrix of the held-out set and, for images, the digits "
                        "the network gets wrong (a finished, paused or loaded network)"),
        Binding("ctrl+n", "neurons", "Neurons",
                tooltip="What the first hidden layer learned: its weights as images (MNIST), "
                        "or on a 2-D set the next neuron's output over the plane"),
        Binding("ctrl+y", "draw", "Draw a digit",
                tooltip="Draw a digit and watch the network answer as you draw (a finished, "
                        "paused or loaded MNIST or Fashion-MNIST network)"),
        Binding("f4", "pace", "Pace",
                tooltip="Cap the epochs per second so a small run can be watched: "
                        f"{' → '.join(pace_name(p) for p in PACES)} (live during a run)"),
        Binding("ctrl+s", "save", "Save", tooltip="Save the trained network as .npz"),
        Binding("f3", "toggle_overlays", "Pinned",
                tooltip="The pinned runs beside the live one: those of its data set, then "
                        "every one (named by its data set), then none"),
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
                tooltip="Put the values the app started with back into the form (the last "
                        "run's plots and log stay)"),
        Binding("f11", "against", "Results vs hyperparameter",
                tooltip="After a sweep or a comparison: each run's best held-out accuracy and "
                        "final training cost against the value it varied (a line per value of "
                        "a second varied field)"),
        Binding("f12", "saturation", "Saturation", show=False,
                tooltip="Saturated neurons: each layer's z histogram and the fraction of "
                        "saturated (or dead ReLU) units against epochs, for the run on show and "
                        "the pinned runs side by side"),
        SUSPEND,  # never in the footer; listed in the help
        PALETTE,  # last: the palette offers every key again
    ]

    COMMANDS: ClassVar[set] = {NNTuiCommands}

    status: var[Status] = var(Status, init=False)
    """What the status line says: the run state's status, or a sweep's."""
    show_overlays: var[bool] = var(True, init=False)
    """Whether the pinned runs (or a running sweep's) are drawn beside the live run."""
    overlay_split: var[str] = var("held-out", init=False)
    """Which curves of every run are drawn beside each other: "held-out" or "training"."""

    def __init__(self, settings: Settings, *, history: RunHistory | None,
                 history_problems: list[str] | None = None) -> None:
        super().__init__()
        self.settings = settings
        self.history = history
        self.history_problems = list(history_problems or [])
        self.run_state = RunState()
        self.quitting = False
        self.live_plots: PlotData = EMPTY_PLOTS
        self.overlays: list[RunCurves] = []
        self.every_pin = False  # pinned runs of other data sets are drawn too (F3)
        # The pinned runs' data sets not drawn, as the log last told them, and in which run's
        # log (a new run clears it).
        self._told_left_out: tuple[int, dict[str, int]] = (0, {})
        self._confirming_restart = False
        self._logged: deque[str] = deque(maxlen=LOGGED_KEPT)  # the log's last notes
        self.training = Training(self)
        self.hyperparameters = Hyperparameters(self)
        self.sweeps = Sweeps(self)
        self.comparisons = Comparisons(self)
        self.inspection = Inspection(self)
        # The last sweep or comparison that ended: its name and its recorded runs' ids (F11).
        self.finished_study: tuple[str, list[int]] | None = None
        self.saturation = SaturationView()

    # --- layout --------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        timing = self.settings.show_timing
        with Horizontal(id="main"):
            with Vertical(id="side"):
                yield ConfigForm(self.settings.config,
                                 datasets=available_datasets(self.settings.data_dir), id="form")
                yield FieldHelp(id="field-help")
            with Vertical(id="dashboard"):
                yield StatusLine(show_timing=timing, id="status")
                yield EpochProgress(id="progress")
                with Grid(id="panels"):
                    yield CostPlot()
                    yield AccuracyPlot()
                    yield SpeedPlot()
                    yield BoundaryPanel(id="boundary")  # in the speed plot's place on 2-D sets
                    yield EpochLog(show_timing=timing, id="log")
        yield KeyFooter()

    def on_mount(self) -> None:
        config = self.settings.config
        self.form.border_title = "Hyperparameters"
        self.epoch_log.border_title = "Epoch log"
        self.query_one(FieldHelp).show(None)
        self.form.field("dataset").editor.focus()
        self.log_note("Ready. F5 starts training with the form's values; F1 shows all keys.",
                      style="dim")
        for problem in self.history_problems:
            self._history_unusable(problem)
        self._import_old_records()
        self.load_overlays()
        self.show_status(Status(detail=describe(config), recorded=self.history is not None))
        if self.show_plane(config) is not None:
            self.load_points(config)

    def _history_unusable(self, message: str) -> None:
        message = message[:1].upper() + message[1:] + "; training works all the same."
        self.notify(message, title="Run history", severity="warning", timeout=12)
        self.log_note(message, style="yellow")

    def _import_old_records(self) -> None:
        """Runs recorded as JSON files by earlier versions join the history once."""
        if self.history is None:
            return
        for done in self.history.recovered:  # kept aside while the history was full
            self.log_note(done[:1].upper() + done[1:] + ".", style="dim")
        try:
            report = self.history.import_json_runs(old_runs_dir())
        except HistoryError as error:
            self.log_note(f"Old JSON run records were not imported: {error}", style="yellow")
            return
        if report.imported:
            count = len(report.imported)
            self.log_note(f"Imported {count} run{'s' if count != 1 else ''} recorded as JSON by "
                          f"an earlier nntui (the files stay where they are).", style="dim")
        for _, reason in report.skipped:  # each once: the history remembers the file
            self.log_note(f"Skipped an old run record: {reason}", style="yellow")

    # --- what the controllers draw with (see controllers/board.py) -------------------------------

    @property
    def form(self) -> ConfigForm:
        return self.query_one(ConfigForm)

    @property
    def epoch_log(self) -> EpochLog:
        return self.query_one(EpochLog)

    def log_note(self, message: str, style: str = "cyan") -> None:
        self.epoch_log.note(message, style)
        self._logged.append(message)

    def notify(self, message: str, *, title: str = "", severity: SeverityLevel = "information",
               timeout: float | None = None, markup: bool = False) -> None:
        """A short notification: a line of title and one of message, for a few seconds at most.

        A toast covers the bottom right of the dashboard, the plots and the epoch log; a long
        one covered them at 80x24 for as long as 12 s.  So every notification of the dashboard
        and its controllers shows ``title`` and the first sentence of ``message``, each cut to
        the toast's width, for at most :data:`NOTICE_SECONDS`; when that leaves something out,
        the whole message goes to the epoch log, unless the caller writes it there itself
        (before or just after notifying).  ``message`` is plain text, never markup: it may
        quote a path or a value."""
        width = toast_width(self.app.size.width)
        line, heading = first_line(message, width), first_line(title, width)
        seconds = NOTICE_SECONDS if timeout is None else min(timeout, NOTICE_SECONDS)
        super().notify(line, title=heading, severity=severity, timeout=seconds, markup=markup)
        if line != message or heading != title:
            self.call_later(self._log_whole, message, title, severity)

    def _log_whole(self, message: str, title: str, severity: SeverityLevel) -> None:
        if not any(message in note for note in self._logged):
            whole = f"{title}: {message}" if title else message
            self.log_note(whole, style=NOTICE_STYLES.get(severity, "cyan"))

    def show_status(self, status: Status | None = None) -> None:
        """Show the run state's status (after replacing it with ``status``, when given)."""
        if status is not None:
            self.run_state.status = status
        self.status = self.run_state.status

    def watch_status(self, status: Status) -> None:
        self.query_one(StatusLine).set(status)
        subtitle = "for the next run; η live" if self.run_state.running else ""
        if (self.form.border_subtitle or "") != subtitle:  # setting it repaints the whole form
            self.form.border_subtitle = subtitle

    def show_plane(self, config: Config) -> BoundaryPanel | None:
        return self.inspection.show_plane(config)

    def load_points(self, config: Config, network: Network | None = None) -> None:
        self.inspection.load_points(config, network)

    @property
    def sweeping(self) -> bool:
        return self.sweeps.session is not None

    # --- the plots: the live run, the pinned (or swept) runs beside it ----------------------------

    def _plot_view(self) -> tuple[PlotData, str, bool]:
        """What the plots show: the live run's curves with the pinned runs beside them while
        overlays are on, the note naming their split, and whether the running mini-batch cost
        (a training figure) belongs among them."""
        overlays = self.overlays if self.show_overlays else []
        if overlays:  # runs of another data set have other scales: drawn only when asked for
            overlays = self._pinned_view(overlays).drawn
        swept = self.sweeps.overlays(self.overlay_split)  # a running sweep's, in their place
        if swept is not None:
            overlays = swept if self.show_overlays else []
        note = ""
        config = self.run_state.config
        # One split per run: say which (the single neuron's one example is every split).
        if overlays and (config is None or config.dataset != "neuron"):
            test = config is not None and config.validate_on == "test"
            note = ("training" if self.overlay_split == "training"
                    else "test" if test else "validation")
        data = with_overlays(self.live_plots, overlays, self.overlay_split)
        return data, note, not overlays or self.overlay_split == "training"

    def _live_dataset(self) -> str:
        """The data set of the run on show, or before any run the form's."""
        config = self.run_state.config
        if config is not None:
            return config.dataset
        return self.form.raw_values().get("dataset") or self.settings.config.dataset

    def _pinned_view(self, overlays: list[RunCurves]) -> PinnedView:
        """The pinned runs to draw beside the live run; the log says once which are left
        out."""
        dataset = self._live_dataset()
        view = pinned_view(overlays, dataset, every=self.every_pin)
        told = (self.run_state.number, view.left_out)
        if told != self._told_left_out:
            self._told_left_out = told
            if view.left_out:
                self.log_note(view.describe_left_out(dataset), style="dim")
        return view

    def draw_plots(self) -> None:
        data, note, _ = self._plot_view()
        show_all(self.query_one(CostPlot), self.query_one(AccuracyPlot),
                 self.query_one(SpeedPlot), data, None, note)

    def draw_running(self, running: Series) -> None:
        """Only the cost plot changes with the running mini-batch cost: redraw it alone."""
        data, note, with_running = self._plot_view()
        cost = self.query_one(CostPlot)
        cost.note = note
        cost.show(data.cost, [running] if with_running and running.x else [])

    def load_overlays(self) -> None:
        """Read the pinned runs from the history and draw them beside the live run."""
        self.overlays = []
        if self.history is not None:
            try:
                self.overlays = pinned_curves(self.history, self.overlay_split)
            except HistoryError as error:
                self.notify(f"Pinned runs could not be read: {error}", severity="error")
        self.draw_plots()

    def show_pinned(self, split: str | None = None) -> None:
        """Show the pinned runs (on ``split``, when given), read again: drawn once, not once
        per changed attribute."""
        self.set_reactive(DashboardScreen.show_overlays, True)
        if split is not None:
            self.set_reactive(DashboardScreen.overlay_split, split)
        self.load_overlays()

    def watch_show_overlays(self) -> None:
        self.draw_plots()

    def watch_overlay_split(self) -> None:
        self.load_overlays()

    def action_toggle_overlays(self) -> None:
        """F3: the pinned runs of the live run's data set, then (when there are others) every
        pinned run, then none."""
        if not self.overlays and self.sweeps.session is None:  # a sweep's runs show or hide too
            self.notify("No pinned runs: pin runs on the runs screen (F2) to draw them here.",
                        severity="warning")
            return
        dataset = self._live_dataset()
        others = self.sweeps.session is None and any(
            curves.dataset and curves.dataset != dataset for curves in self.overlays)
        if self.show_overlays and others and not self.every_pin:
            self.every_pin = True
            self.draw_plots()
            self.notify("Every pinned run shown, those of another data set named by it",
                        timeout=3)
            return
        self.every_pin = False
        self.show_overlays = not self.show_overlays
        shown = "of this data set shown" if others else "shown"
        self.notify(f"Pinned runs {shown if self.show_overlays else 'hidden'}", timeout=2)

    def action_toggle_split(self) -> None:
        self.overlay_split = "training" if self.overlay_split == "held-out" else "held-out"
        what = "training" if self.overlay_split == "training" else "validation (or test)"
        self.notify(f"With pinned runs, the plots show {what} curves", timeout=3)

    def action_toggle_log(self) -> None:
        log = self.query_one(CostPlot).toggle_log()
        self.notify(f"Cost axis: {'log' if log else 'linear'} scale", timeout=2)

    # --- the form ------------------------------------------------------------------------------

    def read_form(self) -> Config | None:
        """The form's config, or None after telling the user which fields are wrong."""
        return self.hyperparameters.read()

    def describe_form(self, prefix: str = "") -> None:
        self.hyperparameters.describe(prefix)

    def apply_preset(self, name: str) -> None:
        """Fill the form with one of the books' presets (the palette's "Preset: …")."""
        self.hyperparameters.apply_preset(name)

    @on(ConfigForm.FieldChanged)
    def _field_changed(self, event: ConfigForm.FieldChanged) -> None:
        self.hyperparameters.field_changed(event.name, event.value)

    @on(ConfigForm.FolderWanted)
    def _folder_wanted(self, event: ConfigForm.FolderWanted) -> None:
        """The data set's list asked for a folder: ask which, checked as it would be loaded."""
        field = self.form.field("dataset")

        def answered(folder: str | None) -> None:
            field.set_raw(folder.strip() if folder else event.before)
            field.editor.focus()

        self.app.push_screen(PromptScreen(
            "The folder of an MNIST-format data set (its four IDX files, gzipped or not):", "",
            check=lambda text: (dataset_problem(text.strip(), self.settings.data_dir)
                                if text.strip() else "Give the folder's path."),
            hint=f"Enter uses it · Escape keeps {event.before}"), answered)

    def action_eta_up(self) -> None:
        self.hyperparameters.scale("eta", 10.0)

    def action_eta_down(self) -> None:
        self.hyperparameters.scale("eta", 0.1)

    def action_batch_up(self) -> None:
        self.hyperparameters.scale("batch_size", 2.0)

    def action_batch_down(self) -> None:
        self.hyperparameters.scale("batch_size", 0.5)

    def action_pace(self) -> None:
        self.hyperparameters.step_pace()

    def action_reset(self) -> None:
        """Put the starting values back into the form; the last run's plots and log stay."""
        self.hyperparameters.reset()

    # --- a run: start, pause, step, stop, save ----------------------------------------------------

    def action_start(self) -> None:
        if self.sweeps.refuses("F5 starts a run once it has ended"):
            return
        config = self.read_form()
        if config is None:
            return
        state = self.run_state
        if not state.running:
            if self.comparisons.session is None:  # not between a comparison's runs
                self.training.begin(config)
                self.hyperparameters.run_started(config)
            return
        if state.state == "stopping" or self._confirming_restart:
            return

        def answered(yes: bool | None) -> None:
            self._confirming_restart = False
            if yes:
                self.training.restart(config)

        self._confirming_restart = True
        # No epoch number here: the run goes on while the question is open.
        self.app.push_screen(ConfirmScreen(
            f"{state.title.capitalize()} is still "
            f"{'paused' if state.state == 'paused' else 'training'}."
            " Stop it and start a new run with the form's values? (Its finished epochs stay in "
            "its record.)",
            yes="Stop and restart", no="Keep training"), answered)

    def action_pause(self) -> None:
        if self.sweeps.refuses("a sweep's runs cannot be paused"):
            return
        state = self.run_state
        if state.control is None or not state.running:
            self.notify("Nothing is training; F5 starts a run.", severity="warning")
        elif state.pause_or_resume() is not None:
            self.show_status()

    def action_step(self) -> None:
        if self.sweeps.refuses("F7 steps a run once it has ended"):
            return
        state = self.run_state
        if state.control is None or not state.running:
            config = self.read_form()
            if config is not None and self.comparisons.session is None:
                self.training.begin(config, step=True)
                self.hyperparameters.run_started(config)
            return
        if state.state == "stopping":
            return
        what = state.step()
        self.show_status()
        self.log_note(f"Step: {what}, then pausing", style="dim")

    def action_stop(self) -> None:
        if self.sweeps.session is not None:
            self.sweeps.stop()
            return
        state = self.run_state
        if state.control is None or not state.running:
            self.notify("Nothing is training.", severity="warning")
            return
        state.stop()
        self.show_status()

    def action_save(self) -> None:
        self.training.save()

    # --- the run history (F2) and loading from it -------------------------------------------------

    def action_runs(self) -> None:
        if self.history is None:
            self.notify("There is no run history to show: it could not be opened (see the log).",
                        severity="warning")
            return
        if not isinstance(self.app.screen, RunsScreen):
            self.app.push_screen(RunsScreen(self.history, self.settings.runs_dir),
                                 self.runs_closed)

    def runs_closed(self, action: RunsAction | None) -> None:
        """What the runs screen hands back: pins changed, a run's config or network to load."""
        if action is None:
            return
        if action.pins_changed or action.kind == "pins-changed":
            self.load_overlays()
        if action.kind == "load-config":
            self.hyperparameters.load_run_config(action.run_id)
        elif action.kind == "load-network":
            self.training.load_run_network(action.run_id)

    def load_network_file(self, path: Path) -> None:
        """Put a saved network's config into the form; the next F5 trains on from its
        weights."""
        self.training.load_network(path)

    # --- a run's worker messages ---------------------------------------------------------------

    def on_data_loaded(self, message: DataLoaded) -> None:
        if self.training.current(message):
            self.training.data_loaded(message)

    def on_batch_update(self, message: BatchUpdate) -> None:
        if self.training.current(message):
            self.training.batch_update(message)

    def on_epochs_done(self, message: EpochsDone) -> None:
        if self.training.current(message):
            self.training.epochs_done(message)
            self.inspection.refresh_neurons()

    def on_saturation_measured(self, message: SaturationMeasured) -> None:
        if self.training.current(message):
            label = live_label(self.run_state.title, self.history, self.run_state.record_id)
            self.saturation.measured(message, label)

    def action_saturation(self) -> None:
        if isinstance(self.app.screen, SaturationScreen):
            return
        runs = self.saturation.runs(self.history, self.run_state.record_id)
        if not runs:
            self.notify("No saturation statistics yet: start a run (F5), or pin a run that "
                        "recorded them (F2).", severity="warning")
            return
        screen = SaturationScreen(runs, live=bool(self.saturation.reports))
        self.saturation.follow(screen.update_run)
        self.app.push_screen(screen, lambda _: self.saturation.follow(None))

    def on_run_paused(self, message: RunPaused) -> None:
        if self.training.current(message) and self.training.paused(message):
            self.inspection.refresh_neurons(force=True)

    def on_run_resumed(self, message: RunResumed) -> None:
        if self.training.current(message):
            self.training.resumed(message)

    def on_run_warning(self, message: RunWarning) -> None:
        if self.training.current(message):
            self.training.warned(message)

    def on_run_ended(self, message: RunEnded) -> None:
        if not self.training.ended(message):
            return
        self.inspection.refresh_neurons(force=True)
        restart = self.run_state.take_restart()
        if restart is not None:
            self.comparisons.stop_following("replaced by a new run")
            self.training.begin(restart)
            self.hyperparameters.run_started(restart)
            return
        self.hyperparameters.run_ended()
        if self.comparisons.session is not None:
            self.comparisons.run_ended(message.status)

    def on_field_ready(self, message: FieldReady) -> None:
        if self.training.current(message):
            self.inspection.show_field(message)

    def on_hint_noticed(self, message: HintNoticed) -> None:
        if self.training.current(message):
            self.inspection.hint(message)

    # --- the books' comparisons (the palette) -----------------------------------------------------

    def refused_for_batch(self, kind: str, pinning: str) -> bool:
        """A comparison or a sweep needs no run going and an open run history: say which is
        missing (``pinning`` says what it does with the history) and refuse."""
        if self.run_state.running or self.comparisons.session is not None:
            self.notify(f"Stop the running run first (F8), then start the {kind}.",
                        severity="warning")
            return True
        if self.history is None:
            self.notify(f"{pinning} in the run history, which could not be opened (see the "
                        "log).", severity="error")
            return True
        return False

    def start_comparison(self, name: str) -> None:
        """Run a comparison's variants one after another; each is pinned as it ends, so they
        pile up beside the live one, named by their labels."""
        if self.sweeps.refuses("a comparison can start once it has ended"):
            return
        if self.refused_for_batch("comparison", "Comparisons pin their runs"):
            return
        session = self.comparisons.start(name)
        if session is not None:
            self.training.start(session)

    def on_variant_started(self, message: VariantStarted) -> None:
        if not self.comparisons.current(message):
            return
        session = self.comparisons.session
        assert session is not None
        self.form.load(message.config)
        _, plane = self.training.show_run(message.config, control=session.control,
                                          number=message.run)
        if plane is not None:  # a sweep's run does not hand over its data: load the points
            self.load_points(message.config)
        self.comparisons.announce(message)

    def on_comparison_ended(self, message: ComparisonEnded) -> None:
        if self.comparisons.current(message):
            session = self.comparisons.session
            assert session is not None
            self.finished_study = (session.comparison.name,
                                   [r.run_id for r in session.sweep.results
                                    if r.run_id is not None])
            self.comparisons.finished()

    # --- looking inside --------------------------------------------------------------------------

    def action_confusion(self) -> None:
        self.inspection.measure_confusion()

    def on_confusion_ready(self, message: ConfusionReady) -> None:
        self.app.push_screen(ConfusionScreen(message.answers, message.images,
                                             split=message.split))

    def action_neurons(self) -> None:
        if self.inspection.cycle_view():  # a 2-D set: the panel shows the next neuron
            return
        images = self.inspection.weights()
        if images is None:
            return
        screen = NeuronsScreen(images, title=self.inspection.neurons_title())
        self.inspection.follow_neurons(screen.update_weights)
        self.app.push_screen(screen, lambda _: self.inspection.follow_neurons(None))

    def action_draw(self) -> None:
        state = self.run_state
        self.app.push_screen(DrawScreen.for_network(
            state.network, state.network_config, running=state.running and state.state != "paused",
            title=self.inspection.neurons_title() if state.network is not None else ""))

    # --- sweeps ----------------------------------------------------------------------------------

    def action_sweep(self) -> None:
        if isinstance(self.app.screen, SweepScreen) or self.sweeps.refuses(
                "one sweep at a time"):
            return
        if self.refused_for_batch("sweep", "Sweeps record and pin their runs"):
            return
        config = self.read_form()
        if config is not None:
            self.app.push_screen(SweepScreen(config, self.settings.data_dir,
                                             taken=groups_in(self.history)), self.start_sweep)

    def start_sweep(self, request: SweepRequest | None) -> None:
        """Train a sweep the dialog checked (None: it was cancelled)."""
        if request is not None:
            self.sweeps.start(request)

    def on_sweep_started(self, message: SweepStarted) -> None:
        if self.sweeps.current(message):
            self.sweeps.started(message)

    def on_sweep_progress(self, message: SweepProgress) -> None:
        if self.sweeps.current(message):
            self.sweeps.progress(message)

    def on_sweep_ended(self, message: SweepEnded) -> None:
        if self.sweeps.current(message):
            self.sweeps.ended(message)
            if not message.error:
                self.finished_study = (message.name, [o.run_id for o in message.outcomes
                                                      if o.run_id is not None])

    def action_against(self) -> None:
        """The last finished sweep's or comparison's results against what it varied, or a
        notification saying why there is nothing to plot."""
        if self.finished_study is None:
            why = ("The sweep has not ended yet." if self.sweeps.session is not None else
                   "The comparison has not ended yet." if self.comparisons.session is not None
                   else "No sweep or comparison ended yet. Ctrl+F starts a sweep, the palette "
                        "(Ctrl+P) a comparison; on the runs screen (F2) 'a' plots the group "
                        "of an earlier one.")
            self.notify(why, title="Results against a hyperparameter", severity="warning")
            return
        if self.history is None:
            return  # a sweep records its runs: without a history none has ended
        name, ids = self.finished_study
        try:
            figure = against(from_ids(self.history, ids), source=name)
        except (AgainstError, HistoryError) as error:
            why = str(error)
            self.notify(f"{why[:1].upper()}{why[1:]}.", title=f"Nothing to plot for {name}",
                        severity="warning")
            return
        if not isinstance(self.app.screen, AgainstScreen):
            self.app.push_screen(AgainstScreen(figure))

    # --- help, the palette, focus ---------------------------------------------------------------

    def command_bindings(self) -> list[tuple[str, str, str, str]]:
        """(keys, action, description, help) of every key, for the palette and the help."""
        result = []
        for binding in self.BINDINGS:
            assert isinstance(binding, Binding)
            keys = binding.key.replace("question_mark", "?").replace(",", " / ")
            result.append((keys, binding.action, binding.description, binding.tooltip))
        return result

    def palette_action(self, action: str) -> None:
        """Run an action by name (from the command palette)."""
        self.call_later(self.run_action, action)

    def on_descendant_focus(self, event: DescendantFocus) -> None:
        field = next((node for node in event.widget.ancestors_with_self
                      if isinstance(node, Field)), None)
        self.query_one(FieldHelp).show(field.spec if field is not None else None)

    # --- quitting --------------------------------------------------------------------------------

    def busy(self) -> str | None:
        """What is training, in words for the quit question ("A run is"), or None."""
        if self.sweeps.session is not None:
            return f"Sweep {self.sweeps.session.name} is"
        return "A run is" if self.run_state.running else None

    async def wind_down(self) -> None:
        """Before the app exits: the run stops after its mini-batch and is recorded, the sweep
        stops and its cluster closes, all without blocking the UI; nothing is drawn meanwhile."""
        self.quitting = True
        await self.training.stop_and_wait()
        await self.sweeps.stop_and_wait()

    def shut_down(self) -> None:
        """Whatever way the app ends, no training thread and no cluster outlive it."""
        self.training.stop_and_block()
        self.sweeps.stop_and_block()
