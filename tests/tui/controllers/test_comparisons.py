"""A comparison's worker, without a terminal: the variants trained as ``nntui compare`` trains
them (an in-process sweep), each announced, numbered as the dashboard numbers its runs,
recorded in its group and reported as any run is."""

from __future__ import annotations

from nntui.engine import Control
from nntui.status import RunStatus
from nntui.storage.history import RunHistory
from nntui.studies.comparisons import COMPARISONS, Comparison
from nntui.tui.controllers import comparisons as comparisons_module
from nntui.tui.controllers.comparisons import ComparisonEnded, ComparisonSession, VariantStarted
from nntui.tui.controllers.training import DataLoaded, EpochsDone, RunEnded


def run_session(comparison: Comparison, history: RunHistory | None,
                first_run: int = 4) -> list:
    posted: list = []
    ComparisonSession(1, comparison, first_run, posted.append, control=Control(),
                      history=history).run()
    return posted


def test_a_comparison_hands_out_its_variants_in_order_numbered_from_the_first_run(
        tmp_path, unpaced):
    comparison = COMPARISONS["saturated-neuron"]
    labels = comparison.labels()
    with RunHistory(tmp_path / "runs.db") as history:
        posted = run_session(comparison, history)
        runs = history.list_runs()
    started = [m for m in posted if isinstance(m, VariantStarted)]
    assert [(m.index, m.total, m.label, m.run) for m in started] == [
        (i + 1, len(labels), label, 4 + i) for i, label in enumerate(labels)]
    assert all(m.config.pace == 0 for m in started)
    # Each run's messages carry its number, from its start to its end, one run after another.
    order = [(type(m), m.run) for m in posted
             if isinstance(m, VariantStarted | DataLoaded | RunEnded)]
    assert order == [(kind, 4 + i) for i in range(len(labels))
                     for kind in (VariantStarted, DataLoaded, RunEnded)]
    assert all(m.reports for m in posted if isinstance(m, EpochsDone))
    ended = [m for m in posted if isinstance(m, RunEnded)]
    assert [m.status for m in ended] == [RunStatus.COMPLETED] * len(labels)
    loaded = [m for m in posted if isinstance(m, DataLoaded)]
    assert sorted(m.record_id for m in loaded) == sorted(run.id for run in runs)
    assert isinstance(posted[-1], ComparisonEnded) and posted[-1].comparison == 1
    assert sorted(run.name for run in runs) == sorted(labels)
    assert {run.group for run in runs} == {comparison.name}


def test_the_comparison_s_runs_are_paced_to_be_watched():
    paced = comparisons_module.paced(COMPARISONS["saturated-neuron"])
    assert {config.pace for _, config in paced} == {comparisons_module.COMPARISON_PACE["neuron"]}
    learning_rates = COMPARISONS["learning-rates"]  # MNIST: as fast as it goes, as configured
    assert [config for _, config in comparisons_module.paced(learning_rates)] == \
        learning_rates.configs()


def test_a_run_that_does_not_end_well_ends_the_comparison(unpaced):
    base = COMPARISONS["saturated-neuron"]
    # The second run diverges (η far too high for a linear output): the third never starts.
    diverging = Comparison(
        "diverging", "three runs", "the second diverges", "nothing", "output",
        (base.variants[0],
         ("too fast", {**base.variants[0][1], "eta": 100, "output": "linear"}),
         base.variants[1]))
    posted = run_session(diverging, None, first_run=1)
    assert [m.label for m in posted if isinstance(m, VariantStarted)] == [
        diverging.labels()[0], "too fast"]
    assert [m.status for m in posted if isinstance(m, RunEnded)] == [
        RunStatus.COMPLETED, RunStatus.DIVERGED]
    assert isinstance(posted[-1], ComparisonEnded)


def test_a_stopped_comparison_starts_no_run(unpaced):
    control = Control()
    control.stop()
    posted: list = []
    ComparisonSession(1, COMPARISONS["saturated-neuron"], 1, posted.append, control=control,
                      history=None).run()
    assert [type(m) for m in posted] == [ComparisonEnded]
