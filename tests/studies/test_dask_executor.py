"""Tests of a sweep on a real local Dask cluster (worker processes) and on a cluster given by
its scheduler: every run recorded from its worker, a worker killed mid-run, leaving at once, an
observer that fails, a scheduler without workers, the only worker gone for good, and an address
where a web server answers instead of a scheduler.  Toy data sets and few epochs keep them
fast."""

from __future__ import annotations

import http.server
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from nntui.config import Config, make_config
from nntui.engine import EpochReport
from nntui.runner.lifecycle import RunEnded, RunStarted
from nntui.runner.signals import Interrupted
from nntui.status import RunStatus
from nntui.storage.history import RunHistory
from nntui.studies.dask_executor import ClusterError, DaskExecutor
from nntui.studies.plan import plan_sweep
from nntui.studies.sweep import Sweep


def _circle(**extra) -> Config:
    """A 2-D set, watched at ``pace`` epochs a second so that a run lasts long enough to be
    caught mid-way."""
    return make_config(dataset="circle", hidden="4", activation="tanh", output="softmax",
                       cost="log-likelihood", init="glorot", eta=0.1, regularization="none",
                       train_size=200, **extra)


def _diverges(**extra) -> Config:
    """The same net with a linear output and quadratic cost: η = 50 diverges in its first
    epoch."""
    return make_config(dataset="circle", hidden="8", activation="relu", output="linear",
                       cost="quadratic", regularization="none", train_size=200, **extra)


@pytest.fixture(scope="module")
def local_cluster():
    executor = DaskExecutor(workers=2).start()
    yield executor
    executor.close()


def test_local_cluster_records_every_run_from_its_worker(local_cluster: DaskExecutor,
                                                         tmp_path: Path, make_recorder) -> None:
    runs = plan_sweep(_diverges(epochs=4), ["eta=0.01,0.02,50"])
    seen: dict[int, list] = {}

    ids_at_start: dict[int, int | None] = {}

    def observers_for(run):
        seen[run.index] = []

        def note_id(event):
            if isinstance(event, RunStarted):
                ids_at_start[run.index] = sweep.results[run.index].run_id
        return [make_recorder(seen[run.index].append), make_recorder(note_id)]

    ended: list[str] = []
    with RunHistory(tmp_path / "runs.db") as history:
        sweep = Sweep("local", runs, history=history, observers_for=observers_for,
                      on_result=lambda r: ended.append(r.label))
        results = sweep.execute(local_cluster)
        recorded = {r.name: r for r in history.list_runs()}
    assert sorted(ended) == sorted(r.label for r in runs)
    assert [r.state for r in results] == ["completed", "completed", "diverged"]
    workers = set(local_cluster.client.scheduler_info()["workers"])
    assert all(r.worker in workers and r.attempts == 1 for r in results)
    for result in results:
        run = recorded[result.label]
        assert run.group == "local" and run.status == result.state
        assert run.id == result.run_id
    assert recorded["η=0.01"].epochs_done == 4
    # The run's id in the history is known to the caller's observers when it starts.
    assert ids_at_start == {r.run.index: r.run_id for r in results}
    # The caller's observers hear the lifecycle's own events, as they arrive from the worker.
    events = seen[0]
    assert isinstance(events[0], RunStarted) and events[0].network is None
    assert [e.epoch for e in events if isinstance(e, EpochReport)] == [1, 2, 3, 4]
    assert isinstance(events[-1], RunEnded) and events[-1].status == "completed"
    assert results[0].history == [e for e in events if isinstance(e, EpochReport)]


def test_the_workers_ignore_ctrl_c_and_use_one_blas_thread(local_cluster: DaskExecutor) -> None:
    """The worker side's preload ran on every worker of the local cluster: Ctrl+C, which a
    terminal sends to the whole process group, is the client's alone, and one run keeps to one
    core."""

    def look() -> tuple[bool, list[int]]:
        from threadpoolctl import threadpool_info

        ignored = signal.getsignal(signal.SIGINT) == signal.SIG_IGN
        return ignored, [pool["num_threads"] for pool in threadpool_info()]

    answers = local_cluster.client.run(look)
    assert len(answers) == 2
    for ignored, threads in answers.values():
        assert ignored and all(n == 1 for n in threads)


def test_a_killed_worker_gets_its_run_retried_once_then_failed(local_cluster: DaskExecutor,
                                                               tmp_path: Path,
                                                               make_recorder) -> None:
    """Two runs on two workers; each one's worker process is killed (SIGKILL) in its second
    epoch: the first run once (retried, it completes), the second twice (failed)."""
    runs = plan_sweep(_circle(epochs=30, pace=20), ["seed=1,2"])
    kills = {0: 1, 1: 2}
    killed: list[tuple[int, int]] = []

    def observers_for(run):
        def observe(event):
            result = sweep.results[run.index]
            if isinstance(event, EpochReport) and event.epoch == 2 \
                    and result.attempts <= kills[run.index]:
                pids = local_cluster.client.run(os.getpid, workers=[result.worker])
                os.kill(pids[result.worker], signal.SIGKILL)
                killed.append((run.index, result.attempts))
        return [make_recorder(observe)]

    with RunHistory(tmp_path / "runs.db") as history:
        warnings: list[str] = []
        sweep = Sweep("kills", runs, history=history, observers_for=observers_for,
                      warn=warnings.append)
        results = sweep.execute(local_cluster)
        recorded = sorted(history.list_runs(), key=lambda r: r.id)
    assert sorted(killed) == [(0, 1), (1, 1), (1, 2)]
    assert [r.state for r in results] == ["completed", "failed"]
    assert [r.attempts for r in results] == [2, 2]
    assert results[0].ended.epochs_run == 30
    assert "died 2 times (a run is retried once)" in results[1].ended.message
    by_name: dict[str, list[str]] = {}
    for run in recorded:
        by_name.setdefault(run.name, []).append(run.status)
    assert sum("died during epoch" in w for w in warnings) == 2  # said as it happened
    assert by_name == {"seed=1": ["interrupted", "completed"],
                       "seed=2": ["interrupted", "failed"]}
    interrupted = next(r for r in recorded if r.status == "interrupted")
    assert "died during epoch" in interrupted.message and interrupted.epochs_done >= 2
    local_cluster.client.wait_for_workers(2, timeout=60)  # the nannies restart them


def test_leaving_at_once_records_the_running_run_stopped(local_cluster: DaskExecutor,
                                                       tmp_path: Path, make_recorder) -> None:
    """A second Ctrl+C leaves the sweep at once: the runs that were running are recorded as
    stopped with the epochs that arrived, the others never start."""
    local_cluster.client.wait_for_workers(2, timeout=60)  # both back after the kills
    runs = plan_sweep(_circle(epochs=200, pace=20), ["seed=1,2,3"])
    leaving: list[int] = []

    def observers_for(run):
        def observe(event):
            if not leaving and isinstance(event, EpochReport) and event.epoch == 2:
                leaving.append(run.index)
                raise Interrupted
        return [make_recorder(observe)]

    warnings: list[str] = []
    with RunHistory(tmp_path / "runs.db") as history:
        sweep = Sweep("at-once", runs, history=history, observers_for=observers_for,
                      warn=warnings.append)
        with pytest.raises(Interrupted):
            sweep.execute(local_cluster)
        ended = sweep.abandon("stopped at once by a second Ctrl+C")
        recorded = {r.name: r for r in history.list_runs()}
    first = sweep.results[leaving[0]]
    assert first in ended and first.state == "stopped"
    assert first.ended.epochs_run == 2 and "second Ctrl+C" in first.ended.message
    assert recorded[first.label].status == "stopped"
    assert recorded[first.label].epochs_done == 2
    states = [r.state for r in sweep.results]
    # two workers, three runs
    assert set(states) <= {"stopped", RunStatus.NOT_RUN} and RunStatus.NOT_RUN in states
    assert {r.label for r in sweep.results if r.state == RunStatus.NOT_RUN}.isdisjoint(recorded)
    assert all(recorded[r.label].status == "stopped" for r in ended)
    assert not warnings and all(r.final for r in sweep.results)


def test_an_observer_that_fails_fails_its_run_not_the_sweep(local_cluster: DaskExecutor,
                                                            make_recorder) -> None:
    runs = plan_sweep(_circle(epochs=3), ["seed=1,2"])

    def observers_for(run):
        def observe(event):
            if run.index == 0 and isinstance(event, EpochReport) and event.epoch == 2:
                raise ValueError("the display broke")
        return [make_recorder(observe)]

    results = Sweep("observer", runs, observers_for=observers_for).execute(local_cluster)
    assert [r.state for r in results] == ["failed", "completed"]
    assert results[0].ended.message == "training failed: ValueError: the display broke"
    assert results[0].ended.epochs_run == 2


# --- a cluster given by its scheduler ------------------------------------------------------------

def _scheduler_alone():
    """A scheduler with no worker, in this process, reached over TCP like any other."""
    from distributed import LocalCluster

    return LocalCluster(n_workers=0, host="127.0.0.1", dashboard_address=None,
                        scheduler_kwargs={"dashboard_address": ":0"})


def test_a_scheduler_without_workers_says_how_to_start_one() -> None:
    with _scheduler_alone() as cluster:
        address = cluster.scheduler_address
        with pytest.raises(ClusterError, match=f"the Dask scheduler at {address} has no worker "
                                               rf"\(waited 1 s\); start one on each machine "
                                               f"with 'dask worker {address}'"):
            DaskExecutor(scheduler=address, timeout=1).start()


def test_runs_fail_when_no_worker_is_left(tmp_path: Path, make_recorder) -> None:
    """The only worker (``dask worker`` in a process of its own, no nanny to restart it) is
    killed mid-run: its run cannot be retried anywhere, and fails once no worker has come back
    for the grace period."""
    with _scheduler_alone() as cluster, open(tmp_path / "worker.log", "w") as log:
        address = cluster.scheduler_address
        worker = subprocess.Popen(
            [sys.executable, "-m", "dask", "worker", address, "--nthreads", "1", "--no-nanny",
             "--no-dashboard", "--host", "127.0.0.1"], stdout=subprocess.DEVNULL, stderr=log)
        try:
            runs = plan_sweep(_circle(epochs=200, pace=20), ["seed=1,2"])

            def observers_for(run):
                def observe(event):
                    if isinstance(event, EpochReport) and event.epoch == 2 \
                            and worker.poll() is None:
                        worker.send_signal(signal.SIGKILL)
                return [make_recorder(observe)]

            with RunHistory(tmp_path / "runs.db") as history:
                sweep = Sweep("orphans", runs, history=history, observers_for=observers_for)
                with DaskExecutor(scheduler=address, timeout=30, lost_grace=2) as executor:
                    results = sweep.execute(executor)
                recorded = {r.name: r for r in history.list_runs()}
        finally:
            worker.kill()
            worker.wait(timeout=10)
    assert [r.state for r in results] == ["failed", "failed"]
    message = (f"no Dask worker was left on the cluster for 2 s; start one with 'dask worker "
               f"{address}'")
    assert all(r.ended.message == message for r in results)
    assert results[0].ended.epochs_run >= 2  # what arrived is kept
    assert recorded["seed=1"].status == "failed" and recorded["seed=1"].epochs_done >= 2
    assert recorded["seed=2"].status == "failed" and recorded["seed=2"].epochs_done == 0


# --- an address where something else answers -----------------------------------------------------

class _QuietHandler(http.server.BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        """Dask's bytes are no request: the server's complaint about them is noise here."""


@pytest.fixture
def web_server() -> Iterator[str]:
    """A real HTTP server on 127.0.0.1 (in a thread): it accepts the connection, then waits for a
    request line that Dask's handshake never sends.  Yields its address as a scheduler's."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _QuietHandler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"tcp://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _within(bound: float, work: Callable[[], object]) -> object:
    """``work()``'s result or exception, asserting it came within ``bound`` seconds (a hang
    check, far above what it needs; ``work`` runs in a thread so that a hang fails the test)."""
    outcome: list = []

    def run() -> None:
        try:
            outcome.append(work())
        except Exception as error:
            outcome.append(error)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(bound)
    assert not thread.is_alive(), f"still waiting after {bound:g} s"
    return outcome[0]


def test_an_address_that_is_no_scheduler_fails_within_the_timeout(web_server: str) -> None:
    """Dask's own timeout covers opening the connection, not its handshake: without a timeout
    of the whole, ``Client`` waits for the web server's answer for ever."""
    executor = DaskExecutor(scheduler=web_server, timeout=1)
    error = _within(30, executor.start)
    assert isinstance(error, ClusterError)
    assert str(error).startswith(f"cannot reach the Dask scheduler at {web_server} within 1 s "
                                 f"(something answers there, but not as a Dask scheduler")
    assert executor.client is None


def test_a_stop_while_connecting_gives_up_and_no_run_starts(web_server: str) -> None:
    sweep = Sweep("never", plan_sweep(_circle(epochs=2), ["seed=1,2"]))
    executor = DaskExecutor(scheduler=web_server, timeout=600)
    threading.Timer(0.5, sweep.stop).start()
    _within(30, lambda: executor.start(2, stop=lambda: sweep.control.stop_requested))
    assert executor.client is None
    results = sweep.execute(executor)  # stopped: it neither connects again nor starts a run
    assert [r.state for r in results] == [RunStatus.NOT_RUN, RunStatus.NOT_RUN]
