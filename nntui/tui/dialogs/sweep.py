"""The sweep dialog: the form's config with one field (or two) varied, trained side by side.

A person picks the field to vary (η by default), types its values as ``nntui sweep --vary``
takes them (``0.025,0.25,2.5``; a layer list with ``-``: ``30,64-64``), optionally a second
field, the sweep's name (its runs' group in the run history) and the worker processes (one per
core by default; 0 trains the runs one after another in this process).  Every value is checked
with :func:`~nntui.studies.sweep.plan_sweep` as it is typed: the dialog says how many runs the sweep
makes, or every problem, and Enter starts only a sweep with none.
"""

from __future__ import annotations

import os
from collections.abc import Collection
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static

from nntui.config import SPECS, Config, format_number, format_value
from nntui.studies.dask_executor import SCHEDULER_ENV, check_address, cores, scheduler_address
from nntui.studies.plan import SweepError, check_data, default_name, plan_sweep, stamp
from nntui.tui.controllers.sweeps import SweepRequest, where_words

NOTHING = "-"  # the second field's "vary nothing"
LISTED = 4  # run labels named in the summary before "…"


def field_options() -> list[tuple[str, str]]:
    """(what the Select shows, field name) of every hyperparameter, in the form's order."""
    return [(f"{spec.label} ({name})" if spec.label != name else name, name)
            for name, spec in SPECS.items()]


def suggested_values(name: str, config: Config) -> str:
    """Values to start from: η around the form's by orders of magnitude (Krohn's rule), a
    choice's every option, else the form's value (to add others to)."""
    spec = SPECS[name]
    value = getattr(config, name)
    if name in ("eta", "lmbda") and value > 0:
        return ",".join(format_number(float(f"{value * f:.6g}")) for f in (0.1, 1, 10))
    if spec.kind == "choice" and name != "dataset":
        return ",".join(spec.choices)
    if spec.kind == "layers":
        return "-".join(str(n) for n in value) or "none"
    return format_value(name, value)


def example(name: str) -> str:
    spec = SPECS[name]
    if spec.kind == "layers":
        return "e.g. 30,64-64,none"
    if spec.kind == "choice":
        return "e.g. " + ",".join(spec.choices[:3])
    return spec.describe_range()


def parse_workers(text: str) -> tuple[int | None, str]:
    """(workers, problem): blank is one per core (None), 0 is in this process."""
    text = text.strip()
    if not text:
        return None, ""
    try:
        workers = int(text)
    except ValueError:
        return None, f"workers: '{text}' is not a whole number (0: one run after another here)"
    if workers < 0:
        return None, "workers: give 0 or more (0: one run after another in this process)"
    if workers > 256:
        return None, f"workers: {workers} is more than 256 worker processes; give fewer"
    return workers, ""


class SweepScreen(ModalScreen[SweepRequest | None]):
    """Dismisses with a checked :class:`SweepRequest`, or None (Escape)."""

    DEFAULT_CSS = """
    SweepScreen {
        align: center middle;
    }
    #sweep-dialog {
        width: 90%;
        max-width: 80;
        height: auto;
        max-height: 100%;
        border: thick $primary;
        background: $surface;
        padding: 0 1;
    }
    #sweep-dialog .row {
        height: 1;
        margin-top: 1;
    }
    #sweep-dialog .row.-tight {
        margin-top: 0;
    }
    #sweep-dialog .row Label {
        width: 10;
        color: $text-muted;
    }
    #sweep-dialog .row Select {
        width: 30;
    }
    #sweep-dialog .row Input {
        width: 1fr;
        background: $boost;
    }
    #sweep-dialog .row Input:focus {
        background: $boost;
    }
    #sweep-dialog .row #sweep-workers {
        width: 8;
    }
    #sweep-workers-hint {
        width: 1fr;
        padding-left: 1;
        color: $text-muted;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    #sweep-dialog .row .values-label {
        width: 8;
        padding-left: 1;
    }
    #sweep-summary {
        width: 1fr;
        height: auto;
        margin-top: 1;
    }
    #sweep-problems {
        width: 1fr;
        height: auto;
        max-height: 8;
        color: $error;
        display: none;
    }
    #sweep-problems.-shown {
        display: block;
    }
    #sweep-buttons {
        height: auto;
        margin-top: 1;
        align: center middle;
    }
    #sweep-buttons Button {
        margin: 0 1;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", tooltip="Close without starting a sweep"),
    ]

    def __init__(self, config: Config, data_dir: str | None = None, *,
                 name: str | None = None, taken: Collection[str] = ()) -> None:
        super().__init__()
        self.config, self.data_dir = config, data_dir
        self.stamp = stamp()
        self.taken = frozenset(taken)  # the history's groups: a default name is none of them
        self.auto_name = name is None  # the name follows the fields until it is typed in
        self.default_name = name or default_name(["eta"], when=self.stamp, taken=self.taken)
        self._given_names = {self.default_name}  # the names put in, not typed
        self.scheduler = scheduler_address(None)  # $NNTUI_DASK_SCHEDULER, if set
        self.request: SweepRequest | None = None
        self.problems: list[str] = []

    def compose(self) -> ComposeResult:
        options = field_options()
        with Vertical(id="sweep-dialog"):
            yield Static(Text.assemble(("Sweep", "bold"), ": the form's config with one or two "
                                       "fields varied, every combination trained side by side"),
                         id="sweep-title")
            with Horizontal(classes="row"):
                yield Label("vary")
                yield Select(options, value="eta", allow_blank=False, compact=True,
                             id="sweep-field")
                yield Label("values", classes="values-label")
                yield Input(suggested_values("eta", self.config), placeholder=example("eta"),
                            compact=True, id="sweep-values")
            with Horizontal(classes="row -tight"):
                yield Label("and vary")
                yield Select([("nothing else", NOTHING), *options], value=NOTHING,
                             allow_blank=False, compact=True, id="sweep-field2")
                yield Label("values", classes="values-label")
                yield Input("", placeholder="(nothing else varied)", compact=True,
                            disabled=True, id="sweep-values2")
            with Horizontal(classes="row"):
                yield Label("name")
                yield Input(self.default_name, compact=True, id="sweep-name")
            with Horizontal(classes="row -tight"):
                yield Label("workers")
                if self.scheduler is None:
                    yield Input(str(cores()), compact=True, id="sweep-workers",
                                placeholder=str(cores()))
                    yield Static("worker processes; 0: one run after another, here",
                                 id="sweep-workers-hint")
                else:
                    yield Static(Text(f"the cluster's own (${SCHEDULER_ENV}={self.scheduler})",
                                      style="dim"), id="sweep-workers-note")
            yield Static(id="sweep-summary")
            yield Static(id="sweep-problems")
            with Horizontal(id="sweep-buttons"):
                yield Button("Start sweep (Enter)", variant="primary", id="sweep-start")
                yield Button("Cancel (Esc)", id="sweep-cancel")

    def on_mount(self) -> None:
        self.query_one("#sweep-values", Input).focus()
        self.check()

    # --- reading and checking --------------------------------------------------------------------

    def _value(self, selector: str) -> str:
        return self.query_one(selector, Input).value

    def varies(self) -> list[str]:
        """The ``--vary`` texts the dialog describes."""
        first = self.query_one("#sweep-field", Select).value
        texts = [f"{first}={self._value('#sweep-values')}"]
        second = self.query_one("#sweep-field2", Select).value
        if second != NOTHING:
            texts.append(f"{second}={self._value('#sweep-values2')}")
        return texts

    def check(self) -> SweepRequest | None:
        """Check everything typed; show the runs it makes, or every problem.  The request, or
        None when something is wrong."""
        problems: list[str] = []
        runs = []
        varies = self.varies()
        first, second = (self.query_one(f"#{key}", Select).value
                         for key in ("sweep-field", "sweep-field2"))
        if first == second:
            problems.append(f"the second field is {first} again: put all its values in the "
                            f"first, and vary another field (or nothing) second")
            varies = varies[:1]
        try:
            runs = plan_sweep(self.config, varies)
        except SweepError as error:
            problems += [problem.removeprefix("--") for problem in error.problems]
        name = self._value("#sweep-name").strip()
        if not name:
            problems.append("name: give the sweep a name (it becomes its runs' group)")
        workers = None
        if self.scheduler is None:
            workers, problem = parse_workers(self._value("#sweep-workers"))
            if problem:
                problems.append(problem)
            if runs:
                problems += check_data(runs, self._data_dir())
        else:
            wrong = check_address(self.scheduler)
            if wrong is not None:
                problems.append(f"${SCHEDULER_ENV}: {wrong}")
        self.problems = problems
        summary = self.query_one("#sweep-summary", Static)
        shown = self.query_one("#sweep-problems", Static)
        start = self.query_one("#sweep-start", Button)
        if problems:
            count = len(problems)
            summary.update(Text(f"Not ready: {count} problem{'s' if count != 1 else ''}",
                                style="bold red"))
            shown.update(Text("\n".join(f"• {p}" for p in problems)))
            shown.add_class("-shown")
            start.disabled = True
            self.request = None
            return None
        labels = [run.label for run in runs]
        named = ", ".join(labels[:LISTED]) + (", …" if len(labels) > LISTED else "")
        if self.scheduler is not None or workers == 0:
            where = where_words(workers, self.scheduler, 0)
        else:  # never more worker processes than runs
            where = where_words(min(workers or cores(), len(runs)), None, 0)
        epochs = self.config.epochs
        text = Text.assemble((f"{len(runs)} run{'s' if len(runs) != 1 else ''}", "bold"),
                             f": {named}; {where}, {epochs} epoch{'s' if epochs != 1 else ''} "
                             "each")
        summary.update(text)
        shown.update("")
        shown.remove_class("-shown")
        start.disabled = False
        self.request = SweepRequest(name, runs, workers, self.scheduler)
        return self.request

    def _data_dir(self) -> str | None:
        if self.data_dir is None:
            return None
        return os.path.abspath(os.path.expanduser(self.data_dir))

    # --- events -----------------------------------------------------------------------------------

    def _rename(self) -> None:
        """A name not typed in follows the fields varied."""
        if self.auto_name:
            fields = [str(self.query_one(f"#{key}", Select).value)
                      for key in ("sweep-field", "sweep-field2")]
            self.default_name = default_name([f for f in fields if f != NOTHING],
                                             when=self.stamp, taken=self.taken)
            self._given_names.add(self.default_name)
            self.query_one("#sweep-name", Input).value = self.default_name

    @on(Select.Changed, "#sweep-field")
    def _field_changed(self, event: Select.Changed) -> None:
        event.stop()
        name = str(event.value)
        values = self.query_one("#sweep-values", Input)
        values.value = suggested_values(name, self.config)
        values.placeholder = example(name)
        self._rename()
        self.check()

    @on(Select.Changed, "#sweep-field2")
    def _second_changed(self, event: Select.Changed) -> None:
        event.stop()
        values = self.query_one("#sweep-values2", Input)
        if event.value == NOTHING:
            values.value, values.placeholder, values.disabled = "", "(nothing else varied)", True
        else:
            name = str(event.value)
            values.disabled = False
            values.value = suggested_values(name, self.config)
            values.placeholder = example(name)
        self._rename()
        self.check()

    @on(Input.Changed)
    def _typed(self, event: Input.Changed) -> None:
        event.stop()
        if event.input.id == "sweep-name" and event.value not in self._given_names:
            self.auto_name = False
        self.check()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_start()

    @on(Button.Pressed, "#sweep-start")
    def _start_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_start()

    @on(Button.Pressed, "#sweep-cancel")
    def _cancel_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_cancel()

    def action_start(self) -> None:
        """Start only a sweep without a problem; otherwise the problems stay in view."""
        request = self.check()
        if request is None:
            self.notify("The sweep has problems: they are listed in the dialog.",
                        severity="error", timeout=4)
            return
        self.dismiss(request)

    def action_cancel(self) -> None:
        self.dismiss(None)
