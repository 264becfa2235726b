"""Pilot tests of the flows a person uses on the dashboard, on small synthetic data: a run and
its keys, the form, the plots and the log."""

from __future__ import annotations

import re

import pytest

from nntui.config import DEFAULTS, make_config
from nntui.engine import EpochReport
from nntui.presets import PRESETS
from nntui.runner import lifecycle as lifecycle_module
from nntui.storage.history import RunHistory
from nntui.storage.networks import load_network
from nntui.tui.app import NNTuiApp
from nntui.tui.dialogs.confirm import ConfirmScreen
from nntui.tui.widgets.boundary import BoundaryPanel
from nntui.tui.widgets.log import EpochLog
from nntui.tui.widgets.plots import AccuracyPlot, CostPlot, SpeedPlot
from nntui.tui.widgets.status import EpochProgress


async def test_a_run_fills_plots_log_and_record(tmp_path, wait_for, log_text, open_app):
    async with open_app() as (app, pilot, run):
        await pilot.press("f5")
        await wait_for(pilot, lambda: run.state == "completed")
        assert run.epochs_seen == 4
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
        assert f"Run {run.record_id} completed" in text
        with RunHistory(tmp_path / "runs.db") as history:
            [record] = history.list_runs()
            assert (record.status, record.epochs_done, record.held_out) == (
                "completed", 4, "validation")
            assert record.best_val_accuracy == max(app.query_one(AccuracyPlot).series[1].y) / 100
            assert [r.epoch for r in history.get_run(record.id).history] == [1, 2, 3, 4]
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.press("ctrl+s")  # a second save keeps the first
        await pilot.pause()
        saved = sorted(tmp_path.glob("*.npz"))
        assert len(saved) == 2
        with RunHistory(tmp_path / "runs.db") as history:
            assert history.list_runs()[0].network_path == str(tmp_path / f"{run.name}-2.npz")


async def test_pause_resume_and_stop(press, wait_for, log_text, slow, open_app):
    async with open_app(slow) as (app, pilot, run):
        await press(pilot, "f5")
        await wait_for(pilot, lambda: run.state == "training" and run.status.epoch >= 1)
        await press(pilot, "f6")
        await wait_for(pilot, lambda: run.state == "paused")
        epoch, progress = run.status.epoch, run.batches
        await pilot.pause(0.3)
        assert run.state == "paused" and run.status.epoch == epoch
        assert run.control is not None and run.control.paused
        await press(pilot, "f6")
        await wait_for(pilot, lambda: run.state == "training")
        assert not run.control.paused
        await press(pilot, "f8")
        await wait_for(pilot, lambda: run.state == "stopped")
        assert run.control is None and app.dashboard.training.done
        assert f"Run {run.record_id} stopped" in log_text(app)
        assert progress > 0


async def test_step_trains_one_epoch_at_a_time(press, wait_for, slow, open_app):
    config = slow.replace(train_size=2000)
    async with open_app(config) as (_, pilot, run):
        await press(pilot, "f7")
        await wait_for(pilot, lambda: run.state == "paused")
        assert run.epochs_seen == 1
        await press(pilot, "f7")
        await wait_for(pilot, lambda: run.epochs_seen == 2 and run.state == "paused")
        await pilot.pause(0.2)
        assert run.epochs_seen == 2
        await press(pilot, "f8")
        await wait_for(pilot, lambda: run.state == "stopped")


async def test_eta_keys_apply_live_and_batch_keys_to_the_next_run(press, wait_for, log_text, slow,
                                                                  notes, open_app):
    async with open_app(slow) as (app, pilot, run):
        await press(pilot, "f5")
        await wait_for(pilot, lambda: run.state == "training" and run.status.epoch >= 1)
        await press(pilot, "f10")
        await wait_for(pilot, lambda: abs((run.status.eta or 0) - 0.5) < 1e-9)
        assert app.dashboard.form.field("eta").raw == "0.5"
        assert "η → 0.5 (live" in log_text(app)
        await press(pilot, "f9", "f9")
        await wait_for(pilot, lambda: abs((run.status.eta or 0) - 0.005) < 1e-9)
        assert app.dashboard.form.field("eta").raw == "0.005"
        await press(pilot, "ctrl+t")
        await wait_for(pilot, lambda: app.dashboard.form.field("batch_size").raw == "2")
        assert run.config is not None and run.config.batch_size == 1
        await press(pilot, "ctrl+g")
        await wait_for(pilot, lambda: app.dashboard.form.field("batch_size").raw == "1")
        said = len(notes(app))
        await press(pilot, "ctrl+g")  # never below 1: it says so, and the form keeps 1
        await wait_for(pilot, lambda: len(notes(app)) > said)
        assert notes(app)[-1].startswith("Batch size 1 applies to the next")
        assert app.dashboard.form.field("batch_size").raw == "1"
        await press(pilot, "f8")
        await wait_for(pilot, lambda: run.state == "stopped")


async def test_eta_keys_when_idle_only_change_the_form(open_app):
    async with open_app() as (app, pilot, _):
        await pilot.press("f10")
        await pilot.pause()
        assert app.dashboard.form.field("eta").raw == "1"
        await pilot.press("f10", "f10", "f10")  # 1000 is out of range: refused, stays 100
        await pilot.pause()
        assert app.dashboard.form.field("eta").raw == "100"
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert app.dashboard.form.field("eta").raw == "0.1"


async def test_invalid_field_is_shown_and_start_refused(open_app):
    async with open_app() as (app, pilot, run):
        field = app.dashboard.form.field("eta")
        field.editor.focus()
        await pilot.press("ctrl+u", "a", "b", "c")
        await pilot.pause()
        assert field.has_class("-invalid")
        assert "'abc' is not a number" in str(field.query_one(".field-error").render())
        hidden = app.dashboard.form.field("hidden")
        hidden.editor.focus()
        await pilot.press("end", ",", "x")
        await pilot.press("f5")
        await pilot.pause()
        assert run.state == "ready" and run.number == 0
        messages = [n.message for n in app._notifications]
        assert any("η" in m and "hidden layers" in m for m in messages)
        field.editor.focus()
        await pilot.press("ctrl+u", "0", ".", "2")
        await pilot.pause()
        assert not field.has_class("-invalid")


async def test_combination_problem_is_shown_under_its_field(open_app):
    async with open_app() as (app, pilot, run):
        app.dashboard.form.field("output").set_raw("sigmoid")  # log-likelihood needs softmax
        await pilot.pause()
        await pilot.press("f5")
        await pilot.pause()
        assert run.state == "ready"
        assert app.dashboard.form.field("cost").has_class("-invalid")


async def test_exception_in_training_is_reported_and_app_survives(monkeypatch, wait_for, log_text,
                                                                  open_app):
    def explode(*args, **kwargs):
        raise RuntimeError("boom in the trainer")

    monkeypatch.setattr(lifecycle_module, "build_trainer", explode)
    async with open_app() as (app, pilot, run):
        await pilot.press("f5")
        await wait_for(pilot, lambda: run.state == "failed")
        assert "boom in the trainer" in log_text(app)
        assert any("boom" in n.message for n in app._notifications)
        field = app.dashboard.form.field("epochs")
        field.editor.focus()
        await pilot.press("ctrl+u", "7")
        await pilot.pause()
        assert field.raw == "7"
        monkeypatch.undo()
        await pilot.press("f5")
        await wait_for(pilot, lambda: run.state == "completed")
        assert run.epochs_seen == 7


async def test_a_diverging_run_says_so(tmp_path, wait_for, log_text, open_app):
    config = make_config(dataset="circle", hidden="8", output="linear", cost="quadratic",
                         eta=100, train_size=200, epochs=20, regularization="none", lmbda=0)
    async with open_app(config) as (app, pilot, run):
        await pilot.press("f5")
        await wait_for(pilot, lambda: run.state not in ("ready", "loading data", "training"))
        assert run.state == "diverged"
        assert "smaller η" in log_text(app)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert not list(tmp_path.glob("*.npz"))  # NaN weights are not worth a file
        assert any("No trained network" in n.message for n in app._notifications)


async def test_save_while_paused_saves_the_running_network(tmp_path, press, wait_for, slow,
                                                           open_app):
    async with open_app(slow.replace(train_size=2000)) as (_, pilot, run):
        await press(pilot, "f7")  # one epoch, then paused
        await wait_for(pilot, lambda: run.state == "paused")
        await press(pilot, "ctrl+s")
        await wait_for(pilot, lambda: list(tmp_path.glob("*.npz")))
        saved = list(tmp_path.glob("*.npz"))
        assert len(saved) == 1 and run.name in saved[0].name
        config, network = load_network(saved[0])
        assert config == run.config
        assert network.sizes == [2, 16, 2]
        await press(pilot, "f8")
        await wait_for(pilot, lambda: run.state == "stopped")


async def test_the_preset_a_run_came_from_is_recorded(tmp_path, wait_for, open_app):
    async with open_app(DEFAULTS) as (app, pilot, run):
        app.dashboard.apply_preset("xor")
        await pilot.pause()
        app.dashboard.form.field("epochs").set_raw("3")  # a changed preset is no longer the preset
        app.dashboard.form.field("pace").set_raw("0")
        await pilot.pause()
        await pilot.press("f5")
        await wait_for(pilot, lambda: run.state == "completed")
        app.dashboard.apply_preset("xor")
        await pilot.pause()
        # The pace alone does not change what a run is.
        app.dashboard.form.field("pace").set_raw("0")
        await pilot.pause()
        await pilot.press("f5")
        await wait_for(pilot, lambda: run.number == 2 and run.state == "completed",
                       timeout=30)
        with RunHistory(tmp_path / "runs.db") as history:
            assert [run.preset for run in history.list_runs()] == ["xor", ""]


def progress_text(app: NNTuiApp) -> tuple[str, str]:
    """What the progress bar's two labels say: ("epoch 3", "4281/5000 batches")."""
    bar = app.query_one(EpochProgress)
    return (str(bar.query_one("#progress-label").render()),
            str(bar.query_one("#progress-count").render()))


async def test_f5_during_a_run_asks_first_and_keeps_the_run_by_default(press, wait_for, log_text,
                                                                       slow, open_app):
    async with open_app(slow) as (app, pilot, run):
        await press(pilot, "f5")
        await wait_for(pilot, lambda: run.state == "training")
        await press(pilot, "f5")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await press(pilot, "enter")  # the focused answer is the safe one
        await wait_for(pilot, lambda: not isinstance(app.screen, ConfirmScreen))
        assert run.state == "training" and run.number == 1
        await press(pilot, "f5")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await press(pilot, "escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, ConfirmScreen))
        assert run.state == "training" and run.number == 1
        await press(pilot, "f5")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await press(pilot, "y")
        await wait_for(pilot, lambda: run.number == 2 and run.state == "training")
        assert "Run 2:" in log_text(app)
        await press(pilot, "f8")
        await wait_for(pilot, lambda: run.state == "stopped")


async def test_pause_step_and_stop_name_the_epoch_the_bar_shows(press, wait_for, log_text, slow,
                                                                open_app):
    async with open_app(slow.replace(train_size=2000)) as (app, pilot, run):
        await press(pilot, "f7")  # starts a run that pauses after epoch 1
        await wait_for(pilot, lambda: run.state == "paused")
        assert "Paused after epoch 1 (F6 resumes, F7 trains epoch 2)" in log_text(app)
        assert run.status.epoch == 1
        assert progress_text(app) == ("epoch 1", "2000/2000 batches")
        await press(pilot, "f7")
        await wait_for(pilot, lambda: "Step: training epoch 2, then pausing" in log_text(app))
        await wait_for(pilot, lambda: run.state == "paused" and run.epochs_seen == 2)
        assert "Paused after epoch 2" in log_text(app)
        assert progress_text(app)[0] == "epoch 2" and run.status.epoch == 2
        await press(pilot, "f8")
        await wait_for(pilot, lambda: run.state == "stopped")
        assert "after 2 complete epochs" in log_text(app) or "2 complete" in log_text(app)
        assert progress_text(app) == ("epoch 2", "2000/2000 batches")


async def test_pause_and_stop_mid_epoch_agree_with_the_bar(press, wait_for, log_text, slow,
                                                           open_app):
    async with open_app(slow) as (app, pilot, run):
        await press(pilot, "f5")
        # A pause asked for while an epoch's held-out set is measured lands between epochs:
        # resume and pause again until one lands inside an epoch, which is what this is about.
        for _ in range(10):
            await wait_for(pilot, lambda: run.state == "training" and run.position[1] > 0)
            await press(pilot, "f6")
            await wait_for(pilot, lambda: run.state == "paused")
            epoch, batch, batches = run.position
            if batch < batches:
                break
            assert f"Paused after epoch {epoch} " in log_text(app)
            await press(pilot, "f6")
        assert 0 < batch < batches
        assert (f"Paused in epoch {epoch} after {batch:,} of {batches:,} mini-batches"
                in log_text(app))
        assert progress_text(app) == (f"epoch {epoch}", f"{batch}/{batches} batches")
        await press(pilot, "f7")
        await wait_for(pilot, lambda: f"Step: finishing epoch {epoch}, then pausing"
                       in log_text(app))
        await wait_for(pilot, lambda: run.state == "paused" and run.epochs_seen == epoch)
        await press(pilot, "f6")
        await wait_for(pilot, lambda: run.state == "training" and run.position[1] > 0)

        def legend() -> list[str]:
            return [s.label for s in app.query_one(CostPlot).header.series]

        await wait_for(pilot, lambda: "mini-batch (this epoch)" in legend())
        await press(pilot, "f8")
        await wait_for(pilot, lambda: run.state == "stopped")
        assert "mini-batch (this epoch)" not in legend()  # no epoch is running any more
        epoch, batch, batches = run.position
        label, count = progress_text(app)
        assert label == f"epoch {epoch}" and count == f"{batch}/{batches} batches"
        if batch < batches:
            assert f"after {batch:,} of {batches:,} mini-batches" in log_text(app)
        else:  # the stop, too, landed between epochs: the log says the epoch is complete
            assert f"({epoch} complete epoch" in log_text(app)


async def test_a_run_is_called_by_its_id_in_the_run_history_everywhere(tmp_path, wait_for,
                                                                       log_text, record_runs,
                                                                       open_app):
    """The history already holds runs 1 and 2: the app's first run of the session is run 3 in
    the log, the neurons screen's title and its saved network's name."""
    record_runs(tmp_path / "runs.db", [0.025, 2.5], pin=False)
    async with open_app() as (app, pilot, run):
        await pilot.press("f5")
        await wait_for(pilot, lambda: run.state == "completed")
        assert run.number == 1 and run.record_id == 3
        text = log_text(app)
        assert "Run 3: 2-D points" in text and "Run 3 completed" in text
        assert "Run 1" not in text
        assert app.dashboard.inspection.neurons_title() == "run 3, after the run"
        await pilot.press("ctrl+s")
        await pilot.pause()
        [saved] = tmp_path.glob("*.npz")
        assert saved.name.endswith("-3-xor.npz")


async def test_a_run_the_history_cannot_hold_says_it_is_unrecorded(tmp_path, wait_for, log_text,
                                                                   quick, unusable_db, open_app):
    """Without a run history there is no id: the session's count, marked as such, in the log
    and the saved network's name."""
    async with open_app(quick, runs_db=unusable_db) as (app, pilot, run):
        await pilot.press("f5")
        await wait_for(pilot, lambda: run.state == "completed")
        assert "Unrecorded run 1: 2-D points" in log_text(app)
        assert "Unrecorded run 1 completed" in log_text(app)
        await pilot.press("ctrl+s")
        await pilot.pause()
        [saved] = tmp_path.glob("*.npz")
        assert saved.name.endswith("-unrecorded1-xor.npz")


async def test_loading_a_preset_updates_the_status_line(open_app):
    async with open_app(DEFAULTS) as (app, pilot, run):
        assert "mnist" in run.status.detail
        app.dashboard.apply_preset("xor")
        await pilot.pause()
        assert run.status.detail.startswith("preset xor: xor hidden=8,8 tanh/softmax")
        field = app.dashboard.form.field("eta")
        field.editor.focus()
        await pilot.press("ctrl+u", "0", ".", "3")
        await pilot.pause()
        assert "η=0.3" in run.status.detail and "preset" not in run.status.detail


async def test_a_preset_loaded_after_a_run_replaces_the_run_s_state_and_its_plane(wait_for, quick,
                                                                                  open_app):
    """The status line said "completed epoch 4/4 η 0.1" beside the spiral preset's config, and
    the XOR network's boundary stayed in the plane."""
    async with open_app(quick.replace(pace=0)) as (app, pilot, run):
        await pilot.press("f5")
        await wait_for(pilot, lambda: run.state == "completed")
        panel = app.query_one(BoundaryPanel)
        await wait_for(pilot, lambda: app.dashboard.training.done and panel.field is not None)
        await pilot.pause()  # the run's last field, posted as it ended, is drawn
        app.dashboard.apply_preset("spiral")
        await wait_for(pilot, lambda: panel.field is None and panel.train is not None)
        spiral = PRESETS["spiral"].config()
        assert run.status.state == "ready" and run.status.epoch == 0 and not run.status.epochs
        assert run.status.eta is None and run.status.detail.startswith("preset spiral")
        assert f"η={spiral.eta:g}" in run.status.detail  # the preset's, said once
        assert len(panel.train[0]) == 1000  # the spiral's points, not the 200 of the XOR run
        status = str(app.query_one("#status").render())
        assert "completed" not in status and "epoch" not in status
        # Nor does the bar under it still count the finished run's batches.
        assert str(app.query_one("#progress-count").render()) == ""
        # The plots still show the finished run, and the log says it.
        assert [s.label for s in app.query_one(CostPlot).series] == ["training", "validation"]


async def test_the_training_size_of_a_2d_set_is_labelled_in_points(open_app):
    async with open_app(DEFAULTS) as (app, pilot, _):
        label = app.dashboard.form.field("train_size").query_one(".field-label")
        assert str(label.render()).startswith("training images")
        app.dashboard.apply_preset("xor")
        await pilot.pause()
        assert str(label.render()).startswith("training points")


async def test_fields_the_data_set_does_not_use_are_hidden(open_app):
    async with open_app(DEFAULTS) as (app, pilot, run):

        def shown(name: str) -> bool:
            return app.dashboard.form.field(name).display

        assert not shown("noise") and not shown("neuron_w") and shown("train_size")
        app.dashboard.form.field("dataset").set_raw("spiral")
        await pilot.pause()
        assert shown("noise") and not shown("neuron_b")
        app.dashboard.form.field("dataset").set_raw("neuron")
        await pilot.pause()
        assert shown("neuron_w") and shown("neuron_b") and not shown("train_size")
        # A value that is wrong for the data set stays in sight with its error.
        app.dashboard.form.field("train_size").set_raw("5")
        await pilot.press("f5")
        await pilot.pause()
        assert run.state == "ready" and shown("train_size")


async def test_a_run_on_the_test_set_is_labelled_test(wait_for, log_text, quick, open_app):
    async with open_app(quick.replace(validate_on="test")) as (app, pilot, run):
        await pilot.press("f5")
        await wait_for(pilot, lambda: run.state == "completed")
        assert [s.label for s in app.query_one(CostPlot).series] == ["training", "test"]
        assert [s.label for s in app.query_one(AccuracyPlot).series] == ["training", "test"]
        assert "best test accuracy" in log_text(app)
        assert "validation" not in log_text(app)


async def test_pace_caps_epochs_per_second_and_f4_changes_it_live(press, wait_for, log_text, quick,
                                                                  open_app):
    async with open_app(quick.replace(epochs=1000, pace=5)) as (app, pilot, run):
        await press(pilot, "f5")
        await wait_for(pilot, lambda: run.epochs_seen >= 1)
        # The trainer keeps the cap (tests/engine/test_training.py times it); the run has it.
        assert run.status.pace == 5 and run.config is not None and run.config.pace == 5
        await press(pilot, "f4")
        await wait_for(pilot, lambda: run.status.pace == 3)
        assert app.dashboard.form.field("pace").raw == "3"
        assert "Pace → 3 epochs/s (live)" in log_text(app)
        app.dashboard.form.field("pace").set_raw("0")  # typed: no cap, at once
        await wait_for(pilot, lambda: run.state == "completed", timeout=60)
        assert run.epochs_seen == 1000


async def test_80x24_shows_the_essential_keys_titles_and_status(wait_for, quick, open_app):
    async with open_app(quick.replace(epochs=3, pace=0), size=(80, 24)) as (app, pilot, run):
        await pilot.press("f5")
        await wait_for(pilot, lambda: run.state == "completed")
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


async def test_a_single_neuron_run_plots_its_output_in_place_of_accuracy(wait_for, log_text,
                                                                        open_app):
    config = PRESETS["neuron-quadratic"].config().replace(epochs=30, pace=0.0)
    async with open_app(config) as (app, pilot, run):
        await pilot.press("f5")
        await wait_for(pilot, lambda: run.state == "completed")
        plot = app.query_one(AccuracyPlot)
        assert plot.titles[0] == "The neuron's output a per epoch"
        assert plot.canvas.axis.bounds == (0.0, 1.0)
        (output,) = plot.series
        assert output.label == "output a" and output.x[0] == 0 and output.x[-1] == 30
        assert output.y[0] == pytest.approx(0.982, abs=1e-3) and output.y[-1] < output.y[0]
        # One example: its "accuracy" is 0 or 100 % and there is no held-out set to name.
        text = log_text(app)
        log = app.query_one(EpochLog)
        assert log.border_subtitle == "cost · output a"  # the short form, at 120 columns
        last = f"30 {0.5 * output.y[-1] ** 2:.3f} {output.y[-1]:.3f}"  # quadratic: C = ½a²
        assert any(line.text.strip() == last for line in log.lines)
        assert f"the neuron's output a went from 0.982 to {output.y[-1]:.3f}" in text
        assert "validation accuracy" not in text and "test accuracy" not in text
        epochs = [line.text for line in log.lines if re.match(r" *\d+ \d", line.text)]
        assert len(epochs) == 30 and not any("%" in line for line in epochs)
        assert "1 training example," in text
        # Back to accuracy for a run with more than one example.
        app.dashboard.form.load(DEFAULTS.replace(dataset="xor", epochs=2))
        await pilot.press("f5")
        await wait_for(pilot, lambda: run.number == 2 and run.state == "completed")
        assert plot.titles[0] == "Accuracy per epoch (%)"
        assert [s.label for s in plot.series] == ["training", "validation"]


async def test_a_recorder_failing_on_the_run_s_end_still_ends_the_run_in_the_app(monkeypatch,
                                                                                 wait_for,
                                                                                 open_app):
    def broken(*args, **kwargs):
        raise RuntimeError("the history broke in an unexpected way")

    monkeypatch.setattr(RunHistory, "finish_run", broken)
    async with open_app() as (_, pilot, run):
        await pilot.press("f5")
        await wait_for(pilot, lambda: not run.running)
        assert run.state == "completed"  # the app heard the outcome, whatever the recorder did


async def test_one_bad_old_run_record_is_one_line_in_the_log(tmp_path, monkeypatch, log_text,
                                                             open_app):
    """An old record with a 400-digit number of seconds used to stop the app at every start with
    an OverflowError; it is skipped, with one line naming the file, and the app opens."""
    old = tmp_path / "old-runs"
    old.mkdir()
    (old / "huge.json").write_text('{"config": {"dataset": "xor"}, "history": [], "seconds": '
                                   + "9" * 400 + "}")
    monkeypatch.setenv("NNTUI_RUNS_DIR", str(old))
    async with open_app() as (app, _pilot, _run):
        said = log_text(app).replace(" ", "")  # the long path wraps anywhere
        assert (f"Skipped an old run record: {old / 'huge.json'} holds a whole number 400 "
                f"digits long".replace(" ", "")) in said


async def test_a_history_full_for_a_while_records_the_whole_run_and_says_so(
        tmp_path, monkeypatch, wait_for, log_text, open_app):
    """The disk is full at the run's first epoch and has room by its end: the run is recorded
    whole, the status line no longer says "not recorded", and the log says both."""
    real = RunHistory.add_epoch
    calls = []

    def full_at_first(history, *args, **kwargs):
        calls.append(args)
        if len(calls) == 1:
            raise lifecycle_module.HistoryError("cannot write the run history: the disk is full")
        return real(history, *args, **kwargs)

    monkeypatch.setattr(RunHistory, "add_epoch", full_at_first)
    async with open_app() as (app, pilot, run):
        await pilot.press("f5")
        await wait_for(pilot, lambda: run.state == "completed")
        await wait_for(pilot, lambda: "written again" in log_text(app))
        said = log_text(app)
        assert "the disk is full); nntui keeps this run's epochs and records them" in said
        assert "not recorded" not in str(app.query_one("#status").render())
    with RunHistory(tmp_path / "runs.db") as history:
        [recorded] = history.list_runs()
        assert recorded.status == "completed" and recorded.epochs_done == 4
        assert [r.epoch for r in history.get_run(recorded.id).history] == [1, 2, 3, 4]


async def test_ctrl_r_resets_the_form_only_and_the_last_run_stays_in_sight(wait_for, log_text,
                                                                          quick, open_app):
    async with open_app(quick) as (app, pilot, run):
        await pilot.press("f5")
        await wait_for(pilot, lambda: run.state == "completed")
        drawn = [(s.label, list(s.y)) for s in app.query_one(CostPlot).series]
        form = app.dashboard.form
        form.field("eta").set_raw("0.7")
        form.field("epochs").set_raw("9")
        await pilot.pause()
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert form.field("eta").raw == "0.1" and form.field("epochs").raw == str(quick.epochs)
        assert [(s.label, list(s.y)) for s in app.query_one(CostPlot).series] == drawn
        assert "Run 1 completed" in log_text(app) and "Form reset" in log_text(app)
        # The status line now describes what F5 would train; the run's network stays (Ctrl+S).
        assert run.state == "ready" and run.epochs_seen == quick.epochs
        assert run.network is not None


async def test_a_live_eta_left_in_the_form_is_said_when_the_run_ends_and_the_next_starts(
        press, wait_for, log_text, slow, open_app):
    async with open_app(slow.replace(train_size=2000)) as (app, pilot, run):
        await press(pilot, "f5")
        await wait_for(pilot, lambda: run.state == "training")
        await press(pilot, "f9")
        await wait_for(pilot, lambda: abs((run.status.eta or 0) - 0.005) < 1e-9)
        await press(pilot, "f8")
        await wait_for(pilot, lambda: run.state == "stopped")
        kept = ("The form keeps η = 0.005 from the live change (the run started at 0.05): the "
                "next run starts there.")
        await wait_for(pilot, lambda: kept in log_text(app))
        await press(pilot, "f5")
        await wait_for(pilot, lambda: run.number == 2 and run.state == "training")
        assert run.config is not None and run.config.eta == 0.005
        assert ("Starting at η = 0.005 from the last run's live change (it started at 0.05)."
                in log_text(app))
        await press(pilot, "f8")
        await wait_for(pilot, lambda: run.state == "stopped")
        # The run started at 0.005 and kept it: nothing to say this time.
        assert "The form keeps" not in log_text(app)


async def test_a_hint_is_a_short_notification_for_a_few_seconds_and_the_log_has_it_all(
        press, wait_for, log_text, make_app):
    from rich.cells import cell_len

    from nntui.tui.screens.dashboard import NOTICE_SECONDS, toast_width

    app = make_app(PRESETS["xor"].config().replace(epochs=20, pace=0, eta=5.0))
    async with app.run_test(size=(80, 24), notifications=True) as pilot:  # toasts drawn
        run = app.dashboard.run_state
        await press(pilot, "f5")

        def hint():
            return next((n for n in app._notifications if n.title.startswith("Hint: ")), None)

        def toasts() -> list:
            return list(app.screen.query("Toast"))

        await wait_for(pilot, lambda: hint() is not None and toasts())
        # A title and one line: the toast is four rows with its padding, the plots stay in sight.
        assert all(toast.outer_size.height <= 4 for toast in toasts())
        shown = hint()
        assert shown.timeout <= NOTICE_SECONDS
        assert "\n" not in shown.message and cell_len(shown.message) <= toast_width(80)
        await wait_for(pilot, lambda: run.state == "completed")
        advice = shown.message.removesuffix("…")
        whole = log_text(app)
        assert advice in whole and len(whole.split(advice, 1)[1]) > 20  # and the rest of it


async def test_a_long_notification_is_cut_and_the_log_has_it_whole_once(log_text, open_app):
    async with open_app(size=(80, 24)) as (app, pilot, _):
        board = app.dashboard
        said = ("The sweep's runs could not be pinned: the run history at /tmp/x/runs.db is "
                "read-only. Make it writable and pin them on the runs screen.")
        board.notify(said, title="Sweep", severity="error", timeout=15)
        await pilot.pause()
        notice = app._notifications[-1] if hasattr(app._notifications, "__getitem__") else \
            list(app._notifications)[-1]
        assert notice.timeout <= 4 and notice.message.endswith("…")
        assert log_text(app).count("Sweep: " + said) == 1
        # A message the caller writes in the log itself is not written twice.
        board.log_note("Saved the network to /a/rather/long/path/to/a/folder/of/networks/x.npz")
        board.notify("/a/rather/long/path/to/a/folder/of/networks/x.npz", title="Network saved")
        await pilot.pause()
        assert log_text(app).count("x.npz") == 1


async def test_values_loaded_into_the_form_during_a_run_never_reach_it(press, wait_for, log_text,
                                                                      slow, open_app):
    async with open_app(slow) as (app, pilot, run):
        await press(pilot, "f5")
        await wait_for(pilot, lambda: run.state == "training")
        for _ in range(3):  # a preset, then reset, then a run's values: η and pace each change
            app.dashboard.apply_preset("xor")
            await press(pilot, "ctrl+r")
            app.dashboard.form.load(slow.replace(eta=0.3, pace=7))
        await wait_for(pilot, lambda: app.dashboard.form.field("pace").raw == "7")
        await pilot.pause()
        assert run.status.eta == slow.eta and run.status.pace == slow.pace
        assert run.control is not None and run.control.live_eta in (None, slow.eta)
        assert "(live" not in log_text(app)
        # Typed, a value does reach it.
        app.dashboard.form.field("eta").set_raw("0.02")
        await wait_for(pilot, lambda: run.status.eta == 0.02)
        await press(pilot, "f8")
        await wait_for(pilot, lambda: run.state == "stopped")
