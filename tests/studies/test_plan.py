"""Tests of planning a sweep: reading ``--vary``, the cartesian product of the runs, every bad
value reported at once, and the data looked for before anything starts."""

from __future__ import annotations

from pathlib import Path

import pytest

from nntui.config import DEFAULTS
from nntui.storage.history import RunHistory
from nntui.studies.plan import (
    SweepError,
    check_data,
    default_name,
    groups_in,
    parse_vary,
    plan_sweep,
)


def test_parse_vary_reads_names_values_and_layer_lists() -> None:
    assert parse_vary("eta=0.025,0.25,2.5") == ("eta", ["0.025", "0.25", "2.5"])
    assert parse_vary("--batch-size=10,128") == ("batch_size", ["10", "128"])
    assert parse_vary("hidden=30,64-64,none") == ("hidden", ["30", "64,64", ""])
    for bad, words in (("eta", "NAME=V1,V2"), ("speed=1", "not a hyperparameter"),
                       ("eta=", "no values"), ("eta=0.1,,1", "empty value")):
        with pytest.raises(ValueError, match=words):
            parse_vary(bad)


def test_plan_sweep_is_the_cartesian_product_first_vary_slowest() -> None:
    runs = plan_sweep(DEFAULTS, ["eta=0.025,0.25,2.5", "hidden=30,64-64"])
    assert len(runs) == 6 and [r.index for r in runs] == list(range(6))
    assert [(r.config.eta, r.config.hidden) for r in runs] == [
        (0.025, (30,)), (0.025, (64, 64)), (0.25, (30,)), (0.25, (64, 64)),
        (2.5, (30,)), (2.5, (64, 64))]
    assert runs[1].label == "hidden=64,64 η=0.025"
    assert len({r.label for r in runs}) == 6
    assert all(r.config.replace(eta=0.5, hidden=(30,)) == DEFAULTS for r in runs)


def test_every_bad_value_is_reported_at_once() -> None:
    with pytest.raises(SweepError) as caught:
        plan_sweep(DEFAULTS, ["eta=-1,abc,0.5,0.5", "hidden=0,30", "nope=1", "eta=1",
                              "batch-size=2.5"])
    text = "\n".join(caught.value.problems)
    assert len(caught.value.problems) == 7, text
    for words in ("eta: -1 is out of range", "eta: 'abc' is not a number",
                  "eta: 0.5 is given twice", "a layer of 0 neurons", "'nope' is not a "
                  "hyperparameter", "--vary eta is given twice", "'2.5' is not a whole number"):
        assert words in text, words
    with pytest.raises(SweepError, match="the run cost=log-likelihood: cost: log-likelihood "
                                         "needs a softmax output"):
        plan_sweep(DEFAULTS, ["cost=quadratic,log-likelihood"])
    with pytest.raises(SweepError, match="nothing to vary"):
        plan_sweep(DEFAULTS, [])


def test_too_many_runs_are_refused_before_any_is_built() -> None:
    with pytest.raises(SweepError, match="1,024 runs is more than the 1,000 a sweep may have"):
        plan_sweep(DEFAULTS, [f"seed={','.join(str(s) for s in range(1, 33))}",
                              f"epochs={','.join(str(e) for e in range(1, 33))}"])


def test_check_data_names_each_data_set_that_cannot_load_here(tmp_path: Path) -> None:
    runs = plan_sweep(DEFAULTS.replace(dataset="xor"), ["eta=0.1,1"])
    assert check_data(runs, None) == []  # a 2-D set is made, not read
    mnist = plan_sweep(DEFAULTS, ["eta=0.1,1"])
    problems = check_data(mnist, str(tmp_path / "nowhere"))
    assert len(problems) == 1 and problems[0].startswith("data set mnist: ")


def test_a_default_name_is_no_group_the_history_has(tmp_path: Path) -> None:
    when = "20261124-071203"
    assert default_name(when=when) == f"sweep-{when}"
    assert default_name(["eta", "batch_size"], when=when) == f"eta-batch-size-{when}"
    # A sweep started in the same second as another gets a name of its own.
    assert default_name(["eta"], when=when, taken={f"eta-{when}"}) == f"eta-{when}-2"
    assert default_name(when=when, taken={f"sweep-{when}", f"sweep-{when}-2"}) == \
        f"sweep-{when}-3"
    with RunHistory(tmp_path / "runs.db") as history:
        assert groups_in(history) == set()
        history.start_run(DEFAULTS.replace(dataset="xor"), group=f"sweep-{when}")
        history.start_run(DEFAULTS.replace(dataset="xor"))
        assert groups_in(history) == {f"sweep-{when}"}
        assert default_name(when=when, taken=groups_in(history)) == f"sweep-{when}-2"
    assert groups_in(None) == set()
