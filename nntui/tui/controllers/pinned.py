"""The pinned runs: recorded runs drawn beside the live one, read from the run history.

A person pins runs on the runs screen (F2, p); a comparison pins its runs as they end and a sweep
pins its own when it ends, each unpinning the others first, so that what is compared stands
alone.  The dashboard draws :func:`pinned_curves` beside the live run on one split at a time
(held-out or training, Ctrl+B).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from nntui.insight.neuron import neuron_outputs
from nntui.render.plots import RunCurves, run_curves
from nntui.render.text import safe
from nntui.storage.history import RunDetail, RunHistory
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


def pin_only(history: RunHistory, run_ids: Iterable[int]) -> None:
    """Pin ``run_ids`` and unpin every other run; raises
    :class:`~nntui.storage.history.HistoryError`."""
    keep = list(dict.fromkeys(run_ids))
    for run in history.list_runs():
        if run.pinned and run.id not in keep:
            history.set_pinned(run.id, False)
    for run_id in keep:
        history.set_pinned(run_id, True)
