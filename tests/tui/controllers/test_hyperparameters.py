"""The hyperparameters' keys without a terminal: the pace ladder F4 steps through."""

from __future__ import annotations

from nntui.tui.controllers.hyperparameters import PACES, next_pace, pace_name


def test_pace_ladder_slows_down_then_wraps_to_no_cap():
    seen, pace = [], 0.0
    for _ in range(len(PACES)):
        pace = next_pace(pace)
        seen.append(pace)
    assert seen == [100.0, 30.0, 10.0, 3.0, 1.0, 0.0]
    assert next_pace(50.0) == 30.0  # a typed value joins the ladder
    assert next_pace(0.5) == 0.0
    assert [pace_name(p) for p in PACES[:2]] == ["no cap", "100 epochs/s"]
    assert pace_name(1.0) == "1 epoch/s" and pace_name(0.5) == "0.5 epochs/s"  # not "1 epochs/s"
