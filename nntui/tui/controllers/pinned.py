"""The pinned runs: recorded runs drawn beside the live one, read from the run history.

A person pins runs on the runs screen (F2, p); a comparison pins its runs as they end and a sweep
pins its own when it ends, each in place of the runs an earlier sweep or comparison pinned, so
that what is compared is not lost among older sweeps; the runs the person pinned stay.  The
dashboard draws :func:`pinned_curves` beside the live run on one split at a time (held-out or
training, Ctrl+B).

Runs of another data set than the live run's have other scales (an XOR run at η = 10 spikes to
a cost of 15 beside MNIST's 0.3, over 50 epochs beside 30): :func:`pinned_view` leaves them out
unless asked for every pin, and then names their data set in the legends.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from nntui.insight.neuron import neuron_outputs
from nntui.render.plots import RunCurves, run_curves
from nntui.render.text import safe
from nntui.storage.history import RunDetail, RunHistory, RunSummary
from nntui.studies.labels import difference_labels
from nntui.tui.controllers.training import thinned


def overlay_labels(runs: Sequence[RunDetail]) -> list[str]:
    """What to call each pinned run in the legends: its name if it has one (a comparison names
    its runs so), else what sets its config apart from the others' (``η=0.025``); safe to show
    (:func:`~nntui.render.text.safe`), as the history may be shared."""
    differences = difference_labels([run.config for run in runs])
    return [safe(run.name or label) for run, label in zip(runs, differences, strict=True)]


def pinned_curves(history: RunHistory, split: str) -> list[RunCurves]:
    """Every pinned run's curves on ``split``, oldest first (the order they ran), thinned like
    the live curves; raises :class:`~nntui.storage.history.HistoryError`."""
    pinned = [history.get_run(run.id) for run in reversed(history.list_runs()) if run.pinned]
    curves = []
    for run, label in zip(pinned, overlay_labels(pinned), strict=True):
        made = thinned(run_curves(label, run.history, split=split,
                                  outputs=neuron_outputs(run.config, run.history),
                                  config=run.config))
        if made is not None:
            curves.append(made)
    return curves


def pin_instead(history: RunHistory, run_ids: Iterable[int]) -> list[RunSummary]:
    """Pin ``run_ids`` in place of the runs an earlier sweep or comparison pinned; return the
    runs pinned by hand, which stay pinned; raises
    :class:`~nntui.storage.history.HistoryError`.

    A sweep's and a comparison's runs are recorded in a group (their name); a run a person
    trains has none, so a pinned run without a group was pinned by hand."""
    keep = list(dict.fromkeys(run_ids))
    by_hand = []
    for run in history.list_runs():
        if run.pinned and run.id not in keep:
            if run.group:
                history.set_pinned(run.id, False)
            else:
                by_hand.append(run)
    for run_id in keep:
        history.set_pinned(run_id, True)
    return by_hand


def pinned_by_hand(runs: Sequence[RunSummary]) -> str:
    """The log's line on the runs pinned by hand that stay beside a sweep's or comparison's."""
    named = ", ".join(f"{run.id}" + (f" ({safe(run.name)})" if run.name else "") for run in runs)
    return (f"Pinned by hand, run{'s' if len(runs) != 1 else ''} {named} "
            f"{'stay' if len(runs) != 1 else 'stays'} beside them (F2, p unpins).")


def dataset_name(dataset: str) -> str:
    """A data set as a legend names it: its own name, or a folder of IDX files by its name
    (escaped: it comes from the history, which may be shared)."""
    return safe(Path(dataset).name or dataset)


@dataclass(frozen=True)
class PinnedView:
    """The pinned runs drawn beside a live run, and the data sets of those left out (with how
    many runs of each)."""

    drawn: list[RunCurves]
    left_out: dict[str, int] = field(default_factory=dict)

    def describe_left_out(self, dataset: str) -> str:
        """The log's line on the pins not drawn beside a run of ``dataset`` ("" for none)."""
        if not self.left_out:
            return ""
        count = sum(self.left_out.values())
        runs = "run" if count == 1 else "runs"
        sets = ", ".join(f"{dataset_name(name)} ({number})"
                         for name, number in self.left_out.items())
        return (f"{count} pinned {runs} of another data set, {sets}, not drawn beside "
                f"{dataset_name(dataset)}: other data, other scales. F3 draws every pin.")


def pinned_view(curves: Sequence[RunCurves], dataset: str, *, every: bool = False) -> PinnedView:
    """Which of the pinned ``curves`` to draw beside a live run of ``dataset``: those of the
    same data set; with ``every``, all of them, each of another data set named by it in the
    legends (``η=10 (xor)``).  A run whose data set is not known is drawn as it is."""
    drawn, left_out = [], Counter()
    for curve in curves:
        if not curve.dataset or curve.dataset == dataset:
            drawn.append(curve)
        elif every:
            drawn.append(curve.relabelled(f"{curve.label} ({dataset_name(curve.dataset)})"))
        else:
            left_out[curve.dataset] += 1
    return PinnedView(drawn, dict(left_out))
