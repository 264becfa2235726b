"""Tests of the saturation probe every run carries (``nntui.runner.saturation``): it measures
before training and after every epoch, on request during an epoch too, and the run history keeps
the epochs' measurements, read back as reports."""

from __future__ import annotations

from nntui.insight.saturation import SaturationReport, reports_from_dicts
from nntui.presets import PRESETS
from nntui.runner import saturation
from nntui.runner.lifecycle import HistoryRecorder, Run
from nntui.storage.history import RunHistory

XOR = PRESETS["xor"].config().replace(epochs=3, pace=0, train_size=200)


def test_a_run_measures_before_training_and_after_its_last_epoch(recorder) -> None:
    """200 examples an epoch, all of them the sample: only every 50th epoch would be measured,
    and the last."""
    Run(XOR.replace(epochs=120), observers=[recorder]).execute()
    assert [r.epoch for r in recorder.of(SaturationReport)] == [0, 50, 100, 120]


def test_large_epochs_are_each_measured(recorder, tmp_path, monkeypatch) -> None:
    """Epochs of at least 50 samples' worth of examples (MNIST's) are each measured: here every
    epoch counts, and the history keeps each one."""
    monkeypatch.setattr(saturation, "EVERY_SAMPLES", 1)
    with RunHistory(tmp_path / "runs.db") as history:
        keeper = HistoryRecorder(history, XOR, warn=print)
        Run(XOR, observers=[keeper, recorder]).execute()
        reports = recorder.of(SaturationReport)
        assert [(r.epoch, r.batch) for r in reports] == [(0, 0), (1, 0), (2, 0), (3, 0)]
        assert [layer.name for layer in reports[0].layers] == ["hidden 1", "hidden 2", "output"]
        assert reports[0].sample == 200  # fewer training examples than the sample: all of them
        # The limits of the first measurement are kept, and training moved z.
        assert all(r.layers[0].lo == reports[0].layers[0].lo for r in reports)
        assert reports[-1].layers[0].z_std != reports[0].layers[0].z_std
        assert reports_from_dicts(history.saturation(keeper.run_id)) == reports


def test_during_an_epoch_only_on_request_and_never_recorded(recorder, tmp_path) -> None:
    config = XOR.replace(epochs=1, train_size=2000, batch_size=1)
    with RunHistory(tmp_path / "runs.db") as history:
        keeper = HistoryRecorder(history, config, warn=print)
        Run(config, observers=[keeper, recorder], progress_interval=0.0,
            saturation_every=0.0).execute()
        during = [r for r in recorder.of(SaturationReport) if not r.at_epoch_end]
        assert during and all(r.epoch == 0 and 0 < r.batch < 2000 for r in during)
        assert [r["epoch"] for r in history.saturation(keeper.run_id)] == [0, 1]  # the last


def test_a_run_may_go_without(recorder) -> None:
    Run(XOR, observers=[recorder], saturation=False).execute()
    assert recorder.of(SaturationReport) == []
