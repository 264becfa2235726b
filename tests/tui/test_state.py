"""The app's run state, without a terminal: every rule the status line, the progress bar and the
pause, step and stop messages follow."""

from __future__ import annotations

import pytest

from nntui.config import make_config
from nntui.engine import BatchProgress, Control, EpochReport
from nntui.engine.network import Network
from nntui.tui.state import RunState, Status

CONFIG = make_config(dataset="xor", epochs=10, batch_size=10, eta=0.5)


def progress(epoch: int, batch: int, batches: int = 20, seconds: float = 1.0,
             eta: float = 0.5) -> BatchProgress:
    return BatchProgress(epoch=epoch, epochs=10, batch=batch, batches=batches, running_cost=0.3,
                         eta=eta, examples_per_second=1000.0, seconds=seconds)


def report(epoch: int, eta: float = 0.5, seconds: float = 1.0) -> EpochReport:
    return EpochReport(epoch=epoch, epochs=10, train_cost=0.2, train_accuracy=0.9, val_cost=0.25,
                       val_accuracy=0.88, learning_speed=(0.1, 0.2), seconds=seconds,
                       examples_per_second=1000.0, eta=eta)


def network() -> Network:
    return Network([2, 3, 2], seed=0)


@pytest.fixture
def state() -> RunState:
    run = RunState()
    run.begin(CONFIG, clock=0.0)
    run.data_loaded([2, 8, 2], 200, network())
    return run


def test_a_new_state_is_ready_and_idle() -> None:
    run = RunState()
    assert run.state == "ready" and not run.running
    assert run.live_eta is None and run.control is None
    assert run.pause_or_resume() is None


def test_begin_numbers_and_names_each_run_and_resets_its_position() -> None:
    run = RunState()
    run.begin(CONFIG, clock=0.0)
    run.position = (3, 5, 20)
    control = run.begin(CONFIG.replace(dataset="circle"), clock=0.0, recorded=False)
    assert run.number == 2 and run.name.endswith("-unrecorded2-circle")
    assert run.title == "unrecorded run 2"  # no run history: the session's count, said so
    assert run.position == (0, 0, 0) and run.epochs_seen == 0
    assert run.control is control and not control.paused
    assert run.status == Status(state="loading data", epochs=10, eta=0.5, pace=CONFIG.pace,
                                detail="circle", recorded=False)
    assert run.is_current(2) and not run.is_current(1)


def test_begin_with_step_asks_the_control_to_pause_after_one_epoch() -> None:
    run = RunState()
    control = run.begin(CONFIG, step=True, clock=0.0)
    assert control.pause_after_epoch and not control.paused  # runs one epoch, then pauses


def test_data_loaded_counts_the_mini_batches_and_keeps_a_pending_pause(state: RunState) -> None:
    assert state.batches == 20 and state.state == "training"
    assert state.status.detail == "[2,8,2] 200 ex"
    assert state.network is not None and state.network_config is CONFIG
    state.begin(CONFIG, clock=0.0)
    assert state.pause_or_resume() == "pause"
    state.data_loaded([2, 8, 2], 200, network())
    assert state.state == "pausing"


def test_a_recorded_run_is_called_by_its_history_id_everywhere() -> None:
    """The log, the neurons screen and the saved networks' names all read :attr:`title` and
    :attr:`name`: the run history's id, not the session's count."""
    run = RunState()
    run.begin(CONFIG, clock=0.0)
    assert run.title == "the new run"  # its data are loading: the history has not numbered it
    run.data_loaded([2, 8, 2], 200, network(), record_id=33)
    assert run.number == 1 and run.title == "run 33" and run.name.endswith("-33-xor")


def test_the_time_left_is_unknown_until_the_reports_span_a_second(state: RunState) -> None:
    state.batch(progress(epoch=1, batch=1), now=0.0)
    state.batch(progress(epoch=1, batch=2), now=0.5)
    assert state.status.remaining is None and state.status.examples_per_second is None
    assert state.position == (1, 2, 20) and state.status.epoch == 1


def test_speed_and_time_left_come_from_the_last_seconds_not_one_report(state: RunState) -> None:
    """An epoch's first report carries its warm-up (181 examples a second and 5 minutes left,
    for a run of 30 seconds); over a window of reports it is one among many."""
    # A slow first mini-batch (2 s for 10 examples), then 10 mini-batches a second.
    state.batch(progress(epoch=1, batch=1, seconds=2.0), now=2.0)
    for batch in range(2, 21):
        state.batch(progress(epoch=1, batch=batch, seconds=2.0 + (batch - 1) * 0.1),
                    now=2.0 + (batch - 1) * 0.1)
    # The window keeps the last 5 s of reports: all of them here, the slow one included.
    assert state.status.examples_per_second == pytest.approx(190 / 1.9)
    assert state.status.remaining == pytest.approx(9 / (0.95 / 1.9))
    # Three epochs on at that pace, the slow start has left the window.
    now = 3.9
    state.epochs_done([report(1, seconds=3.9)], now=now)
    for epoch in (2, 3, 4):
        for batch in range(1, 21):
            now += 0.1
            state.batch(progress(epoch=epoch, batch=batch, seconds=batch * 0.1), now=now)
        state.epochs_done([report(epoch, seconds=2.0)], now=now)
    state.batch(progress(epoch=5, batch=10, seconds=1.0), now=now + 1.0)
    assert state.status.examples_per_second == pytest.approx(100.0)
    assert state.status.remaining == pytest.approx(5.5 * 2.0)


def test_the_wall_clock_counts_the_pace_and_evaluation(state: RunState) -> None:
    """Training takes 0.01 s an epoch, but a pace of 1 epoch/s holds it: the time left follows
    the wall clock."""
    for tick in range(1, 5):
        state.batch(progress(epoch=tick, batch=20, seconds=0.01), now=float(tick))
        state.epochs_done([report(tick, seconds=0.01)], now=float(tick))
    state.batch(progress(epoch=5, batch=20, seconds=0.01), now=5.0)
    assert state.status.remaining == pytest.approx(5 * 1.0)
    assert state.status.examples_per_second == pytest.approx(200 / 0.01)  # while training


def test_once_epochs_have_ended_their_wall_time_sets_the_estimate(state: RunState) -> None:
    state.epochs_done([report(1)], now=100.0)
    assert state.status.remaining is None  # one epoch end: no interval measured yet
    state.epochs_done([report(2), report(3)], now=110.0)
    assert state.epoch_wall == pytest.approx(5.0)
    assert state.status.remaining == pytest.approx(7 * 5.0)
    assert state.epochs_seen == 3 and state.position == (3, 20, 20)
    state.batch(progress(epoch=4, batch=10, seconds=1.0), now=111.0)  # no window yet
    assert state.status.remaining == pytest.approx(6.5 * 5.0)


def test_a_pause_is_left_out_of_the_speed(state: RunState) -> None:
    state.batch(progress(epoch=1, batch=10), now=0.0)
    state.batch(progress(epoch=1, batch=20), now=1.0)
    assert state.status.remaining is not None
    state.paused(epoch=2, batch=0)
    state.resumed()
    state.batch(progress(epoch=2, batch=5), now=600.0)  # ten minutes paused
    assert state.status.remaining is None  # measured afresh, not over the pause


def test_a_pause_between_epochs_and_one_inside_an_epoch_are_named_apart(state: RunState) -> None:
    assert state.pause_or_resume() == "pause" and state.state == "pausing"
    state.batch(progress(epoch=3, batch=4))
    assert state.state == "pausing"  # a progress report does not forget the request
    pause = state.paused(epoch=4, batch=0)
    assert pause is not None
    assert (pause.where, pause.step) == ("after epoch 3", "F7 trains epoch 4")
    assert state.position == (3, 20, 20) and state.state == "paused"
    pause = state.paused(epoch=4, batch=7)
    assert pause is not None
    assert pause.where == "in epoch 4 after 7 of 20 mini-batches"
    assert pause.step == "F7 finishes epoch 4"
    assert state.paused(epoch=1, batch=0).where == "before epoch 1"  # type: ignore[union-attr]


def test_a_step_says_what_it_trains(state: RunState) -> None:
    state.position = (3, 20, 20)
    assert state.step() == "training epoch 4"
    state.position = (4, 7, 20)
    assert state.step() == "finishing epoch 4"
    assert state.state == "training"


def test_resume_and_stop_go_to_the_control(state: RunState) -> None:
    assert state.control is not None
    state.pause_or_resume()
    state.paused(epoch=2, batch=0)
    assert state.pause_or_resume() == "resume" and not state.control.paused
    assert state.resumed() and state.state == "training"
    state.stop()
    assert state.state == "stopping" and state.control.stop_requested
    assert not state.resumed() and state.state == "stopping"
    assert state.paused(epoch=2, batch=3) is None  # stopping wins over a late pause


def test_the_live_eta_is_the_controls_until_the_trainer_takes_it(state: RunState) -> None:
    assert state.live_eta == 0.5
    assert state.control is not None
    state.control.set_eta(0.05)
    assert state.live_eta == 0.05
    state.batch(progress(epoch=1, batch=2, eta=0.5))  # the trainer has not taken it yet
    assert state.status.eta == 0.05


def test_an_ended_run_shows_where_it_stopped_and_keeps_its_network(state: RunState) -> None:
    net = network()
    state.ended("stopped", net, stopped_at=(3, 7, 20))
    assert state.position == (3, 7, 20) and state.status.epoch == 3
    assert state.state == "stopped" and not state.running and state.control is None
    assert state.network is net and state.status.remaining is None
    state.begin(CONFIG, clock=0.0)
    state.ended("stopped", None, stopped_at=(4, 0, 20))  # stopped between epochs
    assert state.position == (3, 20, 20) and state.network is None


def test_a_restart_is_taken_once(state: RunState) -> None:
    other = CONFIG.replace(eta=3.0)
    state.stop(restart_with=other)
    assert state.take_restart() is other
    assert state.take_restart() is None


def test_a_comparison_s_run_takes_the_number_and_the_control_it_is_given() -> None:
    shared = Control()
    run = RunState()
    run.begin(CONFIG, clock=0.0)
    run.data_loaded([2, 8, 2], 200, network(), record_id=7)
    assert run.record_id == 7
    control = run.begin(CONFIG, clock=0.0, control=shared, number=5)
    assert control is shared and run.control is shared and run.number == 5
    assert run.record_id is None  # the new run is not recorded yet
    assert run.name.endswith("-unrecorded5-xor")  # until the history numbers it
    run.data_loaded([2, 8, 2], 200, network(), record_id=9)
    assert run.name.endswith("-9-xor") and run.title == "run 9"
    run.begin(CONFIG, clock=0.0)
    assert run.number == 6 and run.control is not shared
