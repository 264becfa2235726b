"""Planning a sweep: one config with some of its fields varied, every run checked before any
starts.

    base config × --vary eta=0.025,0.25,2.5 × --vary hidden=30,64-64  →  6 runs

:func:`plan_sweep` turns a base config and the ``--vary`` texts into :class:`SweepRun`\\ s, each
labelled by what sets it apart (:func:`~nntui.studies.labels.difference_labels`); every bad value
and every run that cannot be trained is reported at once, as one :class:`SweepError`, so a person
fixes the command line once.  :func:`check_data` finds, before anything starts, the data sets that
cannot be loaded here.  Nothing here trains: :mod:`nntui.studies.sweep` does.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
import time
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

from nntui.config import SPECS, Config, check_combination, parse_field
from nntui.datasets import dataset_problem
from nntui.storage.history import HistoryError, RunHistory
from nntui.studies.labels import difference_labels

MAX_RUNS = 1000


class SweepError(ValueError):
    """The sweep asked for cannot run; ``problems`` says every reason, each for a person."""

    def __init__(self, problems: Sequence[str]):
        self.problems = list(problems)
        super().__init__("; ".join(self.problems))


@dataclass(frozen=True)
class SweepRun:
    """One run of a sweep: its place (0-based), its label (what sets it apart from the others,
    e.g. ``η=0.25 hidden=64,64``) and its config."""

    index: int
    label: str
    config: Config


def field_name(text: str) -> str:
    """``batch-size``, ``--batch-size`` and ``batch_size`` all name the field batch_size."""
    return text.strip().lstrip("-").replace("-", "_").lower()


def parse_vary(text: str) -> tuple[str, list[str]]:
    """``eta=0.025,0.25`` → ("eta", ["0.025", "0.25"]); a layer list is written with ``-``
    (``hidden=30,64-64`` → ["30", "64,64"]; ``none`` for no hidden layer).  Raises ValueError
    saying what to write."""
    name, equals, values = text.partition("=")
    if not equals or not name.strip():
        raise ValueError(f"'{text}' is not NAME=V1,V2,...; e.g. --vary eta=0.025,0.25,2.5")
    name = field_name(name)
    if name not in SPECS:
        raise ValueError(f"'{name}' is not a hyperparameter; known: {', '.join(SPECS)}")
    items = [item.strip() for item in values.split(",")]
    if not values.strip():
        raise ValueError(f"no values for {name}; write {name}=V1,V2,...")
    if any(not item for item in items):
        raise ValueError(f"an empty value in '{values}'; separate values with single commas"
                         + (" (write none for no hidden layer)" if name == "hidden" else ""))
    if SPECS[name].kind == "layers":
        items = ["" if item.lower() == "none" else item.replace("-", ",") for item in items]
    return name, items


def plan_sweep(base: Config, varies: Sequence[str]) -> list[SweepRun]:
    """The runs of ``base`` under every combination of the ``--vary`` texts (the cartesian
    product, the first ``--vary`` varying slowest), each checked as a whole config; raises
    :class:`SweepError` with every problem found."""
    axes, problems = _axes(varies)
    if not varies:
        problems.append("nothing to vary: add --vary NAME=V1,V2,... (e.g. --vary eta=0.1,1)")
    if problems:
        raise SweepError(problems)
    count = math.prod(len(values) for _, values in axes)
    if count > MAX_RUNS:
        raise SweepError([f"{count:,} runs is more than the {MAX_RUNS:,} a sweep may have; "
                          f"vary fewer values"])
    configs = []
    names = [name for name, _ in axes]
    for combination in itertools.product(*(values for _, values in axes)):
        config = dataclasses.replace(base, **dict(zip(names, combination, strict=True)))
        for problem in check_combination(config):
            where = " ".join(f"{n}={_shown(n, v)}" for n, v in zip(names, combination,
                                                                    strict=True))
            text = f"the run {where}: {problem}"
            if text not in problems:
                problems.append(text)
        configs.append(config)
    if problems:
        raise SweepError(problems)
    labels = difference_labels(configs)
    return [SweepRun(i, label, config)
            for i, (label, config) in enumerate(zip(labels, configs, strict=True))]


def _axes(varies: Sequence[str]) -> tuple[list[tuple[str, list[Any]]], list[str]]:
    """Each ``--vary`` as (field, its values), and every problem with them."""
    problems: list[str] = []
    axes: list[tuple[str, list[Any]]] = []
    for text in varies:
        try:
            name, items = parse_vary(text)
        except ValueError as error:
            problems.append(f"--vary {text}: {error}")
            continue
        if any(name == seen for seen, _ in axes):
            problems.append(f"--vary {name} is given twice; put all its values in one --vary")
            continue
        values: list[Any] = []
        for item in items:
            problem = _add_value(name, item, values)
            if problem:
                problems.append(f"--vary {name}: {problem}")
        axes.append((name, values))
    return axes, problems


def _add_value(name: str, item: str, values: list[Any]) -> str:
    """Add the value ``item`` writes to ``values``; what is wrong with it ("" if nothing)."""
    try:
        value = parse_field(name, item)
    except ValueError as error:
        return str(error)
    if value in values:
        return f"{_shown(name, value)} is given twice"
    values.append(value)
    return ""


def _shown(name: str, value: Any) -> str:
    """A value as a ``--vary`` writes it (a layer list with ``-``, ``none`` for no layer)."""
    if SPECS[name].kind == "layers":
        return "-".join(str(n) for n in value) or "none"
    return str(value)


def stamp() -> str:
    """The time in a default name: local time, to the second (``20261124-071203``)."""
    return time.strftime("%Y%m%d-%H%M%S")


def default_name(fields: Sequence[str] = (), *, when: str | None = None,
                 taken: Collection[str] = ()) -> str:
    """The group of a sweep not named: ``sweep-20261124-071203``, or with the fields varied,
    ``eta-hidden-20261124-071203``, at ``when`` (default: now, :func:`stamp`).

    Two sweeps started in the same second would share it, and with it their group in the run
    history (the runs screen would list them as one sweep), so a name already in ``taken`` (the
    history's groups: :func:`groups_in`) gets ``-2``, ``-3``, ... after it."""
    what = [field_name(f).replace("_", "-") for f in fields] or ["sweep"]
    base = "-".join([*what, when or stamp()])
    name, count = base, 1
    while name in taken:
        count += 1
        name = f"{base}-{count}"
    return name


def groups_in(history: RunHistory | None) -> set[str]:
    """The groups of the runs in ``history`` (none when it is missing or cannot be read: the
    sweep's own recording will say why)."""
    if history is None:
        return set()
    try:
        return {run.group for run in history.list_runs() if run.group}
    except HistoryError:
        return set()


def check_data(runs: Sequence[SweepRun], data_dir: str | None) -> list[str]:
    """What keeps the data of these runs from loading here, found before any run starts (the
    files are looked for, not read).  Only meaningful where the runs train on this machine."""
    problems = []
    for dataset in dict.fromkeys(run.config.dataset for run in runs):
        problem = dataset_problem(dataset, data_dir)
        if problem is not None:
            problems.append(f"data set {dataset}: {problem}")
    return problems
