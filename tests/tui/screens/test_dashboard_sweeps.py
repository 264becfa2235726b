"""Sweeps on the dashboard: the runs drawn as overlays while they train, F8, quitting, a cluster
that cannot start or really starts, the runs pinned in the history with their group, and the
picture of a finished sweep.  Most tests train tiny XOR or circle runs in this process
(``workers 0``); two start a real two-worker local Dask cluster."""

from __future__ import annotations

import time

import pytest
from textual.widgets import DataTable, Input

from nntui.runner.lifecycle import HistoryRecorder, Run
from nntui.storage.history import RunHistory, RunSummary
from nntui.tui.controllers import sweeps as sweeping
from nntui.tui.dialogs import sweep as sweep_dialog
from nntui.tui.dialogs.confirm import ConfirmScreen
from nntui.tui.dialogs.sweep import SweepScreen
from nntui.tui.screens.dashboard import DashboardScreen
from nntui.tui.screens.runs import RunsScreen, by_group
from nntui.tui.widgets.plots import AccuracyPlot, CostPlot


def started_sessions(monkeypatch) -> list[sweeping.SweepSession]:
    """Every sweep session the app makes from now on, kept even once it has ended (a test that
    read the dashboard's after Enter would race the sweep's start and its end)."""
    sessions: list[sweeping.SweepSession] = []

    class Kept(sweeping.SweepSession):
        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, **kwargs)
            sessions.append(self)

    monkeypatch.setattr(sweeping, "SweepSession", Kept)
    return sessions


async def test_a_sweep_draws_its_runs_as_they_train_then_pins_them_in_its_group(tmp_path,
                                                                                monkeypatch,
                                                                                make_app, press,
                                                                                wait_for, log_text,
                                                                                swept,
                                                                                fill_sweep_dialog):
    record = tmp_path / "runs.db"
    with RunHistory(record) as history:  # pinned by hand: drawn beside the sweep's when it ends
        recorder = HistoryRecorder(history, swept, print, name="old")
        Run(swept, observers=[recorder]).execute()
        history.set_pinned(recorder.run_id, True)
    handled: list[float] = []
    handler = DashboardScreen.on_sweep_progress

    def counted(self, message):
        handled.append(time.monotonic())
        handler(self, message)
        labels = [s.label for s in self.query_one(CostPlot).series]  # drawn as it trains
        if labels and labels not in seen:
            seen.append(labels)

    monkeypatch.setattr(DashboardScreen, "on_sweep_progress", counted)
    app = make_app(swept.replace(epochs=150))
    seen: list[list[str]] = []
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        run = app.dashboard.run_state
        assert [s.label for s in app.query_one(CostPlot).series] == ["old"]
        await fill_sweep_dialog(pilot, "0.1,1", second="hidden", values2="4,8", name="grid")
        began = time.monotonic()
        await press(pilot, "enter")
        await wait_for(pilot, lambda: "Sweep grid done" in log_text(app))
        await pilot.pause()
        # 600 epochs reached the UI in a few messages, at most about four a second.
        assert 2 <= len(handled) <= 4 * (handled[-1] - began) + 2
        labels = ["hidden=4 η=0.1", "hidden=8 η=0.1", "hidden=4 η=1", "hidden=8 η=1"]
        # While it trained, only its runs were drawn, named by what differs, in sweep order;
        # then beside the run pinned by hand, which stays pinned.
        assert seen and all(shown == labels[:len(shown)] for shown in seen)
        assert [s.label for s in app.query_one(CostPlot).series] == ["old", *labels]
        assert [s.role for s in app.query_one(AccuracyPlot).series] == ["overlay"] * 5
        assert f"Pinned by hand, run {recorder.run_id} (old) stays beside them" in log_text(app)
        text = log_text(app)
        assert "Sweep grid: 4 runs one after another in this process" in text
        assert "[4/4]" in text and "Sweep grid done: 4 runs (4 completed); best " in text
        assert run.state == "completed"
        bar = app.query_one("#progress-bar")
        assert bar.progress == bar.total == 4 * 150
        assert "4/4 runs" in str(app.query_one("#progress-count").render())
        status = str(app.query_one("#status").render())
        assert "sweep grid: best " in status and "4 runs pinned (F2: group grid)" in status
        # The runs screen shows the group, lists the runs group by group (g), filters by it.
        await pilot.press("f2")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, RunsScreen)
        table = screen.query_one(DataTable)

        def column(key: str) -> list[str]:
            return [table.get_cell(row.key, key).plain.strip() for row in table.ordered_rows]

        assert column("group") == ["grid"] * 4 + [""]
        await pilot.press("s")  # best first: "old" may come between the sweep's runs
        await pilot.press("g")
        assert screen.grouped and column("group") == ["grid"] * 4 + [""]
        assert "group by group" in str(screen.query_one("#runs-title").render())
        await pilot.press("slash", *"grid")
        assert column("name") == [run.name for run in screen.shown] and len(screen.shown) == 4
        await pilot.press("escape", "escape")
    with RunHistory(record) as history:
        runs = history.list_runs()
        swept = [run for run in runs if run.group == "grid"]
        assert sorted(run.name for run in swept) == sorted(labels)
        assert all(run.status == "completed" and run.pinned for run in swept)
        assert [run.name for run in runs if run.pinned and run.group != "grid"] == ["old"]


async def test_a_sweep_pins_in_place_of_the_last_sweep_and_never_shares_its_group(
        tmp_path, monkeypatch, wait_for, log_text, swept, fill_sweep_dialog, make_app):
    record = tmp_path / "runs.db"
    with RunHistory(record) as history:
        recorder = HistoryRecorder(history, swept, print, name="mine")
        Run(swept, observers=[recorder]).execute()
        history.set_pinned(recorder.run_id, True)
    monkeypatch.setattr(sweep_dialog, "stamp", lambda: "20261124-071203")  # the same second
    app = make_app(swept)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        names = []
        for _ in range(2):
            screen = await fill_sweep_dialog(pilot, "0.1,1")
            names.append(screen.query_one("#sweep-name", Input).value)
            await pilot.press("enter")
            await wait_for(pilot, lambda: f"Sweep {names[-1]} done" in log_text(app))
        assert names == ["eta-20261124-071203", "eta-20261124-071203-2"]
        assert [s.label for s in app.query_one(CostPlot).series] == ["mine", "η=0.1", "η=1"]
    with RunHistory(record) as history:
        runs = history.list_runs()
        pinned = sorted((run.group, run.name) for run in runs if run.pinned)
        assert pinned == [("", "mine"), (names[1], "η=0.1"), (names[1], "η=1")]
        assert sorted(run.name for run in runs if run.group == names[0]) == ["η=0.1", "η=1"]


async def test_f8_stops_the_sweep_and_f5_waits_for_it(tmp_path, press, wait_for, log_text, slow,
                                                      notes, fill_sweep_dialog, open_app):
    async with open_app(slow) as (app, pilot, run):
        await fill_sweep_dialog(pilot, "0.05,0.1,0.2", name="slow")
        await pilot.press("enter")
        sweeps = app.dashboard.sweeps
        await wait_for(pilot, lambda: sweeps.session is not None and sweeps.session.sweep
                       .results[0].state == "running" and sweeps.session.sweep.results[0].epoch
                       >= 1, timeout=60)
        await press(pilot, "f5")  # refused, said
        await wait_for(pilot, lambda: any("F5 starts a run once" in n for n in notes(app)))
        assert run.number == 0
        await press(pilot, "ctrl+f")  # one sweep at a time
        await wait_for(pilot, lambda: any("one sweep at a time" in n for n in notes(app)))
        assert not isinstance(app.screen, SweepScreen)
        await press(pilot, "f8")
        await wait_for(pilot, lambda: app.dashboard.sweeps.session is None, timeout=30)
        text = log_text(app)
        assert "Stopping sweep slow" in text and "Sweep slow stopped" in text
        assert run.state == "stopped"
    with RunHistory(tmp_path / "runs.db") as history:
        [run] = [run for run in history.list_runs() if run.group == "slow"]
        assert run.status == "stopped" and run.pinned  # the others never started


async def test_quitting_stops_the_sweep_first(tmp_path, press, wait_for, slow, fill_sweep_dialog,
                                              open_app):
    async with open_app(slow) as (app, pilot, _):
        await fill_sweep_dialog(pilot, "0.05,0.1", name="quit")
        await pilot.press("enter")
        sweeps = app.dashboard.sweeps
        await wait_for(pilot, lambda: sweeps.session is not None
                       and sweeps.session.sweep.results[0].state == "running", timeout=60)
        session = app.dashboard.sweeps.session
        await press(pilot, "ctrl+q")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await press(pilot, "y")
        await wait_for(pilot, lambda: app.dashboard.sweeps.done, timeout=30)
    assert session.stopping and app.dashboard.sweeps.done
    with RunHistory(tmp_path / "runs.db") as history:
        assert [run.status for run in history.list_runs() if run.group == "quit"] == ["stopped"]


async def test_a_cluster_that_cannot_start_is_a_notification(tmp_path, monkeypatch, wait_for,
                                                             log_text, swept, notes,
                                                             open_sweep_dialog, open_app):
    monkeypatch.setenv("NNTUI_DASK_SCHEDULER", "tcp://127.0.0.1:9")  # nothing listens there
    monkeypatch.setattr(sweeping, "CONNECT_TIMEOUT", 1.0)
    sessions = started_sessions(monkeypatch)
    async with open_app(swept) as (app, pilot, run):
        screen = await open_sweep_dialog(pilot)
        assert "cluster's own" in str(screen.query_one("#sweep-workers-note").render())
        await pilot.press("enter")
        await wait_for(pilot, lambda: sessions)
        assert sessions[0].timeout == 1.0
        await wait_for(pilot, lambda: app.dashboard.sweeps.session is None, timeout=60)
        assert any("cannot reach the Dask scheduler at tcp://127.0.0.1:9" in n
                   for n in notes(app))
        assert "Sweep not started" in log_text(app) and "Traceback" not in log_text(app)
        assert run.state == "failed"
        # No run trained: the bar does not say they are all done.
        count = str(app.query_one("#progress-count").render())
        assert count.startswith("0/") and count.endswith(" runs"), count
    with RunHistory(tmp_path / "runs.db") as history:
        assert history.list_runs() == []


async def test_a_sweep_on_a_real_two_worker_local_cluster(tmp_path, monkeypatch, press, wait_for,
                                                          log_text, swept, fill_sweep_dialog,
                                                          open_app):
    async with open_app(swept) as (app, pilot, _):
        sessions = started_sessions(monkeypatch)
        await fill_sweep_dialog(pilot, "0.1,0.5,1", workers="2", name="dask")
        await press(pilot, "enter")
        await wait_for(pilot, lambda: sessions)
        session = sessions[0]
        await wait_for(pilot, lambda: app.dashboard.sweeps.session is None, timeout=180)
        assert "Training on a local cluster of 2 worker processes" in log_text(app)
        assert [s.label for s in app.query_one(CostPlot).series] == ["η=0.1", "η=0.5", "η=1"]
        assert session.executor is not None and session.executor.client is None  # closed
        assert {r.worker for r in session.sweep.results} - {""}
    with RunHistory(tmp_path / "runs.db") as history:
        runs = [run for run in history.list_runs() if run.group == "dask"]
        assert sorted(run.status for run in runs) == ["completed"] * 3
        assert all(run.pinned and run.epochs_done == swept.epochs for run in runs)


async def test_quitting_during_a_dask_sweep_leaves_no_worker_process(tmp_path, monkeypatch, press,
                                                                     wait_for, slow,
                                                                     fill_sweep_dialog, open_app):
    psutil = pytest.importorskip("psutil")

    def workers() -> list:
        return [p for p in psutil.Process().children(recursive=True)
                if "resource_tracker" not in " ".join(p.cmdline())]

    async with open_app(slow) as (app, pilot, _):
        sessions = started_sessions(monkeypatch)
        await fill_sweep_dialog(pilot, "0.05,0.1,0.2", workers="2", name="quit-dask")
        await press(pilot, "enter")
        await wait_for(pilot, lambda: sessions)
        session = sessions[0]
        await wait_for(pilot, lambda: any(r.epoch >= 1 for r in session.sweep.results),
                       timeout=120)
        assert len(workers()) >= 2  # the local cluster's worker processes
        await press(pilot, "ctrl+q")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await press(pilot, "y")
        await wait_for(pilot, lambda: app.dashboard.sweeps.done, timeout=60)
    assert session.executor is not None and session.executor.cluster is None
    deadline = time.monotonic() + 10
    while workers() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert workers() == []
    with RunHistory(tmp_path / "runs.db") as history:
        statuses = [run.status for run in history.list_runs() if run.group == "quit-dask"]
        assert statuses and set(statuses) == {"stopped"}


def test_runs_group_by_group_in_their_sorted_order():
    def run(run_id, group):
        return RunSummary(run_id, "", group, "", "completed", "", 0.0, 0.0, 1.0, 1, None, None,
                          None, None, "validation", False, None, "{}")

    runs = [run(6, "b"), run(5, ""), run(4, "a"), run(3, "b"), run(2, "a"), run(1, "")]
    assert [r.id for r in by_group(runs)] == [6, 3, 4, 2, 5, 1]


def test_finished_sweep_120x40(snap_compare, pictured, scenes):
    assert snap_compare(pictured, terminal_size=(120, 40), run_before=scenes.finished_sweep)


def test_finished_sweep_80x24(snap_compare, pictured, scenes):
    assert snap_compare(pictured, terminal_size=(80, 24), run_before=scenes.finished_sweep)
