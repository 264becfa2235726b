"""Pilot tests of the flows a person uses in the ``nntui`` app, on small synthetic data."""

from __future__ import annotations

import re
import signal
import time
from pathlib import Path

import pytest

from nntui.config import DEFAULTS, make_config
from nntui.engine import EpochReport
from nntui.presets import PRESETS
from nntui.runner import lifecycle as lifecycle_module
from nntui.storage.history import RunHistory
from nntui.storage.networks import load_network
from nntui.tui.app import NNTuiApp
from nntui.tui.dialogs.confirm import ConfirmScreen
from nntui.tui.dialogs.help import HelpScreen
from nntui.tui.screens.too_small import TooSmallScreen
from nntui.tui.widgets.form import ConfigForm
from nntui.tui.widgets.log import EpochLog
from nntui.tui.widgets.plots import AccuracyPlot, CostPlot, SpeedPlot
from nntui.tui.widgets.status import EpochProgress
from tests.tui.conftest import QUICK, SLOW, log_text, make_app, press, wait_for


async def test_a_run_fills_plots_log_and_record(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("f5")
        await wait_for(pilot, lambda: app.state == "completed")
        assert app.history_count == 4
        cost = app.query_one(CostPlot).series
        assert [s.label for s in cost] == ["training", "validation"]
        assert cost[0].x == [1.0, 2.0, 3.0, 4.0]
        accuracy = app.query_one(AccuracyPlot).series
        assert all(0 <= y <= 100 for s in accuracy for y in s.y)
        speed = app.query_one(SpeedPlot).series
        assert [s.label for s in speed] == ["hidden 1", "hidden 2", "output"]
        text = log_text(app)
        log = app.query_one(EpochLog)
        assert [e.epoch for e in log._entries if isinstance(e, EpochReport)] == [1, 2, 3, 4]
        assert f"{cost[1].y[-1]:.3f}" in text  # the last validation cost, as plotted
        assert "Run completed" in text
        with RunHistory(tmp_path / "runs.db") as history:
            [run] = history.list_runs()
            assert (run.status, run.epochs_done, run.held_out) == ("completed", 4, "validation")
            assert run.best_val_accuracy == max(app.query_one(AccuracyPlot).series[1].y) / 100
            assert [r.epoch for r in history.get_run(run.id).history] == [1, 2, 3, 4]
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.press("ctrl+s")  # a second save keeps the first
        await pilot.pause()
        saved = sorted(tmp_path.glob("*.npz"))
        assert len(saved) == 2
        with RunHistory(tmp_path / "runs.db") as history:
            assert history.list_runs()[0].network_path == str(tmp_path / f"{app.run_name}-2.npz")


async def test_pause_resume_and_stop(tmp_path):
    app = make_app(tmp_path, SLOW)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await press(pilot, "f5")
        await wait_for(pilot, lambda: app.state == "training" and app.status.epoch >= 1)
        await press(pilot, "f6")
        await wait_for(pilot, lambda: app.state == "paused")
        epoch, progress = app.status.epoch, app.run_state.batches
        await pilot.pause(0.3)
        assert app.state == "paused" and app.status.epoch == epoch
        assert app.control is not None and app.control.paused
        await press(pilot, "f6")
        await wait_for(pilot, lambda: app.state == "training")
        assert not app.control.paused
        await press(pilot, "f8")
        await wait_for(pilot, lambda: app.state == "stopped")
        assert app.control is None and app._worker_done.is_set()
        assert "Run stopped" in log_text(app)
        assert progress > 0


async def test_step_trains_one_epoch_at_a_time(tmp_path):
    config = SLOW.replace(train_size=2000)
    app = make_app(tmp_path, config)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await press(pilot, "f7")
        await wait_for(pilot, lambda: app.state == "paused")
        assert app.history_count == 1
        await press(pilot, "f7")
        await wait_for(pilot, lambda: app.history_count == 2 and app.state == "paused")
        await pilot.pause(0.2)
        assert app.history_count == 2
        await press(pilot, "f8")
        await wait_for(pilot, lambda: app.state == "stopped")


async def test_eta_keys_apply_live_and_batch_keys_to_the_next_run(tmp_path):
    app = make_app(tmp_path, SLOW)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await press(pilot, "f5")
        await wait_for(pilot, lambda: app.state == "training" and app.status.epoch >= 1)
        await press(pilot, "f10")
        await wait_for(pilot, lambda: abs((app.status.eta or 0) - 0.5) < 1e-9)
        assert app.form.field("eta").raw == "0.5"
        assert "η → 0.5 (live" in log_text(app)
        await press(pilot, "f9", "f9")
        await wait_for(pilot, lambda: abs((app.status.eta or 0) - 0.005) < 1e-9)
        assert app.form.field("eta").raw == "0.005"
        await press(pilot, "ctrl+t")
        await pilot.pause(0.1)
        assert app.form.field("batch_size").raw == "2"
        assert app.run_config is not None and app.run_config.batch_size == 1
        await press(pilot, "ctrl+g", "ctrl+g")
        await pilot.pause(0.1)
        assert app.form.field("batch_size").raw == "1"  # never below 1
        await press(pilot, "f8")
        await wait_for(pilot, lambda: app.state == "stopped")


async def test_eta_keys_when_idle_only_change_the_form(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("f10")
        await pilot.pause()
        assert app.form.field("eta").raw == "1"
        await pilot.press("f10", "f10", "f10")  # 1000 is out of range: refused, stays 100
        await pilot.pause()
        assert app.form.field("eta").raw == "100"
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert app.form.field("eta").raw == "0.1"


async def test_invalid_field_is_shown_and_start_refused(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        field = app.form.field("eta")
        field.editor.focus()
        await pilot.press("ctrl+u", "a", "b", "c")
        await pilot.pause()
        assert field.has_class("-invalid")
        assert "'abc' is not a number" in str(field.query_one(".field-error").render())
        hidden = app.form.field("hidden")
        hidden.editor.focus()
        await pilot.press("end", ",", "x")
        await pilot.press("f5")
        await pilot.pause()
        assert app.state == "ready" and app.run_number == 0
        messages = [n.message for n in app._notifications]
        assert any("η" in m and "hidden layers" in m for m in messages)
        field.editor.focus()
        await pilot.press("ctrl+u", "0", ".", "2")
        await pilot.pause()
        assert not field.has_class("-invalid")


async def test_combination_problem_is_shown_under_its_field(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        app.form.field("output").set_raw("sigmoid")  # log-likelihood needs softmax
        await pilot.pause()
        await pilot.press("f5")
        await pilot.pause()
        assert app.state == "ready"
        assert app.form.field("cost").has_class("-invalid")


async def test_quit_asks_while_training_and_stops_the_worker(tmp_path):
    app = make_app(tmp_path, SLOW)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await press(pilot, "f5")
        await wait_for(pilot, lambda: app.state == "training")
        await press(pilot, "ctrl+q")
        await pilot.pause(0.1)
        assert isinstance(app.screen, ConfirmScreen)
        await press(pilot, "n")
        await pilot.pause(0.1)
        assert not isinstance(app.screen, ConfirmScreen) and app.state == "training"
        await press(pilot, "ctrl+q")
        await pilot.pause(0.1)
        await press(pilot, "y")
        await wait_for(pilot, lambda: app._worker_done.is_set())
    assert app._worker_done.is_set()
    assert app.return_code == 0


async def test_quit_without_a_run_exits_at_once(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+q")
        await pilot.pause()
    assert app.return_code == 0


async def test_exception_in_training_is_reported_and_app_survives(tmp_path, monkeypatch):
    def explode(*args, **kwargs):
        raise RuntimeError("boom in the trainer")

    monkeypatch.setattr(lifecycle_module, "build_trainer", explode)
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("f5")
        await wait_for(pilot, lambda: app.state == "failed")
        assert "boom in the trainer" in log_text(app)
        assert any("boom" in n.message for n in app._notifications)
        field = app.form.field("epochs")
        field.editor.focus()
        await pilot.press("ctrl+u", "7")
        await pilot.pause()
        assert field.raw == "7"
        monkeypatch.undo()
        await pilot.press("f5")
        await wait_for(pilot, lambda: app.state == "completed")
        assert app.history_count == 7


async def test_a_diverging_run_says_so(tmp_path):
    config = make_config(dataset="circle", hidden="8", output="linear", cost="quadratic",
                         eta=100, train_size=200, epochs=20, regularization="none", lmbda=0)
    app = make_app(tmp_path, config)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("f5")
        await wait_for(pilot, lambda: app.state not in ("ready", "loading data", "training"))
        assert app.state == "diverged"
        assert "smaller η" in log_text(app)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert not list(tmp_path.glob("*.npz"))  # NaN weights are not worth a file
        assert any("No trained network" in n.message for n in app._notifications)


async def test_save_while_paused_saves_the_running_network(tmp_path):
    app = make_app(tmp_path, SLOW.replace(train_size=2000))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await press(pilot, "f7")  # one epoch, then paused
        await wait_for(pilot, lambda: app.state == "paused")
        await press(pilot, "ctrl+s")
        saved = list(tmp_path.glob("*.npz"))
        assert len(saved) == 1 and app.run_name in saved[0].name
        config, network = load_network(saved[0])
        assert config == app.run_config
        assert network.sizes == [2, 16, 2]
        await press(pilot, "f8")
        await wait_for(pilot, lambda: app.state == "stopped")


async def test_an_unusable_run_history_warns_and_training_goes_on(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    app = NNTuiApp(QUICK, runs_dir=tmp_path, runs_db=blocker / "runs.db", show_timing=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert any("run history cannot be used" in n.message for n in app._notifications)
        assert "not recorded" in str(app.query_one("#status").render())
        await pilot.press("f5")
        await wait_for(pilot, lambda: app.state == "completed")
        assert app.history_count == 4


async def test_a_damaged_run_history_warns_and_training_goes_on(tmp_path):
    (tmp_path / "runs.db").write_bytes(b"this is not an SQLite database" * 100)
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert any("run history" in n.message for n in app._notifications)
        await pilot.press("f5")
        await wait_for(pilot, lambda: app.state == "completed")


async def test_the_preset_a_run_came_from_is_recorded(tmp_path):
    app = make_app(tmp_path, DEFAULTS)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        app.apply_preset("xor")
        await pilot.pause()
        app.form.field("epochs").set_raw("3")  # a changed preset is no longer the preset
        app.form.field("pace").set_raw("0")
        await pilot.pause()
        await pilot.press("f5")
        await wait_for(pilot, lambda: app.state == "completed")
        app.apply_preset("xor")
        await pilot.pause()
        app.form.field("pace").set_raw("0")  # the pace alone does not change what a run is
        await pilot.pause()
        await pilot.press("f5")
        await wait_for(pilot, lambda: app.run_number == 2 and app.state == "completed",
                       timeout=30)
        with RunHistory(tmp_path / "runs.db") as history:
            assert [run.preset for run in history.list_runs()] == ["xor", ""]


async def test_help_screen_and_command_palette_preset(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, HelpScreen)
        app.apply_preset("spiral")
        await pilot.pause()
        assert app.form.field("dataset").raw == "spiral"
        assert app.form.field("hidden").raw == "16,16,16"
        await pilot.press("ctrl+l")
        await pilot.pause()
        assert app.query_one(CostPlot).log_scale


async def test_palette_lists_actions_and_presets(tmp_path):
    from nntui.tui.commands import NNTuiCommands

    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        provider = NNTuiCommands(app.screen)
        names = [name for name, _, _ in provider._entries()]
        for action in ("Start", "Pause", "Step", "Stop", "η×10", "η÷10", "Pace", "Help", "Quit"):
            assert action in names
        assert any(name.startswith("Preset: XOR") for name in names)


@pytest.mark.parametrize("size", [(70, 20), (79, 40), (120, 23)])
async def test_too_small_terminal_says_so_and_recovers(tmp_path, size):
    app = make_app(tmp_path)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, TooSmallScreen)
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        assert not isinstance(app.screen, TooSmallScreen)
        assert app.screen.query_one(ConfigForm)


def progress_text(app: NNTuiApp) -> tuple[str, str]:
    """What the progress bar's two labels say: ("epoch 3", "4281/5000 batches")."""
    bar = app.query_one(EpochProgress)
    return (str(bar.query_one("#progress-label").render()),
            str(bar.query_one("#progress-count").render()))


async def test_f5_during_a_run_asks_first_and_keeps_the_run_by_default(tmp_path):
    app = make_app(tmp_path, SLOW)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await press(pilot, "f5")
        await wait_for(pilot, lambda: app.state == "training")
        await press(pilot, "f5")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await press(pilot, "enter")  # the focused answer is the safe one
        await pilot.pause(0.1)
        assert not isinstance(app.screen, ConfirmScreen)
        assert app.state == "training" and app.run_number == 1
        await press(pilot, "f5")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await press(pilot, "escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, ConfirmScreen))
        assert app.state == "training" and app.run_number == 1
        await press(pilot, "f5")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await press(pilot, "y")
        await wait_for(pilot, lambda: app.run_number == 2 and app.state == "training")
        assert "Run 2:" in log_text(app)
        await press(pilot, "f8")
        await wait_for(pilot, lambda: app.state == "stopped")


async def test_pause_step_and_stop_name_the_epoch_the_bar_shows(tmp_path):
    app = make_app(tmp_path, SLOW.replace(train_size=2000))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await press(pilot, "f7")  # starts a run that pauses after epoch 1
        await wait_for(pilot, lambda: app.state == "paused")
        assert "Paused after epoch 1 (F6 resumes, F7 trains epoch 2)" in log_text(app)
        assert app.status.epoch == 1
        assert progress_text(app) == ("epoch 1", "2000/2000 batches")
        await press(pilot, "f7")
        assert "Step: training epoch 2, then pausing" in log_text(app)
        await wait_for(pilot, lambda: app.state == "paused" and app.history_count == 2)
        assert "Paused after epoch 2" in log_text(app)
        assert progress_text(app)[0] == "epoch 2" and app.status.epoch == 2
        await press(pilot, "f8")
        await wait_for(pilot, lambda: app.state == "stopped")
        assert "after 2 complete epochs" in log_text(app) or "2 complete" in log_text(app)
        assert progress_text(app) == ("epoch 2", "2000/2000 batches")


async def test_pause_and_stop_mid_epoch_agree_with_the_bar(tmp_path):
    app = make_app(tmp_path, SLOW)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await press(pilot, "f5")
        await wait_for(pilot, lambda: app.state == "training" and app.position[1] > 0)
        await press(pilot, "f6")
        await wait_for(pilot, lambda: app.state == "paused")
        epoch, batch, batches = app.position
        assert 0 < batch < batches
        assert (f"Paused in epoch {epoch} after {batch:,} of {batches:,} mini-batches"
                in log_text(app))
        assert progress_text(app) == (f"epoch {epoch}", f"{batch}/{batches} batches")
        await press(pilot, "f7")
        assert f"Step: finishing epoch {epoch}, then pausing" in log_text(app)
        await wait_for(pilot, lambda: app.state == "paused" and app.history_count == epoch)
        await press(pilot, "f6")
        await wait_for(pilot, lambda: app.state == "training" and app.position[1] > 0)

        def legend() -> list[str]:
            return [s.label for s in app.query_one(CostPlot).header.series]

        await wait_for(pilot, lambda: "mini-batch (this epoch)" in legend())
        await press(pilot, "f8")
        await wait_for(pilot, lambda: app.state == "stopped")
        assert "mini-batch (this epoch)" not in legend()  # no epoch is running any more
        epoch, batch, batches = app.position
        label, count = progress_text(app)
        assert label == f"epoch {epoch}" and count == f"{batch}/{batches} batches"
        assert f"after {batch:,} of {batches:,} mini-batches" in log_text(app)


async def test_loading_a_preset_updates_the_status_line(tmp_path):
    app = make_app(tmp_path, DEFAULTS)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert "mnist" in app.status.detail
        app.apply_preset("xor")
        await pilot.pause()
        assert app.status.detail.startswith("preset xor: xor hidden=8,8 tanh/softmax")
        field = app.form.field("eta")
        field.editor.focus()
        await pilot.press("ctrl+u", "0", ".", "3")
        await pilot.pause()
        assert "η=0.3" in app.status.detail and "preset" not in app.status.detail


async def test_fields_the_data_set_does_not_use_are_hidden(tmp_path):
    app = make_app(tmp_path, DEFAULTS)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()

        def shown(name: str) -> bool:
            return app.form.field(name).display

        assert not shown("noise") and not shown("neuron_w") and shown("train_size")
        app.form.field("dataset").set_raw("spiral")
        await pilot.pause()
        assert shown("noise") and not shown("neuron_b")
        app.form.field("dataset").set_raw("neuron")
        await pilot.pause()
        assert shown("neuron_w") and shown("neuron_b") and not shown("train_size")
        # A value that is wrong for the data set stays in sight with its error.
        app.form.field("train_size").set_raw("5")
        await pilot.press("f5")
        await pilot.pause()
        assert app.state == "ready" and shown("train_size")


async def test_a_run_on_the_test_set_is_labelled_test(tmp_path):
    app = make_app(tmp_path, QUICK.replace(validate_on="test"))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("f5")
        await wait_for(pilot, lambda: app.state == "completed")
        assert [s.label for s in app.query_one(CostPlot).series] == ["training", "test"]
        assert [s.label for s in app.query_one(AccuracyPlot).series] == ["training", "test"]
        assert "best test accuracy" in log_text(app)
        assert "validation" not in log_text(app)


async def test_pace_caps_epochs_per_second_and_f4_changes_it_live(tmp_path):
    app = make_app(tmp_path, QUICK.replace(epochs=1000, pace=5))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await press(pilot, "f5")
        await wait_for(pilot, lambda: app.history_count >= 1)
        await pilot.pause(1.0)
        assert app.history_count <= 8  # about 5 a second, where uncapped it runs hundreds
        assert app.status.pace == 5
        await press(pilot, "f4")
        await wait_for(pilot, lambda: app.status.pace == 3)
        assert app.form.field("pace").raw == "3"
        assert "Pace → 3 epochs/s (live)" in log_text(app)
        app.form.field("pace").set_raw("0")  # typed: no cap, at once
        await wait_for(pilot, lambda: app.state == "completed", timeout=60)
        assert app.history_count == 1000


async def test_help_says_which_keys_work_while_typing(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        field = app.form.field("hidden")
        field.editor.focus()
        await pilot.press("end", "?")
        await pilot.pause()
        assert field.raw.endswith("?") and not isinstance(app.screen, HelpScreen)
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = app.screen.query_one("Markdown").source
        assert "also while typing in a field" in text and "outside text fields" in text


async def test_80x24_shows_the_essential_keys_titles_and_status(tmp_path):
    app = make_app(tmp_path, QUICK.replace(epochs=3, pace=0))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("f5")
        await wait_for(pilot, lambda: app.state == "completed")
        await pilot.pause()
        lines = [strip.text for strip in app.screen._compositor.render_strips()]
        footer = lines[-1]
        for key in ("f5 Start", "f6 Pause", "f8 Stop", "f1 Help", "^q Quit"):
            assert key in footer, footer
        screen = "\n".join(lines)
        for title in ("Cost", "Acc", "Boundary"):  # a 2-D set: the plane, not the speeds
            assert title in screen
        assert "● completed  epoch 3/3  η 0.1" in lines[0]
        log = app.query_one(EpochLog)
        whole = re.compile(r"^ *[123] \d\.\d{3} +\d+\.\d{2}% *$")  # epoch, cost, accuracy
        assert sum(bool(whole.match(line.text)) for line in log.lines) == 3  # none wrapped


def record_runs(path: Path, etas: list[float], *, pin: bool = True) -> list[int]:
    """Train tiny XOR runs at each η through the real lifecycle, recorded (and pinned) in the
    history at ``path``; returns their ids."""
    from nntui.runner.lifecycle import HistoryRecorder, Run

    ids = []
    with RunHistory(path) as history:
        for eta in etas:
            config = QUICK.replace(eta=eta, pace=0)
            recorder = HistoryRecorder(history, config, print, name=f"η={eta:g}")
            Run(config, observers=[recorder]).execute()
            ids.append(recorder.run_id)
            history.set_pinned(recorder.run_id, pin)
    return ids


async def test_pinned_runs_are_drawn_beside_the_live_run(tmp_path):
    record_runs(tmp_path / "runs.db", [0.025, 2.5])
    app = make_app(tmp_path, QUICK.replace(pace=0))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()

        def labels(plot) -> list[str]:
            return [s.label for s in app.query_one(plot).series]

        assert labels(CostPlot) == ["η=0.025", "η=2.5"]  # before any run, the pinned ones
        await pilot.press("f5")
        await wait_for(pilot, lambda: app.state == "completed")
        assert labels(CostPlot) == ["this run", "η=0.025", "η=2.5"]
        assert labels(SpeedPlot) == ["this run", "η=0.025", "η=2.5"]
        assert [s.role for s in app.query_one(AccuracyPlot).series] == [
            "held-out", "overlay", "overlay"]
        legend = [s.label for s in app.query_one(CostPlot).header.series]
        assert legend == ["this run", "η=0.025", "η=2.5"]
        assert app.query_one(CostPlot).note == "validation"
        await pilot.press("ctrl+b")  # every run's training curves instead
        await pilot.pause()
        assert app.query_one(CostPlot).note == "training"
        roles = [s.role for s in app.query_one(CostPlot).series]
        assert roles == ["training", "overlay", "overlay"]
        await pilot.press("f3")  # the live run alone, both its curves
        await pilot.pause()
        assert labels(CostPlot) == ["training", "validation"]
        assert app.query_one(CostPlot).note == ""


async def test_json_records_of_earlier_versions_join_the_history_once(tmp_path, monkeypatch):
    from nntui.runner.lifecycle import JsonRecord, Run

    old = tmp_path / "old"
    config = QUICK.replace(pace=0)
    Run(config, observers=[JsonRecord(config, old / "20261124-021652-2-xor.json", print)]).execute()
    monkeypatch.setenv("NNTUI_RUNS_DIR", str(old))
    for _ in range(2):
        app = make_app(tmp_path)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
    with RunHistory(tmp_path / "runs.db") as history:
        [run] = history.list_runs()
        assert run.status == "completed" and run.epochs_done == 4


@pytest.mark.parametrize(("signum", "code"), [(signal.SIGTERM, 143), (signal.SIGHUP, 129)])
def test_the_app_stops_records_and_restores_the_terminal_on_a_signal(tmp_path, signum, code):
    """The real app on a pseudo-terminal: F5, then SIGTERM or SIGHUP once epochs are recorded."""
    import fcntl
    import os
    import pty
    import struct
    import subprocess
    import sys
    import termios

    db = tmp_path / "runs.db"
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    env = {**os.environ, "TERM": "xterm-256color", "NNTUI_RUNS_DIR": str(tmp_path)}
    process = subprocess.Popen(
        [sys.executable, "-m", "nntui", "--dataset", "circle", "--hidden", "16",
         "--train-size", "20000", "--batch-size", "1", "--epochs", "50", "--runs-db", str(db)],
        stdin=slave, stdout=slave, stderr=slave, env=env, start_new_session=True)
    os.close(slave)
    output = bytearray()

    def read(seconds: float) -> None:
        import select

        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.05)
            if ready:
                try:
                    output.extend(os.read(master, 65536))
                except OSError:
                    return

    try:
        read(4)  # the first screen
        os.write(master, b"\x1b[15~")  # F5
        deadline = time.monotonic() + 60
        epochs = 0
        while time.monotonic() < deadline and not epochs:
            read(0.3)
            if db.exists():
                with RunHistory(db) as history:
                    runs = history.list_runs()
                    epochs = runs[0].epochs_done or 0 if runs else 0
        assert epochs, "no epoch was recorded within 60 s"
        process.send_signal(signum)
        end = time.monotonic() + 30
        while process.poll() is None and time.monotonic() < end:
            read(0.2)
        read(0.5)
    finally:
        if process.poll() is None:
            process.kill()
        process.wait()
        os.close(master)
    assert process.returncode == code
    assert b"\x1b[?1049l" in output  # left the alternate screen
    assert b"Traceback" not in output
    with RunHistory(db) as history:
        [run] = history.list_runs()
        assert run.status == "stopped" and run.epochs_done >= 1


async def test_runs_screen_loads_a_config_a_network_and_pins(tmp_path):
    from nntui.tui.screens.runs import RunsAction, RunsScreen

    first, second = record_runs(tmp_path / "runs.db", [0.025, 2.5], pin=False)
    app = make_app(tmp_path, DEFAULTS)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("f2")
        await pilot.pause()
        assert isinstance(app.screen, RunsScreen)
        await pilot.press("escape")
        await pilot.pause()
        # What the screen hands back when a person presses l, p or n on a run:
        app._runs_closed(RunsAction("load-config", first))
        await pilot.pause()
        assert app.form.field("dataset").raw == "xor" and app.form.field("eta").raw == "0.025"
        app.history.set_pinned(second, True)
        app._runs_closed(RunsAction("pins-changed", second))
        await pilot.pause()
        assert [s.label for s in app.query_one(CostPlot).series] == ["η=2.5"]
        # A network saved from a run trains on from its weights.
        await pilot.press("f5")
        await wait_for(pilot, lambda: app.state == "completed")
        await pilot.press("ctrl+s")
        await pilot.pause()
        run_id = app._session.recorder.run_id
        trained = app.network.weights[0].copy()
        app._runs_closed(RunsAction("load-network", run_id))
        await wait_for(pilot, lambda: "test accuracy:" in log_text(app))
        assert app.loaded_network is not None
        await pilot.press("f5")
        await wait_for(pilot, lambda: app.run_number == 2 and app.state == "completed")
        assert "from the loaded network's weights" in log_text(app)
        assert app.loaded_network is None
        assert not (app.network.weights[0] == trained).all()  # it trained on


async def test_a_comparison_runs_its_variants_and_pins_each_beside_the_next(tmp_path,
                                                                           monkeypatch):
    from nntui.tui import app as app_module
    from nntui.tui.commands import NNTuiCommands

    monkeypatch.setattr(app_module, "COMPARISON_PACE", {})  # as fast as it goes, for the test
    record_runs(tmp_path / "runs.db", [0.5])  # pinned before: the comparison unpins it
    app = make_app(tmp_path, DEFAULTS)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        names = [name for name, _, _ in NNTuiCommands(app.screen)._entries()]
        assert "Compare: Nielsen ch. 3: the saturated neuron, quadratic vs cross-entropy" in names
        app.start_comparison("saturated-neuron")
        await wait_for(pilot, lambda: app.comparison is None and not app.running, timeout=60)
        labels = ["quadratic η=0.15", "cross-entropy η=0.15", "cross-entropy η=0.005",
                  "quadratic w=0.6 b=0.9"]
        assert [s.label for s in app.query_one(CostPlot).series] == labels
        # One example is always classed right: the accuracy plot shows the neuron's output a.
        output = app.query_one(AccuracyPlot)
        assert output.titles[0] == "The neuron's output a per epoch"
        assert [s.label for s in output.series] == labels
        starts = [s.y[0] for s in output.series]
        assert starts[:3] == pytest.approx([0.982] * 3, abs=1e-3)  # σ(2 + 2)
        assert starts[3] == pytest.approx(0.818, abs=1e-3)  # σ(0.6 + 0.9)
        ends = {s.label: s.y[-1] for s in output.series}
        # After 300 steps from the saturated start, cross-entropy (η=0.15) has brought the output
        # near its target 0; the quadratic cost, slowed by σ', is still far from it.
        assert ends["cross-entropy η=0.15"] < 0.1 < ends["quadratic η=0.15"]
        assert "Comparison done" in log_text(app) and "Watch:" in log_text(app)
        with RunHistory(tmp_path / "runs.db") as history:
            runs = [run for run in history.list_runs() if run.group == "saturated-neuron"]
            assert sorted(run.name for run in runs) == sorted(labels)
            assert [run.name for run in history.list_runs() if run.pinned][::-1] == labels


async def test_a_single_neuron_run_plots_its_output_in_place_of_accuracy(tmp_path):
    config = PRESETS["neuron-quadratic"].config().replace(epochs=30, pace=0.0)
    app = make_app(tmp_path, config)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("f5")
        await wait_for(pilot, lambda: app.state == "completed")
        plot = app.query_one(AccuracyPlot)
        assert plot.titles[0] == "The neuron's output a per epoch"
        assert plot.canvas.axis.bounds == (0.0, 1.0)
        (output,) = plot.series
        assert output.label == "output a" and output.x[0] == 0 and output.x[-1] == 30
        assert output.y[0] == pytest.approx(0.982, abs=1e-3) and output.y[-1] < output.y[0]
        # Back to accuracy for a run with more than one example.
        app.form.load(DEFAULTS.replace(dataset="xor", epochs=2))
        await pilot.press("f5")
        await wait_for(pilot, lambda: app.run_number == 2 and app.state == "completed")
        assert plot.titles[0] == "Accuracy per epoch (%)"
        assert [s.label for s in plot.series] == ["training", "validation"]


async def test_a_recorder_failing_on_the_run_s_end_still_ends_the_run_in_the_app(tmp_path,
                                                                                 monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("the history broke in an unexpected way")

    monkeypatch.setattr(RunHistory, "finish_run", broken)
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("f5")
        await wait_for(pilot, lambda: not app.running)
        assert app.state == "completed"  # the app heard the outcome, whatever the recorder did
