"""Tests of sweeps: planning and checking the runs, training them in process, on a real local
Dask cluster (worker processes) and on a real ``dask scheduler`` and ``dask worker`` started as
processes on 127.0.0.1; faults: a worker killed mid-run, Ctrl+C to a real ``nntui sweep``, an
unreachable scheduler, bad --vary values.  Toy data sets and few epochs keep them fast."""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from nntui.cli.main import main
from nntui.config import DEFAULTS, make_config
from nntui.engine import EpochReport
from nntui.presets import PRESETS
from nntui.runner.lifecycle import JsonRecord, RunEnded, RunStarted
from nntui.runner.signals import Interrupted
from nntui.status import RunStatus
from nntui.storage.history import RunHistory
from nntui.storage.records import load_run
from nntui.studies.sweep import (
    ClusterError,
    DaskExecutor,
    InProcess,
    Sweep,
    SweepError,
    parse_vary,
    plan_sweep,
)
from tests.conftest import Recorder

# A 2-D set, watched at 20 epochs a second so that a run lasts long enough to be caught mid-way.
CIRCLE = ["--dataset", "circle", "--hidden", "4", "--activation", "tanh", "--output", "softmax",
          "--cost", "log-likelihood", "--init", "glorot", "--eta", "0.1", "--regularization",
          "none", "--train-size", "200"]
# The same net with a linear output and quadratic cost: η = 50 diverges in its first epoch.
DIVERGES = ["--dataset", "circle", "--hidden", "8", "--activation", "relu", "--output",
            "linear", "--cost", "quadratic", "--regularization", "none", "--train-size", "200"]


def _run(argv: list[str], capsys) -> tuple[int, str, str]:
    try:
        code = main(argv)
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else 1
    out, err = capsys.readouterr()
    return code, out, err


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONUNBUFFERED"] = "1"
    env.pop("NNTUI_DASK_SCHEDULER", None)
    return env


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _stop_group(process: subprocess.Popen) -> None:
    """End a process started in its own session and everything it started."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=10)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    if process.poll() is None:
        process.wait(timeout=10)


def _config(flags: list[str], **extra) -> object:
    """The config a list of flags describes."""
    values = {name.lstrip("-").replace("-", "_"): value
              for name, value in zip(flags[::2], flags[1::2], strict=True)}
    return make_config(**values, **extra)


# --- planning ------------------------------------------------------------------------------------

def test_parse_vary_reads_names_values_and_layer_lists() -> None:
    assert parse_vary("eta=0.025,0.25,2.5") == ("eta", ["0.025", "0.25", "2.5"])
    assert parse_vary("--batch-size=10,128") == ("batch_size", ["10", "128"])
    assert parse_vary("hidden=30,64-64,none") == ("hidden", ["30", "64,64", ""])
    for bad, words in (("eta", "NAME=V1,V2"), ("speed=1", "not a hyperparameter"),
                       ("eta=", "no values"), ("eta=0.1,,1", "empty value")):
        with pytest.raises(ValueError, match=words):
            parse_vary(bad)


def test_plan_sweep_is_the_cartesian_product_first_vary_slowest() -> None:
    runs = plan_sweep(DEFAULTS, ["eta=0.025,0.25,2.5", "hidden=30,64-64"])
    assert len(runs) == 6 and [r.index for r in runs] == list(range(6))
    assert [(r.config.eta, r.config.hidden) for r in runs] == [
        (0.025, (30,)), (0.025, (64, 64)), (0.25, (30,)), (0.25, (64, 64)),
        (2.5, (30,)), (2.5, (64, 64))]
    assert runs[1].label == "hidden=64,64 η=0.025"
    assert len({r.label for r in runs}) == 6
    assert all(r.config.replace(eta=0.5, hidden=(30,)) == DEFAULTS for r in runs)


def test_every_bad_value_is_reported_at_once() -> None:
    with pytest.raises(SweepError) as caught:
        plan_sweep(DEFAULTS, ["eta=-1,abc,0.5,0.5", "hidden=0,30", "nope=1", "eta=1",
                              "batch-size=2.5"])
    text = "\n".join(caught.value.problems)
    assert len(caught.value.problems) == 7, text
    for words in ("eta: -1 is out of range", "eta: 'abc' is not a number",
                  "eta: 0.5 is given twice", "a layer of 0 neurons", "'nope' is not a "
                  "hyperparameter", "--vary eta is given twice", "'2.5' is not a whole number"):
        assert words in text, words
    with pytest.raises(SweepError, match="the run cost=log-likelihood: cost: log-likelihood "
                                         "needs a softmax output"):
        plan_sweep(DEFAULTS, ["cost=quadratic,log-likelihood"])
    with pytest.raises(SweepError, match="nothing to vary"):
        plan_sweep(DEFAULTS, [])


def test_a_json_record_without_a_path_stays_in_memory(tmp_path: Path) -> None:
    record = JsonRecord(DEFAULTS, None, warn=pytest.fail)
    record.on_epoch(EpochReport(epoch=1, epochs=2, train_cost=0.5, train_accuracy=0.9,
                                val_cost=0.6, val_accuracy=0.88, learning_speed=(0.1, 0.2),
                                seconds=1.5, examples_per_second=100.0, eta=0.5))
    record.on_run_end(RunEnded(status=RunStatus.COMPLETED, message="done", epochs_run=1,
                               best_val_accuracy=0.88, best_epoch=1, test_accuracy=0.87,
                               seconds=2.0))
    data = record.record.as_dict()
    assert record.written and data["status"] == "completed" and len(data["history"]) == 1
    assert list(tmp_path.iterdir()) == []


# --- usage errors --------------------------------------------------------------------------------

@pytest.mark.parametrize(("argv", "words"), [
    (["--vary", "eta=-1,abc", "--vary", "hidden=0", "--vary", "nope=1"],
     ["4 problems", "eta: -1 is out of range", "'abc' is not a number", "a layer of 0 neurons",
      "'nope' is not a hyperparameter"]),
    (["--eta", "0", "--preset", "xor", "--vary", "hidden=0,4", "--vary", "seed=-1"],
     ["3 problems", "--eta: 0 is out of range", "a layer of 0 neurons", "seed: -1"]),
    (["--preset", "nope", "--vary", "eta=1,2"], ["unknown preset 'nope'"]),
    ([], ["nothing to vary"]),
    (["--vary", "eta=1,2", "--workers", "2", "--scheduler", "tcp://127.0.0.1:8786"],
     ["--workers sets the size of a local cluster"]),
    (["--vary", "eta=1,2", "--scheduler", "127.0.0.1"], ["missing port number",
                                                         "tcp://10.0.0.5:8786"]),
    (["--vary", "eta=1,2", "--json", "."], ["folder"]),
    (["--vary", "eta=1,2", "--workers", "-1"], ["too small"]),
    (["--dataset", "mnist", "--data-dir", "/no/such/folder", "--vary", "eta=1,2"],
     ["data set mnist"]),
])
def test_usage_errors_exit_2_before_anything_runs(argv: list[str], words: list[str], capsys,
                                                  tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    db = tmp_path / "runs.db"
    code, out, err = _run(["sweep", *argv, "--runs-db", str(db)], capsys)
    assert code == 2, err
    for word in words:
        assert word in err, word
    assert "Traceback" not in err and "Sweep " not in out
    assert not db.exists()


# --- in process ----------------------------------------------------------------------------------

def test_in_process_a_diverging_run_is_a_result_and_the_json_holds_every_record(
        tmp_path: Path, capsys) -> None:
    db, out_file = tmp_path / "runs.db", tmp_path / "sweep.json"
    code, out, err = _run(["sweep", *DIVERGES, "--epochs", "3", "--vary", "eta=0.01,50",
                           "--workers", "0", "--name", "eta-check", "--runs-db", str(db),
                           "--json", str(out_file)], capsys)
    assert code == 0, err  # a diverging run is a result
    assert "2 runs one after another in this process" in out
    assert re.search(r"η=0\.01 +completed +3/3 ", out)
    assert re.search(r"η=50 +diverged +0/3 ", out)
    assert "η=50: diverged at epoch 1" in err
    with RunHistory(db) as history:
        runs = {r.name: r for r in history.list_runs()}
    assert {r.group for r in runs.values()} == {"eta-check"}
    assert runs["η=0.01"].status == "completed" and runs["η=0.01"].epochs_done == 3
    assert runs["η=50"].status == "diverged"
    data = json.loads(out_file.read_text())
    assert data["sweep"] == "eta-check"
    assert [r["label"] for r in data["runs"]] == ["η=0.01", "η=50"]
    for entry in data["runs"]:
        assert entry["run_id"] == runs[entry["label"]].id
        single = tmp_path / f"run{entry['run_id']}.json"
        single.write_text(json.dumps(entry))
        record = load_run(single)  # the same form as nntui train --json
        assert record.status == entry["status"] and record.config.eta == entry["config"]["eta"]
    assert len(data["runs"][0]["history"]) == 3


def test_in_process_stop_keeps_finished_runs_and_skips_the_rest() -> None:
    base = PRESETS["xor"].config().replace(pace=0, epochs=5)
    runs = plan_sweep(base, ["eta=0.1,0.2,0.3"])
    stops: list = []

    def observers_for(run):
        def observe(event):
            if run.index == 1 and isinstance(event, EpochReport) and event.epoch == 2:
                sweep.stop()
                stops.append(run.label)
        return [Recorder(observe)]

    sweep = Sweep("stop-test", runs, observers_for=observers_for)
    results = sweep.execute(InProcess())
    assert stops == ["η=0.2"]
    assert [r.state for r in results] == ["completed", "stopped", RunStatus.NOT_RUN]
    assert results[1].ended.epochs_run == 2 and results[2].ended is None


# --- on a local Dask cluster ---------------------------------------------------------------------

@pytest.fixture(scope="module")
def local_cluster():
    executor = DaskExecutor(workers=2).start()
    yield executor
    executor.close()


def test_local_cluster_records_every_run_from_its_worker(local_cluster: DaskExecutor,
                                                         tmp_path: Path) -> None:
    base = _config(DIVERGES, epochs=4)
    runs = plan_sweep(base, ["eta=0.01,0.02,50"])
    seen: dict[int, list] = {}

    ids_at_start: dict[int, int | None] = {}

    def observers_for(run):
        seen[run.index] = []

        def note_id(event):
            if isinstance(event, RunStarted):
                ids_at_start[run.index] = sweep.results[run.index].run_id
        return [Recorder(seen[run.index].append), Recorder(note_id)]

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


def test_a_killed_worker_gets_its_run_retried_once_then_failed(local_cluster: DaskExecutor,
                                                               tmp_path: Path) -> None:
    """Two runs on two workers; each one's worker process is killed (SIGKILL) in its second
    epoch: the first run once (retried, it completes), the second twice (failed)."""
    base = _config(CIRCLE, epochs=30, pace=20)
    runs = plan_sweep(base, ["seed=1,2"])
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
        return [Recorder(observe)]

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
                                                       tmp_path: Path) -> None:
    """A second Ctrl+C leaves the sweep at once: the runs that were running are recorded as
    stopped with the epochs that arrived, the others never start."""
    local_cluster.client.wait_for_workers(2, timeout=60)  # both back after the kills
    runs = plan_sweep(_config(CIRCLE, epochs=200, pace=20), ["seed=1,2,3"])
    leaving: list[int] = []

    def observers_for(run):
        def observe(event):
            if not leaving and isinstance(event, EpochReport) and event.epoch == 2:
                leaving.append(run.index)
                raise Interrupted
        return [Recorder(observe)]

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


def test_an_observer_that_fails_fails_its_run_not_the_sweep(local_cluster: DaskExecutor) -> None:
    runs = plan_sweep(_config(CIRCLE, epochs=3), ["seed=1,2"])

    def observers_for(run):
        def observe(event):
            if run.index == 0 and isinstance(event, EpochReport) and event.epoch == 2:
                raise ValueError("the display broke")
        return [Recorder(observe)]

    results = Sweep("observer", runs, observers_for=observers_for).execute(local_cluster)
    assert [r.state for r in results] == ["failed", "completed"]
    assert results[0].ended.message == "training failed: ValueError: the display broke"
    assert results[0].ended.epochs_run == 2


# --- a real nntui sweep, stopped with Ctrl+C -----------------------------------------------------

def test_ctrl_c_stops_the_running_runs_keeps_the_finished_and_shuts_the_cluster(
        tmp_path: Path) -> None:
    """SIGINT to the whole process group, as a terminal sends it: the two short runs are kept,
    the two running are recorded as stopped, the last two never start, every worker process
    ends, and the exit status is 130."""
    db, out_file = tmp_path / "runs.db", tmp_path / "sweep.json"
    process = subprocess.Popen(
        [sys.executable, "-m", "nntui", "sweep", *CIRCLE, "--pace", "20", "--vary",
         "epochs=3,400,401", "--vary", "seed=1,2", "--workers", "2", "--runs-db", str(db),
         "--json", str(out_file), "--name", "ctrl-c"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env(),
        start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        ready = False
        while time.monotonic() < deadline and process.poll() is None:
            if db.exists():
                with RunHistory(db) as history:
                    runs = history.list_runs()
                if sum(r.status == "completed" for r in runs) == 2 and sum(
                        r.status == "running" and r.epochs_done >= 1 for r in runs) == 2:
                    ready = True
                    break
            time.sleep(0.1)
        assert ready, "the long runs never got going"
        os.killpg(process.pid, signal.SIGINT)
        out, err = process.communicate(timeout=60)
        gone = time.monotonic() + 15
        while time.monotonic() < gone:
            try:
                os.killpg(process.pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.1)
        else:
            pytest.fail("a worker process outlived the sweep")
    finally:
        _stop_group(process)
    assert process.returncode == 130, err
    assert "Traceback" not in err
    assert "Stopped by Ctrl+C: 2 runs not run." in out
    with RunHistory(db) as history:
        runs = {r.name: r for r in history.list_runs()}
    assert {name: r.status for name, r in runs.items()} == {
        "epochs=3 seed=1": "completed", "epochs=3 seed=2": "completed",
        "epochs=400 seed=1": "stopped", "epochs=400 seed=2": "stopped"}
    assert all(0 < runs[f"epochs=400 seed={s}"].epochs_done < 400 for s in (1, 2))
    data = json.loads(out_file.read_text())
    assert [r["status"] for r in data["runs"]] == ["completed", "completed", "stopped",
                                                   "stopped", RunStatus.NOT_RUN, RunStatus.NOT_RUN]


# --- a scheduler and a worker started as processes -----------------------------------------------

@contextlib.contextmanager
def _dask_processes(folder: Path, *worker_options: str):
    """``dask scheduler`` and one ``dask worker`` on 127.0.0.1, as a person would start them;
    yields the scheduler's address and the worker's process."""
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    started = []
    with open(folder / "scheduler.log", "w") as scheduler_log, \
            open(folder / "worker.log", "w") as worker_log:
        try:
            started.append(subprocess.Popen(
                [sys.executable, "-m", "dask", "scheduler", "--host", "127.0.0.1", "--port",
                 str(port), "--no-dashboard"], stdout=subprocess.DEVNULL, stderr=scheduler_log,
                env=_env(), start_new_session=True))
            started.append(subprocess.Popen(
                [sys.executable, "-m", "dask", "worker", address, "--nthreads", "1",
                 "--no-dashboard", "--host", "127.0.0.1", *worker_options],
                stdout=subprocess.DEVNULL, stderr=worker_log, env=_env(),
                start_new_session=True))
            yield address, started[1]
        finally:
            for process in reversed(started):
                _stop_group(process)


@pytest.fixture(scope="module")
def dask_processes(tmp_path_factory):
    with _dask_processes(tmp_path_factory.mktemp("dask"), "--nworkers", "1") as (address, _):
        yield address


def test_a_sweep_on_a_scheduler_and_worker_started_apart(dask_processes: str, tmp_path: Path,
                                                         capsys, monkeypatch) -> None:
    db = tmp_path / "runs.db"
    code, out, err = _run(["sweep", *CIRCLE, "--epochs", "3", "--vary", "eta=0.05,0.5",
                           "--scheduler", dask_processes, "--timeout", "30", "--name", "apart",
                           "--runs-db", str(db)], capsys)
    assert code == 0, err
    assert f"on the Dask cluster at {dask_processes}" in out
    assert "the Dask cluster at" in out and "(1 worker)" in out
    assert re.search(r"η=0\.05: completed, 3 epochs.*, on tcp://127\.0\.0\.1:\d+", out)
    # The same cluster named by $NNTUI_DASK_SCHEDULER.
    monkeypatch.setenv("NNTUI_DASK_SCHEDULER", dask_processes)
    code, out, err = _run(["sweep", *CIRCLE, "--epochs", "2", "--vary", "seed=3,4",
                           "--name", "from-env", "--runs-db", str(db)], capsys)
    assert code == 0, err
    with RunHistory(db) as history:
        runs = history.list_runs()
        details = [history.get_run(r.id) for r in runs]
    assert sorted((r.group, r.name, r.status, r.epochs_done) for r in runs) == [
        ("apart", "η=0.05", "completed", 3), ("apart", "η=0.5", "completed", 3),
        ("from-env", "seed=3", "completed", 2), ("from-env", "seed=4", "completed", 2)]
    assert all(d.pid == os.getpid() for d in details)  # the client recorded them all


def test_an_unreachable_scheduler_fails_within_the_timeout(tmp_path: Path, capsys) -> None:
    address = f"tcp://127.0.0.1:{_free_port()}"  # nothing listens there
    db = tmp_path / "runs.db"
    code, _, err = _run(["sweep", "--dataset", "xor", "--vary", "eta=0.1,1", "--scheduler",
                           address, "--timeout", "1", "--runs-db", str(db)], capsys)
    assert code == 1
    assert f"cannot reach the Dask scheduler at {address} within 1 s" in err
    assert "dask scheduler" in err and "Traceback" not in err
    if db.exists():
        with RunHistory(db) as history:
            assert history.list_runs() == []


def test_a_scheduler_without_workers_says_how_to_start_one() -> None:
    from distributed import LocalCluster

    with LocalCluster(n_workers=0, host="127.0.0.1", dashboard_address=None,
                      scheduler_kwargs={"dashboard_address": ":0"}) as cluster:
        address = cluster.scheduler_address
        with pytest.raises(ClusterError, match=f"the Dask scheduler at {address} has no worker "
                                               rf"\(waited 1 s\); start one on each machine "
                                               f"with 'dask worker {address}'"):
            DaskExecutor(scheduler=address, timeout=1).start()


def test_runs_fail_when_no_worker_is_left(tmp_path: Path) -> None:
    """The only worker (no nanny to restart it) is killed mid-run: its run cannot be retried
    anywhere, and fails once no worker has come back for the grace period."""
    with _dask_processes(tmp_path, "--no-nanny") as (address, worker):
        runs = plan_sweep(_config(CIRCLE, epochs=200, pace=20), ["seed=1,2"])

        def observers_for(run):
            def observe(event):
                if isinstance(event, EpochReport) and event.epoch == 2 and worker.poll() is None:
                    worker.send_signal(signal.SIGKILL)
            return [Recorder(observe)]

        with RunHistory(tmp_path / "runs.db") as history:
            sweep = Sweep("orphans", runs, history=history, observers_for=observers_for)
            with DaskExecutor(scheduler=address, timeout=30, lost_grace=2) as executor:
                results = sweep.execute(executor)
            recorded = {r.name: r for r in history.list_runs()}
    assert [r.state for r in results] == ["failed", "failed"]
    message = (f"no Dask worker was left on the cluster for 2 s; start one with 'dask worker "
               f"{address}'")
    assert all(r.ended.message == message for r in results)
    assert results[0].ended.epochs_run >= 2  # what arrived is kept
    assert recorded["seed=1"].status == "failed" and recorded["seed=1"].epochs_done >= 2
    assert recorded["seed=2"].status == "failed" and recorded["seed=2"].epochs_done == 0
