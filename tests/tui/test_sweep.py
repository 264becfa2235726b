"""Sweeps in the app: the dialog (Ctrl+F), the sweep's worker and its throttled messages, the
runs drawn as overlays while they train, F8, quitting, and the runs pinned in the history with
their group.  Most tests train tiny XOR or circle runs in this process (``workers 0``); one
starts a real two-worker local Dask cluster."""

from __future__ import annotations

import itertools
import time
from pathlib import Path

import pytest
from textual.widgets import Button, DataTable, Input, Select

from nntui.config import make_config
from nntui.presets import PRESETS
from nntui.runner.lifecycle import HistoryRecorder, Run
from nntui.status import RunStatus
from nntui.storage.history import RunHistory, RunSummary
from nntui.studies.plan import plan_sweep
from nntui.tui.app import NNTuiApp
from nntui.tui.controllers import sweeps as sweeping
from nntui.tui.controllers.sweeps import (
    RunOutcome,
    SweepEnded,
    SweepProgress,
    SweepRequest,
    SweepSession,
    SweepStarted,
    best_outcome,
    ended_text,
    progress_text,
    summary_text,
)
from nntui.tui.dialogs.confirm import ConfirmScreen
from nntui.tui.dialogs.sweep import SweepScreen, parse_workers, suggested_values
from nntui.tui.screens.runs import RunsScreen, by_group
from nntui.tui.widgets.plots import AccuracyPlot, CostPlot
from tests.tui.conftest import log_text, press, wait_for  # tests/, beside this file

XOR = PRESETS["xor"].config().replace(epochs=6, train_size=200, pace=0, seed=3)
"""A few hundredths of a second a run."""

SLOW = make_config(dataset="circle", hidden="16", train_size=20000, batch_size=1, epochs=50,
                   eta=0.05, regularization="none", lmbda=0)
"""An epoch of 20,000 single-example mini-batches: about a second, time to press F8."""


def make_app(tmp_path: Path, config=XOR) -> NNTuiApp:
    return NNTuiApp(config, runs_dir=tmp_path, runs_db=tmp_path / "runs.db", show_timing=False,
                    progress_interval=0.05)


def notes(app: NNTuiApp) -> list[str]:
    return [n.message for n in app._notifications]


async def open_dialog(pilot) -> SweepScreen:
    await pilot.press("ctrl+f")
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, SweepScreen)
    return screen


async def fill(pilot, values: str, *, workers: str = "0", second: str | None = None,
               values2: str = "", name: str | None = None) -> SweepScreen:
    """Open the dialog and type into it (workers 0: the runs train in this process)."""
    screen = await open_dialog(pilot)
    screen.query_one("#sweep-values", Input).value = values
    if second is not None:
        screen.query_one("#sweep-field2", Select).value = second
        await pilot.pause()
        screen.query_one("#sweep-values2", Input).value = values2
    screen.query_one("#sweep-workers", Input).value = workers
    if name is not None:
        screen.query_one("#sweep-name", Input).value = name
    await pilot.pause()
    return screen


# --- the dialog ---------------------------------------------------------------------------------

async def test_the_dialog_counts_the_runs_and_starts_none_while_anything_is_wrong(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = await open_dialog(pilot)
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
        assert isinstance(app.screen, SweepScreen) and app.sweep is None
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
        assert not isinstance(app.screen, SweepScreen) and app.sweep is None
    with RunHistory(tmp_path / "runs.db") as history:
        assert history.list_runs() == []


def test_dialog_helpers():
    config = XOR.replace(eta=0.3, hidden=(8, 8))
    assert suggested_values("eta", config) == "0.03,0.3,3"
    assert suggested_values("hidden", config) == "8-8"
    assert suggested_values("activation", config) == "sigmoid,tanh,relu"
    assert parse_workers("") == (None, "")
    assert parse_workers("0") == (0, "")
    assert parse_workers("-1")[1].startswith("workers: give 0 or more")


async def test_the_palette_and_the_help_offer_the_sweep(tmp_path):
    from nntui.tui.commands import NNTuiCommands

    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        entries = {name: (help_text, callback)
                   for name, help_text, callback in NNTuiCommands(app.screen)._entries()}
        help_text, callback = entries["Sweep"]
        assert help_text.startswith("Train the form's config with one or two fields varied")
        assert help_text.endswith("[ctrl+f]")
        callback()
        await pilot.pause()
        assert isinstance(app.screen, SweepScreen)


async def test_a_bad_form_opens_no_dialog(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        app.form.field("eta").editor.focus()
        await pilot.press("ctrl+u", "-", "1")
        await pilot.press("ctrl+f")
        await pilot.pause()
        assert not isinstance(app.screen, SweepScreen)
        assert any("Fix η first" in note for note in notes(app))


# --- a sweep in the app --------------------------------------------------------------------------

async def test_a_sweep_draws_its_runs_as_they_train_then_pins_them_in_its_group(tmp_path,
                                                                               monkeypatch):
    record = tmp_path / "runs.db"
    with RunHistory(record) as history:  # pinned before: the sweep's runs take its place
        recorder = HistoryRecorder(history, XOR, print, name="old")
        Run(XOR, observers=[recorder]).execute()
        history.set_pinned(recorder.run_id, True)
    handled: list[float] = []
    handler = NNTuiApp.on_sweep_progress

    def counted(self, message):
        handled.append(time.monotonic())
        handler(self, message)

    monkeypatch.setattr(NNTuiApp, "on_sweep_progress", counted)
    app = make_app(tmp_path, XOR.replace(epochs=150))
    seen: list[list[str]] = []
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert [s.label for s in app.query_one(CostPlot).series] == ["old"]
        await fill(pilot, "0.1,1", second="hidden", values2="4,8", name="grid")
        began = time.monotonic()
        await press(pilot, "enter")
        assert app.sweep is not None and app.state == "sweeping", log_text(app)
        while app.sweep is not None:
            labels = [s.label for s in app.query_one(CostPlot).series]
            if labels and labels not in seen:
                seen.append(labels)
            await pilot.pause(0.01)
        await pilot.pause()
        # 600 epochs reached the UI in a few messages, at most about four a second.
        assert 2 <= len(handled) <= 4 * (handled[-1] - began) + 2
        labels = ["hidden=4 η=0.1", "hidden=8 η=0.1", "hidden=4 η=1", "hidden=8 η=1"]
        # While it trained, only its runs were drawn, named by what differs, in sweep order.
        assert seen and all(shown == labels[:len(shown)] for shown in seen)
        assert [s.label for s in app.query_one(CostPlot).series] == labels
        assert [s.role for s in app.query_one(AccuracyPlot).series] == ["overlay"] * 4
        text = log_text(app)
        assert "Sweep grid: 4 runs one after another in this process" in text
        assert "[4/4]" in text and "Sweep grid done: 4 runs (4 completed); best " in text
        assert app.state == "completed"
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
        assert [run.name for run in runs if run.pinned and run.group != "grid"] == []


async def test_f8_stops_the_sweep_and_f5_waits_for_it(tmp_path):
    app = make_app(tmp_path, SLOW)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await fill(pilot, "0.05,0.1,0.2", name="slow")
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.sweep is not None and app.sweep.sweep.results[0]
                       .state == "running" and app.sweep.sweep.results[0].epoch >= 1,
                       timeout=60)
        await press(pilot, "f5")  # refused, said
        assert app.run_number == 0 and any("F5 starts a run once" in n for n in notes(app))
        await press(pilot, "ctrl+f")  # one sweep at a time
        assert not isinstance(app.screen, SweepScreen)
        assert any("one sweep at a time" in n for n in notes(app))
        await press(pilot, "f8")
        await wait_for(pilot, lambda: app.sweep is None, timeout=30)
        text = log_text(app)
        assert "Stopping sweep slow" in text and "Sweep slow stopped" in text
        assert app.state == "stopped"
    with RunHistory(tmp_path / "runs.db") as history:
        [run] = [run for run in history.list_runs() if run.group == "slow"]
        assert run.status == "stopped" and run.pinned  # the others never started


async def test_quitting_stops_the_sweep_first(tmp_path):
    app = make_app(tmp_path, SLOW)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await fill(pilot, "0.05,0.1", name="quit")
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.sweep is not None
                       and app.sweep.sweep.results[0].state == "running", timeout=60)
        session = app.sweep
        await press(pilot, "ctrl+q")
        assert isinstance(app.screen, ConfirmScreen)
        await press(pilot, "y")
        await wait_for(pilot, lambda: app._sweep_done.is_set(), timeout=30)
    assert session.stopping and app._sweep_done.is_set()
    with RunHistory(tmp_path / "runs.db") as history:
        assert [run.status for run in history.list_runs() if run.group == "quit"] == ["stopped"]


async def test_a_cluster_that_cannot_start_is_a_notification(tmp_path, monkeypatch):
    monkeypatch.setenv("NNTUI_DASK_SCHEDULER", "tcp://127.0.0.1:9")  # nothing listens there
    monkeypatch.setattr(sweeping, "CONNECT_TIMEOUT", 1.0)
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = await open_dialog(pilot)
        assert "cluster's own" in str(screen.query_one("#sweep-workers-note").render())
        await pilot.press("enter")
        await pilot.pause()
        assert app.sweep is not None and app.sweep.timeout == 1.0
        await wait_for(pilot, lambda: app.sweep is None, timeout=60)
        assert any("cannot reach the Dask scheduler at tcp://127.0.0.1:9" in n
                   for n in notes(app))
        assert "Sweep not started" in log_text(app) and "Traceback" not in log_text(app)
        assert app.state == "failed"
    with RunHistory(tmp_path / "runs.db") as history:
        assert history.list_runs() == []


async def test_a_sweep_on_a_real_two_worker_local_cluster(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await fill(pilot, "0.1,0.5,1", workers="2", name="dask")
        await press(pilot, "enter")
        session = app.sweep
        assert session is not None
        await wait_for(pilot, lambda: app.sweep is None, timeout=180)
        assert "Training on a local cluster of 2 worker processes" in log_text(app)
        assert [s.label for s in app.query_one(CostPlot).series] == ["η=0.1", "η=0.5", "η=1"]
        assert session.executor is not None and session.executor.client is None  # closed
        assert {r.worker for r in session.sweep.results} - {""}
    with RunHistory(tmp_path / "runs.db") as history:
        runs = [run for run in history.list_runs() if run.group == "dask"]
        assert sorted(run.status for run in runs) == ["completed"] * 3
        assert all(run.pinned and run.epochs_done == XOR.epochs for run in runs)


# --- the worker's messages -----------------------------------------------------------------------

def test_the_session_posts_a_few_messages_however_many_epochs(tmp_path):
    """Twelve runs of 150 quick epochs: thousands of events, a few messages."""
    config = XOR.replace(epochs=150, train_size=100)
    runs = plan_sweep(config, ["eta=0.05,0.1,0.2,0.4,0.8,1.6", "seed=1,2"])
    posted: list = []
    with RunHistory(tmp_path / "runs.db") as history:
        session = SweepSession(1, SweepRequest("many", runs, workers=0), posted.append,
                               history=history, interval=0.25)
        began = time.monotonic()
        session.run()
        seconds = time.monotonic() - began
        assert len(history.list_runs()) == 12
    progress = [m for m in posted if isinstance(m, SweepProgress)]
    assert isinstance(posted[0], SweepStarted) and isinstance(posted[-1], SweepEnded)
    # At most four a second, and one last one with everything.
    assert len(progress) <= 4 * seconds + 2
    times = [m.time for m in progress]
    assert all(b - a >= 0.2 for a, b in itertools.pairwise(times[:-1]))
    last = progress[-1]
    assert (last.done, last.running, last.total) == (12, 0, 12)
    assert last.epochs_done == last.epochs == 12 * 150
    done = [m.epochs_done for m in progress]
    assert done == sorted(done) and done[0] < 150  # the first came early on
    assert [c.label for c in last.curves["held-out"]] == [r.label for r in runs]
    assert all(len(c.cost.x) == 150 for c in last.curves["held-out"])
    ended = [o for m in progress for o in m.ended]
    assert sorted(o.index for o in ended) == list(range(12))
    end = posted[-1]
    assert not end.error and not end.stopped and len(end.outcomes) == 12
    assert all(o.run_id is not None and o.status == "completed" for o in end.outcomes)


def test_a_stopped_session_marks_the_rest_not_run(tmp_path):
    runs = plan_sweep(XOR, ["eta=0.1,0.2,0.3"])
    posted: list = []
    session = SweepSession(1, SweepRequest("s", runs, workers=0), posted.append, history=None)
    session.stop()
    session.run()
    end = posted[-1]
    assert isinstance(end, SweepEnded) and end.stopped
    assert [o.status for o in end.outcomes] == [RunStatus.NOT_RUN] * 3


def test_summaries():
    def o(index, label, status, best, epoch=3):
        return RunOutcome(index, label, status, "", best, epoch, "validation", index + 1, 1)

    outcomes = [o(0, "η=0.1", "completed", 0.9), o(1, "η=1", "completed", 0.975, 5),
                o(2, "η=10", "diverged", None), o(3, "η=100", RunStatus.NOT_RUN, None)]
    assert best_outcome(outcomes).label == "η=1"
    assert summary_text("eta", outcomes) == (
        "Sweep eta done: 4 runs (2 completed, 1 diverged, 1 not run); best η=1: 97.50 % "
        "validation accuracy (epoch 5).")
    assert summary_text("x", outcomes[2:], stopped=True).endswith("no run finished an epoch.")
    assert progress_text("eta", 3, 6, 2) == "sweep eta: 3 of 6 done, 2 running"
    assert progress_text("sweep-20261124-0712", 0, 6, 0) == "sweep-20261124-0712: 0 of 6 done"
    assert ended_text("eta", outcomes) == (
        "sweep eta: best η=1 97.50 %, 4 runs pinned (F2: group eta)")


def test_runs_group_by_group_in_their_sorted_order():
    def run(run_id, group):
        return RunSummary(run_id, "", group, "", "completed", "", 0.0, 0.0, 1.0, 1, None, None,
                          None, None, "validation", False, None, "{}")

    runs = [run(6, "b"), run(5, ""), run(4, "a"), run(3, "b"), run(2, "a"), run(1, "")]
    assert [r.id for r in by_group(runs)] == [6, 3, 4, 2, 5, 1]


@pytest.mark.parametrize("split", ["held-out", "training"])
def test_curves_are_thinned_and_made_once_per_new_epoch(tmp_path, split):
    config = XOR.replace(epochs=400, train_size=50)
    runs = plan_sweep(config, ["eta=0.1,0.2"])
    session = SweepSession(1, SweepRequest("c", runs, workers=0), lambda m: None, history=None)
    session.run()
    curves = session.curves()
    assert [c.label for c in curves[split]] == ["η=0.1", "η=0.2"]
    assert all(len(c.cost.x) <= 300 and c.cost.x[-1] == 400 for c in curves[split])
    again = session.curves()
    assert all(a is b for a, b in zip(curves[split], again[split], strict=True))


# --- pictures -------------------------------------------------------------------------------------

PICTURED = PRESETS["xor"].config().replace(epochs=30, train_size=400, seed=3, pace=0)
"""Three seeded XOR runs of 30 epochs, η a decade apart: the finished sweep's picture."""


@pytest.fixture
def pictured(tmp_path, monkeypatch):
    """The app at fixed numbers: the dialog's time stamp and this machine's cores."""
    from nntui.tui.dialogs import sweep as sweep_screen

    monkeypatch.setattr(sweep_screen, "stamp", lambda: "20261124-071203")
    monkeypatch.setattr(sweep_screen, "cores", lambda: 2)
    return NNTuiApp(PICTURED, runs_dir=tmp_path, runs_db=tmp_path / "runs.db",
                    show_timing=False)


async def dialog_with_two_fields(pilot) -> None:
    await pilot.pause()
    await pilot.press("ctrl+f")
    await pilot.pause()
    screen = pilot.app.screen
    screen.query_one("#sweep-field2", Select).value = "hidden"
    await pilot.pause()
    screen.query_one("#sweep-values2", Input).value = "4,8-8"
    await pilot.pause()
    screen.query_one("#sweep-values", Input).focus()
    await pilot.pause()
    await pilot.wait_for_scheduled_animations()
    await pilot.pause()


async def finished_sweep(pilot) -> None:
    app = pilot.app
    await pilot.pause()
    await pilot.press("ctrl+f")
    await pilot.pause()
    screen = app.screen
    screen.query_one("#sweep-values", Input).value = "0.03,0.3,3"
    screen.query_one("#sweep-name", Input).value = "eta"
    screen.query_one("#sweep-workers", Input).value = "0"
    await pilot.pause()
    await pilot.press("enter")
    deadline = time.monotonic() + 120
    while app.sweep is not None or isinstance(app.screen, SweepScreen):
        assert time.monotonic() < deadline, "the sweep did not finish"
        await pilot.pause(0.05)
    app.clear_notifications()
    await pilot.pause()
    await pilot.wait_for_scheduled_animations()
    await pilot.pause()


def test_sweep_dialog_120x40(snap_compare, pictured):
    assert snap_compare(pictured, terminal_size=(120, 40), run_before=dialog_with_two_fields)


def test_sweep_dialog_80x24(snap_compare, pictured):
    assert snap_compare(pictured, terminal_size=(80, 24), run_before=dialog_with_two_fields)


def test_finished_sweep_120x40(snap_compare, pictured):
    assert snap_compare(pictured, terminal_size=(120, 40), run_before=finished_sweep)


def test_finished_sweep_80x24(snap_compare, pictured):
    assert snap_compare(pictured, terminal_size=(80, 24), run_before=finished_sweep)


async def test_quitting_during_a_dask_sweep_leaves_no_worker_process(tmp_path):
    psutil = pytest.importorskip("psutil")

    def workers() -> list:
        return [p for p in psutil.Process().children(recursive=True)
                if "resource_tracker" not in " ".join(p.cmdline())]

    app = make_app(tmp_path, SLOW)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await fill(pilot, "0.05,0.1,0.2", workers="2", name="quit-dask")
        await press(pilot, "enter")
        session = app.sweep
        assert session is not None
        await wait_for(pilot, lambda: any(r.epoch >= 1 for r in session.sweep.results),
                       timeout=120)
        assert len(workers()) >= 2  # the local cluster's worker processes
        await press(pilot, "ctrl+q")
        await press(pilot, "y")
        await wait_for(pilot, lambda: app._sweep_done.is_set(), timeout=60)
    assert session.executor is not None and session.executor.cluster is None
    deadline = time.monotonic() + 10
    while workers() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert workers() == []
    with RunHistory(tmp_path / "runs.db") as history:
        statuses = [run.status for run in history.list_runs() if run.group == "quit-dask"]
        assert statuses and set(statuses) == {"stopped"}
