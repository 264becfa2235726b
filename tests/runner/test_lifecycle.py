"""Tests of one run's lifecycle: config -> data -> network -> trainer -> outcome, and the
observers every front end hands it (the run history, the JSON record)."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from nntui.config import make_config
from nntui.engine import BatchProgress, Control, EpochReport, Finished, Network
from nntui.presets import PRESETS
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
    assert kinds == [RunStarted, EpochReport, EpochReport, EpochReport, Finished, RunEnded]
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


def test_a_history_that_cannot_be_written_is_said_once_and_training_goes_on(
        tmp_path: Path, monkeypatch) -> None:
    warnings: list[str] = []
    with RunHistory(tmp_path / "runs.db") as history:
        def full(*args, **kwargs):
            raise HistoryError("database or disk is full")

        monkeypatch.setattr(history, "add_epoch", full)
        recorder = HistoryRecorder(history, XOR, warnings.append)
        ended = Run(XOR, observers=[recorder]).execute()
    assert ended.status is RunStatus.COMPLETED and recorder.failed
    assert warnings == ["the run history could not be written (database or disk is full); "
                        "training goes on without recording"]


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


def test_a_json_record_that_cannot_be_written_warns_once(tmp_path: Path, monkeypatch) -> None:
    warnings: list[str] = []
    record = JsonRecord(XOR, tmp_path / "run.json", warnings.append)

    def full(*args, **kwargs):
        raise RunFileError("could not write run.json: No space left on device")

    monkeypatch.setattr(record.record, "add_epoch", full)
    monkeypatch.setattr(record.record, "finish", full)
    Run(XOR, observers=[record]).execute()
    assert record.failed and not record.written
    assert warnings == ["the run record could not be written (could not write run.json: No "
                        "space left on device); training goes on"]


def test_open_history_says_why_it_cannot_and_returns_none(tmp_path: Path) -> None:
    folder = tmp_path / "a-folder"
    folder.mkdir()
    warnings: list[str] = []
    assert open_history(folder, warnings.append) is None
    [warning] = warnings
    assert warning.startswith("the run history cannot be used (")
    assert warning.endswith("); runs will not be recorded")
