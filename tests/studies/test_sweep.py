"""Tests of a sweep on the client, its runs trained in this process: what it keeps of each run,
its JSON record, a stop, and leaving at once."""

from __future__ import annotations

from pathlib import Path

import pytest

from nntui.engine import EpochReport
from nntui.presets import PRESETS
from nntui.runner.signals import Interrupted
from nntui.status import RunStatus
from nntui.storage.history import RunHistory
from nntui.studies.plan import plan_sweep
from nntui.studies.sweep import InProcess, Sweep

XOR = PRESETS["xor"].config().replace(pace=0, epochs=5)


def test_in_process_stop_keeps_finished_runs_and_skips_the_rest(make_recorder) -> None:
    runs = plan_sweep(XOR, ["eta=0.1,0.2,0.3"])
    stops: list = []

    def observers_for(run):
        def observe(event):
            if run.index == 1 and isinstance(event, EpochReport) and event.epoch == 2:
                sweep.stop()
                stops.append(run.label)
        return [make_recorder(observe)]

    sweep = Sweep("stop-test", runs, observers_for=observers_for)
    results = sweep.execute(InProcess())
    assert stops == ["η=0.2"]
    assert [r.state for r in results] == ["completed", "stopped", RunStatus.NOT_RUN]
    assert results[1].ended.epochs_run == 2 and results[2].ended is None


def test_each_result_follows_its_run_and_its_record_is_the_json_of_nntui_train(
        tmp_path: Path) -> None:
    runs = plan_sweep(XOR, ["seed=1,2"])
    with RunHistory(tmp_path / "runs.db") as history:
        results = Sweep("records", runs, history=history).execute(InProcess())
        recorded = {r.id: r for r in history.list_runs()}
    for result in results:
        assert result.final and result.state == "completed" and result.attempts == 1
        assert result.epoch == 5 and len(result.history) == 5 and result.worker == ""
        assert result.held_out == "validation"
        assert result.best == max(report.val_accuracy for report in result.history)
        assert result.last_cost == result.history[-1].train_cost
        assert recorded[result.run_id].name == result.label
        entry = result.as_record()
        assert (entry["label"], entry["run_id"], entry["attempts"]) == (result.label,
                                                                        result.run_id, 1)
        assert entry["status"] == "completed" and len(entry["history"]) == 5


def test_leaving_at_once_records_the_running_run_stopped_and_the_rest_not_run(
        tmp_path: Path, make_recorder) -> None:
    """A second Ctrl+C in the middle of the second run: it is recorded as stopped with the
    epochs it finished, the third is not run (nor recorded)."""
    runs = plan_sweep(XOR, ["eta=0.1,0.2,0.3"])

    def observers_for(run):
        def observe(event):
            if run.index == 1 and isinstance(event, EpochReport) and event.epoch == 3:
                raise Interrupted
        return [make_recorder(observe)]

    with RunHistory(tmp_path / "runs.db") as history:
        sweep = Sweep("at-once", runs, history=history, observers_for=observers_for)
        with pytest.raises(Interrupted):
            sweep.execute(InProcess())
        ended = sweep.abandon("stopped at once by a second Ctrl+C")
        recorded = {r.name: r for r in history.list_runs()}
    assert ended == [sweep.results[1]]
    assert [r.state for r in sweep.results] == ["completed", "stopped", RunStatus.NOT_RUN]
    assert sweep.results[1].ended.epochs_run == 3
    assert recorded["η=0.2"].status == "stopped" and recorded["η=0.2"].epochs_done == 3
    assert "η=0.3" not in recorded
