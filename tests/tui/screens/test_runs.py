"""Pilot and snapshot tests of the runs screen (the run history inside the app), on a tiny app
that only shows it: runs recorded by the real lifecycle, or written with fixed times and numbers
for the pictures."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import math
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.app import App
from textual.widgets import DataTable, Input

from nntui.config import Config, make_config
from nntui.presets import PRESETS
from nntui.runner.lifecycle import HistoryRecorder, Run, outcome_message
from nntui.storage.history import RunHistory
from nntui.storage.networks import load_network, save_network
from nntui.storage.records import load_run
from nntui.tui.dialogs.confirm import ConfirmScreen
from nntui.tui.dialogs.prompt import PromptScreen
from nntui.tui.screens import runs as runs_screen
from nntui.tui.screens.run_detail import RunDetailScreen, summary_text
from nntui.tui.screens.runs import EMPTY, RunsAction, RunsScreen
from nntui.tui.widgets.plots import AccuracyPlot, CostPlot, SpeedPlot

APP_CSS = Path(runs_screen.__file__).parent.parent / "app.tcss"

TINY = PRESETS["xor"].config().replace(epochs=3, pace=0, train_size=200)
"""Three epochs of XOR: a few hundredths of a second."""


class RunsApp(App[None]):
    """Nothing but the runs screen over an empty screen, with the app's style sheet (the
    confirmation dialog's looks live there)."""

    CSS_PATH = APP_CSS

    def __init__(self, history: RunHistory, runs_dir: Path) -> None:
        super().__init__()
        self.history, self.runs_dir = history, runs_dir
        self.result: RunsAction | str | None = "open"

    def on_mount(self) -> None:
        self.push_screen(RunsScreen(self.history, self.runs_dir), self._screen_closed)

    def _screen_closed(self, result: RunsAction | None) -> None:
        self.result = result


def train(history: RunHistory, config: Config, name: str = "") -> int:
    """Record one real run of ``config`` in ``history``; its id."""
    warnings: list[str] = []
    recorder = HistoryRecorder(history, config, warnings.append, name=name)
    Run(config, observers=[recorder]).execute()
    assert not warnings and recorder.run_id is not None
    return recorder.run_id


@pytest.fixture
def history(tmp_path: Path) -> Iterator[RunHistory]:
    """Three real XOR runs: "slow" (η 0.01), "medium" (η 0.1), "fast" (η 0.5), in that order,
    so the newest first is fast, medium, slow."""
    with RunHistory(tmp_path / "runs.db") as history:
        for name, eta in (("slow", 0.01), ("medium", 0.1), ("fast", 0.5)):
            train(history, TINY.replace(eta=eta, seed=1), name)
        yield history


def table_ids(pilot) -> list[int]:
    table = pilot.app.screen.query_one(DataTable)
    return [int(row.key.value) for row in table.ordered_rows]


def cell_texts(pilot, column: str) -> list[str]:
    table = pilot.app.screen.query_one(DataTable)
    return [table.get_cell(row.key, column).plain.strip() for row in table.ordered_rows]


async def select(pilot, run_id: int) -> None:
    table = pilot.app.screen.query_one(DataTable)
    table.move_cursor(row=table.get_row_index(str(run_id)))
    await pilot.pause()


def screen_notes(app: App) -> list[str]:
    return [notification.message for notification in app._notifications]


# --- the list ----------------------------------------------------------------------------------

async def test_lists_the_runs_newest_first_and_sorts_by_best(history, tmp_path):
    app = RunsApp(history, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, RunsScreen)
        assert table_ids(pilot) == [3, 2, 1]
        assert cell_texts(pilot, "name") == ["fast", "medium", "slow"]
        assert cell_texts(pilot, "eta") == ["0.5", "0.1", "0.01"]
        assert "newest first" in str(app.screen.query_one("#runs-title").render())
        runs = {run.id: run for run in history.list_runs()}
        assert cell_texts(pilot, "best") == [f"{100 * runs[i].best_val_accuracy:.2f}%"
                                             for i in (3, 2, 1)]
        await pilot.press("s")
        best = [run.id for run in history.list_runs(order="best")]
        assert table_ids(pilot) == best
        assert "best held-out accuracy first" in str(app.screen.query_one("#runs-title").render())
        await pilot.press("s")
        assert table_ids(pilot) == [3, 2, 1]


async def test_typing_a_filter_narrows_the_rows(history, tmp_path):
    app = RunsApp(history, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("slash")
        assert app.screen.query_one(Input).has_focus
        await pilot.press(*"medium")
        assert table_ids(pilot) == [2]
        await pilot.press(*["backspace"] * 6, *"0.01")  # a hyperparameter value
        assert table_ids(pilot) == [1]
        await pilot.press(*["backspace"] * 4, *"eta=0.5 xor completed")
        assert table_ids(pilot) == [3]
        await pilot.press("ctrl+u", *"nothing-like-this")
        assert table_ids(pilot) == []
        assert "No run matches" in str(app.screen.query_one("#runs-empty").render())
        await pilot.press("ctrl+u")
        assert table_ids(pilot) == [3, 2, 1]
        # In the filter, Escape goes back to the list; there it closes the screen.
        await pilot.press("escape")
        assert isinstance(app.screen, RunsScreen)
        assert app.screen.query_one(DataTable).has_focus
        await pilot.press("escape")
        assert app.result is None


async def test_an_empty_history_says_how_to_fill_it(tmp_path):
    with RunHistory(tmp_path / "runs.db") as history:
        app = RunsApp(history, tmp_path)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            assert EMPTY in str(app.screen.query_one("#runs-empty").render())
            await pilot.press("p")  # nothing to pin: said, nothing breaks
            await pilot.press("enter", "l", "d", "e")
            assert isinstance(app.screen, RunsScreen)
            await pilot.press("escape")
            assert app.result is None


async def test_clicking_a_header_sorts(history, tmp_path):
    app = RunsApp(history, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()

        async def click(key: str) -> None:
            table = app.screen.query_one(DataTable)
            x = 0
            for column_key, column in table.columns.items():
                if column_key.value == key:
                    break
                x += column.get_render_width(table)
            await pilot.click(DataTable, offset=(x + 2, 0))
            await pilot.pause()

        await click("best")
        assert app.screen.sort == "best"
        assert table_ids(pilot) == [run.id for run in history.list_runs(order="best")]
        await click("name")  # not a sort
        assert app.screen.sort == "best"
        await click("when")
        assert app.screen.sort == "started"
        assert table_ids(pilot) == [3, 2, 1]


async def test_an_unreadable_history_is_said(tmp_path):
    history = RunHistory(tmp_path / "runs.db")
    history.close()
    app = RunsApp(history, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert "could not be read" in str(app.screen.query_one("#runs-empty").render())
        assert any("closed" in note for note in screen_notes(app))
        await pilot.press("s", "p", "enter", "escape")
    assert app.result is None


async def test_pin_toggles_and_the_result_says_pins_changed(history, tmp_path):
    app = RunsApp(history, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await select(pilot, 2)
        await pilot.press("p")
        assert history.get_run(2).pinned
        assert cell_texts(pilot, "pin") == ["", "★", ""]
        await pilot.press("p")
        assert not history.get_run(2).pinned
        assert cell_texts(pilot, "pin") == ["", "", ""]
        await pilot.press("p")
        await pilot.press("escape")
    assert app.result == RunsAction("pins-changed", 2)
    assert history.get_run(2).pinned


async def test_rename_persists_and_escape_cancels(history, tmp_path):
    app = RunsApp(history, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await select(pilot, 1)
        await pilot.press("r")
        assert isinstance(app.screen, PromptScreen)
        assert app.screen.query_one(Input).value == "slow"  # prefilled
        await pilot.press("ctrl+u", *"η too small", "enter")
        assert isinstance(app.screen, RunsScreen)
        assert history.get_run(1).name == "η too small"
        assert cell_texts(pilot, "name")[2] == "η too small"
        await pilot.press("r", *"xyz", "escape")
        assert history.get_run(1).name == "η too small"
        await pilot.press("escape")
    assert app.result is None


async def test_delete_asks_first(history, tmp_path):
    app = RunsApp(history, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await select(pilot, 2)
        await pilot.press("d")
        assert isinstance(app.screen, ConfirmScreen)
        assert app.screen.focused.id == "no"  # the safe answer
        await pilot.press("escape")
        assert history.count() == 3
        await pilot.press("delete", "enter")  # Enter answers the focused No
        assert history.count() == 3
        await pilot.press("d", "y")
        assert [run.id for run in history.list_runs()] == [3, 1]
        assert table_ids(pilot) == [3, 1]
        assert app.screen.query_one(DataTable).cursor_row == 1  # on the run after it


async def test_a_running_run_is_not_deleted(history, tmp_path):
    running = history.start_run(TINY, name="going")
    app = RunsApp(history, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await select(pilot, running)
        await pilot.press("d")
        assert isinstance(app.screen, RunsScreen)
        assert any("still being recorded" in note for note in screen_notes(app))
    assert history.get_run(running).status == "running"


async def test_export_json_and_csv(history, tmp_path):
    app = RunsApp(history, tmp_path / "exports")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await select(pilot, 2)
        await pilot.press("e")
        assert isinstance(app.screen, PromptScreen)
        default = tmp_path / "exports" / "run-2.json"
        assert app.screen.query_one(Input).value == str(default)
        await pilot.press("enter")
        assert isinstance(app.screen, RunsScreen)
        record = load_run(default)
        assert [entry["epoch"] for entry in record.history] == [1, 2, 3]
        assert record.config.eta == 0.1
        assert any(str(default) in note for note in screen_notes(app))
        target = tmp_path / "run two.csv"
        await pilot.press("e", "ctrl+u", *str(target), "enter")
        rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"))))
        assert [row["epoch"] for row in rows] == ["1", "2", "3"]
        detail = history.get_run(2)
        assert [float(row["val_accuracy"]) for row in rows] == [
            report.val_accuracy for report in detail.history]
        # A name that is neither .json nor .csv, and a folder, are refused in the dialog.
        await pilot.press("e", "ctrl+u", *str(tmp_path / "run.txt"), "enter")
        assert isinstance(app.screen, PromptScreen)
        assert ".csv" in str(app.screen.query_one("#prompt-error").render())
        await pilot.press("ctrl+u", *str(tmp_path), "enter")
        assert isinstance(app.screen, PromptScreen)
        await pilot.press("escape")
        assert isinstance(app.screen, RunsScreen)
    assert not (tmp_path / "run.txt").exists()


async def test_export_to_an_unwritable_place_is_said(history, tmp_path):
    (tmp_path / "taken").write_text("a file, not a folder")
    app = RunsApp(history, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("e", "ctrl+u", *str(tmp_path / "taken" / "run.json"), "enter")
        assert isinstance(app.screen, PromptScreen)
        assert "taken" in str(app.screen.query_one("#prompt-error").render())
        await pilot.press("escape")


async def test_l_loads_the_config(history, tmp_path):
    app = RunsApp(history, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await select(pilot, 1)
        await pilot.press("p", "l")
    assert app.result == RunsAction("load-config", 1, pins_changed=True)
    assert app.result.kind == "load-config"


async def test_n_without_a_network_explains(history, tmp_path):
    app = RunsApp(history, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("n")
        assert isinstance(app.screen, RunsScreen)
        assert any("no saved network" in note for note in screen_notes(app))
        history.set_network_path(3, tmp_path / "gone.npz")
        await pilot.press("n")
        assert isinstance(app.screen, RunsScreen)
        assert any("no longer there" in note for note in screen_notes(app))


async def test_n_with_a_network_loads_it(history, tmp_path):
    config = TINY.replace(eta=0.2)
    recorder = HistoryRecorder(history, config, print, name="saved")
    run = Run(config, observers=[recorder])
    run.execute()
    path = save_network(tmp_path / "saved.npz", run.network, config)
    history.set_network_path(recorder.run_id, path)
    app = RunsApp(history, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("n")
    assert app.result == RunsAction("load-network", recorder.run_id)
    loaded, _ = load_network(history.get_run(recorder.run_id).network_path)
    assert loaded == config


async def test_enter_opens_the_detail_with_the_runs_curves(history, tmp_path):
    app = RunsApp(history, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await select(pilot, 2)
        await pilot.press("enter")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, RunDetailScreen)
        detail = history.get_run(2)
        cost = screen.query_one(CostPlot).series
        assert [s.label for s in cost] == ["training", "validation"]
        assert cost[0].x == [1.0, 2.0, 3.0]
        assert cost[1].y == pytest.approx([r.val_cost for r in detail.history])
        accuracy = screen.query_one(AccuracyPlot).series
        assert accuracy[-1].y == pytest.approx([100 * r.val_accuracy for r in detail.history])
        assert [s.label for s in screen.query_one(SpeedPlot).series] == [
            "hidden 1", "hidden 2", "output"]
        summary = str(screen.query_one("#detail-summary Static").render())
        assert "η=0.1" in summary and "completed" in summary
        assert f"{100 * detail.best_val_accuracy:.2f}%" in summary
        assert f"{100 * detail.test_accuracy:.2f}%" in summary
        await pilot.press("escape")
        assert isinstance(app.screen, RunsScreen)
        # l in the detail loads the config, as in the list.
        await pilot.press("enter", "l")
    assert app.result == RunsAction("load-config", 2)


async def test_history_errors_are_notes_not_tracebacks(history, tmp_path):
    app = RunsApp(history, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        with RunHistory(history.path) as other:  # another process deletes run 3 meanwhile
            other.delete([3])
        await pilot.press("p")
        assert any("no run 3" in note for note in screen_notes(app))
        await pilot.pause()
        assert table_ids(pilot) == [2, 1]  # listed again
        history.close()  # the history fails from now on
        await pilot.press("r", "x", "enter", "s", "l", "enter")
        assert isinstance(app.screen, RunsScreen)
        assert any("closed" in note for note in screen_notes(app))


async def test_a_long_history_lists_the_first_rows_and_filters_after_a_pause(
        history, tmp_path, monkeypatch):
    monkeypatch.setattr(runs_screen, "MAX_ROWS", 2)
    monkeypatch.setattr(runs_screen, "LONG_HISTORY", 2)
    app = RunsApp(history, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert table_ids(pilot) == [3, 2]
        title = str(app.screen.query_one("#runs-title").render())
        assert "3 runs, the first 2 listed" in title
        await pilot.press("slash", *"slow")
        await pilot.pause(runs_screen.FILTER_DELAY + 0.2)
        assert table_ids(pilot) == [1]
        assert "1 of 3 runs match" in str(app.screen.query_one("#runs-title").render())
        await pilot.press("backspace", "enter")  # Enter shows the rows at once
        assert table_ids(pilot) == [1]
        assert app.screen.query_one(DataTable).has_focus


async def test_a_running_run_follows_its_epochs(history, tmp_path, monkeypatch, epoch_report):
    monkeypatch.setattr(runs_screen, "FOLLOW_INTERVAL", 0.05)
    running = history.start_run(TINY, name="going")
    app = RunsApp(history, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert cell_texts(pilot, "status")[0] == "running"
        assert cell_texts(pilot, "epochs")[0] == "0/3"
        history.add_epoch(running, epoch_report(1, **learning(1, 3, 0.75, TINY.eta)))
        await pilot.pause(0.3)
        assert cell_texts(pilot, "epochs")[0] == "1/3"
        assert cell_texts(pilot, "best")[0] == "75.00%"
        # Its detail follows it too.
        await pilot.press("enter")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, RunDetailScreen)
        assert screen.query_one(CostPlot).series[0].x == [1.0]
        history.add_epoch(running, epoch_report(2, **learning(2, 3, 0.8, TINY.eta)))
        await pilot.pause(0.3)
        assert screen.query_one(CostPlot).series[0].x == [1.0, 2.0]
        history.finish_run(running, "stopped", "stopped")
        await pilot.pause(0.3)
        assert "stopped" in str(screen.query_one("#detail-title").render())
        await pilot.press("escape")
        await pilot.pause(0.3)
        assert cell_texts(pilot, "status")[0] == "stopped"
        assert cell_texts(pilot, "epochs")[0] == "2/3"
        assert table_ids(pilot) == [running, 3, 2, 1]


async def test_the_sort_arrow_marks_the_column_sorted_by(history, tmp_path):
    app = RunsApp(history, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()

        def marked() -> list[str]:
            table = app.screen.query_one(DataTable)
            return [key.value for key, column in table.columns.items()
                    if runs_screen.SORT_MARK in column.label.plain]

        assert marked() == ["when"]
        await pilot.press("s")
        assert marked() == ["best"]
        await pilot.press("s")
        assert marked() == ["when"]


async def test_the_list_says_which_runs_have_a_saved_network(history, tmp_path):
    app = RunsApp(history, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        columns = app.screen.query_one(DataTable).columns
        assert "network" not in {key.value for key in columns}, "no run has one: no column"
        await pilot.press("escape")
    saved = tmp_path / "fast.npz"
    saved.write_bytes(b"a network")
    history.set_network_path(3, saved)
    history.set_network_path(1, tmp_path / "moved.npz")
    app = RunsApp(history, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert cell_texts(pilot, "network") == ["saved", "", "gone"]


def test_a_stopped_run_says_when_each_test_accuracy_was_measured(tmp_path, epoch_report):
    """Validated on the test set and stopped during epoch 3: the test accuracy at epoch 2 and
    the one of the network as it stopped are two measurements, and each says which."""
    config = TINY.replace(validate_on="test")
    with RunHistory(tmp_path / "runs.db") as history:
        stopped = history.start_run(config, held_out="test")
        for epoch, accuracy in ((1, 0.2944), (2, 0.3101)):
            history.add_epoch(stopped, epoch_report(epoch, val_accuracy=accuracy))
        history.finish_run(stopped, "stopped", "stopped: during epoch 3", test_accuracy=0.3338)
        completed = history.start_run(config, held_out="test")
        history.add_epoch(completed, epoch_report(1, val_accuracy=0.4))
        history.finish_run(completed, "completed", "completed", test_accuracy=0.4)
        said = summary_text(history.get_run(stopped)).plain.splitlines()
        best = said.index("best test: 31.01% at epoch 2")
        assert said[best + 1:best + 3] == ["test at epoch 2: 31.01%",
                                           "test at the end: 33.38%"]
        assert "final" not in "\n".join(said)
        said = summary_text(history.get_run(completed)).plain.splitlines()
        assert "test at the end: 40.00% (epoch 1)" in said
        assert not any(line.startswith("test at epoch") for line in said)


ATTACK = "pwn\x1b]0;HACKED\x07x"
"""A run name that sets a terminal's title when printed raw."""
SHOWN = "pwn\\x1b]0;HACKED\\x07x"


async def test_a_shared_history_is_shown_escaped(history, tmp_path):
    """What another nntui, or sqlite3, could have left in a shared history: shown as escapes in
    the list, the title, a run's details, the dialogs and the notifications, never obeyed."""
    history.rename(2, ATTACK)
    history.set_network_path(2, tmp_path / "n\x1b[2J.npz")
    history.rename(1, "[/]markup")
    app = RunsApp(history, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert cell_texts(pilot, "name") == ["fast", SHOWN, "[/]markup"]
        assert "\x1b" not in app.export_screenshot() and SHOWN in app.export_screenshot()
        await select(pilot, 2)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, RunDetailScreen)
        assert f"Run 2: {SHOWN}" in str(app.screen.query_one("#detail-title").render())
        assert "n\\x1b[2J.npz" in str(app.screen.query_one("#detail-summary Static").render())
        assert "\x1b" not in app.export_screenshot()
        await pilot.press("escape", "r")
        assert isinstance(app.screen, PromptScreen)
        field = app.screen.query_one(Input)
        assert field.value == SHOWN  # seen, and harmless if kept
        field.value = "new\u202ename"
        await pilot.press("enter")
        assert isinstance(app.screen, PromptScreen), "refused"
        assert ("cannot hold U+202E RIGHT-TO-LEFT OVERRIDE, at character 4"
                in str(app.screen.query_one("#prompt-error").render()))
        await pilot.press("escape")
        assert history.get_run(2).name == ATTACK
        await pilot.press("d")  # the question quotes the name
        assert isinstance(app.screen, ConfirmScreen)
        assert SHOWN in str(app.screen.query_one("#question").render())
        await pilot.press("y")
        assert not any("\x1b" in note for note in screen_notes(app))
        assert any("n\\x1b[2J.npz was left in place" in note for note in screen_notes(app))
        await select(pilot, 1)
        await pilot.press("d")  # markup in a name breaks nothing
        assert "[/]markup" in str(app.screen.query_one("#question").render())
        await pilot.press("y")
        assert table_ids(pilot) == [3]


# --- pictures ------------------------------------------------------------------------------------

NOW = 1741948200.0  # 2025-03-14 10:30 UTC: "when" is measured against it


def learning(epoch: int, epochs: int, accuracy: float, eta: float, layers: int = 2) -> dict:
    """Epoch ``epoch`` of a run that learns, as the fields ``epoch_report`` takes: the costs fall
    as 1/epoch, the training accuracy just above the held-out ``accuracy``, each layer's
    learning speed falls with the epoch."""
    cost = 0.2 + 1.5 / (epoch + 1)
    return {"epochs": epochs, "train_cost": cost * 0.9,
            "train_accuracy": min(1.0, accuracy + 0.02), "val_cost": cost,
            "val_accuracy": accuracy, "seconds": 1.5,
            "learning_speed": tuple(0.02 * (i + 1) / epoch for i in range(layers)),
            "examples_per_second": 10000.0, "eta": eta}


@contextlib.contextmanager
def frozen_clock(monkeypatch: pytest.MonkeyPatch, moment: list[float]) -> Iterator[None]:
    """time.time() returns moment[0] while the runs are recorded (the app is not running)."""
    with monkeypatch.context() as patch:
        patch.setattr(time, "time", lambda: moment[0])
        yield


def fixed_history(path: Path, monkeypatch: pytest.MonkeyPatch, epoch_report) -> RunHistory:
    """Six runs with fixed times and numbers, as a person's history might hold them: two pinned,
    one with its network saved and one whose saved network has gone."""
    history = RunHistory(path)
    moment = [NOW - 5 * 86400]
    runs = [
        ("", PRESETS["nielsen-overfit"].config().replace(epochs=40), "nielsen-overfit",
         "completed", [0.70 + 0.13 * (1 - math.exp(-e / 8)) for e in range(1, 41)], 0.8271),
        ("baseline", make_config(dataset="circle", hidden="16", eta=0.5, batch_size=10,
                                 epochs=30, regularization="l2", lmbda=0.1),
         "", "early stop", [0.6 + 0.35 * (1 - math.exp(-e / 4)) for e in range(1, 19)], 0.9433),
        ("", PRESETS["xor"].config(), "xor", "completed",
         [0.5 + 0.48 * (1 - math.exp(-e / 10)) for e in range(1, 51)], 0.9760),
        ("too hot", PRESETS["xor"].config().replace(eta=10.0), "", "diverged",
         [0.51, 0.49, 0.50], None),
        ("wide spiral with a rather long name", PRESETS["spiral"].config().replace(
            hidden=(64, 64, 64)), "", "stopped",
         [0.4 + 0.5 * (1 - math.exp(-e / 30)) for e in range(1, 88)], 0.8805),
        ("", PRESETS["speed-of-learning"].config().replace(epochs=30), "speed-of-learning",
         "completed", [0.3 + 0.6 * (1 - math.exp(-e / 6)) for e in range(1, 31)], 0.9012),
    ]
    with frozen_clock(monkeypatch, moment):
        for index, (name, config, preset, status, accuracies, test) in enumerate(runs):
            moment[0] += 3600 * (index + 7.25)
            held_out = "test" if config.validate_on == "test" else "validation"
            run_id = history.start_run(config, name=name, preset=preset, held_out=held_out)
            layers = len(config.hidden) + 1
            for epoch, accuracy in enumerate(accuracies, start=1):
                fields = learning(epoch, config.epochs, accuracy, config.eta, layers)
                history.add_epoch(run_id, epoch_report(epoch, **fields))
            seconds = 1.5 * len(accuracies) + index
            best = max(accuracies)
            message = outcome_message(status, "", len(accuracies), best,
                                      accuracies.index(best) + 1, test, held_out)
            history.finish_run(run_id, status, message, test_accuracy=test, seconds=seconds)
        history.set_pinned(3, True)
        history.set_pinned(5, True)
    saved = path.parent / "baseline.npz"  # a network saved from run 2, and one gone since
    saved.write_bytes(b"a network")
    history.set_network_path(2, saved)
    history.set_network_path(5, path.parent / "moved-away.npz")
    return history


@pytest.fixture
def pictures(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
             epoch_report) -> Iterator[RunsApp]:
    """The app over the fixed history, in UTC at a fixed "now", the history named runs.db."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    monkeypatch.setattr(runs_screen, "now", lambda: NOW)
    monkeypatch.chdir(tmp_path)
    history = fixed_history(Path("runs.db"), monkeypatch, epoch_report)
    yield RunsApp(history, Path("exports"))
    history.close()
    monkeypatch.undo()
    time.tzset()


def test_runs_screen_80x24(snap_compare, pictures):
    assert snap_compare(pictures, terminal_size=(80, 24))


def test_runs_screen_120x40(snap_compare, pictures):
    assert snap_compare(pictures, terminal_size=(120, 40))


def test_run_detail_80x24(snap_compare, pictures):
    async def open_detail(pilot) -> None:
        await pilot.pause()
        await pilot.press("down", "down", "enter")
        await pilot.pause()

    assert snap_compare(pictures, terminal_size=(80, 24), run_before=open_detail)


def test_fixed_history_is_what_the_pictures_show(pictures):
    runs = pictures.history.list_runs()
    assert [run.id for run in runs] == [6, 5, 4, 3, 2, 1]
    assert json.dumps([run.started for run in runs]) == json.dumps(
        sorted((run.started for run in runs), reverse=True))
