"""Runs beside the live one: pinned runs drawn in every plot, the run history's screen handing
back configs and networks, and the books' comparisons pinning their runs as they end."""

from __future__ import annotations

import pytest

from nntui.config import DEFAULTS
from nntui.presets import PRESETS
from nntui.storage.history import RunHistory
from nntui.tui.widgets.plots import AccuracyPlot, CostPlot, SpeedPlot


async def test_pinned_runs_are_drawn_beside_the_live_run(tmp_path, wait_for, quick, record_runs,
                                                         open_app):
    record_runs(tmp_path / "runs.db", [0.025, 2.5])
    async with open_app(quick.replace(pace=0)) as (app, pilot, run):

        def labels(plot) -> list[str]:
            return [s.label for s in app.query_one(plot).series]

        assert labels(CostPlot) == ["η=0.025", "η=2.5"]  # before any run, the pinned ones
        await pilot.press("f5")
        await wait_for(pilot, lambda: run.state == "completed")
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


async def test_runs_screen_loads_a_config_a_network_and_pins(tmp_path, wait_for, log_text,
                                                             record_runs, open_app):
    from nntui.tui.screens.runs import RunsAction, RunsScreen

    first, second = record_runs(tmp_path / "runs.db", [0.025, 2.5], pin=False)
    async with open_app(DEFAULTS) as (app, pilot, run):
        await pilot.press("f2")
        await pilot.pause()
        assert isinstance(app.screen, RunsScreen)
        await pilot.press("escape")
        await pilot.pause()
        # What the screen hands back when a person presses l, p or n on a run:
        app.dashboard.runs_closed(RunsAction("load-config", first))
        await pilot.pause()
        form = app.dashboard.form
        assert form.field("dataset").raw == "xor" and form.field("eta").raw == "0.025"
        app.history.set_pinned(second, True)
        app.dashboard.runs_closed(RunsAction("pins-changed", second))
        await pilot.pause()
        assert [s.label for s in app.query_one(CostPlot).series] == ["η=2.5"]
        # A network saved from a run trains on from its weights.
        await pilot.press("f5")
        await wait_for(pilot, lambda: run.state == "completed")
        await pilot.press("ctrl+s")
        await pilot.pause()
        run_id = run.record_id
        trained = run.network.weights[0].copy()
        app.dashboard.runs_closed(RunsAction("load-network", run_id))
        await wait_for(pilot, lambda: "test accuracy:" in log_text(app))
        assert app.dashboard.training.loaded_network is not None
        await pilot.press("f5")
        await wait_for(pilot, lambda: run.number == 2 and run.state == "completed")
        assert "from the loaded network's weights" in log_text(app)
        assert app.dashboard.training.loaded_network is None
        assert not (run.network.weights[0] == trained).all()  # it trained on


async def test_a_comparison_runs_its_variants_and_pins_each_beside_the_next(tmp_path, wait_for,
                                                                            log_text, unpaced,
                                                                            open_app):
    from nntui.runner.lifecycle import HistoryRecorder, Run
    from nntui.tui.commands import NNTuiCommands

    neuron = PRESETS["neuron-cross-entropy"].config().replace(epochs=30, pace=0)
    with RunHistory(tmp_path / "runs.db") as history:
        swept = HistoryRecorder(history, neuron, print, name="η=0.5", group="eta-sweep")
        Run(neuron, observers=[swept]).execute()
        history.set_pinned(swept.run_id, True)  # an earlier sweep's: unpinned
        by_hand = HistoryRecorder(history, neuron, print, name="mine")
        Run(neuron, observers=[by_hand]).execute()
        history.set_pinned(by_hand.run_id, True)  # pinned by hand: it stays pinned
        mine = by_hand.run_id
    async with open_app(DEFAULTS) as (app, pilot, run):
        names = [entry.display for entry in NNTuiCommands(app.screen).entries()]
        assert "Compare: Nielsen ch. 3: the saturated neuron, quadratic vs cross-entropy" in names
        app.dashboard.start_comparison("saturated-neuron")
        comparisons = app.dashboard.comparisons
        await wait_for(pilot, lambda: comparisons.session is None and not run.running,
                       timeout=60)
        labels = ["quadratic η=0.15", "cross-entropy η=0.15", "cross-entropy η=0.005",
                  "quadratic w=0.6 b=0.9"]
        assert [s.label for s in app.query_one(CostPlot).series][-4:] == labels
        # One example is always classed right: the accuracy plot shows the neuron's output a.
        output = app.query_one(AccuracyPlot)
        assert output.titles[0] == "The neuron's output a per epoch"
        assert [s.label for s in output.series][-4:] == labels
        starts = [s.y[0] for s in output.series][-4:]
        assert starts[:3] == pytest.approx([0.982] * 3, abs=1e-3)  # σ(2 + 2)
        assert starts[3] == pytest.approx(0.818, abs=1e-3)  # σ(0.6 + 0.9)
        ends = {s.label: s.y[-1] for s in output.series[-4:]}
        # After 300 steps from the saturated start, cross-entropy (η=0.15) has brought the output
        # near its target 0; the quadratic cost, slowed by σ', is still far from it.
        assert ends["cross-entropy η=0.15"] < 0.1 < ends["quadratic η=0.15"]
        assert "Comparison done" in log_text(app) and "Watch:" in log_text(app)
        assert f"Pinned by hand, run {mine} (mine) stays beside them" in log_text(app)
        with RunHistory(tmp_path / "runs.db") as history:
            records = history.list_runs()
            assert sorted(r.name for r in records if r.group == "saturated-neuron") == \
                sorted(labels)
            assert [r.name for r in records if r.pinned][::-1] == ["mine", *labels]


async def test_pins_of_another_data_set_are_left_out_until_asked_for_and_then_named(
        tmp_path, wait_for, log_text, quick, record_runs, open_app):
    """XOR runs pinned beside a circle run have another scale: not drawn by default (the log
    says so); F3 draws every pin, naming the XOR ones' data set in the legends; F3 again hides
    them all."""
    record_runs(tmp_path / "runs.db", [0.025, 2.5])
    async with open_app(quick.replace(dataset="circle", pace=0)) as (app, pilot, run):

        def labels(plot) -> list[str]:
            return [s.label for s in app.query_one(plot).series]

        await pilot.press("f5")
        await wait_for(pilot, lambda: run.state == "completed")
        assert labels(CostPlot) == ["training", "validation"]  # the circle run alone
        assert ("2 pinned runs of another data set, xor (2), not drawn beside circle"
                in log_text(app))
        await pilot.press("f3")
        await pilot.pause()
        assert labels(CostPlot) == ["this run", "η=0.025 (xor)", "η=2.5 (xor)"]
        legend = [s.label for s in app.query_one(AccuracyPlot).header.series]
        assert legend == ["this run", "η=0.025 (xor)", "η=2.5 (xor)"]
        await pilot.press("f3")
        await pilot.pause()
        assert labels(CostPlot) == ["training", "validation"]
        await pilot.press("f3")  # back to the pins of its own data set: none
        await pilot.pause()
        assert labels(CostPlot) == ["training", "validation"]
