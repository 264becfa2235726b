"""Tests of one run's lifecycle: config -> data -> network -> trainer -> outcome, and the
observers every front end hands it (the run history, the JSON record)."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from nntui.config import make_config
from nntui.engine import BatchProgress, Control, EpochReport, Finished, Network
from nntui.insight.saturation import SaturationReport
from nntui.presets import PRESETS
from nntui.runner import lifecycle as lifecycle_module
from nntui.runner.lifecycle import (
    EpochKeeper,
    HistoryRecorder,
    JsonRecord,
    Run,
    RunEnded,
    RunObserver,
    RunObservers,
    RunStarted,
    cut_short,
    open_history,
    outcome_message,
)
from nntui.status import RunStatus
from nntui.storage.errors import RunFileError
from nntui.storage.history import HistoryError, RunHistory
from nntui.storage.records import load_run

XOR = PRESETS["xor"].config().replace(epochs=3, pace=0, train_size=200)


def _report(epoch: int, val_accuracy: float) -> EpochReport:
    return EpochReport(epoch=epoch, epochs=4, train_cost=0.5, train_accuracy=0.5, val_cost=0.5,
                       val_accuracy=val_accuracy, learning_speed=(0.1,), seconds=0.1,
                       examples_per_second=100.0, eta=0.1)


# --- a whole run -----------------------------------------------------------------------------

def test_a_run_tells_its_observers_everything_in_order(recorder) -> None:
    ended = Run(XOR, observers=[recorder]).execute()
    kinds = [type(e) for e in recorder.events if not isinstance(e, BatchProgress)]
    # The saturation statistics before training and, these epochs being small, after the last.
    assert kinds == [RunStarted, SaturationReport, EpochReport, EpochReport, EpochReport,
                     Finished, SaturationReport, RunEnded]
    started = recorder.of(RunStarted)[0]
    assert started.sizes == [2, 8, 8, 2] and started.n_train == 200
    assert started.held_out == "validation" and started.batches == 20  # ⌈200 / 10⌉
    assert started.network is ended.network
    assert ended is recorder.events[-1]
    assert ended.status is RunStatus.COMPLETED and ended.epochs_run == 3
    best = max(r.val_accuracy for r in recorder.of(EpochReport))
    assert ended.best_val_accuracy == best
    assert 0 <= ended.test_accuracy <= 1 and ended.seconds > 0 and ended.stopped_at is None
    assert ended.message.startswith("completed; best validation accuracy ")


def test_xor_trains_to_high_accuracy() -> None:
    config = PRESETS["xor"].config().replace(epochs=30, pace=0)
    keeper = EpochKeeper()
    ended = Run(config, observers=[keeper]).execute()
    assert ended.status is RunStatus.COMPLETED
    assert keeper.epochs[-1].val_accuracy > 0.9
    assert ended.test_accuracy > 0.9
    assert keeper.epochs[-1].train_cost < keeper.epochs[0].train_cost


def test_circle_trains_with_sigmoid_and_cross_entropy() -> None:
    config = make_config(dataset="circle", hidden="10", activation="sigmoid", output="sigmoid",
                         cost="cross-entropy", eta=1.0, epochs=40, regularization="none")
    ended = Run(config).execute()
    assert ended.best_val_accuracy > 0.9


def test_a_stop_says_where_the_run_stopped() -> None:
    control = Control()

    class StopInEpochTwo(RunObserver):
        def on_progress(self, progress: BatchProgress) -> None:
            if (progress.epoch, progress.batch) >= (2, 5):
                control.stop()

    ended = Run(XOR.replace(epochs=5), observers=[StopInEpochTwo()], control=control,
                progress_interval=0.0).execute()
    assert ended.status is RunStatus.STOPPED and ended.epochs_run == 1
    epoch, batch, batches = ended.stopped_at
    assert (epoch, batches) == (2, 20) and 5 <= batch < 20
    assert ended.detail.startswith(f"during epoch 2 after {batch} of 20 mini-batches")
    assert ended.network is not None and ended.test_accuracy is not None


def test_a_run_stopped_before_it_began_trains_nothing(recorder) -> None:
    control = Control()
    control.stop()
    ended = Run(XOR, observers=[recorder], control=control).execute()
    assert ended.status is RunStatus.STOPPED
    assert ended.message == "stopped before training began"
    assert recorder.events == [ended]  # nothing started


def test_a_diverging_run_keeps_no_network() -> None:
    ended = Run(XOR.replace(eta=100.0, output="linear", cost="quadratic")).execute()
    assert ended.status is RunStatus.DIVERGED and ended.status.failed
    assert ended.network is None and ended.test_accuracy is None
    assert "smaller η" in ended.message


def test_data_that_cannot_be_loaded_fail_the_run_with_the_reason(recorder, tmp_path) -> None:
    ended = Run(XOR.replace(dataset=str(tmp_path / "nowhere")), observers=[recorder]).execute()
    assert ended.status is RunStatus.FAILED
    assert ended.message.startswith("could not load the data: ")
    assert recorder.events == [ended]


def test_a_loaded_network_of_other_layers_is_refused() -> None:
    network = Network([2, 5, 2], activation="tanh", output="softmax", cost="log-likelihood")
    ended = Run(XOR, network=network).execute()
    assert ended.status is RunStatus.FAILED
    assert "the loaded network has layers 2-5-2" in ended.message
    assert "2-8-8-2" in ended.message


def test_a_loaded_network_trains_on_from_its_weights() -> None:
    first = Run(XOR).execute()
    before = [w.copy() for w in first.network.weights]
    again = Run(XOR.replace(epochs=1), network=first.network).execute()
    assert again.network is first.network
    assert any((w != b).any() for w, b in zip(again.network.weights, before, strict=True))


def test_a_bug_in_training_is_a_failed_run_not_a_crash(monkeypatch) -> None:
    from nntui.runner import lifecycle

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(lifecycle, "build_trainer", broken)
    ended = Run(XOR).execute()
    assert ended.status is RunStatus.FAILED
    assert ended.message == "training failed: RuntimeError: boom"


# --- the observers as one ----------------------------------------------------------------------

def test_every_observer_hears_the_end_even_if_one_fails_on_it() -> None:
    heard: list[str] = []

    class Failing(RunObserver):
        def on_run_end(self, ended: RunEnded) -> None:
            heard.append("failing")
            raise ValueError("the display broke")

    class Listening(RunObserver):
        def on_run_end(self, ended: RunEnded) -> None:
            heard.append("listening")

    observers = RunObservers([Failing(), Listening()])
    with pytest.raises(ValueError, match="the display broke"):
        observers.on_run_end(RunEnded(status=RunStatus.COMPLETED, message="done"))
    assert heard == ["failing", "listening"]


def test_an_event_handed_on_whole_reaches_its_method(recorder) -> None:
    observers = RunObservers([recorder, EpochKeeper()])
    report = _report(1, 0.5)
    observers.notify(report)
    assert recorder.events == [report] and observers.observers[1].epochs == [report]


def test_cut_short_keeps_the_epochs_and_ignores_unmeasured_ones() -> None:
    epochs = [_report(1, 0.5), _report(2, math.nan), _report(3, 0.75), _report(4, 0.7)]
    ended = cut_short(RunStatus.STOPPED, "its worker died", epochs, 12.5)
    assert (ended.status, ended.message, ended.detail) == (RunStatus.STOPPED,
                                                           "its worker died", "its worker died")
    assert (ended.epochs_run, ended.best_val_accuracy, ended.best_epoch) == (4, 0.75, 3)
    assert ended.seconds == 12.5 and ended.network is None
    nothing = cut_short(RunStatus.FAILED, "lost", [], 1.0)
    assert (nothing.best_val_accuracy, nothing.best_epoch) == (None, 0)


def test_outcome_message_names_the_held_out_set_and_the_test_accuracy() -> None:
    assert outcome_message(RunStatus.EARLY_STOP, "no better validation accuracy for 3 epochs",
                           9, 0.9632, 6, 0.9581, "validation") == (
        "early stop: no better validation accuracy for 3 epochs; best validation accuracy "
        "96.32 % at epoch 6; test accuracy 95.81 % at the end")
    assert outcome_message(RunStatus.STOPPED, "", 0, 0.0, 0, None, "test") == "stopped"


# --- recording ---------------------------------------------------------------------------------

def test_the_history_recorder_records_start_epochs_and_end(tmp_path: Path) -> None:
    warnings: list[str] = []
    config = PRESETS["xor"].config().replace(pace=0)  # still the preset: the pace aside
    with RunHistory(tmp_path / "runs.db") as history:
        recorder = HistoryRecorder(history, config, warnings.append, name="mine", group="g")
        ended = Run(config, observers=[recorder]).execute()
        run = history.get_run(recorder.run_id)
    assert warnings == []
    assert (run.name, run.group, run.preset) == ("mine", "g", "xor")
    assert run.status is RunStatus.COMPLETED and run.epochs_done == config.epochs
    assert run.test_accuracy == ended.test_accuracy and run.message == ended.message
    assert [r.epoch for r in run.history] == list(range(1, config.epochs + 1))


def test_a_run_that_fails_before_it_starts_is_recorded_too(tmp_path: Path) -> None:
    with RunHistory(tmp_path / "runs.db") as history:
        recorder = HistoryRecorder(history, XOR, pytest.fail)
        recorder.on_run_end(RunEnded(status=RunStatus.FAILED, message="could not load the data"))
        [run] = history.list_runs()
    assert run.id == recorder.run_id and run.status is RunStatus.FAILED
    assert run.message == "could not load the data" and run.held_out == "validation"


class Clock:
    """``time.monotonic`` for the recorders, moved by hand: a retry is due when the test says."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr(lifecycle_module.time, "monotonic", clock)
    return clock


class Full:
    """Stands in for a history's or a record's write: fails ``times`` times with ``error`` as a
    full disk would, then does the real thing; ``calls`` counts the tries."""

    def __init__(self, real, error: Exception, times: float = math.inf) -> None:
        self.real, self.error, self.times, self.calls = real, error, times, 0

    def __call__(self, *args, **kwargs):
        self.calls += 1
        if self.calls <= self.times:
            raise self.error
        return self.real(*args, **kwargs)


FULL = HistoryError("cannot write the run history: the disk is full")


def _start(held_out: str = "validation") -> RunStarted:
    return RunStarted(config=XOR, description="xor", sizes=[2, 3, 2], n_train=200,
                      held_out=held_out, batches=20, network=None)


def _end(epochs: int) -> RunEnded:
    return RunEnded(status=RunStatus.COMPLETED, message="completed", epochs_run=epochs,
                    best_val_accuracy=0.5, best_epoch=1, test_accuracy=0.5, seconds=3.0)


def test_a_full_history_keeps_the_epochs_and_writes_them_when_it_can(tmp_path: Path, clock,
                                                                     monkeypatch) -> None:
    """The disk fills at epoch 2 and has room again before epoch 5: every epoch is recorded,
    in order, and the run ends completed; the person hears it once each way."""
    warnings: list[str] = []
    back: list[str] = []
    with RunHistory(tmp_path / "runs.db") as history:
        full = Full(history.add_epoch, FULL)
        recorder = HistoryRecorder(history, XOR, warnings.append, recovered=back.append)
        recorder.on_run_start(_start())
        recorder.on_epoch(_report(1, 0.5))
        monkeypatch.setattr(history, "add_epoch", full)
        for epoch in (2, 3, 4):
            recorder.on_epoch(_report(epoch, 0.5))
            clock.now += 0.5  # a retry is due a second after the failure, then two, four…
        assert full.calls == 2, "tried at epoch 2 and once more at epoch 4, not at each epoch"
        assert [r.epoch for r in history.get_run(recorder.run_id).history] == [1]
        full.times = full.calls  # the disk has room again
        clock.now += 2
        recorder.on_epoch(_report(5, 0.6))
        recorder.on_run_end(_end(5))
        run = history.get_run(recorder.run_id)
    assert [r.epoch for r in run.history] == [1, 2, 3, 4, 5]
    assert run.status is RunStatus.COMPLETED and run.epochs_done == 5
    assert warnings == ["the run history could not be written (cannot write the run history: "
                        "the disk is full); nntui keeps this run's epochs and records them when "
                        "it can, training goes on"]
    assert back == ["the run history is written again: every epoch kept meanwhile is recorded"]
    assert recorder.kept is None


def test_what_a_full_history_cannot_take_is_kept_aside_and_finished_later(
        tmp_path: Path, monkeypatch) -> None:
    """Still full when the run ends: the rest is kept beside the history, which finishes the
    run the next time it is opened with room (once, however often it is opened)."""
    warnings: list[str] = []
    db = tmp_path / "runs.db"
    with RunHistory(db) as history:
        full = Full(history.add_epoch, FULL, times=math.inf)
        monkeypatch.setattr(history, "add_epoch", full)
        monkeypatch.setattr(history, "finish_run", Full(history.finish_run, FULL))
        recorder = HistoryRecorder(history, XOR, warnings.append, name="kept")
        ended = Run(XOR, observers=[recorder]).execute()
        assert history.get_run(recorder.run_id).status == "running"
    assert ended.status is RunStatus.COMPLETED
    assert recorder.kept is not None and recorder.kept.parent == tmp_path
    assert warnings[1] == (f"the run history could not take run 1's last 3 epochs and its end; "
                           f"they were kept in {recorder.kept} and go into the history the next "
                           f"time nntui opens it with room")
    kept = recorder.kept.read_text()
    with RunHistory(db) as history:
        assert history.recovered == [
            f"run 1 was finished in the run history from {recorder.kept}, where it was kept "
            f"while the history could not be written"]
        run = history.get_run(1)
        assert (run.name, run.status, run.epochs_done) == ("kept", RunStatus.COMPLETED, 3)
        assert [r.epoch for r in run.history] == [1, 2, 3]
        assert run.test_accuracy == ended.test_accuracy and run.message == ended.message
        assert not recorder.kept.exists()
        recorder.kept.write_text(kept)  # as if a second process had read it meanwhile
        assert history.recover_pending() == []
        assert [r.epoch for r in history.get_run(1).history] == [1, 2, 3]
        assert history.count() == 1 and not recorder.kept.exists()


def test_a_run_whose_start_could_not_be_recorded_is_kept_whole(tmp_path: Path,
                                                               monkeypatch) -> None:
    warnings: list[str] = []
    db = tmp_path / "runs.db"
    with RunHistory(db) as history:
        monkeypatch.setattr(history, "start_run", Full(history.start_run, FULL))
        recorder = HistoryRecorder(history, XOR, warnings.append, group="g")
        Run(XOR, observers=[recorder]).execute()
    assert recorder.run_id is None
    assert "could not take this run 3 epochs and its end" in warnings[1]
    with RunHistory(db) as history:
        (summary,) = history.list_runs()
        run = history.get_run(summary.id)
        assert (run.group, run.status, run.epochs_done, run.config) == (
            "g", RunStatus.COMPLETED, 3, XOR)


def test_a_kept_run_waits_while_the_history_is_still_full(tmp_path: Path,
                                                          monkeypatch) -> None:
    db = tmp_path / "runs.db"
    with RunHistory(db) as history:
        monkeypatch.setattr(history, "add_epoch", Full(history.add_epoch, FULL))
        monkeypatch.setattr(history, "finish_run", Full(history.finish_run, FULL))
        recorder = HistoryRecorder(history, XOR, print)
        Run(XOR, observers=[recorder]).execute()
    with monkeypatch.context() as still_full:
        still_full.setattr(RunHistory, "_apply_pending", Full(None, FULL))
        with RunHistory(db) as history:
            assert history.recovered == [] and history.recover_pending() == []
            assert history.get_run(1).epochs_done == 0
    assert recorder.kept.exists(), "kept for the next time"
    with RunHistory(db) as history:
        assert history.get_run(1).epochs_done == 3 and not recorder.kept.exists()


def test_a_run_deleted_while_it_trains_is_no_longer_recorded(tmp_path: Path) -> None:
    warnings: list[str] = []
    with RunHistory(tmp_path / "runs.db") as history:
        recorder = HistoryRecorder(history, XOR, warnings.append)
        recorder.on_run_start(_start())
        history.delete([recorder.run_id])
        recorder.on_epoch(_report(1, 0.5))
        recorder.on_epoch(_report(2, 0.5))
        recorder.on_run_end(_end(2))
        assert history.count() == 0
    assert warnings == ["the run was deleted from the run history while it trained; it is no "
                        "longer recorded"]
    assert recorder.kept is None and list(tmp_path.glob("*pending*")) == []


def test_the_json_record_is_written_and_says_how_the_run_ended(tmp_path: Path) -> None:
    path = tmp_path / "run.json"
    record = JsonRecord(XOR, path, pytest.fail)
    ended = Run(XOR, observers=[record]).execute()
    assert record.written and not record.failed
    saved = load_run(path)
    assert saved.status == "completed" and saved.message == ended.message
    assert len(saved.history) == 3


def test_a_json_record_without_a_path_stays_in_memory(tmp_path: Path) -> None:
    record = JsonRecord(XOR, None, warn=pytest.fail)
    record.on_epoch(EpochReport(epoch=1, epochs=2, train_cost=0.5, train_accuracy=0.9,
                                val_cost=0.6, val_accuracy=0.88, learning_speed=(0.1, 0.2),
                                seconds=1.5, examples_per_second=100.0, eta=0.5))
    record.on_run_end(RunEnded(status=RunStatus.COMPLETED, message="done", epochs_run=1,
                               best_val_accuracy=0.88, best_epoch=1, test_accuracy=0.87,
                               seconds=2.0))
    data = record.record.as_dict()
    assert record.written and data["status"] == "completed" and len(data["history"]) == 1
    assert list(tmp_path.iterdir()) == []


def test_a_json_record_that_cannot_be_written_is_kept_aside(tmp_path: Path, monkeypatch) -> None:
    warnings: list[str] = []
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    record = JsonRecord(XOR, tmp_path / "run.json", warnings.append)
    monkeypatch.setattr(record.record, "save", Full(record.record.save, RunFileError(
        "could not write run.json: No space left on device (the disk is full)")))
    ended = Run(XOR, observers=[record]).execute()
    assert record.failed and not record.written
    assert record.kept == tmp_path / "state" / "nntui" / "kept" / "run.json"
    assert warnings == [
        "the run record could not be written (could not write run.json: No space left on device "
        "(the disk is full)); nntui keeps it and writes it when it can, training goes on",
        f"the run record could not be written to {tmp_path / 'run.json'}, so the whole record was "
        f"kept as {record.kept}: move it there once there is room"]
    kept = load_run(record.kept)
    assert kept.status == "completed" and kept.message == ended.message
    assert [entry["epoch"] for entry in kept.history] == [1, 2, 3]
    assert not (tmp_path / "run.json").exists()


def test_a_json_record_is_written_again_once_there_is_room(tmp_path: Path, clock,
                                                           monkeypatch) -> None:
    warnings: list[str] = []
    record = JsonRecord(XOR, tmp_path / "run.json", warnings.append, recovered=warnings.append)
    full = Full(record.record.save, RunFileError("the disk is full"), times=1)
    monkeypatch.setattr(record.record, "save", full)
    for epoch in (1, 2):
        record.on_epoch(_report(epoch, 0.5))
        clock.now += 1.5
    record.on_run_end(_end(2))
    assert record.written and record.kept is None
    assert warnings == ["the run record could not be written (the disk is full); nntui keeps "
                        "it and writes it when it can, training goes on",
                        "the run record is written again, with every epoch"]
    assert [entry["epoch"] for entry in load_run(tmp_path / "run.json").history] == [1, 2]


def test_open_history_says_why_it_cannot_and_returns_none(tmp_path: Path) -> None:
    folder = tmp_path / "a-folder"
    folder.mkdir()
    warnings: list[str] = []
    assert open_history(folder, warnings.append) is None
    [warning] = warnings
    assert warning.startswith("the run history cannot be used (")
    assert warning.endswith("); runs will not be recorded")
