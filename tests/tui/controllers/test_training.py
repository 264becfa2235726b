"""The training worker's pieces without a terminal: the curves thinned for the plots, and which
of its messages a newer one may replace while they wait."""

from __future__ import annotations

from nntui.engine import BatchProgress
from nntui.render.plots import Series
from nntui.tui.controllers.training import BatchUpdate, EpochsDone
from nntui.tui.widgets.plots import EMPTY_PLOTS


def test_downsample_keeps_the_role_and_the_last_point():
    from nntui.tui.controllers.training import downsample

    series = Series("mini-batch (this epoch)", list(range(1000)), list(range(1000)), "running")
    thin = downsample(series, limit=100)
    assert thin.role == "running" and thin.label == series.label
    assert len(thin.x) <= 101 and thin.x[-1] == 999 and thin.y[-1] == 999


def update(run: int, batch: int, running: Series | None = None) -> BatchUpdate:
    return BatchUpdate(run=run, progress=BatchProgress(
        epoch=1, epochs=3, batch=batch, batches=100, running_cost=0.5, eta=0.1,
        examples_per_second=1e4, seconds=0.1), running=running)


def test_a_newer_progress_report_of_the_same_run_replaces_an_unhandled_one():
    curve = Series("mini-batch (this epoch)", [0.1], [0.5], role="running")
    assert update(1, 10).can_replace(update(1, 20))
    assert update(1, 10).can_replace(update(1, 20, curve))
    assert update(1, 10, curve).can_replace(update(1, 20, curve))  # the newer curve has it all
    assert not update(1, 10, curve).can_replace(update(1, 20))  # the curve would be lost
    assert not update(1, 10).can_replace(update(2, 1))  # another run's
    # Epochs are never dropped, nor do they drop a report.
    epochs = EpochsDone(run=1, reports=[], plots=EMPTY_PLOTS)
    assert not update(1, 10).can_replace(epochs) and not epochs.can_replace(epochs)
