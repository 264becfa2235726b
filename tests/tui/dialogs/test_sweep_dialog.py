"""The sweep dialog (Ctrl+F): what it counts and suggests, every problem at once, and its
pictures."""

from __future__ import annotations

from textual.widgets import Button, Input, Select

from nntui.storage.history import RunHistory
from nntui.tui.dialogs.sweep import SweepScreen, parse_workers, suggested_values


async def test_the_dialog_counts_the_runs_and_starts_none_while_anything_is_wrong(tmp_path, swept,
                                                                                  notes,
                                                                                  open_sweep_dialog,
                                                                                  open_app):
    async with open_app(swept) as (app, pilot, _):
        screen = await open_sweep_dialog(pilot)
        # η by default, around the form's η by orders of magnitude; one worker per core.
        assert screen.query_one("#sweep-field", Select).value == "eta"
        assert screen.query_one("#sweep-values", Input).value == "0.01,0.1,1"
        name = screen.query_one("#sweep-name", Input).value  # what is varied, and when
        assert name == f"eta-{screen.stamp}" and len(screen.stamp) == len("20261124-071203")
        summary = str(screen.query_one("#sweep-summary").render())
        assert summary.startswith("3 runs: η=0.01, η=0.1, η=1;")
        # Every problem at once: a bad η, a bad layer list, no name, bad workers.
        screen.query_one("#sweep-values", Input).value = "0.1,-1,abc"
        screen.query_one("#sweep-field2", Select).value = "hidden"
        await pilot.pause()
        assert screen.query_one("#sweep-name", Input).value == f"eta-hidden-{screen.stamp}"
        screen.query_one("#sweep-values2", Input).value = "30,6-x"
        screen.query_one("#sweep-name", Input).value = "  "
        screen.query_one("#sweep-workers", Input).value = "two"
        await pilot.pause()
        problems = str(screen.query_one("#sweep-problems").render())
        assert "Not ready: 5 problems" in str(screen.query_one("#sweep-summary").render())
        for words in ("vary eta", "-1", "abc", "vary hidden", "name: give the sweep a name",
                      "workers: 'two' is not a whole number"):
            assert words in problems, words
        assert screen.query_one("#sweep-start", Button).disabled
        await pilot.press("enter")  # in a field: tries to start, and does not
        await pilot.pause()
        assert isinstance(app.screen, SweepScreen) and app.dashboard.sweeps.session is None
        assert any("problems" in note for note in notes(app))
        # A combination the config forbids is a problem too, named by its run.
        screen.query_one("#sweep-values", Input).value = "0.1,0.2"
        screen.query_one("#sweep-field2", Select).value = "cost"
        await pilot.pause()
        screen.query_one("#sweep-values2", Input).value = "cross-entropy,log-likelihood"
        screen.query_one("#sweep-name", Input).value = "grid"
        screen.query_one("#sweep-workers", Input).value = "0"
        await pilot.pause()
        problems = str(screen.query_one("#sweep-problems").render())
        assert "the run eta=0.1 cost=cross-entropy: cost: cross-entropy" in problems
        assert screen.query_one("#sweep-start", Button).disabled
        screen.query_one("#sweep-field2", Select).value = "hidden"
        await pilot.pause()
        screen.query_one("#sweep-values2", Input).value = "30,64-64"
        await pilot.pause()
        assert screen.query_one("#sweep-name", Input).value == "grid"  # typed: it stays
        assert str(screen.query_one("#sweep-summary").render()) == (
            "4 runs: hidden=30 η=0.1, hidden=64,64 η=0.1, hidden=30 η=0.2, hidden=64,64 η=0.2; "
            "one after another in this process, 6 epochs each")
        assert not screen.query_one("#sweep-start", Button).disabled
        screen.query_one("#sweep-field2", Select).value = "eta"  # the same field twice
        await pilot.pause()
        assert "the second field is eta again" in str(screen.query_one("#sweep-problems")
                                                      .render())
        assert screen.query_one("#sweep-start", Button).disabled
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, SweepScreen) and app.dashboard.sweeps.session is None
    with RunHistory(tmp_path / "runs.db") as history:
        assert history.list_runs() == []


def test_dialog_helpers(swept):
    config = swept.replace(eta=0.3, hidden=(8, 8))
    assert suggested_values("eta", config) == "0.03,0.3,3"
    assert suggested_values("hidden", config) == "8-8"
    assert suggested_values("activation", config) == "sigmoid,tanh,relu"
    assert parse_workers("") == (None, "")
    assert parse_workers("0") == (0, "")
    assert parse_workers("-1")[1].startswith("workers: give 0 or more")


async def test_a_bad_form_opens_no_dialog(swept, notes, open_app):
    async with open_app(swept) as (app, pilot, _):
        app.dashboard.form.field("eta").editor.focus()
        await pilot.press("ctrl+u", "-", "1")
        await pilot.press("ctrl+f")
        await pilot.pause()
        assert not isinstance(app.screen, SweepScreen)
        assert any("Fix η first" in note for note in notes(app))


def test_sweep_dialog_120x40(snap_compare, pictured, scenes):
    assert snap_compare(pictured, terminal_size=(120, 40), run_before=scenes.dialog_with_two_fields)


def test_sweep_dialog_80x24(snap_compare, pictured, scenes):
    assert snap_compare(pictured, terminal_size=(80, 24), run_before=scenes.dialog_with_two_fields)
