"""Tests of how a study's runs read once they end: the line said as each ends and the cells of
the tables of ``nntui compare`` and ``nntui sweep``."""

from __future__ import annotations

from nntui.config import DEFAULTS
from nntui.engine import EpochReport
from nntui.runner.lifecycle import RunEnded
from nntui.status import RunStatus
from nntui.studies import results
from nntui.studies.results import VariantResult


def _report(epoch: int, train_cost: float | None) -> EpochReport:
    return EpochReport(epoch=epoch, epochs=30, train_cost=train_cost, train_accuracy=None,
                       val_cost=0.25, val_accuracy=0.9, learning_speed=(0.1,), seconds=1.0,
                       examples_per_second=100.0, eta=0.5)


def test_missing_numbers_read_as_a_dash_and_percentages_with_a_space() -> None:
    assert all(results.percent(value) == "—" for value in (None, float("nan"), float("inf")))
    assert results.percent(0.97514) == "97.51 %"
    assert results.cost_text(None) == "—" and results.cost_text(0.123456) == "0.1235"
    assert results.cost_text(float("nan")) == "nan"  # a diverged cost says so
    ended = RunEnded(status=RunStatus.COMPLETED, message="", best_val_accuracy=0.9751,
                     best_epoch=28)
    assert results.best_text(ended) == "97.51 % (28)"
    assert results.best_text(RunEnded(status=RunStatus.FAILED, message="")) == "—"


def test_the_held_out_heading_names_the_split_of_every_run() -> None:
    test = DEFAULTS.replace(validate_on="test")
    assert results.held_out_heading([DEFAULTS, DEFAULTS]) == "val."
    assert results.held_out_heading([test]) == "test"
    assert results.held_out_heading([DEFAULTS, test]) == "held-out"


def test_the_line_of_a_run_stopped_by_a_signal() -> None:
    ended = RunEnded(status=RunStatus.STOPPED, message="stopped", epochs_run=1,
                     best_val_accuracy=0.9, best_epoch=1, test_accuracy=0.89, seconds=6.54,
                     detail="during epoch 2 after 10 of 5,000 mini-batches")
    result = VariantResult("η=0.5", DEFAULTS, ended, [_report(1, 0.5)])
    assert results.outcome_words(result, "SIGTERM") == (
        "stopped by SIGTERM during epoch 2 after 10 of 5,000 mini-batches, 1 epoch, best "
        "validation accuracy 90.00 % at epoch 1, training cost 0.5000, test accuracy 89.00 %, "
        "6.5s")


def test_the_line_of_the_neuron_says_its_output_and_a_failure_no_cost() -> None:
    ended = RunEnded(status=RunStatus.COMPLETED, message="", epochs_run=2, seconds=0.04)
    neuron = VariantResult("quadratic", DEFAULTS, ended, [_report(1, None), _report(2, None)],
                           outputs=[(0, 0.982), (1, 0.98), (2, 0.97)])
    assert neuron.final_cost == 0.25  # no training figures: the held-out cost
    assert results.outcome_words(neuron) == ("completed, 2 epochs, output a 0.982 → 0.970, "
                                             "cost 0.2500, 0.0s")
    failed = RunEnded(status=RunStatus.FAILED, message="training failed: MemoryError",
                      epochs_run=2, seconds=1.0)
    words = results.outcome_words(VariantResult("big", DEFAULTS, failed, [_report(1, 0.5)]))
    assert words == "training failed: MemoryError, 2 epochs, 1.0s"
    assert VariantResult("skipped", DEFAULTS).status == RunStatus.NOT_RUN
