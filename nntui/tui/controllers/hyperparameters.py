"""The hyperparameter form from the keyboard: read for a run, described while idle, η and the
batch size scaled by keys, the pace stepped down its ladder, the books' presets, a recorded run's
values, and the fields a running run follows live.

Every value changes what the next run trains, except η, which the running network uses from its
next mini-batch on, and the pace, which caps the running run's epochs per second at once: the
form posts :class:`~nntui.tui.widgets.form.ConfigForm.FieldChanged` for both, and
:meth:`Hyperparameters.field_changed` hands them to the run's control.
"""

from __future__ import annotations

from typing import Any

from nntui.config import SPECS, Config, describe, format_value, parse_field, parse_values
from nntui.presets import PRESETS
from nntui.storage.history import HistoryError
from nntui.tui.controllers.board import Board
from nntui.tui.state import Status
from nntui.tui.widgets.status import EpochProgress

PACES = (0.0, 100.0, 30.0, 10.0, 3.0, 1.0)
"""What F4 steps through: no cap, then ever slower epochs per second."""


def pace_name(pace: float) -> str:
    if not pace:
        return "no cap"
    return f"{pace:g} epoch/s" if pace == 1 else f"{pace:g} epochs/s"


def next_pace(pace: float) -> float:
    """The pace after ``pace`` in :data:`PACES` (a value typed in the form joins the ladder)."""
    slower = [p for p in PACES[1:] if p < pace] if pace else list(PACES[1:])
    return slower[0] if slower else 0.0


LIVE_FIELDS = ("eta", "pace")
"""The fields a running run follows at once; what they are set to stays in the form."""


class Hyperparameters:
    """The form's values, as the keys and the running run see them, and which of them were set
    live during the last run (:attr:`live`: the next run would start at them without a word)."""

    def __init__(self, board: Board) -> None:
        self.board = board
        self.live: dict[str, tuple[Any, Any]] = {}
        """Field → (the run's starting value, the value set live), for the fields set live
        during the last run, until the form is loaded or reset or a run starts."""

    def read(self) -> Config | None:
        """The form's config, or None after telling the user which fields are wrong."""
        board = self.board
        config, problems = board.form.read(board.settings.config)
        if config is None:
            labels = []
            for problem in problems:
                label = SPECS[problem.field].label if problem.field in SPECS else problem.field
                if label not in labels:
                    labels.append(label)
            board.notify("Fix " + ", ".join(labels) + " first: " + problems[0].message,
                         title="Cannot start", severity="error", timeout=8)
        return config

    def describe(self, prefix: str = "") -> None:
        """While idle the status line describes what F5 would train: the form's values, ready
        (the last run's state, epoch and hint belong to the plots and the log, not beside a
        config it did not train)."""
        board = self.board
        config, _ = parse_values(board.form.raw_values(), board.settings.config)
        if config is not None and not board.run_state.running and not board.sweeping:
            # No η of its own: the description names it ("η=0.5").
            board.show_status(Status(pace=config.pace, detail=prefix + describe(config),
                                     recorded=board.run_state.status.recorded))
            board.query_one(EpochProgress).reset()  # the bar below it was the last run's

    # --- what the keys change ------------------------------------------------------------------

    def scale(self, name: str, factor: float) -> None:
        """Multiply a numeric field by ``factor``; η also changes the running run (live)."""
        board = self.board
        state = board.run_state
        if name == "eta" and state.running and state.live_eta is not None:
            current = state.live_eta
        else:
            try:
                current = parse_field(name, board.form.field(name).raw)
            except ValueError as error:
                board.notify(f"{_capital(SPECS[name].label)}: {error}", severity="error")
                return
        new = current * factor
        new = max(1, round(new)) if SPECS[name].kind == "int" else float(f"{new:.6g}")
        try:
            new = parse_field(name, new)
        except ValueError as error:
            board.notify(f"{_capital(SPECS[name].label)}: {error}", severity="warning")
            return
        board.form.set_value(name, new)
        if name != "eta" and state.running:
            board.notify(f"{_capital(SPECS[name].label)} {format_value(name, new)} applies to "
                         f"the next run.")

    def step_pace(self) -> None:
        """F4: the pace field down :data:`PACES`; a running run follows at once."""
        board = self.board
        running = board.run_state.running
        if running:
            current = board.run_state.status.pace or 0.0
        else:
            try:
                current = parse_field("pace", board.form.field("pace").raw)
            except ValueError:
                current = 0.0
        new = next_pace(current)
        board.form.set_value("pace", new)
        board.notify(f"Pace: {pace_name(new)}" + (" (live)" if running else ""), timeout=2)

    def reset(self) -> None:
        """Ctrl+R: the values the app started with back in the form; nothing else changes (the
        last run's plots and log stay in sight)."""
        board = self.board
        board.form.load(board.settings.config)
        self.live.clear()
        if board.run_state.running or board.sweeping:
            board.log_note(f"Form reset to the starting values; the running "
                           f"{'sweep' if board.sweeping else 'run'} keeps its own.", style="dim")
            return
        board.log_note("Form reset to the starting values.", style="dim")
        self.describe("reset: ")

    def apply_preset(self, name: str) -> None:
        board = self.board
        preset = PRESETS[name]
        board.form.load(preset.config())
        self.live.clear()
        board.notify(preset.description, title=preset.title, timeout=6)
        if board.run_state.running:
            board.log_note(f"Preset {name} loaded into the form; it applies to the next run.",
                           style="dim")
        else:
            self.describe(f"preset {name}: ")
            # The plane shows the preset's data set, not the last run's network on its own.
            if board.show_plane(preset.config()) is not None:
                board.load_points(preset.config())

    def load_run_config(self, run_id: int) -> None:
        """A recorded run's values into the form (the runs screen's "l")."""
        board = self.board
        assert board.history is not None
        try:
            run = board.history.get_run(run_id)
        except HistoryError as error:
            board.notify(str(error), severity="error")
            return
        board.form.load(run.config)
        self.live.clear()
        board.notify(f"Run {run_id}'s values are in the form; F5 trains them.",
                     title="Config loaded", timeout=6)
        if not board.run_state.running:
            self.describe(f"run {run_id}: ")

    # --- the running run follows ------------------------------------------------------------

    def field_changed(self, name: str, value: Any) -> None:
        """A field changed: while a run goes on η and the pace apply to it at once; while idle
        the status line says what F5 would train."""
        board = self.board
        state = board.run_state
        if not state.running:
            self.describe()
            return
        if state.control is None:
            return
        if name in LIVE_FIELDS and state.config is not None:
            started = getattr(state.config, name)
            self.live[name] = (started, value)
            if value == started:  # set back to where the run started
                del self.live[name]
        if name == "pace":
            if value != state.status.pace:
                state.control.set_pace(value)
                board.show_status(state.status.evolve(pace=value))
                board.log_note(f"Pace → {pace_name(value)} (live)", style="yellow")
        elif name == "eta":
            if state.live_eta is not None and abs(value - state.live_eta) < 1e-12:
                return
            state.control.set_eta(value)
            board.show_status(state.status.evolve(eta=value))
            board.log_note(f"η → {value:.3g} (live, from the next mini-batch)", style="yellow")

    # --- values set live, carried over to the next run ---------------------------------------

    def carried(self) -> list[tuple[str, Any, Any]]:
        """(field, the last run's starting value, the live value) of each field the form still
        holds at the value set live during the last run."""
        raw = self.board.form.raw_values()
        carried = []
        for name, (started, value) in self.live.items():
            try:
                still = parse_field(name, raw[name]) == value
            except ValueError:
                still = False
            if still:
                carried.append((name, started, value))
        return carried

    def run_ended(self) -> None:
        """The run is over: say which of the form's values were set live during it, as the next
        run starts at them."""
        carried = self.carried()
        if carried:
            self.board.log_note(f"The form keeps {_values(carried)} from the live change (the "
                                f"run started at {_starts(carried)}): the next run starts there.",
                                style="yellow")

    def run_started(self, config: Config) -> None:
        """A run of the form's values started: say which of them were set live during the run
        before, then forget them."""
        carried = [(name, started, value) for name, started, value in self.carried()
                   if getattr(config, name) == value]
        self.live.clear()
        if carried:
            self.board.log_note(f"Starting at {_values(carried)} from the last run's live change "
                                f"(it started at {_starts(carried)}).", style="yellow")


def _capital(label: str) -> str:
    """A label at the start of a sentence: ``Batch size`` (η stays η)."""
    return label[:1].upper() + label[1:]


def _said(name: str, value: Any) -> str:
    return pace_name(value) if name == "pace" else format_value(name, value)


def _values(carried: list[tuple[str, Any, Any]]) -> str:
    """``η = 0.005``, ``η = 0.005 and pace 3 epochs/s``: the values set live."""
    return " and ".join(f"pace {pace_name(value)}" if name == "pace"
                        else f"{SPECS[name].label} = {_said(name, value)}"
                        for name, _, value in carried)


def _starts(carried: list[tuple[str, Any, Any]]) -> str:
    """``0.05``, ``η 0.05, no cap``: what the run started at instead."""
    if len(carried) == 1:
        name, started, _ = carried[0]
        return _said(name, started)
    return ", ".join(f"{SPECS[name].label} {_said(name, started)}" if name != "pace"
                     else _said(name, started) for name, started, _ in carried)
