"""A result against a hyperparameter, the data: which field goes on the x axis and which makes the
lines, numbers against categories, a log axis or a linear one, and the runs that are no point."""

from __future__ import annotations

import math

import pytest

from nntui.config import make_config
from nntui.runner.lifecycle import HistoryRecorder, Run, RunEnded
from nntui.status import RunStatus
from nntui.storage.history import RunHistory
from nntui.studies.against import (
    AgainstError,
    Outcome,
    against,
    check_plottable,
    choose_axes,
    from_ids,
    from_results,
    group_ids,
)
from nntui.studies.results import VariantResult


def outcome(best: float = 0.9, cost: float = 0.3, status: str = "completed", label: str = "",
            **values) -> Outcome:
    return Outcome(label or str(values), make_config(**values), status, best, cost)


def test_one_numeric_field_spanning_two_decades_goes_on_a_log_axis() -> None:
    figure = against([outcome(0.90, 0.5, eta=0.025), outcome(0.96, 0.2, eta=0.25),
                      outcome(0.93, 0.9, eta=2.5)], source="lr")
    assert figure.axis.name == "η" and figure.axis.log and not figure.axis.categorical
    assert len(figure.accuracy) == 1 and not figure.legend
    (accuracy,), (cost,) = figure.accuracy, figure.cost
    assert accuracy.x == [0.025, 0.25, 2.5] and accuracy.label == ""
    assert accuracy.y == pytest.approx([90.0, 96.0, 93.0])  # per cent
    assert cost.y == [0.5, 0.2, 0.9]
    assert figure.source == "lr" and figure.held_out == "validation" and not figure.left_out


def test_values_within_a_factor_of_ten_stay_on_a_linear_axis_in_value_order() -> None:
    # Given out of order, as a sweep's second --vary would: drawn left to right.
    figure = against([outcome(0.97, hidden=[100]), outcome(0.95, hidden=[30]),
                      outcome(0.96, hidden=[60])])
    assert figure.axis.name == "hidden neurons" and not figure.axis.log
    assert figure.accuracy[0].x == [30.0, 60.0, 100.0]
    assert figure.accuracy[0].y == pytest.approx([95.0, 96.0, 97.0])


def test_a_zero_keeps_the_axis_linear() -> None:
    figure = against([outcome(lmbda=0.0), outcome(lmbda=0.1), outcome(lmbda=5.0)])
    assert figure.axis.name == "λ" and not figure.axis.log
    assert figure.accuracy[0].x == [0.0, 0.1, 5.0]


def test_values_that_are_not_numbers_are_categories_in_the_order_given() -> None:
    figure = against([outcome(0.95, activation="tanh"), outcome(0.90, activation="sigmoid"),
                      outcome(0.97, activation="relu")])
    assert figure.axis.categories == ("tanh", "sigmoid", "relu") and not figure.axis.log
    assert figure.accuracy[0].x == [0.0, 1.0, 2.0]
    assert figure.accuracy[0].y == pytest.approx([95.0, 90.0, 97.0])
    layers = against([outcome(hidden=[30]), outcome(hidden=[64, 64]), outcome(hidden=[])])
    assert layers.axis.categories == ("30", "64-64", "none")


def test_a_varied_regularization_takes_lambda_in_as_one_category() -> None:
    figure = against([outcome(regularization="none", lmbda=0.0),
                      outcome(regularization="l2", lmbda=5.0)])
    assert figure.axis.categories == ("none", "L2 λ=5")


def test_two_fields_the_numeric_one_with_more_values_on_the_axis_a_line_per_other() -> None:
    runs = [outcome(0.80 + k / 100 + expand / 50, train_size=size, activation=activation,
                    label=f"{size} {activation}")
            for expand, activation in enumerate(("sigmoid", "relu"))
            for k, size in enumerate((1000, 2000, 5000, 10000, 20000, 0))]
    figure = against(runs)
    assert figure.axis.name == "training images" and figure.axis.log  # 1,000 to 50,000
    assert [line.label for line in figure.accuracy] == ["activation=sigmoid",
                                                        "activation=relu"]
    assert figure.legend
    # "all images" of MNIST measured on validation: 50,000.
    assert figure.accuracy[0].x == [1000.0, 2000.0, 5000.0, 10000.0, 20000.0, 50000.0]
    assert figure.accuracy[1].y == pytest.approx([82.0, 83.0, 84.0, 85.0, 86.0, 87.0])
    # The numeric field wins over one with more values that are not numbers.
    assert choose_axes([make_config(init=init, eta=eta) for init in ("large", "normalized",
                                                                     "glorot")
                        for eta in (0.1, 1.0)]) == ("eta", "init")


def test_more_than_two_varied_fields_is_said_with_their_names() -> None:
    with pytest.raises(AgainstError, match=r"3 fields \(hidden neurons, activation, η\)"):
        against([outcome(hidden=[30], activation="relu", eta=0.1),
                 outcome(hidden=[100], activation="tanh", eta=1.0)])


def test_nothing_to_plot_one_run_or_runs_alike() -> None:
    with pytest.raises(AgainstError, match="one run"):
        against([outcome(eta=0.1)])
    with pytest.raises(AgainstError, match="same hyperparameters"):
        against([outcome(eta=0.1), outcome(eta=0.1, pace=5.0)])  # the pace changes nothing
    assert "--vary" in check_plottable([make_config(eta=0.1)])
    assert check_plottable([make_config(eta=0.1), make_config(eta=1.0)]) is None


def test_runs_that_did_not_end_as_asked_are_left_out_and_named() -> None:
    figure = against([outcome(0.9, eta=0.1, label="η=0.1"),
                      outcome(0.5, math.inf, status=RunStatus.DIVERGED, eta=10.0, label="η=10"),
                      outcome(0.7, 0.6, status=RunStatus.STOPPED, eta=1.0, label="η=1"),
                      outcome(0.95, 0.2, status=RunStatus.EARLY_STOP, eta=0.5, label="η=0.5")])
    assert figure.accuracy[0].x == [0.1, 0.5]  # an early stop ended as its config asked
    assert figure.left_out == ["η=10 (diverged)", "η=1 (stopped)"]
    with pytest.raises(AgainstError, match=r"no run ended as its config asked.*η=3 \(failed\)"):
        against([outcome(status=RunStatus.FAILED, eta=3.0, label="η=3"),
                 outcome(status=RunStatus.NOT_RUN, best=None, eta=4.0, label="η=4")])


def test_of_runs_at_the_same_values_the_last_is_drawn() -> None:
    figure = against([outcome(0.5, eta=0.1), outcome(0.6, eta=1.0), outcome(0.7, eta=0.1)])
    assert figure.accuracy[0].y == pytest.approx([70.0, 60.0])
    assert figure.left_out == ["1 earlier run at values a later run has"]


def test_a_sweeps_results_and_a_history_group_give_the_same_figure(tmp_path, epoch_report):
    configs = [make_config(dataset="xor", hidden=[4], eta=eta, epochs=3, pace=0.0)
               for eta in (0.5, 5.0)]
    results, ids = [], []
    with RunHistory(tmp_path / "runs.db") as history:
        for config in configs:
            recorder = HistoryRecorder(history, config, print, name=f"η={config.eta}",
                                       group="grid")
            run = Run(config, observers=[recorder])
            ended: RunEnded = run.execute()
            results.append(VariantResult(f"η={config.eta}", config, ended, list(run.history)))
            ids.append(recorder.run_id)
        assert group_ids(history, "grid") == ids
        from_group = against(from_ids(history, ids), source="grid")
    from_sweep = against(from_results(results), source="grid")
    assert from_group.accuracy == from_sweep.accuracy and from_group.cost == from_sweep.cost
    assert from_group.axis == from_sweep.axis and from_group.axis.log
