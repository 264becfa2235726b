"""Tests of the books' comparisons: their labels and configs, and running them as ``nntui
compare`` does (a sweep, one run after another in this process) into the run history, Nielsen's
saturated neuron above all; finding a comparison's runs again."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from nntui.engine import Control, EpochReport
from nntui.presets import PRESETS
from nntui.status import RunStatus
from nntui.storage.history import RunHistory
from nntui.studies.comparisons import COMPARISONS, PLOTS, Comparison
from nntui.studies.results import VariantResult
from nntui.studies.sweep import InProcess, Sweep

NEURON = COMPARISONS["saturated-neuron"]


def _run_comparison(comparison: Comparison, *, epochs: int | None = None,
                    **options) -> list[VariantResult]:
    """The comparison trained as ``nntui compare`` trains it by default (``options`` as the
    Sweep's), each variant as the command reports it."""
    sweep = Sweep(comparison.name, comparison.runs(epochs), **options)
    return [VariantResult.of(result) for result in sweep.execute(InProcess())]


# --- the comparisons -----------------------------------------------------------------------------

@pytest.mark.parametrize("name", list(COMPARISONS))
def test_every_comparison_builds_distinct_valid_configs(name: str) -> None:
    comparison = COMPARISONS[name]
    configs = comparison.configs()  # make_config raises on any bad value or pairing
    labels = comparison.labels()
    assert len(configs) == len(labels) >= 2
    assert all(labels) and len(set(labels)) == len(labels)
    assert not any(re.search(r"\d{4}-\d\d-\d\d|\d\d:\d\d", label) for label in labels)
    assert len({c.replace(pace=0) for c in configs}) == len(configs)
    assert comparison.plot in PLOTS
    assert comparison.watch and comparison.description and comparison.title
    assert all(c.epochs == 3 for c in comparison.configs(epochs=3))
    if comparison.plot.startswith("train_"):
        assert all(c.eval_train for c in configs)


def test_the_books_values() -> None:
    rates = COMPARISONS["learning-rates"].configs()
    assert [c.eta for c in rates] == [0.025, 0.25, 2.5]
    assert all(c.hidden == (30,) and c.lmbda == 5 and c.regularization == "l2"
               and c.epochs == 30 and c.batch_size == 10 and c.cost == "cross-entropy"
               for c in rates)
    neuron = NEURON.configs()
    assert [(c.cost, c.eta, c.neuron_w, c.neuron_b) for c in neuron] == [
        ("quadratic", 0.15, 2.0, 2.0), ("cross-entropy", 0.15, 2.0, 2.0),
        ("cross-entropy", 0.005, 2.0, 2.0), ("quadratic", 0.15, 0.6, 0.9)]
    assert all(c.epochs == 300 and c.pace == 0 and c.dataset == "neuron" for c in neuron)
    init = COMPARISONS["weight-init"].configs()
    assert [c.init for c in init] == ["large", "normalized"]
    assert all(c.eta == 0.1 and c.lmbda == 5 and c.epochs == 30 for c in init)
    overfit = COMPARISONS["overfitting"].configs()
    assert [c.lmbda for c in overfit] == [0.0, 0.1]
    assert all(c.train_size == 1000 and c.epochs == 400 for c in overfit)
    hidden = COMPARISONS["hidden-neurons"].configs()
    assert [c.hidden for c in hidden] == [(30,), (100,)]
    assert "30 epochs" in COMPARISONS["hidden-neurons"].description  # shortened: says so
    krohn = COMPARISONS["shallow-vs-intermediate"].configs()
    assert krohn[1] == PRESETS["krohn-intermediate"].config()
    assert krohn[0] == PRESETS["krohn-shallow"].config().replace(epochs=20)
    assert "200" in COMPARISONS["shallow-vs-intermediate"].description


def test_more_data_varies_only_the_size_and_the_expansion() -> None:
    """Nielsen's more-data figure: 1,000 to 50,000 images, each plain and expanded, everything
    else the nielsen-l2 net's, so a plot against a hyperparameter finds exactly two fields."""
    more = COMPARISONS["more-data"]
    configs = more.configs()
    assert len(configs) == 12
    assert [(c.train_size, c.expand) for c in configs] == [
        (n, e) for n in (1_000, 2_000, 5_000, 10_000, 20_000, 50_000) for e in (False, True)]
    base = PRESETS["nielsen-l2"].config().replace(epochs=15)
    assert all(c.replace(train_size=0, expand=False) == base for c in configs)
    assert more.labels() == [f"n={n:,}{' expanded' if e else ''}"
                             for n in (1_000, 2_000, 5_000, 10_000, 20_000, 50_000)
                             for e in (False, True)]
    assert more.labels()[:2] == ["n=1,000", "n=1,000 expanded"]
    assert more.plot == "val_accuracy" and "expanded" in more.watch
    assert "expand_mnist" in more.description and "15 epochs" in more.description
    assert all(c.expand is False and c.epochs == 2 for c in more.configs(epochs=2)[::2])


def test_a_comparison_rejects_an_unknown_plot() -> None:
    with pytest.raises(ValueError, match="plot must be one of"):
        Comparison("x", "x", "x", "x", "accuracy", (("", {}),))


def test_a_comparisons_runs_are_its_variants_in_order() -> None:
    runs = COMPARISONS["learning-rates"].runs(epochs=2)
    assert [(r.index, r.label) for r in runs] == [(0, "η=0.025"), (1, "η=0.25"), (2, "η=2.5")]
    assert [r.config for r in runs] == COMPARISONS["learning-rates"].configs(epochs=2)


# --- running one ---------------------------------------------------------------------------------

def test_the_saturated_neuron_in_the_history(tmp_path: Path) -> None:
    """Nielsen's lesson: at the same η the saturated quadratic neuron barely moves for the first
    epochs while the cross-entropy one learns at once."""
    told: list[tuple[int, str]] = []
    with RunHistory(tmp_path / "runs.db") as history:
        results = _run_comparison(NEURON, history=history,
                                  on_result=lambda r: told.append((r.run.index, r.label)))
        runs = history.list_runs()
        recorded = sorted((r for r in runs if r.group == NEURON.name), key=lambda r: r.id)
        assert [(r.id, r.name) for r in recorded] == [(r.run_id, r.label) for r in results]
    labels = NEURON.labels()
    assert told == list(enumerate(labels))
    assert [r.label for r in results] == labels
    assert [r.status for r in results] == ["completed"] * 4
    assert sorted(r.name for r in runs) == sorted(labels)
    assert {r.group for r in runs} == {"saturated-neuron"}
    assert all(r.status == "completed" and r.epochs_done == 300 for r in runs)

    outputs = {r.label: dict(r.outputs) for r in results}
    assert all(len(o) == 301 for o in outputs.values())  # epoch 0, before training, and 300
    quadratic, cross_entropy = outputs["quadratic η=0.15"], outputs["cross-entropy η=0.15"]
    assert quadratic[0] == pytest.approx(0.982, abs=1e-3) == cross_entropy[0]
    for epoch in range(1, 51):  # the quadratic output falls more slowly, epoch after epoch
        assert quadratic[0] - quadratic[epoch] < (cross_entropy[0] - cross_entropy[epoch]) / 5
        assert quadratic[epoch] > cross_entropy[epoch] + (0.1 if epoch >= 10 else 0.0)
    assert quadratic[0] - quadratic[50] < 0.01  # stalled near 0.98
    assert cross_entropy[50] < 0.15  # learned
    assert quadratic[300] < 0.3  # it does get there, late
    slow = outputs["cross-entropy η=0.005"]
    assert all(slow[e + 1] < slow[e] for e in range(300))  # no plateau, even at η = 0.005
    easy = outputs["quadratic w=0.6 b=0.9"]
    assert easy[0] == pytest.approx(0.818, abs=1e-3)
    assert easy[300] == pytest.approx(0.09, abs=0.01)  # the book's 0.09 after 300 epochs


def test_a_stop_stops_the_running_variant_and_skips_the_rest(tmp_path: Path,
                                                             make_recorder) -> None:
    control = Control()

    def stop_at_epoch_5(run):
        def observe(event):
            if run.index == 1 and isinstance(event, EpochReport) and event.epoch == 5:
                control.stop()
        return [make_recorder(observe)]

    with RunHistory(tmp_path / "runs.db") as history:
        results = _run_comparison(NEURON, history=history, control=control,
                                  observers_for=stop_at_epoch_5)
        runs = {r.name: r for r in history.list_runs()}
    assert [r.status for r in results] == ["completed", "stopped", RunStatus.NOT_RUN,
                                           RunStatus.NOT_RUN]
    assert results[1].ended.epochs_run == 5
    assert results[2].ended is None and results[2].run_id is None and not results[2].history
    assert set(runs) == {"quadratic η=0.15", "cross-entropy η=0.15"}
    assert runs["cross-entropy η=0.15"].status == "stopped"
    assert runs["cross-entropy η=0.15"].epochs_done == 5


def test_epochs_override_and_no_history() -> None:
    results = _run_comparison(NEURON, epochs=7)
    assert all(r.ended.epochs_run == 7 and r.run_id is None for r in results)
    assert all(r.config.epochs == 7 and len(r.outputs) == 8 for r in results)


