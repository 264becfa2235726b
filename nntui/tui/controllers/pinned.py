"""The pinned runs: recorded runs drawn beside the live one, read from the run history.

A person pins runs on the runs screen (F2, p); a comparison pins its runs as they end and a sweep
pins its own when it ends, each in place of the runs an earlier sweep or comparison pinned, so
that what is compared is not lost among older sweeps; the runs the person pinned stay.  The
dashboard draws :func:`pinned_curves` beside the live run on one split at a time (held-out or
training, Ctrl+B).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

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
                                  outputs=neuron_outputs(run.config, run.history)))
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
    named = ", ".join(f"{run.id}" + (f" ({run.name})" if run.name else "") for run in runs)
    return (f"Pinned by hand, run{'s' if len(runs) != 1 else ''} {named} "
            f"{'stay' if len(runs) != 1 else 'stays'} beside them (F2, p unpins).")
