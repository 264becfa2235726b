"""A sweep's worker without a terminal: its throttled messages, a stop, the curves it makes once
per new epoch, and the words the dashboard says about its runs."""

from __future__ import annotations

import itertools
import time

import pytest

from nntui.status import RunStatus
from nntui.storage.history import RunHistory
from nntui.studies.plan import plan_sweep
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


def test_the_session_posts_a_few_messages_however_many_epochs(tmp_path, quick, swept):
    """Twelve runs of 150 quick epochs: thousands of events, a few messages."""
    config = swept.replace(epochs=150, train_size=100)
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


def test_a_stopped_session_marks_the_rest_not_run(swept):
    runs = plan_sweep(swept, ["eta=0.1,0.2,0.3"])
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


@pytest.mark.parametrize("split", ["held-out", "training"])
def test_curves_are_thinned_and_made_once_per_new_epoch(split, swept):
    config = swept.replace(epochs=400, train_size=50)
    runs = plan_sweep(config, ["eta=0.1,0.2"])
    session = SweepSession(1, SweepRequest("c", runs, workers=0), lambda m: None, history=None)
    session.run()
    curves = session.curves()
    assert [c.label for c in curves[split]] == ["η=0.1", "η=0.2"]
    assert all(len(c.cost.x) <= 300 and c.cost.x[-1] == 400 for c in curves[split])
    again = session.curves()
    assert all(a is b for a, b in zip(curves[split], again[split], strict=True))


def test_a_sweep_stopped_before_any_run_started_says_so():
    outcomes = [RunOutcome(i, f"η={eta}", RunStatus.NOT_RUN, "", None, 0, "validation", None, 0)
                for i, eta in enumerate((0.1, 1.0))]
    assert ended_text("eta", outcomes) == "sweep eta: no run started"
    assert summary_text("eta", outcomes, stopped=True) == \
        "Sweep eta stopped before any of its 2 runs started."
