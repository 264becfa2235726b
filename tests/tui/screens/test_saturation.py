"""The saturation screen from the dashboard: F12 with nothing measured says what to do; during a
run it follows the worker's reports; the pinned runs of the history stand beside the live one;
``s`` switches to the measurements before training; the palette lists it."""

from __future__ import annotations

from nntui.presets import PRESETS
from nntui.runner.lifecycle import HistoryRecorder, Run
from nntui.storage.history import RunHistory
from nntui.tui.commands import NNTuiCommands
from nntui.tui.screens.saturation import SaturationScreen
from nntui.tui.widgets.plots import SeriesPlot

XOR = PRESETS["xor"].config().replace(epochs=6, pace=0, train_size=400)


async def test_f12_before_any_run_says_what_to_do(open_app) -> None:
    async with open_app(XOR) as (app, pilot, _):
        app.dashboard.form.field("eta").editor.focus()  # works from a form field too
        await pilot.press("f12")
        await pilot.pause()
        assert not isinstance(app.screen, SaturationScreen)
        assert any("No saturation statistics yet" in n.message for n in app._notifications)


async def test_the_screen_follows_the_live_run(press, wait_for, open_app, slow) -> None:
    async with open_app(slow.replace(epochs=3)) as (app, pilot, run):
        await press(pilot, "f5")
        await wait_for(pilot, lambda: app.dashboard.saturation.reports)
        await press(pilot, "f12")
        await wait_for(pilot, lambda: isinstance(app.screen, SaturationScreen))
        screen = app.screen
        first = [r.epoch for r in screen.runs[0][1] if r.at_epoch_end]
        assert first[0] == 0 and screen.live
        await wait_for(pilot, lambda: [r.epoch for r in screen.runs[0][1]
                                       if r.at_epoch_end][-1] >= 1, timeout=60)
        assert screen.runs[0][0] == run.title
        series = screen.query_one(SeriesPlot).series
        assert [s.label for s in series] == ["hidden 1", "output"]
        text = "\n".join(line.plain for line in screen.drawn[1:])
        assert "hidden 1 (sigmoid): z σ " in text and "% saturated" in text
        await press(pilot, "escape")
        assert app.dashboard.saturation.follower is None
        await wait_for(pilot, lambda: not run.running, timeout=120)


async def test_pinned_runs_stand_beside_the_finished_one(press, wait_for, open_app,
                                                         tmp_path) -> None:
    with RunHistory(tmp_path / "runs.db") as history:
        for init in ("large", "normalized"):
            config = XOR.replace(init=init)
            recorder = HistoryRecorder(history, config, print, name=f"init={init}")
            Run(config, observers=[recorder]).execute()
            history.set_pinned(recorder.run_id, True)
    async with open_app(XOR) as (app, pilot, run):
        await press(pilot, "f5")
        await wait_for(pilot, lambda: run.state == "completed")
        await press(pilot, "f12")
        await wait_for(pilot, lambda: isinstance(app.screen, SaturationScreen))
        screen = app.screen
        assert [label for label, _ in screen.runs] == [run.title, "init=large",
                                                       "init=normalized"]
        assert all([r.epoch for r in reports] == [0, 6] for _, reports in screen.runs)
        text = "\n".join(line.plain for line in screen.drawn[1:])
        assert "init=large · hidden 1" in text
        title = screen.drawn[0].plain
        assert "after epoch 6" in title
        await press(pilot, "s")
        assert "before training" in screen.drawn[0].plain


async def test_the_palette_lists_the_screen(open_app) -> None:
    async with open_app(XOR) as (app, _, _):
        provider = NNTuiCommands(app.screen)
        entries = [e for e in provider.entries() if e.display == "Saturation"]
        assert len(entries) == 1 and "[f12]" in entries[0].help
