"""The hyperparameter form, generated from :data:`nntui.config.SPECS`.

Nothing here names a hyperparameter: one field per spec, a ``Select`` for choices and an ``Input``
for numbers and layer lists, each with its label, allowed range and help.  Inputs are validated as
they are typed with :func:`nntui.config.parse_field`, so the form rejects a value with the same
words as the command line.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Input, Label, Select, Static

from nntui.config import (
    DATASETS,
    SPECS,
    TOY_SETS,
    Config,
    Problem,
    Spec,
    applies,
    format_number,
    format_value,
    parse_field,
    parse_values,
)


def short_range(spec: Spec) -> str:
    """The allowed values in interval notation, short enough for the label row: ``(0, 100]``."""
    if spec.kind == "layers":
        return "e.g. 30 or 64,64"
    if spec.kind not in ("int", "float") or spec.low is None or spec.high is None:
        return ""
    left = "(" if spec.low_open else "["
    right = ")" if spec.high_open else "]"
    return f"{left}{format_number(spec.low)}, {format_number(spec.high)}{right}"


LABELS_BY_DATASET = {("train_size", TOY_SETS): "training points"}
"""Labels that depend on the data set: a 2-D set's examples are points, not images."""


def field_label(spec: Spec, dataset: str) -> Text:
    """The label row of ``spec``'s field for ``dataset``: its label and allowed range."""
    label = next((text for (name, sets), text in LABELS_BY_DATASET.items()
                  if name == spec.name and dataset in sets), spec.label)
    return Text.assemble(label, (f" {short_range(spec)}", "dim"))


FOLDER = "\0folder"
"""The data set list's last entry: not a data set but the wish to give a folder of IDX files (a
NUL is in no path, so no folder is ever taken for it)."""

FOLDER_PROMPT = "a folder of IDX files…"

SHOWN_PATH = 24
"""Cells of the data set's list a folder's path may take (the form is 34 wide)."""


def _options(spec: Spec, current: str,
             datasets: Sequence[str] = DATASETS) -> list[tuple[str, str]]:
    """A choice field's options; for the data set, those offered here, the one in the field (a
    folder, or a set given on the command line though it is not installed) and the entry that
    asks for a folder."""
    if spec.name != "dataset":
        return [(choice, choice) for choice in spec.choices]
    choices = list(datasets)
    if current not in choices and current != FOLDER:
        choices.append(current)
    return [*((_shown(choice), choice) for choice in choices), (FOLDER_PROMPT, FOLDER)]


def _shown(dataset: str) -> str:
    """A data set as its list shows it: a long folder path by its end (the folder's name), so
    that it stays on the field's one line."""
    return dataset if len(dataset) <= SHOWN_PATH else "…" + dataset[-(SHOWN_PATH - 1):]


class Field(Vertical):
    """One hyperparameter: a label with its allowed range, the editor, and an error line.

    The data set's list offers ``datasets`` (the named sets that load here) and a last entry that
    asks for a folder of IDX files; while it is chosen the field still holds the set chosen
    before (:attr:`chosen`), until the folder is given."""

    def __init__(self, spec: Spec, value: str, datasets: Sequence[str] = DATASETS,
                 dataset: str = "") -> None:
        super().__init__(id=f"field-{spec.name}", classes="field")
        self.spec, self._value, self.datasets = spec, value, tuple(datasets)
        self._dataset = dataset
        self._options = _options(spec, value, self.datasets)
        self.chosen = value

    def compose(self) -> ComposeResult:
        spec = self.spec
        yield Label(field_label(spec, self._dataset), classes="field-label")
        tooltip = f"{spec.help}\nAllowed: {spec.describe_range()}"
        if spec.kind == "choice":
            editor: Input | Select = Select(self._options, value=self._value,
                                            allow_blank=False, compact=True,
                                            id=f"in-{spec.name}")
        else:
            editor = Input(self._value, compact=True, id=f"in-{spec.name}",
                           placeholder="(none)" if spec.kind == "layers" else spec.label,
                           select_on_focus=False)
        editor.tooltip = tooltip
        yield editor
        yield Label("", classes="field-error")

    @property
    def options(self) -> list[str]:
        """The values a choice field offers (the data set's last one asks for a folder)."""
        return [value for _, value in self._options]

    @property
    def editor(self) -> Input | Select:
        return self.query_one(f"#in-{self.spec.name}")  # type: ignore[return-value]

    @property
    def raw(self) -> str:
        value = str(self.editor.value)
        return self.chosen if value == FOLDER else value

    def set_raw(self, value: str) -> list[str]:
        """Put ``value`` in the editor; the values its ``Changed`` messages will carry, in order
        (none when it held ``value`` already)."""
        editor = self.editor
        announced = []
        if isinstance(editor, Select):
            options = _options(self.spec, value, self.datasets)
            if options != self._options:  # another folder: the list names it instead
                before = editor.value
                self._options = options
                editor.set_options(options)  # may fall back to the first option
                if editor.value != before:
                    announced.append(str(editor.value))
        if str(editor.value) != value:
            announced.append(value)
        editor.value = value
        return announced

    def show_dataset(self, dataset: str) -> None:
        """Label the field as it reads for ``dataset``."""
        if dataset != self._dataset:
            self._dataset = dataset
            self.query_one(".field-label", Label).update(field_label(self.spec, dataset))

    def show_error(self, message: str | None) -> None:
        label = self.query_one(".field-error", Label)
        label.update(Text(message or ""))
        self.set_class(bool(message), "-invalid")


class ConfigForm(VerticalScroll, can_focus=False):
    """Every hyperparameter in the order of SPECS, plus a help line for the focused field.

    Fields that mean nothing for the chosen data set (see :func:`nntui.config.applies`) are
    hidden, so more of the form fits a small terminal; one whose value is wrong for the data set
    (say 30 hidden neurons for the single neuron) stays in sight with its error.
    """

    DEFAULT_CSS = """
    ConfigForm .field.-not-applicable { display: none; }
    ConfigForm .field.-not-applicable.-invalid { display: block; }
    """

    @dataclass
    class FieldChanged(Message):
        """A field now holds a valid value that differs from before (``value`` is parsed)."""

        name: str
        value: Any

    @dataclass
    class FolderWanted(Message):
        """The data set's list asks for a folder of IDX files; ``before`` is the data set it
        held (what the field goes back to if no folder is given)."""

        before: str

    def __init__(self, config: Config, *, datasets: Sequence[str] = DATASETS,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._initial = config
        self._datasets = tuple(datasets)
        self._loaded: dict[str, list[str]] = {}  # field → values load() put in, not yet heard

    def compose(self) -> ComposeResult:
        for spec in SPECS.values():
            yield Field(spec, format_value(spec.name, getattr(self._initial, spec.name)),
                        self._datasets, self._initial.dataset)

    def on_mount(self) -> None:
        self.show_fields_for(self._initial.dataset)

    def show_fields_for(self, dataset: str) -> None:
        """Hide the fields that do not apply to ``dataset``, and label the others for it."""
        for f in self.fields():
            f.set_class(not applies(f.spec.name, dataset), "-not-applicable")
            f.show_dataset(dataset)

    # --- reading and writing ------------------------------------------------------------------

    def fields(self) -> Iterable[Field]:
        return self.query(Field)

    def field(self, name: str) -> Field:
        return self.query_one(f"#field-{name}", Field)

    def raw_values(self) -> dict[str, str]:
        return {f.spec.name: f.raw for f in self.fields()}

    def read(self, base: Config) -> tuple[Config | None, list[Problem]]:
        """The config the form describes, or None and every problem (also shown inline)."""
        config, problems = parse_values(self.raw_values(), base)
        by_field = {p.field: p.message for p in reversed(problems)}
        for f in self.fields():
            f.show_error(by_field.get(f.spec.name))
        return config, problems

    def load(self, config: Config) -> None:
        """Fill every field from ``config`` (a preset, the reset values) without live effects.

        The editors announce each new value in a message handled later; those messages are
        told from a person's typing by their values (:meth:`Field.set_raw` says which will
        come), not by time: a loaded η must never reach a running run."""
        for f in self.fields():
            coming = f.set_raw(format_value(f.spec.name, getattr(config, f.spec.name)))
            if coming:
                self._loaded.setdefault(f.spec.name, []).extend(coming)
            f.show_error(None)

    def set_value(self, name: str, value: Any) -> None:
        """Put ``value`` in a field as if typed (so it is validated and announced)."""
        self.field(name).set_raw(format_value(name, value))

    # --- validation as the user types ----------------------------------------------------------

    @on(Input.Changed)
    @on(Select.Changed)
    def _validate(self, event: Input.Changed | Select.Changed) -> None:
        event.stop()
        widget = event.control
        if widget is None or widget.id is None or not widget.id.startswith("in-"):
            return
        name = widget.id[3:]
        field = self.field(name)
        coming = self._loaded.get(name, [])
        loaded = bool(coming) and coming[0] == str(event.value)  # load() put it there
        if loaded:
            coming.pop(0)
        if name == "dataset":
            if event.value == FOLDER:
                self.post_message(self.FolderWanted(field.chosen))
                return
            field.chosen = str(event.value)
            self.show_fields_for(str(event.value))
        try:
            value = parse_field(name, str(event.value))
        except ValueError as error:
            field.show_error(str(error))
            return
        field.show_error(None)
        if not loaded:
            self.post_message(self.FieldChanged(name, value))


class FieldHelp(Static):
    """The focused field's help and allowed values, under the form."""

    def show(self, spec: Spec | None) -> None:
        if spec is None:
            self.update("[dim]Tab moves through the fields; F5 starts training.[/]")
        else:
            allowed = "" if spec.kind == "choice" else f" ({spec.describe_range()})"
            self.update(Text.assemble((spec.label, "bold"), f": {spec.help}", (allowed, "dim")))
