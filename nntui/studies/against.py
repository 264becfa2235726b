"""A result against a hyperparameter: which field a study's runs vary, and each run's result at
its value.

Nielsen's advice on hyper-parameters and his "more data" section, and Krohn's Goldilocks η, are
plots of a result against a hyperparameter, not against epochs.  :func:`against` makes that
figure (:class:`~nntui.render.against.AgainstFigure`) from the runs of a finished sweep or
comparison (:func:`from_results`) or of a group in the run history (:func:`from_history`): it
finds the fields their configs differ in (as :func:`~nntui.studies.labels.difference_labels`
does), puts the first on the x axis and draws a line per value of the second, if any.

* The x axis is a number's when every value is one (a single hidden layer's size counts as its
  number of neurons), logarithmic when they are all positive and the largest is ten or more
  times the smallest; otherwise the values are categories in the order the runs give them.
* Of two varied fields the x axis takes the numeric one, then the one with more values (the
  training-set size, not ``expand``), then the first in the form's order.
* A run that did not end as its config asked (diverged, failed, stopped, still running) is left
  out and named, never drawn as a point: its best accuracy is that of a cut-short run.  Of runs
  at the same values (a comparison run twice into one group) the last given is drawn.

Nothing to plot raises :class:`AgainstError` saying why: fewer than two runs, runs alike in every
field, or more than two fields varied.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from nntui.config import SPECS, Config, format_number
from nntui.datasets.mnist import BOOK_VALIDATION_SIZE
from nntui.render.against import AgainstAxis, AgainstFigure
from nntui.render.plots import Series
from nntui.status import ENDED_WELL, RunStatus
from nntui.storage.history import RunDetail, RunHistory
from nntui.studies.labels import SHORT, differing_fields
from nntui.studies.results import VariantResult, held_out_of


class AgainstError(ValueError):
    """Nothing to plot against a hyperparameter; the message says why, for a person."""


@dataclass(frozen=True)
class Outcome:
    """How one run ended, all the figure needs of it: ``best`` is its best held-out accuracy (a
    fraction), ``cost`` its last epoch's training cost (the held-out cost for a run that did not
    measure its training set)."""

    label: str
    config: Config
    status: str
    best: float | None
    cost: float | None
    cost_measured_on_training: bool = True


def from_results(results: Sequence[VariantResult]) -> list[Outcome]:
    """A finished sweep's or comparison's runs, as ``nntui sweep`` and ``nntui compare`` hold
    them."""
    outcomes = []
    for result in results:
        ended = result.ended
        last = result.history[-1] if result.history else None
        outcomes.append(Outcome(
            result.label, result.config, result.status,
            None if ended is None else ended.best_val_accuracy, result.final_cost,
            last is None or last.train_cost is not None))
    return outcomes


def from_history(runs: Sequence[RunDetail]) -> list[Outcome]:
    """Runs read from the run history (a group's), in the order given."""
    outcomes = []
    for run in runs:
        last = run.history[-1] if run.history else None
        cost = None if last is None else (last.train_cost if last.train_cost is not None
                                          else last.val_cost)
        outcomes.append(Outcome(run.title or f"run {run.id}", run.config, str(run.status),
                                run.best_val_accuracy, cost,
                                last is None or last.train_cost is not None))
    return outcomes


def from_ids(history: RunHistory, ids: Sequence[int]) -> list[Outcome]:
    """The runs of these ids (a sweep's, a comparison's) as the history holds them, in order;
    raises :class:`~nntui.storage.history.HistoryError` when one cannot be read."""
    return from_history([history.get_run(run_id) for run_id in ids])


def group_ids(history: RunHistory, group: str) -> list[int]:
    """The ids of a group's runs (a sweep's or a comparison's name), oldest first: a
    comparison run again puts its later runs last, and those are drawn."""
    runs = [run for run in history.list_runs() if run.group == group]
    return [run.id for run in sorted(runs, key=lambda run: (run.started, run.id))]


# --- what varies ---------------------------------------------------------------------------------

REGULARIZATION = "regularization"
"""With the kind of regularization varied, λ goes with it: ``none``, ``L2 λ=5`` are one field."""

FULL_SIZES = {"mnist": 60_000, "fashion-mnist": 60_000}
"""The training files' sizes of the data sets whose "all images" is a known number."""

NAMES = {"train_size": "training images", "hidden": "hidden neurons", "lmbda": "λ",
         "regularization": "regularization"}
"""How a field is named on the axis and in the legend, where its short name would not say it."""


def varied_fields(configs: Sequence[Config]) -> list[str]:
    """The fields these configs differ in, in the form's order, leaving out those that change
    nothing learned (:data:`~nntui.studies.labels.IGNORED`); a varied regularization takes λ
    in."""
    fields = differing_fields(configs)
    if REGULARIZATION in fields and "lmbda" in fields:
        fields.remove("lmbda")
    return fields


def value_of(name: str, config: Config) -> Any:
    """The value a field stands for on the axis: a number, or its text for a category."""
    value = getattr(config, name)
    if name == REGULARIZATION:
        if not config.regularized:
            return "none"
        return f"{config.regularization.upper()} λ={format_number(config.lmbda)}"
    if name == "hidden":
        return value[0] if len(value) == 1 else "-".join(str(n) for n in value) or "none"
    if name == "train_size" and value == 0:  # all of them: MNIST's 60,000 less the validation set
        if config.dataset in FULL_SIZES:
            return FULL_SIZES[config.dataset] - (
                BOOK_VALIDATION_SIZE if config.validate_on == "validation" else 0)
        return "all"
    if isinstance(value, bool):
        return "on" if value else "off"
    return value


def is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def text_of(value: Any) -> str:
    if isinstance(value, float):
        return format_number(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}" if value >= 10_000 else str(value)
    return str(value)


def field_name(name: str) -> str:
    """A field as the axis and the legend name it: ``η``, ``training images``, ``init``."""
    return NAMES.get(name, SHORT.get(name, name))


def _values(name: str, configs: Sequence[Config]) -> list[Any]:
    """The field's distinct values, in the order the configs give them."""
    return list(dict.fromkeys(value_of(name, c) for c in configs))


def _numeric(values: Sequence[Any]) -> bool:
    return all(is_number(v) for v in values)


def choose_axes(configs: Sequence[Config]) -> tuple[str, str | None]:
    """The field on the x axis and the one whose values make the lines (None when one field
    varies); raises :class:`AgainstError` when none or more than two do."""
    fields = varied_fields(configs)
    if not fields:
        raise AgainstError("the runs have the same hyperparameters: there is no value to plot "
                           "them against")
    if len(fields) > 2:
        named = ", ".join(field_name(f) for f in fields)
        raise AgainstError(f"the runs differ in {len(fields)} fields ({named}): a plot against "
                           f"a hyperparameter needs runs that vary one field, or two (a line "
                           f"per value of the second)")
    if len(fields) == 1:
        return fields[0], None
    order = sorted(fields, key=lambda f: (not _numeric(_values(f, configs)),
                                          -len(_values(f, configs)), list(SPECS).index(f)))
    return order[0], order[1]


LOG_RATIO = 10.0
"""Numeric values whose largest is this many times their smallest (or more) go on a log axis."""


def make_axis(name: str, values: Sequence[Any]) -> AgainstAxis:
    """The x axis for a field and its values (in the order given)."""
    if _numeric(values):
        positive = all(v > 0 for v in values)
        log = positive and max(values) / min(values) >= LOG_RATIO
        return AgainstAxis(field_name(name), log=log)
    return AgainstAxis(field_name(name), categories=tuple(text_of(v) for v in values))


# --- the figure ---------------------------------------------------------------------------------

def against(outcomes: Sequence[Outcome], *, source: str = "") -> AgainstFigure:
    """The figure of these runs' results against the field they vary (see the module's
    docstring); ``source`` names where they came from (a sweep's or group's name)."""
    outcomes = list(outcomes)
    if len(outcomes) < 2:
        raise AgainstError(f"{'one run' if outcomes else 'no run'}: a plot against a "
                           f"hyperparameter needs runs at two values or more")
    configs = [o.config for o in outcomes]
    x_field, line_field = choose_axes(configs)
    x_values = _values(x_field, configs)
    axis = make_axis(x_field, x_values)
    line_values = _values(line_field, configs) if line_field else [None]

    left_out: list[str] = []
    # Of runs at the same values (a comparison run twice into its group) the last given counts.
    place = {}
    for index, outcome in enumerate(outcomes):
        place[_place(outcome, x_field, line_field)] = index
    repeated = len(outcomes) - len(place)
    points: dict[Any, list[tuple[float, float | None, float | None]]] = {
        v: [] for v in line_values}
    for index, outcome in enumerate(outcomes):
        x_value, line_value = _place(outcome, x_field, line_field)
        if place[(x_value, line_value)] != index:
            continue
        why = _left_out_why(outcome)
        if why:
            left_out.append(f"{outcome.label} ({why})")
            continue
        x = float(x_value) if not axis.categorical else float(x_values.index(x_value))
        points[line_value].append((x, outcome.best, outcome.cost))
    if repeated:
        left_out.append(f"{repeated} earlier run{'s' if repeated != 1 else ''} at values a "
                        f"later run has")
    drawn = sum(len(p) for p in points.values())
    if drawn == 0:
        raise AgainstError("no run ended as its config asked, so none has a result to plot: "
                           + "; ".join(left_out))

    def label(value: Any) -> str:
        return "" if line_field is None else f"{field_name(line_field)}={text_of(value)}"

    accuracy, cost = [], []
    for value in line_values:
        line = sorted(points[value])
        accuracy.append(Series(label(value), [x for x, _, _ in line],
                               [100 * b if b is not None else math.nan for _, b, _ in line]))
        cost.append(Series(label(value), [x for x, _, _ in line],
                           [c if c is not None else math.nan for _, _, c in line]))
    held = {held_out_of(c) for c in configs}
    on_training = all(o.cost_measured_on_training for o in outcomes)
    return AgainstFigure(axis, accuracy, cost,
                         held_out=held.pop() if len(held) == 1 else "held-out", source=source,
                         left_out=left_out, cost_name="training" if on_training else "held-out")


def _place(outcome: Outcome, x_field: str, line_field: str | None) -> tuple[Any, Any]:
    """Where a run goes: its x value and its line's value (None with one line)."""
    config = outcome.config
    return value_of(x_field, config), value_of(line_field, config) if line_field else None


def _left_out_why(outcome: Outcome) -> str:
    """Why a run is not drawn ("" when it is): it did not end as asked, or has no result."""
    status = outcome.status
    if status not in ENDED_WELL:
        return "still running" if status == RunStatus.RUNNING else str(status)
    if outcome.best is None or not math.isfinite(outcome.best):
        return "no epoch measured"
    return ""


def check_plottable(configs: Sequence[Config]) -> str | None:
    """Before a sweep or comparison starts: why its runs could not be plotted against a
    hyperparameter (one run, nothing or too much varied), or None."""
    if len(configs) < 2:
        return ("a plot against a hyperparameter needs runs at two values or more; this sweep "
                "has one run: give --vary two values or more (e.g. --vary eta=0.1,1)")
    try:
        choose_axes(configs)
    except AgainstError as error:
        return str(error)
    return None
