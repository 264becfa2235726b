"""The results of a sweep or a comparison against the value it varied, in the app: F11 on the
dashboard once one has ended (also from a form field), ``a`` on the runs screen for the selected
run's group, and a notification saying why when there is nothing to plot."""

from __future__ import annotations

from textual.widgets import DataTable, Input

from nntui.runner.lifecycle import HistoryRecorder, Run
from nntui.storage.history import RunHistory
from nntui.tui.commands import NNTuiCommands
from nntui.tui.screens.against import AgainstCanvas, AgainstScreen
from nntui.tui.screens.runs import RunsScreen


def notes(app) -> list[str]:
    return [notification.message for notification in app._notifications]


def panel_text(screen: AgainstScreen) -> str:
    return "\n".join(canvas.render().plain for canvas in screen.query(AgainstCanvas))


async def test_f11_before_any_sweep_says_there_is_nothing_to_plot(open_app, press, wait_for,
                                                                  log_text):
    async with open_app(size=(80, 24)) as (app, pilot, _):
        await press(pilot, "f11")
        assert not isinstance(app.screen, AgainstScreen)
        assert notes(app) == ["No sweep or comparison ended yet."]  # the toast's first sentence
        await wait_for(pilot, lambda: "(F2) 'a' plots the group of an earlier one" in
                       log_text(app))  # the whole message


async def test_f11_after_a_sweep_opens_its_runs_against_eta_even_from_a_form_field(
        open_app, swept, fill_sweep_dialog, press, wait_for, log_text):
    async with open_app(swept, size=(80, 24)) as (app, pilot, _):
        await fill_sweep_dialog(pilot, "0.01,0.1,1", name="etas")
        await press(pilot, "enter")
        await wait_for(pilot, lambda: "Sweep etas done" in log_text(app), timeout=60)
        field = app.dashboard.query(Input).first()
        field.focus()
        await pilot.pause()
        await press(pilot, "f11")
        await wait_for(pilot, lambda: isinstance(app.screen, AgainstScreen))
        screen = app.screen
        assert screen.figure.source == "etas" and screen.figure.axis.log
        assert screen.figure.accuracy[0].x == [0.01, 0.1, 1.0]
        title = str(screen.query_one("#against-title").render())
        assert "Results against η · etas · 3 runs drawn" in title
        text = panel_text(screen)
        assert text.count("●") == 6  # three runs in each panel
        assert "0.01" in text and "η (log scale)" in text
        assert not screen.query_one("#against-note").display  # every run drawn
        await press(pilot, "escape")
        assert app.screen is app.dashboard


async def test_a_sweep_of_one_value_says_why_nothing_is_plotted(open_app, swept,
                                                                fill_sweep_dialog, press,
                                                                wait_for, log_text):
    async with open_app(swept) as (app, pilot, _):
        await fill_sweep_dialog(pilot, "0.5", name="single")
        await press(pilot, "enter")
        await wait_for(pilot, lambda: "Sweep single done" in log_text(app), timeout=60)
        app.clear_notifications()
        await press(pilot, "f11")
        assert not isinstance(app.screen, AgainstScreen)
        assert any(note.startswith("One run") for note in notes(app))
        await wait_for(pilot, lambda: "Nothing to plot for single: One run: a plot against a "
                       "hyperparameter needs runs at two values or more." in log_text(app))


async def test_f11_after_a_comparison_says_when_its_variants_differ_in_too_much(
        open_app, scenes, unpaced, wait_for, log_text):
    async with open_app(size=(120, 40)) as (app, pilot, _):
        await scenes.run_comparison("saturated-neuron")(pilot)
        assert app.dashboard.finished_study is not None
        name, ids = app.dashboard.finished_study
        assert name == "saturated-neuron" and len(ids) == 4
        await pilot.press("f11")
        await pilot.pause()
        assert not isinstance(app.screen, AgainstScreen)
        await wait_for(pilot, lambda: "Nothing to plot for saturated-neuron: The runs differ in "
                       "4 fields (cost, η, w, b)" in log_text(app))


async def test_the_palette_finds_it_by_its_key_and_its_words(open_app):
    async with open_app() as (app, _, _):
        provider = NNTuiCommands(app.screen)
        for query in ("f11", "against", "results hyper", "hyperparameter"):
            hits = [hit.text async for hit in provider.search(query)]
            assert "Results vs hyperparameter" in hits, query


def record(history: RunHistory, config, group: str, name: str) -> int:
    recorder = HistoryRecorder(history, config, print, name=name, group=group)
    Run(config, observers=[recorder]).execute()
    assert recorder.run_id is not None
    return recorder.run_id


async def test_a_on_the_runs_screen_plots_the_selected_runs_group(tmp_path, make_app, swept,
                                                                  press, wait_for):
    with RunHistory(tmp_path / "runs.db") as history:
        ids = [record(history, swept.replace(activation=activation, train_size=size), "grid",
                      f"{size} {activation}")
               for activation in ("tanh", "relu") for size in (100, 200, 400)]
        lone = record(history, swept, "", "lone")
    app = make_app(swept)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await press(pilot, "f2")
        await wait_for(pilot, lambda: isinstance(app.screen, RunsScreen))
        table = app.screen.query_one(DataTable)
        await pilot.pause()
        table.move_cursor(row=table.get_row_index(str(lone)))
        await pilot.pause()
        await press(pilot, "a")
        assert isinstance(app.screen, RunsScreen)
        assert any("This run is in no group" in note for note in notes(app))
        table.move_cursor(row=table.get_row_index(str(ids[2])))
        await pilot.pause()
        await press(pilot, "a")
        await wait_for(pilot, lambda: isinstance(app.screen, AgainstScreen))
        figure = app.screen.figure
        assert figure.source == "grid" and figure.axis.name == "training images"
        assert [line.label for line in figure.accuracy] == ["activation=tanh",
                                                            "activation=relu"]
        header = " ".join(str(widget.render()) for widget in app.screen.query("PlotHeader"))
        assert "activation=tanh" in header and "activation=relu" in header
        await press(pilot, "escape")
        assert isinstance(app.screen, RunsScreen)
