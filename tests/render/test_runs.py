"""Tests of how a recorded run reads (``nntui.render.runs``), the same in ``nntui runs`` and in the
app: times, lengths, accuracies, the data set and the hyperparameters in a few characters each."""

from __future__ import annotations

import math
import time
from datetime import datetime

import pytest

from nntui.render.runs import (
    dataset_label,
    duration,
    hyperparameters,
    iso,
    number,
    percent,
    status_text,
    when,
)
from nntui.render.styles import STATUS_STYLES
from nntui.status import RunStatus


@pytest.mark.parametrize(("seconds", "text"), [
    (0.4, "0s"), (59.4, "59s"), (65, "1m05s"), (3599, "59m59s"), (3600, "1h00m"),
    (90061, "25h01m"),
])
def test_duration(seconds: float, text: str) -> None:
    assert duration(seconds) == text


def test_percent_and_number() -> None:
    assert (percent(None), percent(0.9876), percent(math.nan)) == ("-", "98.76%", "nan")
    assert (number(None), number(0.123456), number(0.5, 2)) == ("-", "0.1235", "0.50")
    assert (number(math.nan), number(math.inf)) == ("nan", "inf")


def test_when_shows_the_time_this_year_and_the_date_before() -> None:
    now = time.mktime((2025, 3, 14, 10, 30, 0, 0, 0, -1))
    assert when(time.mktime((2025, 1, 2, 9, 5, 0, 0, 0, -1)), now) == "Jan 02 09:05"
    assert when(time.mktime((2024, 12, 31, 23, 0, 0, 0, 0, -1)), now) == "2024-12-31"
    assert iso(None) is None
    assert datetime.fromisoformat(iso(now)).timestamp() == now


def test_data_set_and_hyperparameters() -> None:
    assert dataset_label({"dataset": "mnist", "train_size": 1000}) == "mnist (1,000)"
    assert dataset_label({"dataset": "/data/digits/", "train_size": 0}) == "digits"
    assert dataset_label({"dataset": "mnist", "train_size": 1000, "expand": True}) == (
        "mnist (1,000 expanded)")
    assert dataset_label({"dataset": "mnist", "train_size": 0, "expand": True}) == (
        "mnist (expanded)")
    assert dataset_label({"dataset": "mnist", "train_size": 0, "expand": False}) == "mnist"
    assert dataset_label({}) == "?"
    assert hyperparameters({"hidden": [100, 30], "eta": 0.5, "batch_size": 10,
                            "regularization": "l2", "lmbda": 5.0}) == (
        "100,30", "0.5", "10", "L2 λ=5")
    assert hyperparameters({"hidden": [], "eta": 3, "batch_size": 1, "regularization": "l1",
                            "lmbda": 0}) == ("none", "3", "1", "none")
    assert hyperparameters({}) == ("?", "?", "?", "none")


def test_a_status_is_shown_in_its_style() -> None:
    assert status_text(RunStatus.DIVERGED).style == STATUS_STYLES[RunStatus.DIVERGED] == "red"
    assert status_text("paused on another planet").style == ""
    assert set(STATUS_STYLES) >= set(RunStatus), "every status has its style"
